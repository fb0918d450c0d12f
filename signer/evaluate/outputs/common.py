"""What the evaluation's outputs share: category bands, labels, number helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from signer import formatting
from signer.evaluate.capaian import SANGAT_RENDAH, Rules, bulat
from signer.evaluate.results import AgreementResult, Evaluation, Status
from signer.kinds import JenisDokumen
from signer.model import Peran
from signer.workbooks.columns import HEADER_COLOUR as WORKBOOK_HEADER_COLOUR

SUMMARY_SHEET = "Ringkasan"


TITLE = "Evaluasi Perjanjian Kinerja"


FONT = "Liberation Sans"  # metric-compatible with Arial, the templates' font


MONO = "Liberation Mono"


HEADER_COLOUR = WORKBOOK_HEADER_COLOUR  # the workbooks' header blue


BAR_COLOUR = HEADER_COLOUR


# fills for the categories, best first (ColorBrewer RdYlGn, light enough for black text)
PALETTE = ("91CF60", "D9EF8B", "FEE08B", "FDAE61", "F08080")


SUMMARY_COLUMNS = (
    ("No", 5),
    ("Kode Unit", 14),
    ("Nama Unit", 40),
    ("Dokumen", 22),
    ("Status", 13),
    ("Capaian Unit (%)", 12),
    ("Kategori", 14),
    ("Anggaran (Rp)", 20),
    ("Realisasi Anggaran (Rp)", 22),
    ("Serapan Anggaran (%)", 12),
    ("Kode Verifikasi", 42),
    ("Pihak Pertama", 34),
    ("Pihak Kedua", 34),
    ("Keterangan", 32),
    ("Berkas", 30),
)


UNIT_COLUMNS = (
    ("No", 5),
    ("Sasaran", 36),
    ("Kode", 14),
    ("Indikator", 48),
    ("Satuan", 12),
    ("Arah", 10),
    ("Target", 12),
    ("Realisasi", 12),
    ("Capaian (%)", 12),
    ("Kategori", 14),
    ("Catatan", 26),
)


SASARAN_MEAN = "Rata-rata capaian sasaran"


UNIT_MEAN = "Capaian unit (rata-rata seluruh indikator)"


RUPIAH_FORMAT = "#,##0"


PERCENT_FORMAT = "0.00"


@dataclass(frozen=True)
class Level:
    """A category of capaian: its name, its half-open range [bawah, atas) and its colour."""

    nama: str
    bawah: Decimal | None
    atas: Decimal | None
    colour: str

    @property
    def rentang(self) -> str:
        if self.atas is None:
            return f"≥ {formatting.angka(self.bawah or 0)}"
        if self.bawah is None:
            return f"< {formatting.angka(self.atas)}"
        return f"{formatting.angka(self.bawah)} – < {formatting.angka(self.atas)}"


def levels(rules: Rules) -> tuple[Level, ...]:
    """The categories of ``rules``, best first, each with its colour."""
    bounds = sorted(rules.categories, key=lambda c: c[0], reverse=True)
    out: list[Level] = []
    upper: Decimal | None = None
    for i, (bound, name) in enumerate(bounds):
        out.append(Level(name, bound, upper, PALETTE[min(i, len(PALETTE) - 1)]))
        upper = bound
    out.append(Level(SANGAT_RENDAH, None, upper, PALETTE[-1]))
    return tuple(out)


def band_colours(rules: Rules) -> dict[str, str]:
    return {level.nama: level.colour for level in levels(rules)}


def made(when: dt.datetime) -> str:
    """'5 Maret 2027 pukul 10.15 UTC' (naive times are taken as UTC)."""
    utc = when.astimezone(dt.UTC) if when.tzinfo else when
    return f"{formatting.tanggal(utc.date())} pukul {utc:%H.%M} UTC"


def jenis(r: AgreementResult) -> str:
    if r.jenis is None:
        return ""
    try:
        return JenisDokumen(r.jenis).judul
    except ValueError:  # a kind of a newer kinerja: shown as it is named
        return r.jenis


def signer(r: AgreementResult, peran: Peran) -> tuple[str, str, str | None] | None:
    for s in r.signers:
        if s.role == peran.value:
            return s.nama, s.jabatan, s.nip
    return None


def signer_name(r: AgreementResult, peran: Peran) -> str:
    s = signer(r, peran)
    return s[0] if s else ""


def signer_full(r: AgreementResult, peran: Peran) -> str:
    s = signer(r, peran)
    if s is None:
        return ""
    nama, jabatan, nip = s
    return f"{nama}, {jabatan}" + (f", NIP {nip}" if nip else "")


def code(r: AgreementResult) -> str:
    return formatting.digest_grouped(r.sha256) if r.sha256 else ""


def unit(r: AgreementResult) -> str:
    if r.unit_kode:
        return f"{r.unit_kode} — {r.unit_nama}" if r.unit_nama else r.unit_kode
    return r.file


def pct(d: Decimal | None) -> str:
    return formatting.persen(d) if d is not None else "–"


def rp(n: int | None) -> str:
    return formatting.rupiah(n) if n is not None else "–"


def number(d: Decimal | int | None) -> int | float | None:
    """A number for a cell: an int when it is whole, as the evaluation's JSON has it."""
    if d is None:
        return None
    if isinstance(d, int):
        return d
    return int(d) if d == d.to_integral_value() else float(d)


