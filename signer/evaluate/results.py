"""The evaluation's results: per indikator, sasaran and agreement, and their JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from signer import formatting
from signer.evaluate.capaian import Rules, bulat, mean
from signer.evaluate.capaian import kategori as kategori_of
from signer.kinds import JenisDokumen
from signer.model import Predikat, Target


class Status(StrEnum):
    EVALUATED = "dievaluasi"
    NOT_APPLICABLE = "tidak berlaku"  # a Pakta Integritas: no targets
    REFUSED = "ditolak"  # not verified, or not this pemda's agreement of this year: not used
    SUPERSEDED = "diganti"  # a later revision (PK Perubahan) of the unit is in force
    NOT_YET = "belum berlaku"  # a revision dated after the end of the triwulan evaluated
    NO_AGREEMENT = "tanpa perjanjian"  # a unit of the realisasi with no agreement in force

    @property
    def failed(self) -> bool:
        """Does it make the evaluation fail (exit 1)?"""
        return self in (Status.REFUSED, Status.NO_AGREEMENT)


class Periode(StrEnum):
    TW1 = "tw1"
    TW2 = "tw2"
    TW3 = "tw3"
    TW4 = "tw4"
    TAHUNAN = "tahunan"

    @property
    def triwulan(self) -> int | None:
        return None if self is Periode.TAHUNAN else int(self.value[-1])

    @property
    def label(self) -> str:
        return {
            "tw1": "Triwulan I",
            "tw2": "Triwulan II",
            "tw3": "Triwulan III",
            "tw4": "Triwulan IV",
            "tahunan": "Tahunan",
        }[self.value]


def _num(d: Decimal | None) -> float | int | None:
    """A JSON number for a Decimal (capaian and realisasi are reported as numbers)."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _pct(d: Decimal | None) -> float | int | None:
    """A percentage as shown: rounded half up to two places."""
    return None if d is None else _num(bulat(d))


def _exact(d: Decimal | None) -> str | None:
    """The unrounded value, as text: what the kategori and the means were taken from."""
    return None if d is None else str(d)


def _value_json(v: Decimal | str | None) -> object:
    return _num(v) if isinstance(v, Decimal) else v


def _target_json(t: Target | None) -> object:
    if t is None:
        return None
    if isinstance(t, Predikat):
        return t.nilai
    if isinstance(t, Decimal):
        return _num(t)
    return {"bawah": _num(t.bawah), "atas": _num(t.atas)}


@dataclass(frozen=True)
class IndikatorResult:
    kode: str
    uraian: str
    satuan: str
    arah: str
    target: Target | None  # the target of the period (annual or triwulan)
    realisasi: Decimal | str | None
    capaian: Decimal | None  # percent, unrounded (shown rounded half up)
    kategori: str | None
    catatan: str | None

    @property
    def target_text(self) -> str:
        return formatting.target(self.target) if self.target is not None else ""

    @property
    def realisasi_text(self) -> str:
        if self.realisasi is None:
            return ""
        return (
            self.realisasi if isinstance(self.realisasi, str) else formatting.angka(self.realisasi)
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "kode": self.kode,
            "indikator": self.uraian,
            "satuan": self.satuan,
            "arah": self.arah,
            "target": _target_json(self.target),
            "target_teks": self.target_text,
            "realisasi": _value_json(self.realisasi),
            "capaian": _pct(self.capaian),
            "capaian_tepat": _exact(self.capaian),
            "kategori": self.kategori,
            "catatan": self.catatan,
        }


@dataclass(frozen=True)
class SasaranResult:
    uraian: str
    indikator: tuple[IndikatorResult, ...]
    capaian: Decimal | None  # mean of the unrounded capaian, unrounded
    kategori: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "sasaran": self.uraian,
            "capaian": _pct(self.capaian),
            "capaian_tepat": _exact(self.capaian),
            "kategori": self.kategori,
            "indikator": [i.as_dict() for i in self.indikator],
        }


@dataclass(frozen=True)
class Signer:
    role: str
    nama: str
    jabatan: str
    nip: str | None


@dataclass(frozen=True)
class ProgramResult:
    """A program's budget (pagu) and what was spent of it; ``realisasi`` None is "belum diisi",
    never 0."""

    kode: str | None
    uraian: str
    anggaran: int
    realisasi: int | None

    @property
    def serapan(self) -> Decimal | None:
        if self.realisasi is None or not self.anggaran:
            return None
        return Decimal(self.realisasi) / Decimal(self.anggaran) * 100

    @property
    def melebihi_pagu(self) -> bool:
        return self.realisasi is not None and self.realisasi > self.anggaran

    def as_dict(self) -> dict[str, object]:
        return {
            "kode": self.kode,
            "program": self.uraian,
            "anggaran": self.anggaran,
            "realisasi_anggaran": self.realisasi,
            "serapan_anggaran": _pct(self.serapan),
            "melebihi_pagu": self.melebihi_pagu,
        }


