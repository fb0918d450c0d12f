"""The ceremony workbook: one .xlsx that staff fill in Excel, read into a :class:`Ceremony`.

Sheets (headers in Indonesian, found by name so columns may be reordered):
  Petunjuk          how to fill the workbook
  Instansi          key/value: pemerintah daerah, kop, logo, tahun, tempat, tanggal, zona waktu
  Pejabat           one row per official: kode, nama dan gelar, NIP, jabatan, golongan
  Unit              one row per unit: kode, nama, jenis, pihak pertama, pihak kedua, dokumen
  Indikator         one row per indikator: unit, sasaran, kode, uraian, satuan, arah, targets
  Program           one row per program: unit, kode, uraian, anggaran
  Pakta Integritas  one row per official who signs a Pakta Integritas, with the atasan who witnesses
  Daftar            the lists behind the dropdowns, and the predikat scales (best first)

Reading reports every problem at once, each as "sheet, row, column: what is wrong, expected what",
and builds nothing unless the whole workbook is right.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import fsio
from .errors import Problem, WorkbookError
from .model import (
    PANGKAT_GOLONGAN,
    SATUAN_UMUM,
    SKALA_PREDIKAT,
    Agreement,
    Arah,
    Ceremony,
    Indikator,
    Instansi,
    JenisDokumen,
    JenisUnit,
    Nip,
    NipError,
    Pihak,
    Predikat,
    Program,
    Rentang,
    Sasaran,
    Target,
    Unit,
    ZonaWaktu,
    normalise_text,
)
from .sheet import SheetRows, open_workbook, read_sheet, show

# Sheet names
PETUNJUK = "Petunjuk"
INSTANSI = "Instansi"
PEJABAT = "Pejabat"
UNIT = "Unit"
INDIKATOR = "Indikator"
PROGRAM = "Program"
PAKTA = "Pakta Integritas"
DAFTAR = "Daftar"

# Instansi keys (column A) and what they hold (column B)
K_NAMA = "Pemerintah Daerah"
K_KOP = "Kop Baris"  # "Kop Baris 1", "Kop Baris 2", ...
K_LOGO = "Logo"
K_TAHUN = "Tahun"
K_TEMPAT = "Tempat"
K_TANGGAL = "Tanggal"
K_ZONA = "Zona Waktu"

# Column headers
H_KODE_PEJABAT = "Kode Pejabat"
H_NAMA = "Nama dan Gelar"
H_NIP = "NIP"
H_JABATAN = "Jabatan"
H_GOLONGAN = "Golongan"
H_KODE_UNIT = "Kode Unit"
H_NAMA_UNIT = "Nama Unit"
H_JENIS_UNIT = "Jenis Unit"
H_PIHAK_PERTAMA = "Pihak Pertama"
H_PIHAK_KEDUA = "Pihak Kedua"
H_DOKUMEN = "Dokumen"
H_PERUBAHAN_KE = "Perubahan Ke"
H_ALASAN = "Alasan Perubahan"
H_SASARAN = "Sasaran"
H_KODE_INDIKATOR = "Kode Indikator"
H_INDIKATOR = "Indikator Kinerja"
H_SATUAN = "Satuan"
H_ARAH = "Arah"
H_SKALA = "Skala Predikat"
H_TARGET = "Target"
H_TW = ("Target TW I", "Target TW II", "Target TW III", "Target TW IV")
H_KODE_PROGRAM = "Kode Program"
H_PROGRAM = "Program"
H_ANGGARAN = "Anggaran (Rp)"
H_PEJABAT = "Pejabat"
H_ATASAN = "Atasan (Saksi)"

DOKUMEN_PK = "Perjanjian Kinerja"
DOKUMEN_PKP = "Perjanjian Kinerja Perubahan"

COLUMNS: dict[str, tuple[str, ...]] = {
    PEJABAT: (H_KODE_PEJABAT, H_NAMA, H_NIP, H_JABATAN, H_GOLONGAN),
    UNIT: (
        H_KODE_UNIT,
        H_NAMA_UNIT,
        H_JENIS_UNIT,
        H_PIHAK_PERTAMA,
        H_PIHAK_KEDUA,
        H_DOKUMEN,
        H_PERUBAHAN_KE,
        H_ALASAN,
    ),
    INDIKATOR: (
        H_KODE_UNIT,
        H_SASARAN,
        H_KODE_INDIKATOR,
        H_INDIKATOR,
        H_SATUAN,
        H_ARAH,
        H_SKALA,
        H_TARGET,
        *H_TW,
    ),
    PROGRAM: (H_KODE_UNIT, H_KODE_PROGRAM, H_PROGRAM, H_ANGGARAN),
    PAKTA: (H_KODE_UNIT, H_PEJABAT, H_ATASAN),
}
OPTIONAL_COLUMNS = {H_PERUBAHAN_KE, H_ALASAN, H_SKALA, *H_TW}

_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:-|–|—|s\.?\s*d\.?)\s*(\d+(?:[.,]\d+)?)\s*$")


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Instansi:
    nama: str | None = None
    kop: list[str] = field(default_factory=list)
    logo: str | None = None
    tahun: int | None = None
    tempat: str | None = None
    tanggal: dt.date | None = None
    zona: ZonaWaktu | None = None


def _read_instansi(wb: Any, problems: list[Problem]) -> _Instansi:
    out = _Instansi()
    if INSTANSI not in wb.sheetnames:
        problems.append(Problem(INSTANSI, None, None, None, "sheet is missing"))
        return out
    seen: dict[str, int] = {}
    kop: list[tuple[int, str]] = []
    for r, values in enumerate(wb[INSTANSI].iter_rows(min_row=1, max_col=2, values_only=True), 1):
        key = normalise_text(str(values[0])) if values and values[0] is not None else ""
        value = values[1] if len(values) > 1 else None
        if isinstance(value, str):
            value = normalise_text(value) or None

        def bad(message: str, r: int = r, key: str = key) -> None:
            problems.append(Problem(INSTANSI, r, "B", key, message))

        if key.lower().startswith(K_KOP.lower()):
            if value is not None:
                kop.append((r, str(value)))
            continue
        seen[key.lower()] = r
        if key == K_NAMA:
            out.nama = str(value) if value is not None else None
        elif key == K_LOGO:
            out.logo = str(value) if value is not None else None
        elif key == K_TEMPAT:
            out.tempat = str(value) if value is not None else None
        elif key == K_TAHUN:
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and float(value).is_integer()
                and 2000 <= value <= 2999
            ):
                out.tahun = int(value)
            else:
                bad(
                    f"{show(value) if value is not None else 'empty'}, expected a year such as 2026"
                )
        elif key == K_TANGGAL:
            if isinstance(value, dt.datetime):
                out.tanggal = value.date()
            elif isinstance(value, dt.date):
                out.tanggal = value
            elif isinstance(value, str):
                try:
                    out.tanggal = dt.date.fromisoformat(value)
                except ValueError:
                    bad(f"{show(value)}, expected a date (a date cell, or text as 2026-01-15)")
            else:
                bad(f"{show(value) if value is not None else 'empty'}, expected a date")
        elif key == K_ZONA:
            try:
                out.zona = ZonaWaktu(str(value).upper()) if value is not None else None
            except ValueError:
                bad(f"unknown time zone {value!r}, expected WIB, WITA or WIT")
    out.kop = [text for _, text in sorted(kop)]
    for key, attr in (
        (K_NAMA, "nama"),
        (K_TAHUN, "tahun"),
        (K_TEMPAT, "tempat"),
        (K_TANGGAL, "tanggal"),
        (K_ZONA, "zona"),
    ):
        if getattr(out, attr) is None and not any(
            p.sheet == INSTANSI and p.header == key for p in problems
        ):
            row = seen.get(key.lower())
            problems.append(
                Problem(
                    INSTANSI,
                    row,
                    "B" if row else None,
                    key,
                    "empty, expected a value" if row else f"no row '{key}' in column A",
                )
            )
    return out


def _read_scales(wb: Any) -> dict[str, tuple[str, ...]]:
    """Predikat scales from the Daftar sheet: a column headed 'Skala: <name>', best first."""
    scales = dict(SKALA_PREDIKAT)
    if DAFTAR not in wb.sheetnames:
        return scales
    rows = [tuple(r) for r in wb[DAFTAR].iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    columns = [tuple(r[c] if c < len(r) else None for r in rows) for c in range(width)]
    for col in columns:
        if not col or not isinstance(col[0], str) or not col[0].startswith("Skala:"):
            continue
        name = normalise_text(col[0][len("Skala:") :])
        values = tuple(normalise_text(str(v)) for v in col[1:] if v is not None and str(v).strip())
        if name and len(values) >= 2:
            scales[name] = values
    return scales


def _parse_target(
    sheet: SheetRows,
    row: int,
    values: tuple[Any, ...],
    header: str,
    arah: Arah | None,
    skala: tuple[str, ...] | None,
    *,
    required: bool,
) -> Target | None:
    if arah in (Arah.NAIK, Arah.TURUN):
        return sheet.number(row, values, header, required=required)
    v = sheet.raw(values, header)
    if v is None:
        if required:
            sheet.problem(row, header, "empty, expected a target")
        return None
    if arah is Arah.RENTANG:
        m = _RANGE.match(str(v)) if isinstance(v, str) else None
        if not m:
            sheet.problem(row, header, f"{show(v)}, expected a range such as 69,1 - 69,5")
            return None
        lo, hi = (Decimal(x.replace(",", ".")) for x in m.groups())
        if lo > hi:
            sheet.problem(row, header, f"range {v!r} runs backwards, expected lower - upper")
            return None
        return Rentang(lo, hi)
    if arah is Arah.PREDIKAT:
        text = normalise_text(str(v))
        if skala is not None:
            match = {s.lower(): s for s in skala}.get(text.lower())
            if match is None:
                sheet.problem(
                    row, header, f"{text!r} is not on the scale, expected one of {', '.join(skala)}"
                )
                return None
            return Predikat(match)
        return None
    return None


def read_workbook(path: str | Path) -> Ceremony:
    """Read a ceremony workbook. Raises :class:`WorkbookError` listing every problem found."""
    path = Path(path)
    wb = open_workbook(path)
    problems: list[Problem] = []
    try:
        ceremony = _read(wb, problems)
    finally:
        wb.close()
    if problems:
        raise WorkbookError(path, problems)
    assert ceremony is not None
    return ceremony


def _read(wb: Any, problems: list[Problem]) -> Ceremony | None:
    if not any(name in wb.sheetnames for name in (INSTANSI, PEJABAT, UNIT, INDIKATOR)):
        problems.append(
            Problem(
                "(workbook)",
                None,
                None,
                None,
                "no kinerja sheets (Instansi, Pejabat, Unit, Indikator, Program, "
                "Pakta Integritas); start from the one `kinerja init` writes",
            )
        )
        return None
    info = _read_instansi(wb, problems)
    scales = _read_scales(wb)
    sheets = {
        name: read_sheet(wb, name, COLUMNS[name], OPTIONAL_COLUMNS, problems) for name in COLUMNS
    }

    pejabat = _read_pejabat(sheets[PEJABAT])
    units, known = _read_units(sheets[UNIT], pejabat)
    indikator = _read_indikator(sheets[INDIKATOR], units, known, scales)
    programs = _read_programs(sheets[PROGRAM], units, known)
    pakta = _read_pakta(sheets[PAKTA], units, known, pejabat)

    if sheets[UNIT] is not None and not sheets[UNIT].rows:
        problems.append(Problem(UNIT, None, None, None, "no units, expected one row per unit"))
    indikator_ok = not any(p.sheet == INDIKATOR for p in problems)
    for kode, (row, _u, jenis, *_rest) in units.items():
        if indikator_ok and jenis.has_targets and not indikator.get(kode):
            problems.append(
                Problem(
                    UNIT,
                    row,
                    None,
                    H_KODE_UNIT,
                    f"unit {kode} has no indikator on sheet {INDIKATOR}",
                )
            )
    if problems:
        return None

    assert info.nama and info.tahun and info.tempat and info.tanggal and info.zona
    instansi = Instansi(info.nama, tuple(info.kop), info.logo)
    agreements: list[Agreement] = []
    for kode, (_row, unit, jenis, p1, p2, ke, alasan) in units.items():
        agreements.append(
            Agreement(
                jenis=jenis,
                tahun=info.tahun,
                instansi=instansi,
                unit=unit,
                tempat=info.tempat,
                tanggal=info.tanggal,
                zona_waktu=info.zona,
                pihak_pertama=p1,
                pihak_kedua=p2,
                sasaran=indikator.get(kode, ()),
                program=tuple(programs.get(kode, ())),
                perubahan_ke=ke,
                alasan_perubahan=alasan,
            )
        )
    for unit, p1, p2 in pakta:
        agreements.append(
            Agreement(
                jenis=JenisDokumen.PAKTA_INTEGRITAS,
                tahun=info.tahun,
                instansi=instansi,
                unit=unit,
                tempat=info.tempat,
                tanggal=info.tanggal,
                zona_waktu=info.zona,
                pihak_pertama=p1,
                pihak_kedua=p2,
            )
        )
    return Ceremony(instansi, info.tahun, tuple(agreements))


def _read_pejabat(sheet: SheetRows | None) -> dict[str, Pihak | None]:
    """kode -> Pihak (None when the row had problems, so references to it stay quiet)."""
    out: dict[str, Pihak | None] = {}
    if sheet is None:
        return out
    golongan = {g.lower(): g for g in PANGKAT_GOLONGAN}
    for row, values in sheet.rows:
        kode = sheet.kode(row, values, H_KODE_PEJABAT)
        nama = sheet.text(row, values, H_NAMA)
        jabatan = sheet.text(row, values, H_JABATAN)
        raw_nip = sheet.raw(values, H_NIP)
        before = len(sheet.problems)
        nip: Nip | None = None
        if isinstance(raw_nip, (int, float)) and not isinstance(raw_nip, bool):
            sheet.problem(
                row,
                H_NIP,
                f"NIP typed as a number ({raw_nip:.0f}); Excel keeps only 15 "
                "digits of a number, expected the 18 digits as text (format the column "
                "as Text)",
            )
        elif raw_nip is not None:
            try:
                nip = Nip.parse(str(raw_nip))
            except NipError as e:
                sheet.problem(row, H_NIP, f"invalid NIP: {e}")
        gol = sheet.choice(row, values, H_GOLONGAN, golongan, required=False)
        if nip is not None and gol is None and sheet.raw(values, H_GOLONGAN) is None:
            sheet.problem(
                row,
                H_GOLONGAN,
                "empty, expected the golongan of an official with a NIP (e.g. IV/b)",
            )
        if raw_nip is None and gol is not None:
            sheet.problem(
                row,
                H_NIP,
                "empty, expected a NIP: only a kepala daerah (without golongan) has no NIP",
            )
        if kode is None:
            continue
        if kode in out:
            sheet.problem(
                row, H_KODE_PEJABAT, f"duplicate kode {kode!r}, expected each official once"
            )
            continue
        ok = len(sheet.problems) == before and nama and jabatan
        out[kode] = Pihak(nama, jabatan, nip, gol) if ok else None
    return out


_UnitRow = tuple[int, Unit, JenisDokumen, Pihak, Pihak, int | None, str | None]


def _ref_pejabat(
    sheet: SheetRows,
    row: int,
    values: tuple[Any, ...],
    header: str,
    pejabat: dict[str, Pihak | None],
    what: str,
) -> Pihak | None:
    kode = sheet.kode(row, values, header, required=False)
    if kode is None:
        if sheet.raw(values, header) is None:
            sheet.problem(
                row,
                header,
                f"empty: the unit has no {what}, expected a Kode Pejabat from sheet {PEJABAT}",
            )
        return None
    if kode not in pejabat:
        sheet.problem(
            row, header, f"unknown pejabat {kode!r}, expected a Kode Pejabat from sheet {PEJABAT}"
        )
        return None
    return pejabat[kode]


def _read_units(
    sheet: SheetRows | None, pejabat: dict[str, Pihak | None]
) -> tuple[dict[str, _UnitRow], set[str]]:
    """The units that read without problems, and every kode seen (so broken units do not
    cascade into "unknown unit" problems on other sheets)."""
    out: dict[str, _UnitRow] = {}
    known: set[str] = set()
    if sheet is None:
        return out, known
    jenis_unit = {j.value: j for j in JenisUnit}
    dokumen = {
        DOKUMEN_PK.lower(): JenisDokumen.PERJANJIAN_KINERJA,
        DOKUMEN_PKP.lower(): JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
        "pk": JenisDokumen.PERJANJIAN_KINERJA,
        "pk perubahan": JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN,
    }
    for row, values in sheet.rows:
        before = len(sheet.problems)
        kode = sheet.kode(row, values, H_KODE_UNIT)
        nama = sheet.text(row, values, H_NAMA_UNIT)
        jenis = sheet.choice(row, values, H_JENIS_UNIT, jenis_unit)
        p1 = _ref_pejabat(sheet, row, values, H_PIHAK_PERTAMA, pejabat, "pihak pertama")
        p2 = _ref_pejabat(sheet, row, values, H_PIHAK_KEDUA, pejabat, "pihak kedua")
        jd = sheet.choice(row, values, H_DOKUMEN, dokumen, required=False) or (
            JenisDokumen.PERJANJIAN_KINERJA if sheet.raw(values, H_DOKUMEN) is None else None
        )
        ke_raw = sheet.number(row, values, H_PERUBAHAN_KE, required=False)
        alasan = sheet.text(row, values, H_ALASAN, required=False)
        ke: int | None = None
        if jd is JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN:
            if ke_raw is None or ke_raw != ke_raw.to_integral_value() or ke_raw < 1:
                sheet.problem(
                    row,
                    H_PERUBAHAN_KE,
                    "expected the revision number (1, 2, ...) of a Perjanjian Kinerja Perubahan",
                )
            else:
                ke = int(ke_raw)
        elif ke_raw is not None:
            sheet.problem(
                row,
                H_PERUBAHAN_KE,
                f"set for a {DOKUMEN_PK}, expected it empty unless Dokumen is {DOKUMEN_PKP}",
            )
        if p1 is not None and p1.kepala_daerah:
            sheet.problem(
                row,
                H_PIHAK_PERTAMA,
                "the kepala daerah cannot be pihak pertama of a "
                "unit's agreement, expected the head of the unit",
            )
        if p1 is not None and p2 is not None and p1 == p2:
            sheet.problem(row, H_PIHAK_KEDUA, "same as pihak pertama, expected the superior")
        if kode is not None and kode in known:
            sheet.problem(
                row, H_KODE_UNIT, f"duplicate kode unit {kode!r}, expected each unit once"
            )
            continue
        if kode is not None:
            known.add(kode)
        if len(sheet.problems) == before and kode and nama and jenis and p1 and p2 and jd:
            out[kode] = (row, Unit(kode, nama, jenis), jd, p1, p2, ke, alasan)
    return out, known


def _unit_ref(
    sheet: SheetRows, row: int, values: tuple[Any, ...], units: dict[str, Any], known: set[str]
) -> str | None:
    kode = sheet.kode(row, values, H_KODE_UNIT)
    if kode is not None and kode not in units:
        if kode not in known:
            sheet.problem(
                row, H_KODE_UNIT, f"unknown unit {kode!r}, expected a Kode Unit from sheet {UNIT}"
            )
        return None
    return kode


def _read_indikator(
    sheet: SheetRows | None,
    units: dict[str, _UnitRow],
    known: set[str],
    scales: dict[str, tuple[str, ...]],
) -> dict[str, tuple[Sasaran, ...]]:
    if sheet is None:
        return {}
    arah_values = {a.value: a for a in Arah}
    scale_names = {name.lower(): name for name in scales}
    grouped: dict[str, dict[str, list[Indikator]]] = {}
    kodes: dict[tuple[str, str], int] = {}
    for row, values in sheet.rows:
        before = len(sheet.problems)
        unit = _unit_ref(sheet, row, values, units, known)
        sasaran = sheet.text(row, values, H_SASARAN)
        kode = sheet.kode(row, values, H_KODE_INDIKATOR)
        uraian = sheet.text(row, values, H_INDIKATOR)
        satuan = sheet.text(row, values, H_SATUAN)
        arah: Arah | None = sheet.choice(row, values, H_ARAH, arah_values)
        skala: tuple[str, ...] | None = None
        skala_nama = sheet.text(row, values, H_SKALA, required=False)
        if arah is Arah.PREDIKAT:
            if skala_nama is None:
                sheet.problem(
                    row,
                    H_SKALA,
                    "empty, expected the predikat scale of an indikator "
                    f"with arah predikat (one of: {', '.join(scales)})",
                )
            elif skala_nama.lower() not in scale_names:
                sheet.problem(
                    row,
                    H_SKALA,
                    f"unknown scale {skala_nama!r}, expected one of: "
                    f"{', '.join(scales)} (or add a column 'Skala: name' on {DAFTAR})",
                )
            else:
                skala_nama = scale_names[skala_nama.lower()]
                skala = scales[skala_nama]
        elif skala_nama is not None and arah is not None:
            sheet.problem(
                row, H_SKALA, f"set for arah {arah}, expected it empty unless arah is predikat"
            )
        target = None
        triwulan: list[Target | None] = []
        if arah is not None and (arah is not Arah.PREDIKAT or skala is not None):
            target = _parse_target(sheet, row, values, H_TARGET, arah, skala, required=True)
            triwulan = [
                _parse_target(sheet, row, values, h, arah, skala, required=False) for h in H_TW
            ]
            given = [sheet.raw(values, h) is not None for h in H_TW]
            if any(given) and not all(given):
                sheet.problem(
                    row,
                    H_TW[given.index(False)],
                    "empty while other quarters are "
                    "filled, expected all four triwulan targets or none",
                )
        if unit is not None and kode is not None:
            if (unit, kode) in kodes:
                sheet.problem(
                    row,
                    H_KODE_INDIKATOR,
                    f"duplicate kode {kode!r} in unit {unit} "
                    f"(first on row {kodes[unit, kode]}), expected each kode once per unit",
                )
            else:
                kodes[unit, kode] = row
        if len(sheet.problems) != before or None in (
            unit,
            sasaran,
            kode,
            uraian,
            satuan,
            arah,
            target,
        ):
            continue
        tw = tuple(triwulan) if all(t is not None for t in triwulan) and triwulan else None
        assert unit and sasaran and kode and uraian and satuan and arah and target is not None
        indikator = Indikator(
            kode,
            uraian,
            satuan,
            arah,
            target,
            tw,  # type: ignore[arg-type]
            skala,
            skala_nama if skala else None,
        )
        grouped.setdefault(unit, {}).setdefault(sasaran, []).append(indikator)
    return {u: tuple(Sasaran(s, tuple(ii)) for s, ii in by.items()) for u, by in grouped.items()}


def _read_programs(
    sheet: SheetRows | None, units: dict[str, _UnitRow], known: set[str]
) -> dict[str, list[Program]]:
    out: dict[str, list[Program]] = {}
    if sheet is None:
        return out
    for row, values in sheet.rows:
        before = len(sheet.problems)
        unit = _unit_ref(sheet, row, values, units, known)
        kode = sheet.text(row, values, H_KODE_PROGRAM, required=False)
        uraian = sheet.text(row, values, H_PROGRAM)
        anggaran = sheet.number(row, values, H_ANGGARAN)
        if anggaran is not None and (anggaran != anggaran.to_integral_value() or anggaran < 0):
            sheet.problem(
                row, H_ANGGARAN, f"{anggaran}, expected whole rupiah (no sen), not negative"
            )
        if len(sheet.problems) == before and unit and uraian and anggaran is not None:
            out.setdefault(unit, []).append(Program(kode, uraian, int(anggaran)))
    return out


def _read_pakta(
    sheet: SheetRows | None,
    units: dict[str, _UnitRow],
    known: set[str],
    pejabat: dict[str, Pihak | None],
) -> list[tuple[Unit, Pihak, Pihak]]:
    out: list[tuple[Unit, Pihak, Pihak]] = []
    if sheet is None:
        return out
    seen: dict[tuple[str, str], int] = {}
    for row, values in sheet.rows:
        before = len(sheet.problems)
        unit = _unit_ref(sheet, row, values, units, known)
        p1 = _ref_pejabat(sheet, row, values, H_PEJABAT, pejabat, "official")
        p2 = _ref_pejabat(sheet, row, values, H_ATASAN, pejabat, "atasan")
        if p1 is not None and p2 is not None and p1 == p2:
            sheet.problem(row, H_ATASAN, "same as the official, expected the atasan who witnesses")
        key = (unit or "", str(sheet.raw(values, H_PEJABAT)))
        if unit and key in seen:
            sheet.problem(
                row,
                H_PEJABAT,
                f"this official already has a Pakta Integritas for unit {unit} on row {seen[key]}",
            )
        seen.setdefault(key, row)
        if len(sheet.problems) == before and unit and p1 and p2:
            out.append((units[unit][1], p1, p2))
    return out


# ---------------------------------------------------------------------------------------------
# Writing (kinerja init): a workbook with dropdowns, from a ceremony model

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_WIDTHS = {
    H_KODE_PEJABAT: 16,
    H_NAMA: 42,
    H_NIP: 22,
    H_JABATAN: 48,
    H_GOLONGAN: 11,
    H_KODE_UNIT: 14,
    H_NAMA_UNIT: 44,
    H_JENIS_UNIT: 13,
    H_PIHAK_PERTAMA: 18,
    H_PIHAK_KEDUA: 16,
    H_DOKUMEN: 30,
    H_PERUBAHAN_KE: 13,
    H_ALASAN: 30,
    H_SASARAN: 48,
    H_KODE_INDIKATOR: 14,
    H_INDIKATOR: 60,
    H_SATUAN: 15,
    H_ARAH: 10,
    H_SKALA: 22,
    H_TARGET: 12,
    H_KODE_PROGRAM: 13,
    H_PROGRAM: 70,
    H_ANGGARAN: 20,
    H_PEJABAT: 16,
    H_ATASAN: 16,
}
_TW_WIDTH = 12

PETUNJUK_TEXT = (
    "Petunjuk pengisian buku kerja upacara Perjanjian Kinerja dan Pakta Integritas",
    "",
    "1. Instansi: isi nama pemerintah daerah, baris kop, nama berkas logo (di folder yang sama), "
    "tahun, tempat dan tanggal penandatanganan, dan zona waktu (WIB, WITA, WIT).",
    "2. Pejabat: satu baris per pejabat. Kode Pejabat bebas tetapi unik (mis. KA-DINKES). "
    "NIP 18 digit diketik sebagai teks; kepala daerah tanpa NIP dan tanpa golongan.",
    "3. Unit: satu baris per perangkat daerah atau kecamatan. Pihak Pertama adalah kepala unit, "
    "Pihak Kedua atasannya (Kode Pejabat dari lembar Pejabat).",
    "4. Indikator: satu baris per indikator. Baris dengan Sasaran yang sama dalam satu unit "
    "menjadi satu sasaran. Arah: naik (makin tinggi makin baik), turun (makin rendah makin baik), "
    "predikat (isi Skala Predikat), rentang (Target mis. 69,1 - 69,5). Target triwulan "
    "(kumulatif) diisi keempatnya atau dikosongkan.",
    "5. Program: satu baris per program dengan anggaran dalam rupiah penuh.",
    "6. Pakta Integritas: satu baris per pejabat yang menandatangani, dengan atasan sebagai saksi.",
    "7. Daftar: pilihan untuk menu tarik-turun. Skala predikat baru: tambahkan kolom berjudul "
    "'Skala: Nama Skala' dengan nilai dari yang terbaik.",
    "",
    "Lalu jalankan: kinerja generate kinerja.xlsx -o keluaran/",
)


def _header(ws: Worksheet, headers: tuple[str, ...]) -> None:
    ws.append(list(headers))
    for idx, h in enumerate(headers, 1):
        cell = ws.cell(row=1, column=idx)
        cell.fill, cell.font = _HEADER_FILL, _HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(idx)].width = _WIDTHS.get(h, _TW_WIDTH)
    ws.freeze_panes = "A2"


def _list_validation(
    ws: Worksheet,
    headers: tuple[str, ...],
    header: str,
    formula: str,
    *,
    strict: bool = True,
    rows: int = 1000,
) -> None:
    col = get_column_letter(headers.index(header) + 1)
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=strict,
        errorStyle="stop" if strict else "information",
    )
    dv.error = f"Pilih {header} dari daftar"
    dv.add(f"{col}2:{col}{rows}")
    ws.add_data_validation(dv)


def _target_cell(t: Target) -> Any:
    if isinstance(t, Rentang):
        return f"{_comma(t.bawah)} - {_comma(t.atas)}"
    if isinstance(t, Predikat):
        return t.nilai
    return int(t) if t == t.to_integral_value() else float(t)


def _comma(d: Decimal) -> str:
    from .canonical import decimal_text

    return decimal_text(d).replace(".", ",")


def write_workbook(
    ceremony: Ceremony, path: str | Path, pejabat_kode: Callable[[Pihak], str] | None = None
) -> None:
    """Write ``ceremony`` as a ceremony workbook with headers, dropdowns and instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = PETUNJUK
    for line in PETUNJUK_TEXT:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 140
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    first = ceremony.agreements[0]
    ws = wb.create_sheet(INSTANSI)
    rows: list[tuple[str, Any]] = [(K_NAMA, ceremony.instansi.nama)]
    kop = list(ceremony.instansi.kop) or [""]
    rows += [(f"{K_KOP} {i}", line) for i, line in enumerate(kop, 1)]
    rows += [
        (K_LOGO, ceremony.instansi.logo),
        (K_TAHUN, ceremony.tahun),
        (K_TEMPAT, first.tempat),
        (K_TANGGAL, first.tanggal),
        (K_ZONA, first.zona_waktu.value),
    ]
    for key, value in rows:
        ws.append([key, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 70
    for row in ws.iter_rows():
        if row[0].value == K_TANGGAL:
            row[1].number_format = "dd/mm/yyyy"
    dv = DataValidation(type="list", formula1='"WIB,WITA,WIT"', allow_blank=False)
    dv.add(f"B{len(rows)}")
    ws.add_data_validation(dv)

    codes: dict[Pihak, str] = {}

    def code_of(p: Pihak) -> str:
        if p not in codes:
            base = pejabat_kode(p) if pejabat_kode else f"PJ{len(codes) + 1:03d}"
            codes[p] = base
        return codes[p]

    for p in ceremony.parties:
        code_of(p)
    ws = wb.create_sheet(PEJABAT)
    headers = COLUMNS[PEJABAT]
    _header(ws, headers)
    for p, kode in codes.items():
        ws.append([kode, p.nama, str(p.nip) if p.nip else None, p.jabatan, p.golongan])
    for cell in ws[get_column_letter(headers.index(H_NIP) + 1)]:
        cell.number_format = "@"  # text: Excel keeps only 15 digits of a number
    _list_validation(ws, headers, H_GOLONGAN, f"={DAFTAR}!$D$2:$D${len(PANGKAT_GOLONGAN) + 1}")
    wb.defined_names[H_KODE_PEJABAT.replace(" ", "_")] = DefinedName(
        H_KODE_PEJABAT.replace(" ", "_"), attr_text=f"{quote_sheetname(PEJABAT)}!$A$2:$A$500"
    )

    pk = [a for a in ceremony.agreements if a.jenis.has_targets]
    ws = wb.create_sheet(UNIT)
    headers = COLUMNS[UNIT]
    _header(ws, headers)
    for a in pk:
        perubahan = a.jenis is JenisDokumen.PERJANJIAN_KINERJA_PERUBAHAN
        ws.append(
            [
                a.unit.kode,
                a.unit.nama,
                a.unit.jenis.value,
                code_of(a.pihak_pertama),
                code_of(a.pihak_kedua),
                DOKUMEN_PKP if perubahan else DOKUMEN_PK,
                a.perubahan_ke,
                a.alasan_perubahan,
            ]
        )
    _list_validation(ws, headers, H_JENIS_UNIT, f"={DAFTAR}!$C$2:$C${len(JenisUnit) + 1}")
    _list_validation(ws, headers, H_PIHAK_PERTAMA, "=Kode_Pejabat")
    _list_validation(ws, headers, H_PIHAK_KEDUA, "=Kode_Pejabat")
    _list_validation(ws, headers, H_DOKUMEN, f'"{DOKUMEN_PK},{DOKUMEN_PKP}"')
    wb.defined_names["Kode_Unit"] = DefinedName(
        "Kode_Unit", attr_text=f"{quote_sheetname(UNIT)}!$A$2:$A$500"
    )

    ws = wb.create_sheet(INDIKATOR)
    headers = COLUMNS[INDIKATOR]
    _header(ws, headers)
    for a in pk:
        for s in a.sasaran:
            for i in s.indikator:
                tw = [_target_cell(t) for t in i.target_triwulan] if i.target_triwulan else []
                ws.append(
                    [
                        a.unit.kode,
                        s.uraian,
                        i.kode,
                        i.uraian,
                        i.satuan,
                        i.arah.value,
                        i.skala_nama,
                        _target_cell(i.target),
                        *tw,
                    ]
                )
    _list_validation(ws, headers, H_KODE_UNIT, "=Kode_Unit")
    _list_validation(ws, headers, H_ARAH, f"={DAFTAR}!$A$2:$A${len(Arah) + 1}")
    _list_validation(
        ws, headers, H_SATUAN, f"={DAFTAR}!$B$2:$B${len(SATUAN_UMUM) + 1}", strict=False
    )
    _list_validation(ws, headers, H_SKALA, f"={DAFTAR}!$F$2:$F$40")
    for col in ws.iter_cols(
        min_col=headers.index(H_INDIKATOR) + 1, max_col=headers.index(H_INDIKATOR) + 1
    ):
        for cell in col:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    ws = wb.create_sheet(PROGRAM)
    headers = COLUMNS[PROGRAM]
    _header(ws, headers)
    for a in pk:
        for p in a.program:
            ws.append([a.unit.kode, p.kode, p.uraian, p.anggaran])
            ws.cell(row=ws.max_row, column=4).number_format = "#,##0"
    _list_validation(ws, headers, H_KODE_UNIT, "=Kode_Unit")

    ws = wb.create_sheet(PAKTA)
    headers = COLUMNS[PAKTA]
    _header(ws, headers)
    for a in ceremony.agreements:
        if a.jenis is JenisDokumen.PAKTA_INTEGRITAS:
            ws.append([a.unit.kode, code_of(a.pihak_pertama), code_of(a.pihak_kedua)])
    _list_validation(ws, headers, H_KODE_UNIT, "=Kode_Unit")
    _list_validation(ws, headers, H_PEJABAT, "=Kode_Pejabat")
    _list_validation(ws, headers, H_ATASAN, "=Kode_Pejabat")

    ws = wb.create_sheet(DAFTAR)
    lists: list[tuple[str, list[str]]] = [
        ("Arah", [a.value for a in Arah]),
        ("Satuan", list(SATUAN_UMUM)),
        ("Jenis Unit", [j.value for j in JenisUnit]),
        ("Golongan", list(PANGKAT_GOLONGAN)),
        ("Pangkat", list(PANGKAT_GOLONGAN.values())),
    ]
    lists.append(("Skala Predikat", list(SKALA_PREDIKAT)))
    lists += [(f"Skala: {name}", list(values)) for name, values in SKALA_PREDIKAT.items()]
    for c, (title, values) in enumerate(lists, 1):
        ws.cell(row=1, column=c, value=title).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = max(14, len(title) + 2)
        for r, v in enumerate(values, 2):
            ws.cell(row=r, column=c, value=v)
    fsio.write_with(Path(path), wb.save)