def shown(d: Decimal | None) -> int | float | None:
    """A percentage for a cell, rounded half up to two places as it is shown everywhere."""
    return None if d is None else number(bulat(d))


def anggaran_note(r: AgreementResult) -> str | None:
    """What the budget figures of an evaluated unit need said: not filled, or over the pagu."""
    notes = []
    if r.anggaran_belum_diisi:
        missing = sum(1 for p in r.program if p.realisasi is None)
        notes.append(f"realisasi anggaran belum diisi ({missing} dari {len(r.program)} program)")
    over = [p.kode or p.uraian for p in r.program if p.melebihi_pagu]
    if r.melebihi_pagu:
        notes.append(
            "realisasi anggaran melebihi pagu" + (f" (program {', '.join(over)})" if over else "")
        )
    return "; ".join(notes) or None


def keterangan(r: AgreementResult) -> str | None:
    """The remark column: why a document is not evaluated, or the budget's notes."""
    return r.reason if r.status is not Status.EVALUATED else anggaran_note(r)


def summary_line(evaluation: Evaluation) -> str:
    """The evaluation in one sentence: each unit counted once, unfilled budgets left out."""
    t = evaluation.totals
    parts = [f"{t.unit} unit dievaluasi"]
    if t.capaian is not None:
        parts.append(f"rata-rata capaian unit {pct(t.capaian)} % ({t.kategori})")
    parts.append(f"anggaran {rp(t.anggaran)}")
    if t.serapan is not None:
        parts.append(
            f"serapan {pct(t.serapan)} % ({rp(t.realisasi_anggaran)} dari {rp(t.anggaran_terisi)})"
        )
    if t.anggaran_belum_diisi:
        parts.append(f"{t.anggaran_belum_diisi} unit realisasi anggaran belum diisi")
    if t.melebihi_pagu:
        parts.append(f"{t.melebihi_pagu} unit melebihi pagu")
    return "; ".join(parts)


def places_format(d: Decimal) -> str:
    """A number format showing the decimals ``d`` has (as formatting.angka does)."""
    exponent = d.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return RUPIAH_FORMAT + ("." + "0" * places if places else "")


def title(evaluation: Evaluation) -> str:
    parts = [TITLE]
    if evaluation.instansi:
        parts.append(evaluation.instansi)
    if evaluation.tahun:
        parts.append(f"Tahun {evaluation.tahun}")
    return " — ".join(parts)


def counts(evaluation: Evaluation) -> str:
    by = {st: sum(1 for r in evaluation.results if r.status is st) for st in Status}
    shown = [f"{by[st]} {st.value}" for st in Status if by[st] or st in _ALWAYS]
    return f"{len(evaluation.results)} dokumen: {', '.join(shown)}"


_ALWAYS = (Status.EVALUATED, Status.NOT_APPLICABLE, Status.REFUSED)
