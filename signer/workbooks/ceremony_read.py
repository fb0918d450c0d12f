"""The ceremony workbook: one .xlsx that staff fill in Excel, read into a :class:`Ceremony`.

Sheets (headers in Indonesian, found by name so columns may be reordered):
  Petunjuk          how to fill the workbook
  Instansi          key/value: pemerintah daerah, kop, logo, tahun, tempat, tanggal, zona waktu,
                    alamat verifikasi (optional)
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
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from signer.errors import Problem, WorkbookError
from signer.kinds import JenisDokumen, in_unit_sheet
from signer.model import (
    PANGKAT_GOLONGAN,
    Agreement,
    Arah,
    Ceremony,
    Indikator,
    Instansi,
    JenisUnit,
    Nip,
    NipError,
    Pihak,
    Program,
    Sasaran,
    Target,
    Unit,
)
from signer.workbooks.across_rows import Origin, same_ids, too_many_indikator
from signer.workbooks.book import Book
from signer.workbooks.cells import Percent
from signer.workbooks.columns import (
    COLUMNS,
    DAFTAR,
    FILL_DOWN,
    H_ALASAN,
    H_ANGGARAN,
    H_ARAH,
    H_ATASAN,
    H_DOKUMEN,
    H_GOLONGAN,
    H_INDIKATOR,
    H_JABATAN,
    H_JENIS_UNIT,
    H_KODE_INDIKATOR,
    H_KODE_PEJABAT,
    H_KODE_PROGRAM,
    H_KODE_UNIT,
    H_NAMA,
    H_NAMA_UNIT,
    H_NIP,
    H_NOMOR,
    H_PEJABAT,
    H_PERUBAHAN_KE,
    H_PIHAK_KEDUA,
    H_PIHAK_PERTAMA,
    H_PROGRAM,
    H_SASARAN,
    H_SATUAN,
    H_SKALA,
    H_TANGGAL,
    H_TARGET,
    H_TW,
    INDIKATOR,
    INSTANSI,
    OPTIONAL_COLUMNS,
    PAKTA,
    PEJABAT,
    PROGRAM,
    UNIT,
)
from signer.workbooks.instansi import read_instansi, read_scales
from signer.workbooks.sheet import SheetRows, open_workbook, read_sheet, show
from signer.workbooks.targets import parse_target, tw4_differs


def read_workbook(path: str | Path) -> Ceremony:
    """Read a ceremony workbook. Raises :class:`WorkbookError` listing every problem found."""
    path = Path(path)
    book = open_workbook(path)
    problems: list[Problem] = []
    try:
        ceremony = _read(book, problems)
    finally:
        book.close()
    if problems:
        raise WorkbookError(path, problems)
    assert ceremony is not None
    return replace(ceremony, warnings=(*book.warnings, *ceremony.warnings))


def _read(book: Book, problems: list[Problem]) -> Ceremony | None:
    if not any(book.has(name) for name in (INSTANSI, PEJABAT, UNIT, INDIKATOR)):
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
    info = read_instansi(book, problems)
    scales = read_scales(book)
    sheets = {
        name: read_sheet(
            book, name, COLUMNS[name], OPTIONAL_COLUMNS, problems, fill_down=FILL_DOWN[name]
        )
        for name in COLUMNS
    }

    pejabat = _read_pejabat(sheets[PEJABAT])
    units, known = _read_units(sheets[UNIT], pejabat)
    warnings: list[Problem] = []
    if too_many_indikator(sheets[INDIKATOR], problems):
        return None  # reading them row by row would only repeat thousands of problems
    indikator = _read_indikator(sheets[INDIKATOR], units, known, scales, warnings)
    programs = _read_programs(sheets[PROGRAM], units, known)
    pakta = _read_pakta(sheets[PAKTA], units, known, pejabat)

    unit_sheet = sheets[UNIT]
    if unit_sheet is not None and not unit_sheet.rows:
        problems.append(Problem(UNIT, None, None, None, "no units, expected one row per unit"))
    indikator_ok = not any(p.sheet == INDIKATOR for p in problems)
    for kode, u in units.items():
        if indikator_ok and u.jenis.has_targets and not indikator.get(kode):
            problems.append(
                Problem(
                    UNIT,
                    u.row,
                    None,
                    H_KODE_UNIT,
                    f"unit {kode} has no indikator on sheet {INDIKATOR}",
                )
            )
    if problems:
        return None

    assert info.nama and info.tahun and info.tempat and info.tanggal and info.zona
    instansi = Instansi(info.nama, tuple(info.kop), info.logo, info.verify_url)
    agreements: list[Agreement] = []
    origins: list[Origin] = []  # where each agreement comes from: its row and code
    for kode, u in units.items():
        origins.append(Origin(unit_sheet, u.row, H_KODE_UNIT, f"unit {kode}"))
        agreements.append(
            Agreement(
                jenis=u.jenis,
                tahun=info.tahun,
                instansi=instansi,
                unit=u.unit,
                tempat=info.tempat,
                tanggal=u.tanggal or info.tanggal,  # a unit's own date (a PK Perubahan's) first
                zona_waktu=info.zona,
                pihak_pertama=u.pihak_pertama,
                pihak_kedua=u.pihak_kedua,
                sasaran=indikator.get(kode, ()),
                program=tuple(programs.get(kode, ())),
                perubahan_ke=u.perubahan_ke,
                alasan_perubahan=u.alasan,
                nomor=u.nomor,
            )
        )
    for unit, p1, p2, row, head in pakta:
        who = f"the Pakta Integritas of {p1.nama} for unit {unit.kode}"
        origins.append(Origin(sheets[PAKTA], row, H_PEJABAT, who))
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
                id_pejabat=not head,
            )
        )
    same_ids(agreements, origins)
    if problems:
        return None
    return Ceremony(instansi, info.tahun, tuple(agreements), tuple(warnings))


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
        if isinstance(raw_nip, (Decimal, Percent)):
            sheet.problem(
                row,
                H_NIP,
                f"NIP typed as a number ({show(raw_nip)}); Excel keeps only 15 "
                "digits of a number, expected the 18 digits as text (format the column "
                "as Text)",
            )
        elif raw_nip is not None and sheet.usable(row, H_NIP, raw_nip):
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
        ok = len(sheet.problems) == before
        out[kode] = Pihak(nama, jabatan, nip, gol) if ok and nama and jabatan else None
    return out


@dataclass(frozen=True)
class _UnitRow:
    """One Unit row that read without problems."""

    row: int
    unit: Unit
    jenis: JenisDokumen
    pihak_pertama: Pihak
    pihak_kedua: Pihak | None  # None for a single-signer kind (the kepala daerah's own PK)
    perubahan_ke: int | None
    alasan: str | None
    tanggal: dt.date | None  # the unit's own date, instead of the ceremony's
    nomor: str | None


def _ref_pejabat(
    sheet: SheetRows,
    row: int,
    values: tuple[object, ...],
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
    known: dict[str, int] = {}  # kode -> the row it is first on
    if sheet is None:
        return out, set(known)
    jenis_unit = {j.value: j for j in JenisUnit}
    dokumen = {label.lower(): k for k in in_unit_sheet() for label in k.workbook_labels}
    default = in_unit_sheet()[0]  # an empty Dokumen cell: the first kind of the table
    revisions = " or ".join(str(k.workbook_label) for k in in_unit_sheet() if k.revision)
    for row, values in sheet.rows:
        before = len(sheet.problems)
        kode = sheet.kode(row, values, H_KODE_UNIT)
        nama = sheet.text(row, values, H_NAMA_UNIT)
        jenis = sheet.choice(row, values, H_JENIS_UNIT, jenis_unit)
        jd = sheet.choice(row, values, H_DOKUMEN, dokumen, required=False) or (
            default if sheet.raw(values, H_DOKUMEN) is None else None
        )
        p1 = _ref_pejabat(sheet, row, values, H_PIHAK_PERTAMA, pejabat, "pihak pertama")
        p2: Pihak | None = None
        if jd is not None and jd.single_signer:
            if sheet.raw(values, H_PIHAK_KEDUA) is not None:
                sheet.problem(
                    row,
                    H_PIHAK_KEDUA,
                    f"set for a {jd.workbook_label}, expected it empty: the kepala daerah "
                    "signs his or her own PK alone",
                )
            if p1 is not None and not p1.kepala_daerah:
                sheet.problem(
                    row,
                    H_PIHAK_PERTAMA,
                    f"{p1.nama} has a NIP, expected the kepala daerah (no NIP, no golongan) "
                    f"as pihak pertama of a {jd.workbook_label}",
                )
            if jenis is not None and jenis is not JenisUnit.PEMERINTAH_DAERAH:
                sheet.problem(
                    row,
                    H_JENIS_UNIT,
                    f"{jenis.value} for a {jd.workbook_label}, expected "
                    f"{JenisUnit.PEMERINTAH_DAERAH.value}",
                )
        else:
            p2 = _ref_pejabat(sheet, row, values, H_PIHAK_KEDUA, pejabat, "pihak kedua")
            if jenis is JenisUnit.PEMERINTAH_DAERAH:
                sheet.problem(
                    row,
                    H_JENIS_UNIT,
                    f"{jenis.value} is the unit of the kepala daerah's own PK, expected "
                    f"Dokumen {JenisDokumen.PERJANJIAN_KINERJA_KEPALA_DAERAH.workbook_label}",
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
        ke_raw = sheet.number(row, values, H_PERUBAHAN_KE, required=False)
        alasan = sheet.text(row, values, H_ALASAN, required=False)
        nomor = sheet.text(row, values, H_NOMOR, required=False)
        tanggal = sheet.date(row, values, H_TANGGAL, required=False)
        ke: int | None = None
        if jd is not None and jd.revision:
            if ke_raw is None or ke_raw != ke_raw.to_integral_value() or ke_raw < 1:
                sheet.problem(
                    row,
                    H_PERUBAHAN_KE,
                    f"expected the revision number (1, 2, ...) of a {jd.judul}",
                )
            else:
                ke = int(ke_raw)
        elif ke_raw is not None:
            sheet.problem(
                row,
                H_PERUBAHAN_KE,
                f"set for a {jd.judul if jd else 'document'}, expected it empty unless "
                f"Dokumen is {revisions}",
            )
        if kode is not None and kode in known:
            sheet.problem(
                row,
                H_KODE_UNIT,
                f"unit {kode} is already on row {known[kode]}, expected each unit once",
            )
            continue
        if kode is not None:
            known[kode] = row
        has_p2 = p2 is not None or (jd is not None and jd.single_signer)
        if len(sheet.problems) == before and kode and nama and jenis and p1 and has_p2 and jd:
            unit = Unit(kode, nama, jenis)
            out[kode] = _UnitRow(row, unit, jd, p1, p2, ke, alasan, tanggal, nomor)
    return out, set(known)


def _unit_ref(
    sheet: SheetRows,
    row: int,
    values: tuple[object, ...],
    units: dict[str, _UnitRow],
    known: set[str],
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
    warnings: list[Problem],
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
            target = parse_target(sheet, row, values, H_TARGET, arah, skala, satuan, required=True)
            triwulan = [
                parse_target(sheet, row, values, h, arah, skala, satuan, required=False)
                for h in H_TW
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
        # the four quarterly targets when every one of them is given, else none
        given_tw = [t for t in triwulan if t is not None]
        tw = (
            (given_tw[0], given_tw[1], given_tw[2], given_tw[3])
            if len(given_tw) == len(triwulan) == len(H_TW)
            else None
        )
        assert unit and sasaran and kode and uraian and satuan and arah and target is not None
        if tw is not None and arah in (Arah.NAIK, Arah.TURUN) and tw[3] != target:
            warnings.append(tw4_differs(sheet, row, tw[3], target))
        indikator = Indikator(
            kode,
            uraian,
            satuan,
            arah,
            target,
            tw,
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
) -> list[tuple[Unit, Pihak, Pihak, int, bool]]:
    """(unit, official, atasan, row, whether the official heads the unit) per row; a unit may
    have several (its head's and its other officials')."""
    out: list[tuple[Unit, Pihak, Pihak, int, bool]] = []
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
            out.append((units[unit].unit, p1, p2, row, units[unit].pihak_pertama == p1))
    return out
