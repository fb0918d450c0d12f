"""The realisasi workbook: what each unit achieved, filled in during and after the year.

Sheets:
  Petunjuk   how to fill it
  Realisasi  one row per unit and indikator kode: cumulative realisasi per triwulan and the year
  Anggaran   one row per program: realisasi anggaran (budget spent), cumulative per triwulan
             (optional columns: a workbook without them still reads) and the year

Only the unit and indikator kode link a row to a signed target; the other columns (uraian,
satuan, target) are there for the person filling it in and are never read as targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from signer import fsio
from signer.errors import InputError, Problem
from signer.formatting import target as format_target
from signer.model import Agreement, Arah, Indikator
from signer.workbooks.columns import (
    ANGGARAN,
    COLUMNS_ANGGARAN,
    COLUMNS_REALISASI,
    FILL_DOWN_REALISASI,
    H_ANGGARAN,
    H_ARAH,
    H_INDIKATOR,
    H_KODE_INDIKATOR,
    H_KODE_PROGRAM,
    H_KODE_UNIT,
    H_NAMA_UNIT,
    H_PROGRAM,
    H_REALISASI,
    H_REALISASI_ANGGARAN,
    H_REALISASI_ANGGARAN_TW,
    H_REALISASI_TW,
    H_SATUAN,
    H_TARGET,
    HEADER_FILL,
    HEADER_FONT,
    INSTANSI,
    K_NAMA,
    K_TAHUN,
    PETUNJUK,
    REALISASI,
)
from signer.workbooks.sheet import SheetRows
from signer.xlsxtext import data_as_text

PETUNJUK_TEXT = (
    "Petunjuk pengisian realisasi kinerja",
    "",
    "1. Realisasi: satu baris per indikator. Isi realisasi kumulatif per triwulan dan realisasi "
    "tahunan. Angka diketik sebagai angka; indikator predikat diisi dengan predikatnya (mis. WTP); "
    "indikator rentang diisi dengan satu angka.",
    "2. Anggaran: isi realisasi anggaran (rupiah penuh) per program: kumulatif sampai akhir setiap "
    "triwulan dan tahunan. Kosongkan yang belum ada (kosong berarti belum diisi, bukan nol).",
    "3. Kolom Indikator, Satuan, Arah dan Target hanya untuk membantu pengisian: target selalu "
    "dibaca dari perjanjian yang telah ditandatangani, bukan dari buku kerja ini.",
    "",
    "Lalu jalankan: kinerja evaluate keluaran/ --realisasi realisasi.xlsx -o evaluasi/",
)

_INPUT = PatternFill("solid", fgColor="FFF2CC")

Value = Decimal | str | None  # a number, a predikat, or nothing yet
AnggaranTriwulan = tuple[int | None, int | None, int | None, int | None]


@dataclass(frozen=True)
class RealisasiIndikator:
    triwulan: tuple[Value, Value, Value, Value]
    tahunan: Value


def _cell(v: Value) -> object:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def write_realisasi(
    agreements: list[Agreement],
    path: Path,
    values: Mapping[tuple[str, str], RealisasiIndikator] | None = None,
    anggaran: Mapping[tuple[str, str], int] | None = None,
    anggaran_triwulan: Mapping[tuple[str, str], AnggaranTriwulan] | None = None,
) -> None:
    """Write a realisasi workbook for ``agreements``: blank, or filled with ``values`` and the
    budget spent (``anggaran`` the year's, ``anggaran_triwulan`` cumulative per triwulan), both
    keyed by (unit kode, program kode or uraian)."""
    values = values or {}
    anggaran = anggaran or {}
    anggaran_triwulan = anggaran_triwulan or {}
    ceremonies = {(a.instansi.nama, a.tahun) for a in agreements}
    if len(ceremonies) != 1:
        found = "; ".join(f"{nama} {tahun}" for nama, tahun in sorted(ceremonies)) or "none"
        raise InputError(
            f"a realisasi workbook is for one pemerintah daerah and one year, the agreements "
            f"given are of: {found}"
        )
    [(instansi, tahun)] = ceremonies
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = PETUNJUK
    for line in PETUNJUK_TEXT:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 140
    # what the realisasi is of: evaluation refuses agreements of another pemda or year
    ws = wb.create_sheet(INSTANSI)
    ws.append([K_NAMA, instansi])
    ws.append([K_TAHUN, tahun])
    for row in ws.iter_rows():
        row[0].font = Font(bold=True)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 22, 48

    widths = {
        H_NAMA_UNIT: 36,
        H_INDIKATOR: 56,
        H_KODE_INDIKATOR: 14,
        H_PROGRAM: 60,
        H_ANGGARAN: 20,
        H_REALISASI_ANGGARAN: 24,
        **dict.fromkeys(H_REALISASI_ANGGARAN_TW, 20),
        H_REALISASI: 17,
    }

    def header(ws: Worksheet, headers: tuple[str, ...]) -> None:
        ws.append(list(headers))
        for i, h in enumerate(headers, 1):
            c = ws.cell(row=1, column=i)
            c.fill, c.font = HEADER_FILL, HEADER_FONT
            c.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[get_column_letter(i)].width = widths.get(h, 14)
        ws.freeze_panes = "A2"

    ws = wb.create_sheet(REALISASI)
    header(ws, COLUMNS_REALISASI)
    for a in agreements:
        if not a.jenis.has_targets:
            continue
        for i in a.indikator:
            r = values.get((a.unit.kode, i.kode))
            tw = r.triwulan if r else (None, None, None, None)
            tahunan = r.tahunan if r else None
            ws.append(
                [
                    a.unit.kode,
                    a.unit.nama,
                    i.kode,
                    i.uraian,
                    i.satuan,
                    i.arah.value,
                    format_target(i.target),
                    *(_cell(v) for v in tw),
                    _cell(tahunan),
                ]
            )
            for col in range(8, 13):
                ws.cell(row=ws.max_row, column=col).fill = _INPUT

    ws = wb.create_sheet(ANGGARAN)
    header(ws, COLUMNS_ANGGARAN)
    for a in agreements:
        for p in a.program:
            key = (a.unit.kode, p.kode or p.uraian)
            upto = anggaran_triwulan.get(key, (None, None, None, None))
            ws.append([a.unit.kode, p.kode, p.uraian, p.anggaran, *upto, anggaran.get(key)])
            for col in range(4, 10):
                ws.cell(row=ws.max_row, column=col).number_format = "#,##0"
                if col > 4:
                    ws.cell(row=ws.max_row, column=col).fill = _INPUT
    data_as_text(wb)
    fsio.write_with(Path(path), wb.save)


# ---------------------------------------------------------------------------------------------
# Reading a filled realisasi workbook against the agreements being evaluated


@dataclass(frozen=True)
class RealisasiData:
    values: dict[tuple[str, str], RealisasiIndikator]  # (unit kode, indikator kode)
    anggaran: dict[tuple[str, str], int | None]  # (unit kode, program kode or uraian)
    skipped_units: frozenset[str]  # rows of units not being evaluated
    header: RealisasiOf
    unit_names: dict[str, str]  # unit kode -> nama, as the workbook names them
    # cumulative per triwulan, same keys; None where not filled or the columns are absent
    anggaran_triwulan: dict[tuple[str, str], AnggaranTriwulan] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()  # read, but worth a look (a sheet name in another case)


@dataclass(frozen=True)
class RealisasiOf:
    """Whose realisasi a workbook holds: the pemerintah daerah and the year."""

    instansi: str
    tahun: int


def read_realisasi_of(path: Path) -> RealisasiOf:
    """The pemerintah daerah and year a realisasi workbook is for (its Instansi sheet)."""
    from signer.errors import WorkbookError
    from signer.workbooks.sheet import open_workbook

    book = open_workbook(Path(path))
    try:
        title = book.find(INSTANSI, None)
        if title is None:
            problem = (
                f"no sheet {INSTANSI}: expected {K_NAMA} and {K_TAHUN}, so that the "
                "agreements evaluated are this pemda's of this year (`kinerja evaluate "
                "--template` writes it)"
            )
            raise WorkbookError(path, [Problem(INSTANSI, None, None, None, problem)])
        found = {
            str(row[0]).strip(): row[1] if len(row) > 1 else None
            for row in book.rows(title)[0]
            if row and row[0] is not None
        }
    finally:
        book.close()
    nama, tahun = found.get(K_NAMA), found.get(K_TAHUN)
    problems = []
    if not isinstance(nama, str) or not nama.strip():
        problems.append(Problem(INSTANSI, None, "B", K_NAMA, "expected the pemerintah daerah"))
    text = str(tahun).strip()
    year = int(text) if text.isdigit() else None  # a number cell reads as Decimal('2026')
    if year is None:
        problems.append(Problem(INSTANSI, None, "B", K_TAHUN, f"{tahun!r}, expected the year"))
    if problems:
        raise WorkbookError(path, problems)
    assert isinstance(nama, str) and year is not None
    return RealisasiOf(" ".join(nama.split()), year)


def read_realisasi(path: Path, agreements: Sequence[Agreement]) -> RealisasiData:
    """Read realisasi for ``agreements``; every problem at once, as a WorkbookError."""
    from signer.errors import WorkbookError
    from signer.workbooks.sheet import open_workbook, read_sheet

    by_unit = {a.unit.kode: a for a in agreements if a.jenis.has_targets}
    problems: list[Problem] = []
    book = open_workbook(Path(path))
    try:
        sheet = read_sheet(
            book,
            REALISASI,
            COLUMNS_REALISASI,
            _INFORMATIONAL,
            problems,
            fill_down=FILL_DOWN_REALISASI,
        )
        money = (
            read_sheet(
                book,
                ANGGARAN,
                COLUMNS_ANGGARAN,
                {H_PROGRAM, H_ANGGARAN, *H_REALISASI_ANGGARAN_TW},
                [],
                fill_down=frozenset({H_KODE_UNIT}),
            )
            if book.has(ANGGARAN)
            else None
        )
    finally:
        book.close()
    values: dict[tuple[str, str], RealisasiIndikator] = {}
    rows_of: dict[tuple[str, str], int] = {}
    skipped: set[str] = set()
    names: dict[str, str] = {}
    if sheet is not None:
        for row, cells in sheet.rows:
            unit = sheet.kode(row, cells, H_KODE_UNIT)
            kode = sheet.kode(row, cells, H_KODE_INDIKATOR)
            if unit is None or kode is None:
                continue
            names.setdefault(unit, sheet.text(row, cells, H_NAMA_UNIT, required=False) or unit)
            if unit not in by_unit:
                skipped.add(unit)
                continue
            indikator = {i.kode: i for i in by_unit[unit].indikator}.get(kode)
            if indikator is None:
                sheet.problem(
                    row,
                    H_KODE_INDIKATOR,
                    f"unknown indikator {kode!r} for unit "
                    f"{unit}, expected one of its signed agreement's kode",
                )
                continue
            if (unit, kode) in rows_of:
                sheet.problem(
                    row,
                    H_KODE_INDIKATOR,
                    f"{unit} {kode} again (first on row "
                    f"{rows_of[unit, kode]}), expected one row per indikator",
                )
                continue
            rows_of[unit, kode] = row
            tw1, tw2, tw3, tw4, tahunan = (
                _value(sheet, row, cells, h, indikator) for h in (*H_REALISASI_TW, H_REALISASI)
            )
            values[unit, kode] = RealisasiIndikator((tw1, tw2, tw3, tw4), tahunan)
        for unit, a in by_unit.items():
            for i in a.indikator:
                if (unit, i.kode) not in values and (unit, i.kode) not in rows_of:
                    problems.append(
                        Problem(
                            REALISASI,
                            None,
                            None,
                            H_KODE_INDIKATOR,
                            f"no row for {unit} {i.kode} ({i.uraian[:60]}), "
                            "expected one row per indikator (values may be "
                            "left empty)",
                        )
                    )
    spent: dict[tuple[str, str], int | None] = {}
    spent_tw: dict[tuple[str, str], AnggaranTriwulan] = {}
    if money is not None:
        for row, cells in money.rows:
            unit = money.kode(row, cells, H_KODE_UNIT)
            if unit is None or unit not in by_unit:
                continue
            program = money.text(row, cells, H_KODE_PROGRAM, required=False) or money.text(
                row, cells, H_PROGRAM, required=False
            )
            known = {p.kode or p.uraian for p in by_unit[unit].program}
            if program not in known:
                money.problem(
                    row,
                    H_KODE_PROGRAM,
                    f"unknown program {program!r} for unit "
                    f"{unit}, expected one of its signed agreement's programs",
                )
                continue
            q1, q2, q3, q4 = (_rupiah(money, row, cells, h) for h in H_REALISASI_ANGGARAN_TW)
            spent[unit, program] = _rupiah(money, row, cells, H_REALISASI_ANGGARAN)
            spent_tw[unit, program] = (q1, q2, q3, q4)
        problems += money.problems
    if problems:
        raise WorkbookError(path, problems)
    return RealisasiData(
        values,
        spent,
        frozenset(skipped),
        read_realisasi_of(path),
        names,
        spent_tw,
        tuple(book.warnings),
    )


def _rupiah(sheet: SheetRows, row: int, cells: tuple[object, ...], header: str) -> int | None:
    """Whole rupiah, or None when empty (not filled: never taken as 0)."""
    amount = sheet.number(row, cells, header, required=False)
    if amount is not None and (amount < 0 or amount != amount.to_integral_value()):
        sheet.problem(row, header, f"{amount}, expected whole rupiah, not negative")
        return None
    return int(amount) if amount is not None else None


# columns that help the person filling in, never read
_INFORMATIONAL = {
    H_NAMA_UNIT,
    H_INDIKATOR,
    H_SATUAN,
    H_ARAH,
    H_TARGET,
    *H_REALISASI_TW,
    H_REALISASI,
}


def _value(
    sheet: SheetRows, row: int, cells: tuple[object, ...], header: str, indikator: Indikator
) -> Value:
    if indikator.arah is Arah.PREDIKAT:
        text = sheet.text(row, cells, header, required=False)
        if text is None:
            return None
        scale = {s.lower(): s for s in indikator.skala or ()}
        if text.lower() not in scale:
            sheet.problem(
                row,
                header,
                f"{text!r} is not on the scale of {indikator.kode}, "
                f"expected one of {', '.join(indikator.skala or ())}",
            )
            return None
        return scale[text.lower()]
    return sheet.number(row, cells, header, required=False, satuan=indikator.satuan)