@dataclass(frozen=True)
class AgreementResult:
    file: str
    status: Status
    reason: str | None  # why not evaluated
    id: str | None
    sha256: str | None
    unit_kode: str | None
    unit_nama: str | None
    jenis: str | None
    signers: tuple[Signer, ...] = ()
    sasaran: tuple[SasaranResult, ...] = ()
    capaian: Decimal | None = None  # mean over the unit's indikator, unrounded
    kategori: str | None = None
    anggaran: int | None = None  # pagu: the signed programs' total
    realisasi_anggaran: int | None = None  # None: not filled for every program ("belum diisi")
    serapan: Decimal | None = None  # budget absorption, percent, unrounded
    program: tuple[ProgramResult, ...] = ()
    perubahan_ke: int | None = None
    menggantikan: str | None = None  # the id of the agreement this revision replaces
    diganti_oleh: str | None = None  # the id of the revision that replaces this agreement

    @property
    def indikator(self) -> tuple[IndikatorResult, ...]:
        return tuple(i for s in self.sasaran for i in s.indikator)

    @property
    def melebihi_pagu(self) -> bool:
        """Spent more than the budget: the unit's total, or any one program's."""
        over_total = (
            self.realisasi_anggaran is not None
            and self.anggaran is not None
            and self.realisasi_anggaran > self.anggaran
        )
        return over_total or any(p.melebihi_pagu for p in self.program)

    @property
    def anggaran_belum_diisi(self) -> bool:
        """An evaluated unit with a budget whose realisasi is not filled for every program."""
        return (
            self.status is Status.EVALUATED
            and bool(self.anggaran)
            and self.realisasi_anggaran is None
        )

    @property
    def pakta(self) -> bool:
        """A document without targets (a Pakta Integritas): listed after the agreements."""
        try:
            return self.jenis is not None and not JenisDokumen(self.jenis).has_targets
        except ValueError:  # a kind of a newer kinerja: kept with the agreements
            return False

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "status": self.status.value,
            "alasan": self.reason,
            "id": self.id,
            "sha256": self.sha256,
            "kode_verifikasi": formatting.digest_grouped(self.sha256) if self.sha256 else None,
            "unit": {"kode": self.unit_kode, "nama": self.unit_nama} if self.unit_kode else None,
            "jenis": self.jenis,
            "penandatangan": [
                {"peran": s.role, "nama": s.nama, "jabatan": s.jabatan, "nip": s.nip}
                for s in self.signers
            ],
            "perubahan_ke": self.perubahan_ke,
            "menggantikan": self.menggantikan,
            "diganti_oleh": self.diganti_oleh,
            "capaian": _pct(self.capaian),
            "capaian_tepat": _exact(self.capaian),
            "kategori": self.kategori,
            "anggaran": self.anggaran,
            "realisasi_anggaran": self.realisasi_anggaran,
            "serapan_anggaran": _pct(self.serapan),
            "melebihi_pagu": self.melebihi_pagu,
            "program": [p.as_dict() for p in self.program],
            "sasaran": [s.as_dict() for s in self.sasaran],
            "indikator": [i.as_dict() for i in self.indikator],
        }


@dataclass(frozen=True)
class Totals:
    """Over all evaluated units: each unit counted once (only the agreement in force is
    evaluated). Budget sums leave out the units whose realisasi anggaran is not filled."""

    unit: int
    capaian: Decimal | None  # mean of the units' unrounded capaian
    kategori: str | None
    anggaran: int  # pagu of every evaluated unit
    anggaran_terisi: int  # pagu of the units whose realisasi anggaran is filled
    realisasi_anggaran: int  # spent, over those units
    serapan: Decimal | None  # realisasi_anggaran / anggaran_terisi x 100, unrounded
    anggaran_belum_diisi: int  # units with a budget whose realisasi is not filled
    melebihi_pagu: int  # units that spent more than their pagu (in total or in a program)

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "capaian": _pct(self.capaian),
            "capaian_tepat": _exact(self.capaian),
            "kategori": self.kategori,
            "anggaran": self.anggaran,
            "anggaran_terisi": self.anggaran_terisi,
            "realisasi_anggaran": self.realisasi_anggaran,
            "serapan_anggaran": _pct(self.serapan),
            "unit_anggaran_belum_diisi": self.anggaran_belum_diisi,
            "unit_melebihi_pagu": self.melebihi_pagu,
        }


@dataclass(frozen=True)
class Evaluation:
    periode: Periode
    instansi: str | None
    tahun: int | None
    results: tuple[AgreementResult, ...]
    rules: Rules = field(default_factory=Rules)
    made: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def evaluated(self) -> tuple[AgreementResult, ...]:
        return tuple(r for r in self.results if r.status is Status.EVALUATED)

    @property
    def totals(self) -> Totals:
        units = self.evaluated
        filled = [r for r in units if r.realisasi_anggaran is not None]
        pagu_filled = sum(r.anggaran or 0 for r in filled)
        spent = sum(r.realisasi_anggaran or 0 for r in filled)
        # the unit means are already capped per capaian when the rules cap: not capped again
        overall = mean([r.capaian for r in units])
        return Totals(
            len(units),
            overall,
            kategori_of(overall, self.rules),
            sum(r.anggaran or 0 for r in units),
            pagu_filled,
            spent,
            Decimal(spent) / Decimal(pagu_filled) * 100 if pagu_filled else None,
            sum(1 for r in units if r.anggaran_belum_diisi),
            sum(1 for r in units if r.melebihi_pagu),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "schema": "kinerja.evaluasi/1",
            "periode": self.periode.value,
            "instansi": self.instansi,
            "tahun": self.tahun,
            "dibuat": self.made.isoformat(),
            "aturan": {
                "batas_rata_rata": _num(self.rules.cap_for_average),
                "rentang_di_atas": self.rules.rentang_above,
                "hasil_negatif_jadi_nol": self.rules.floor_negative,
            },
            "ringkasan": self.totals.as_dict(),
            "perjanjian": [r.as_dict() for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1)
