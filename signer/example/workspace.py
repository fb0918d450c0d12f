"""The example workspace of `kinerja init`: the ceremony of the fictional Pemerintah Kota Contoh.

Builds the model from ``example_data``, writes ``kinerja.xlsx`` (the ceremony), ``realisasi.xlsx``
(a plausible realisasi: some units short of target, some over, one value missing) and the logo.
Everything is deterministic, so two runs write the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from signer import fsio
from signer.errors import InputError
from signer.example import data as data
from signer.kinds import JenisDokumen
from signer.model import (
    Agreement,
    Arah,
    Ceremony,
    Indikator,
    Instansi,
    JenisUnit,
    Nip,
    Pihak,
    Predikat,
    Program,
    Rentang,
    Sasaran,
    Target,
    Unit,
    ZonaWaktu,
)
from signer.workbooks.ceremony_write import write_workbook
from signer.workbooks.realisasi import RealisasiIndikator, Value, write_realisasi

WORKBOOK = "kinerja.xlsx"
REALISASI = "realisasi.xlsx"


def _target(text: str, arah: Arah) -> Target:
    if arah is Arah.RENTANG:
        lo, hi = text.split("-")
        return Rentang(Decimal(lo), Decimal(hi))
    if arah is Arah.PREDIKAT:
        return Predikat(text)
    return Decimal(text)


def pejabat() -> dict[str, Pihak]:
    return {
        kode: Pihak(nama, jabatan, Nip(nip) if nip else None, gol)
        for kode, (nama, nip, jabatan, gol) in data.PEJABAT.items()
    }


def ceremony(verify_url: str | None = None) -> Ceremony:
    """The example ceremony: a PK per unit and a Pakta Integritas per unit head; with
    ``verify_url``, its pages' QR codes lead there."""
    from signer.model import SKALA_PREDIKAT

    people = pejabat()
    instansi = Instansi(data.INSTANSI, data.KOP, data.LOGO, verify_url)
    tanggal = dt.date(*data.TANGGAL)
    zona = ZonaWaktu(data.ZONA_WAKTU)
    pk: list[Agreement] = []
    pakta: list[Agreement] = []
    for u in data.UNITS:
        unit = Unit(u.kode, u.nama, JenisUnit(u.jenis))
        sasaran = []
        for uraian, rows in u.sasaran:
            indikator = []
            for kode, teks, satuan, arah_text, target, tw, skala in rows:
                arah = Arah(arah_text)
                indikator.append(
                    Indikator(
                        kode,
                        teks,
                        satuan,
                        arah,
                        _target(target, arah),
                        tuple(_target(t, arah) for t in tw) if tw else None,  # type: ignore[arg-type]
                        SKALA_PREDIKAT[skala] if skala else None,
                        skala,
                    )
                )
            sasaran.append(Sasaran(uraian, tuple(indikator)))
        program = tuple(Program(k, p, rp) for k, p, rp in u.program)
        base = Agreement(
            JenisDokumen.PAKTA_INTEGRITAS,
            unit=unit,
            pihak_pertama=people[u.kepala],
            pihak_kedua=people[u.atasan],
            tahun=data.TAHUN,
            instansi=instansi,
            tempat=data.TEMPAT,
            tanggal=tanggal,
            zona_waktu=zona,
        )
        pakta.append(base)
        pk.append(
            replace(
                base,
                jenis=JenisDokumen.PERJANJIAN_KINERJA,
                sasaran=tuple(sasaran),
                program=program,
            )
        )
    return Ceremony(instansi, data.TAHUN, tuple(pk + pakta))


# ---------------------------------------------------------------------------------------------
# A plausible realisasi


