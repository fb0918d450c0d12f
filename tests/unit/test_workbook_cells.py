"""The data staff really type: percent-formatted cells, numbers and dates typed as text, formulas
with and without a computed value, merged cells, sheet names in another case, on real .xlsx
files of the example ceremony and of its realisasi workbook."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.errors import WorkbookError
from signer.example.workspace import ceremony, realisasi
from signer.model import Agreement, Ceremony, Indikator
from signer.workbooks.cells import Percent, is_persen, number_text, shown_number
from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.realisasi import read_realisasi, write_realisasi
from signer.workbooks.sheet import read_date
from tests.conftest import edit_workbook, run_kinerja


def _row_of(path: Path, sheet: str, column: str, value: str) -> int:
    ws = load_workbook(path)[sheet]
    for cell in ws[column]:
        if cell.value == value:
            return int(cell.row)
    raise AssertionError(f"{value} not in {sheet}!{column}")


def _indikator(c: Ceremony, kode: str) -> Indikator:
    return next(i for a in c.agreements for i in a.indikator if i.kode == kode)


def _problems(path: Path) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    return [str(p) for p in info.value.problems]


def _cache(path: Path, sheet: str, ref: str, value: str, kind: str = "n") -> None:
    """Give a formula cell the cached value Excel would have saved with it (openpyxl writes
    formulas without one); ``kind`` "e" for an error value."""
    index = load_workbook(path, read_only=True).sheetnames.index(sheet) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    xml = files[part].decode()
    cell = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(?:<v\s*/>|<v>\s*</v>)?</c>')
    xml, count = cell.subn(rf"\1\2<v>{value}</v></c>", xml)
    xml = xml.replace(f'<c r="{ref}"', f'<c r="{ref}" t="{kind}"')
    assert count == 1, f"no formula cell {ref} in {part}"
    files[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


# --- the cell reader, value by value ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "percent"),
    [
        ("98,6", Decimal("98.6"), False),
        ("1.234,5", Decimal("1234.5"), False),
        ("75,50 %", Decimal("75.5"), True),
        ("75,5%", Decimal("75.5"), True),
        ("1.250.000.000", Decimal("1250000000"), False),
        ("98.6", Decimal("98.6"), False),
        ("0,125", Decimal("0.125"), False),
        (" 12 ", Decimal("12"), False),
        ("-3,5", Decimal("-3.5"), False),
    ],
)
def test_numbers_typed_as_text(text: str, number: Decimal, percent: bool) -> None:
    assert number_text(text) == (number, percent)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.250", "ambiguous: 1.250 or 1,25?"),
        ("1,250", "ambiguous: 1,25 or 1.250?"),
        ("tujuh", "not a number"),
        ("1e3", "not a number"),
        ("1.25.0", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_text_that_is_no_number_or_ambiguous(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        number_text(text)


@pytest.mark.parametrize(
    ("held", "fmt", "formula", "shown"),
    [
        (65.97500000000001, "0.00", True, Decimal("65.98")),
        (65.97500000000001, "General", True, Decimal("65.975")),
        (65.97500000000001, "0.00", False, Decimal("65.975")),  # typed: kept as typed
        (0.1 + 0.2, "General", False, Decimal("0.3")),
        (1250000000.4, "#,##0", True, Decimal("1250000000")),
        (95, "General", False, Decimal("95")),
        (95.0, "0.0", False, Decimal("95")),
    ],
)
def test_numbers_read_as_shown(held: float, fmt: str, formula: bool, shown: Decimal) -> None:
    value = shown_number(held, fmt, formula=formula)
    assert value == shown and str(value) == str(shown)


def test_percent_cells_keep_both_numbers() -> None:
    assert shown_number(0.95, "0%", formula=False) == Percent(Decimal("95"), Decimal("0.95"))
    assert shown_number(0.957512, "0.00%", formula=True) == Percent(
        Decimal("95.75"), Decimal("0.957512")
    )
    assert shown_number(0.95, '"Rp"#,##0', formula=False) == Decimal("0.95")  # quoted: no %


@pytest.mark.parametrize(
    ("satuan", "persen"),
    [("%", True), ("Persen", True), ("persentase (%)", True), ("Indeks", False), (None, False)],
)
def test_satuan_in_percent(satuan: str | None, persen: bool) -> None:
    assert is_persen(satuan) is persen


@pytest.mark.parametrize(
    "text",
    [
        "2 Januari 2027",
        "02-01-2027",
        "2/1/2027",
        "2 Jan 2027",
        "2 jan. 2027",
        "Sabtu, 2 Januari 2027",
        "2027-01-02",
        "  2   JANUARI 2027 ",
        "2 January 2027",
    ],
)
def test_dates_typed_as_text(text: str) -> None:
    assert read_date(text) == dt.date(2027, 1, 2)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Senin, 2 Januari 2027", "2 Januari 2027 is a Sabtu, not a Senin"),
        ("31 Februari 2027", "is no day of the calendar"),
        ("2 Jnuari 2027", "expected a date"),
        ("01-13-2027", "is no day of the calendar"),
        ("02-01-27", "expected a date"),
        (Decimal("46023"), "expected a date"),
    ],
)
def test_dates_refused(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        read_date(value)


# --- the ceremony workbook --------------------------------------------------------------------


def test_percent_cell_reads_as_shown_when_the_satuan_is_percent(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "SETWAN.01")  # satuan %, target 80, TW 20 40 60 80

    def percent(wb):  # type: ignore[no-untyped-def]
        ws = wb["Indikator"]
        ws[f"H{row}"], ws[f"L{row}"] = 0.8, 0.8
        ws[f"H{row}"].number_format = ws[f"L{row}"].number_format = "0%"

    edit_workbook(book, change=percent)
    c = read_workbook(book)
    i = _indikator(c, "SETWAN.01")
    assert i.target == Decimal("80") and i.target_triwulan is not None
    assert i.target_triwulan[3] == Decimal("80")
    assert c == ceremony() and not c.warnings


def test_percent_cell_refused_when_the_satuan_is_not_percent(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "SETDA.03")  # satuan Indeks, target 72,5

    def percent(wb):  # type: ignore[no-untyped-def]
        wb["Indikator"][f"H{row}"] = 0.725
        wb["Indikator"][f"H{row}"].number_format = "0.0%"

    edit_workbook(book, change=percent)
    assert _problems(book) == [
        f"Indikator, row {row}, column H (Target): 72,5% (a cell formatted as percent) is a "
        "percentage (72.5%, the cell holds 0.725) but the satuan is 'Indeks': expected the "
        "number itself, in a cell formatted as Number"
    ]


def test_numbers_typed_as_text_the_indonesian_way(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    disdik = _row_of(book, "Indikator", "C", "DISDIK.01")  # %, 98,6
    setwan = _row_of(book, "Indikator", "C", "SETWAN.02")  # %, 85, TW 20 45 65 85
    program = _row_of(book, "Program", "B", "4.01.01")  # 38.750.000.000
    edit_workbook(
        book,
        {
            ("Indikator", f"H{disdik}"): "98,6",
            ("Indikator", f"H{setwan}"): "85,00 %",
            ("Indikator", f"L{setwan}"): "85",
            ("Program", f"D{program}"): "38.750.000.000",
        },
    )
    assert read_workbook(book) == ceremony()


def test_ambiguous_and_misplaced_percent_text_refused(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    setda = _row_of(book, "Indikator", "C", "SETDA.03")  # Indeks
    insp = _row_of(book, "Indikator", "C", "INSP.01")  # Level, 3
    program = _row_of(book, "Program", "B", "4.01.01")
    edit_workbook(
        book,
        {
            ("Indikator", f"H{setda}"): "72,5 %",
            ("Indikator", f"H{insp}"): "3.000",
            ("Program", f"D{program}"): "38,750,000",
        },
    )
    problems = _problems(book)
    assert problems == [
        f"Indikator, row {setda}, column H (Target): text '72,5 %' is a percentage (72.5%) but "
        "the satuan is 'Indeks': expected the number itself, in a cell formatted as Number",
        f"Indikator, row {insp}, column H (Target): text '3.000' ambiguous: 3.000 or 3? "
        "expected it typed as a number, or as text with no doubt left (a comma for decimals, "
        "dots only between thousands)",
    ]  # '38,750,000' has one reading (English grouping): read, not refused


def test_text_dates_in_the_instansi_sheet(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Instansi", "A", "Tanggal")
    for text in ("15 Januari 2026", "15-01-2026", "15 Jan 2026", "Kamis, 15 Januari 2026"):
        edit_workbook(book, {("Instansi", f"B{row}"): text})
        assert read_workbook(book) == ceremony(), text
    edit_workbook(book, {("Instansi", f"B{row}"): "Senin, 15 Januari 2026"})
    assert _problems(book) == [
        f"Instansi, row {row}, column B (Tanggal): text 'Senin, 15 Januari 2026': 15 Januari "
        "2026 is a Kamis, not a Senin; expected the day and the date to agree"
    ]


def test_formula_with_a_cached_value_reads_as_shown(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DISDIK.01")  # 98,6

    def formula(wb):  # type: ignore[no-untyped-def]
        wb["Indikator"][f"H{row}"] = "=98.6*1"
        wb["Indikator"][f"H{row}"].number_format = "0.0"

    edit_workbook(book, change=formula)
    _cache(book, "Indikator", f"H{row}", "98.60000000000001")
    assert _indikator(read_workbook(book), "DISDIK.01").target == Decimal("98.6")


def test_formula_without_a_cached_value_is_named(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "SETWAN.01")
    edit_workbook(book, {("Indikator", f"L{row}"): f"=H{row}*1"})
    assert _problems(book) == [
        f"Indikator, row {row}, column L (Target TW IV): a formula (=H{row}*1) with no computed "
        "value: open and save the workbook in Excel or LibreOffice"
    ]


def test_error_cell_is_named(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DISDIK.01")
    edit_workbook(book, {("Indikator", f"H{row}"): "=1/0"})
    _cache(book, "Indikator", f"H{row}", "#DIV/0!", kind="e")
    assert _problems(book) == [
        f"Indikator, row {row}, column H (Target): the formula (=1/0) shows the error #DIV/0!, "
        "expected a value"
    ]


def test_sasaran_and_kode_unit_merged_down_are_filled_in(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    first = _row_of(book, "Indikator", "C", "INSP.01")  # INSP.01 .. INSP.04, one sasaran
    last = first + 3

    def merge(wb):  # type: ignore[no-untyped-def]
        wb["Indikator"].merge_cells(f"A{first}:A{last}")
        wb["Indikator"].merge_cells(f"B{first}:B{last}")

    edit_workbook(book, change=merge)
    assert load_workbook(book)["Indikator"][f"B{last}"].value is None  # as Excel keeps it
    assert read_workbook(book) == ceremony()


def test_other_merged_cells_are_refused_with_what_happened(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    first = _row_of(book, "Indikator", "C", "INSP.01")
    edit_workbook(book, change=lambda wb: wb["Indikator"].merge_cells(f"E{first}:E{first + 1}"))
    assert _problems(book) == [
        f"Indikator, row {first}, column E (Satuan): cells E{first}:E{first + 1} are merged; "
        "kinerja reads one value per row and column: unmerge them and fill the satuan in each "
        "cell"
    ]


def test_sheet_name_in_another_case_is_read_with_a_warning(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"

    def rename(wb):  # type: ignore[no-untyped-def]
        wb["Unit"].title = "unit "
        wb["Instansi"].title = "tmp"  # openpyxl, as Excel, compares sheet names ignoring case
        wb["tmp"].title = "INSTANSI"

    edit_workbook(book, change=rename)
    c = read_workbook(book)
    assert c == ceremony()
    assert [str(w) for w in c.warnings] == [
        "Instansi: read from the sheet named 'INSTANSI'",
        "Unit: read from the sheet named 'unit '",
    ]
    result = run_kinerja("check", str(book))
    assert result.returncode == 0, result.stderr
    assert "warning: Unit: read from the sheet named 'unit '" in result.stderr
    report = json.loads(run_kinerja("check", str(book), "--json").stdout)
    assert [w["sheet"] for w in report["warnings"]] == ["Instansi", "Unit"]
    assert len(report["agreements"]) == len(ceremony().agreements)


def test_missing_sheet_names_the_nearest(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    edit_workbook(book, change=lambda wb: setattr(wb["Indikator"], "title", "Indikatr"))
    problems = _problems(book)
    assert problems[0] == (
        "Indikator: sheet is missing; the workbook has 'Petunjuk', 'Instansi', 'Pejabat', "
        "'Unit', 'Indikatr', 'Program', 'Pakta Integritas', 'Daftar'; the nearest is "
        "'Indikatr': rename it to 'Indikator'"
    )


def test_duplicate_unit_cites_the_first_row(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    first = _row_of(book, "Unit", "A", "SETWAN")
    edit_workbook(book, {("Unit", f"A{first + 2}"): "SETWAN"})
    assert (
        f"Unit, row {first + 2}, column A (Kode Unit): unit SETWAN is already on row {first}, "
        "expected each unit once"
    ) in _problems(book)


def test_tw4_unlike_the_yearly_target_is_a_warning(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "SETWAN.01")  # target 80
    edit_workbook(book, {("Indikator", f"L{row}"): 75})
    c = read_workbook(book)
    assert [str(w) for w in c.warnings] == [
        f"Indikator, row {row}, column L (Target TW IV): 75 differs from the yearly Target 80; "
        "the target of the last triwulan is normally the yearly target"
    ]
    result = run_kinerja("check", str(book))
    assert result.returncode == 0 and "warning: Indikator, row" in result.stderr


# --- the realisasi workbook -----------------------------------------------------------------


def _agreements() -> list[Agreement]:
    return [a for a in ceremony().agreements if a.jenis.has_targets]


@pytest.fixture()
def realisasi_book(tmp_path: Path) -> Path:
    c = ceremony()
    values, spent = realisasi(c)
    path = tmp_path / "realisasi.xlsx"
    write_realisasi(_agreements(), path, values, spent)
    return path


def test_realisasi_cells_read_as_shown(realisasi_book: Path) -> None:
    book = realisasi_book
    setwan = _row_of(book, "Realisasi", "C", "SETWAN.01")  # %
    disdik = _row_of(book, "Realisasi", "C", "DISDIK.01")  # %
    insp = _row_of(book, "Realisasi", "C", "INSP.01")

    def fill(wb):  # type: ignore[no-untyped-def]
        ws = wb["Realisasi"]
        ws[f"L{setwan}"] = 0.8125
        ws[f"L{setwan}"].number_format = "0.00%"
        ws[f"L{disdik}"] = "97,25"
        ws[f"L{insp}"] = "=2.9+0.1"
        ws[f"L{insp}"].number_format = "0.0"
        ws.merge_cells(f"A{insp}:A{insp + 3}")  # INSP.01 .. INSP.04 under one Kode Unit
        wb["Realisasi"].title = "tmp"
        wb["tmp"].title = "realisasi"

    edit_workbook(book, change=fill)
    _cache(book, "realisasi", f"L{insp}", "2.9999999999999996")
    data = read_realisasi(book, _agreements())
    assert data.values["SETWAN", "SETWAN.01"].tahunan == Decimal("81.25")
    assert data.values["DISDIK", "DISDIK.01"].tahunan == Decimal("97.25")
    assert data.values["INSPEKTORAT", "INSP.01"].tahunan == Decimal("3")
    assert data.values["INSPEKTORAT", "INSP.04"].tahunan is not None
    assert [str(w) for w in data.warnings] == ["Realisasi: read from the sheet named 'realisasi'"]


def test_realisasi_problems_name_the_cell(realisasi_book: Path) -> None:
    book = realisasi_book
    setda = _row_of(book, "Realisasi", "C", "SETDA.03")  # Indeks
    insp = _row_of(book, "Realisasi", "C", "INSP.01")
    money = _row_of(book, "Anggaran", "B", "4.01.01")

    def fill(wb):  # type: ignore[no-untyped-def]
        wb["Realisasi"][f"L{setda}"] = 0.7
        wb["Realisasi"][f"L{setda}"].number_format = "0%"
        wb["Realisasi"][f"K{insp}"] = f"=J{insp}+1"
        wb["Anggaran"][f"I{money}"] = "1.250"

    edit_workbook(book, change=fill)
    with pytest.raises(WorkbookError) as info:
        read_realisasi(book, _agreements())
    assert [str(p) for p in info.value.problems] == [
        f"Realisasi, row {setda}, column L (Realisasi Tahunan): 70% (a cell formatted as "
        "percent) is a percentage (70%, the cell holds 0.7) but the satuan is 'Indeks': "
        "expected the number itself, in a cell formatted as Number",
        f"Realisasi, row {insp}, column K (Realisasi TW IV): a formula (=J{insp}+1) with no "
        "computed value: open and save the workbook in Excel or LibreOffice",
        f"Anggaran, row {money}, column I (Realisasi Anggaran (Rp)): text '1.250' ambiguous: "
        "1.250 or 1,25? expected it typed as a number, or as text with no doubt left (a comma "
        "for decimals, dots only between thousands)",
    ]