def _rng(*key: str) -> random.Random:
    seed = hashlib.sha256("|".join(key).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _scaled(t: Decimal, factor: float, arah: Arah) -> Decimal:
    # lower-is-better indicators improve when the value falls, so invert the factor
    value = t * Decimal(str(factor if arah is not Arah.TURUN else 2 - factor))
    exponent = t.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return value.quantize(Decimal(1).scaleb(-max(places, 1)), rounding=ROUND_HALF_UP)


def _realise(unit_kode: str, i: Indikator, factor: float) -> RealisasiIndikator:
    rng = _rng(unit_kode, i.kode)
    jitter = factor + rng.uniform(-0.04, 0.04)
    if i.arah is Arah.PREDIKAT:
        assert isinstance(i.target, Predikat) and i.skala
        rank = i.skala.index(i.target.nilai) + (0 if jitter >= 0.97 else 1)
        got: Value = i.skala[min(rank, len(i.skala) - 1)]
        return RealisasiIndikator((None, None, None, None), got)
    if i.arah is Arah.RENTANG:
        assert isinstance(i.target, Rentang)
        mid = (i.target.bawah + i.target.atas) / 2
        return RealisasiIndikator((None, None, None, None), _scaled(mid, jitter, Arah.NAIK))
    assert isinstance(i.target, Decimal)
    year = _scaled(i.target, jitter, i.arah)
    tw: tuple[Value, Value, Value, Value] = (None, None, None, None)
    if i.target_triwulan:
        quarters = [
            _scaled(t, jitter + rng.uniform(-0.02, 0.02), i.arah)
            for t in i.target_triwulan
            if isinstance(t, Decimal)
        ]
        tw = (quarters[0], quarters[1], quarters[2], year)
    return RealisasiIndikator(tw, year)


def realisasi(
    c: Ceremony,
) -> tuple[dict[tuple[str, str], RealisasiIndikator], dict[tuple[str, str], int]]:
    """A plausible realisasi per (unit, indikator kode) and realisasi anggaran per program."""
    values: dict[tuple[str, str], RealisasiIndikator] = {}
    spent: dict[tuple[str, str], int] = {}
    pk = [a for a in c.agreements if a.jenis.has_targets]
    for n, a in enumerate(pk):
        # a unit's overall performance: most near target, every fifth short, every seventh over
        factor = 0.72 if n % 5 == 3 else 1.12 if n % 7 == 2 else 0.96
        for i in a.indikator:
            values[a.unit.kode, i.kode] = _realise(a.unit.kode, i, factor)
        for p in a.program:
            share = _rng(a.unit.kode, p.uraian).uniform(0.78, 0.99)
            spent[a.unit.kode, p.kode or p.uraian] = int(p.anggaran * share)
    # one value not reported yet, as happens in every real evaluation
    first = pk[1]
    missing = (first.unit.kode, first.indikator[-1].kode)
    tw = values[missing].triwulan
    values[missing] = RealisasiIndikator((tw[0], tw[1], tw[2], None), None)
    return values, spent


def anggaran_triwulan(
    spent: dict[tuple[str, str], int],
) -> dict[tuple[str, str], tuple[int | None, int | None, int | None, int | None]]:
    """Budget spent up to the end of each triwulan (cumulative), the year's spread as spending
    usually goes: slow in the first quarter, most of it in the second half."""
    shares = (Decimal("0.18"), Decimal("0.42"), Decimal("0.69"), Decimal(1))
    return {
        key: (
            int(year * shares[0]),
            int(year * shares[1]),
            int(year * shares[2]),
            year,
        )
        for key, year in spent.items()
    }


# ---------------------------------------------------------------------------------------------
# The logo: a fictional emblem, drawn so that no image file needs to be committed


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    size = 360
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    shield = [(30, 20), (330, 20), (330, 200), (180, 340), (30, 200)]
    d.polygon(shield, fill=(20, 90, 50), outline=(200, 160, 30))
    d.line([*shield, shield[0]], fill=(200, 160, 30), width=12)
    # a five-pointed star over stylised waves and a gate: nothing that exists
    import math

    cx, cy, r1, r2 = 180, 110, 62, 25
    star = [
        (
            cx + (r1 if k % 2 == 0 else r2) * math.sin(k * math.pi / 5),
            cy - (r1 if k % 2 == 0 else r2) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    d.polygon(star, fill=(240, 200, 40))
    for k, y in enumerate((200, 228, 256)):
        width = 220 - 50 * k
        d.arc(
            [180 - width // 2, y - 20, 180 + width // 2, y + 20],
            20,
            160,
            fill=(120, 190, 230),
            width=9,
        )
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def write_workspace(
    folder: Path, *, force: bool = False, verify_url: str | None = None
) -> list[Path]:
    """Write the example workspace into ``folder``; refuse to overwrite unless ``force``. The
    example leaves the Alamat Verifikasi empty (a real one is the user's own portal); the demo
    gives its local portal's."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    targets = [folder / WORKBOOK, folder / REALISASI, folder / data.LOGO]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise InputError(f"{folder}: already holds {names}; use --force to overwrite")
    c = ceremony(verify_url)
    people = pejabat()
    kode_of = {p: k for k, p in people.items()}
    write_workbook(c, targets[0], pejabat_kode=lambda p: kode_of[p])
    values, spent = realisasi(c)
    write_realisasi(list(c.agreements), targets[1], values, spent, anggaran_triwulan(spent))
    fsio.write_bytes(targets[2], logo_png())
    return targets


def sample_agreement(jenis: JenisDokumen) -> Agreement:
    """An agreement of the example ceremony of kind ``jenis`` (for trial renders)."""

    agreements = ceremony().agreements
    found = next((a for a in agreements if a.jenis is jenis), None)
    if found is not None:
        return found
    pk = next(a for a in agreements if a.jenis is JenisDokumen.PERJANJIAN_KINERJA)
    if jenis.single_signer:  # the kepala daerah's own PK: the pemerintah daerah as its unit
        kepala_daerah = next(p for p in pejabat().values() if p.kepala_daerah)
        daerah = Unit("KOTA", pk.instansi.nama, JenisUnit.PEMERINTAH_DAERAH)
        return replace(pk, jenis=jenis, unit=daerah, pihak_pertama=kepala_daerah, pihak_kedua=None)
    return replace(pk, jenis=jenis, perubahan_ke=1, alasan_perubahan="pergantian pejabat")
