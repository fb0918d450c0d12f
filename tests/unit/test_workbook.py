"""Reading the ceremony workbook: the example reads back exactly; every problem is reported at once,
located by sheet, row and column, with exit 2 and nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from signer.errors import InputError, WorkbookError
from signer.example.workspace import ceremony
from signer.model import Arah, Predikat, Rentang
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import edit_workbook, run_kinerja


def test_example_workbook_reads_back_as_the_model(example_workspace: Path) -> None:
    assert read_workbook(example_workspace / "kinerja.xlsx") == ceremony()


def test_example_workbook_has_dropdowns_and_instructions(example_workspace: Path) -> None:
    wb = load_workbook(example_workspace / "kinerja.xlsx")
    assert wb.sheetnames[0] == "Petunjuk"
    validated = {
        (ws.title, ws.cell(row=1, column=int(rng.min_col)).value)
        for ws in wb.worksheets
        for dv in ws.data_validations.dataValidation
        for rng in dv.sqref.ranges
    }
    for needed in [
        ("Indikator", "Arah"),
        ("Indikator", "Satuan"),
        ("Indikator", "Skala Predikat"),
        ("Unit", "Pihak Pertama"),
        ("Pejabat", "Golongan"),
        ("Unit", "Jenis Unit"),
    ]:
        assert needed in validated
    assert wb["Pejabat"]["C2"].number_format == "@", "NIP column is text"


def _row_of(path: Path, sheet: str, column: str, value: str) -> int:
    ws = load_workbook(path)[sheet]
    for cell in ws[column]:
        if cell.value == value:
            return cell.row
    raise AssertionError(f"{value} not in {sheet}!{column}")


def _problems(path: Path) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    return [str(p) for p in info.value.problems]


def test_text_where_a_number_belongs(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DINKES.02")
    edit_workbook(book, {("Indikator", f"H{row}"): "tujuh"})
    assert _problems(book) == [
        f"Indikator, row {row}, column H (Target): text 'tujuh' where a number belongs, "
        "expected a number typed as a number (e.g. 75,5)"
    ]


def test_invalid_nip(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Pejabat", "A", "KA-DINKES")
    edit_workbook(book, {("Pejabat", f"C{row}"): "197413122001122003"})
    [problem] = _problems(book)
    assert problem.startswith(f"Pejabat, row {row}, column C (NIP): invalid NIP:")
    assert "birth date" in problem


def test_nip_typed_as_a_number(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Pejabat", "A", "KA-DINKES")
    edit_workbook(book, {("Pejabat", f"C{row}"): 197405122001122003})
    [problem] = _problems(book)
    assert "typed as a number" in problem and "as text" in problem


def test_unit_without_pihak_pertama(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Unit", "A", "DINKES")
    edit_workbook(book, {("Unit", f"D{row}"): None})
    [problem] = _problems(book)
    assert problem.startswith(
        f"Unit, row {row}, column D (Pihak Pertama): empty: the unit has no pihak pertama"
    )


def test_unknown_pejabat_reference(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Unit", "A", "DINKES")
    edit_workbook(book, {("Unit", f"E{row}"): "KA-NOBODY"})
    [problem] = _problems(book)
    assert "unknown pejabat 'KA-NOBODY'" in problem and f"row {row}, column E" in problem


def test_duplicate_indikator_kode(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    first = _row_of(book, "Indikator", "C", "DINKES.01")
    second = _row_of(book, "Indikator", "C", "DINKES.02")
    edit_workbook(book, {("Indikator", f"C{second}"): "DINKES.01"})
    [problem] = _problems(book)
    assert problem.startswith(
        f"Indikator, row {second}, column C (Kode Indikator): duplicate kode "
        f"'DINKES.01' in unit DINKES (first on row {first})"
    )


def test_unknown_arah(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DINKES.02")
    edit_workbook(book, {("Indikator", f"F{row}"): "menurun"})
    [problem] = _problems(book)
    assert problem == (
        f"Indikator, row {row}, column F (Arah): unknown value 'menurun', expected "
        "one of: naik, predikat, rentang, turun"
    )


def test_every_problem_reported_at_once(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    edits = {
        ("Indikator", f"H{_row_of(book, 'Indikator', 'C', 'DINKES.02')}"): "tujuh",
        ("Indikator", f"F{_row_of(book, 'Indikator', 'C', 'DINKES.03')}"): "menurun",
        ("Program", "D2"): "banyak",
        ("Instansi", "B1"): None,
        ("Pejabat", f"C{_row_of(book, 'Pejabat', 'A', 'KA-DINKES')}"): "123",
    }
    edit_workbook(book, edits)
    problems = _problems(book)
    assert len(problems) == 5, problems
    assert {p.split(",")[0] for p in problems} == {"Indikator", "Program", "Instansi", "Pejabat"}


def test_partial_triwulan_and_bad_range_and_predikat(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    tw = _row_of(book, "Indikator", "C", "DINKES.01")
    rng = _row_of(book, "Indikator", "C", "DINKES.04")
    pred = _row_of(book, "Indikator", "C", "SETDA.01")
    edit_workbook(
        book,
        {
            ("Indikator", f"K{tw}"): None,
            ("Indikator", f"H{rng}"): "88 - 82",
            ("Indikator", f"H{pred}"): "Baik Sekali",
        },
    )
    problems = _problems(book)
    assert any(
        f"row {tw}, column K (Target TW III): empty while other quarters" in p for p in problems
    )
    assert any(
        f"row {rng}, column H (Target): range '88 - 82' runs backwards" in p for p in problems
    )
    assert any(
        f"row {pred}, column H (Target): 'Baik Sekali' is not on the scale" in p for p in problems
    )


def test_ranges_and_decimals_typed_the_indonesian_way(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    rng = _row_of(book, "Indikator", "C", "DINKES.04")
    pred = _row_of(book, "Indikator", "C", "SETDA.01")
    edit_workbook(
        book, {("Indikator", f"H{rng}"): "82,5 s.d. 88", ("Indikator", f"H{pred}"): "wdp"}
    )
    c = read_workbook(book)
    by_kode = {i.kode: i for a in c.agreements for i in a.indikator}
    assert by_kode["DINKES.04"].target == Rentang(Decimal("82.5"), Decimal("88"))
    assert by_kode["SETDA.01"].target == Predikat("WDP")
    assert by_kode["DINKES.02"].target == Decimal("7.5")
    assert by_kode["DINKES.01"].arah is Arah.TURUN


def test_columns_found_by_header_not_position(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"

    def swap(wb):  # type: ignore[no-untyped-def]
        ws = wb["Program"]
        for row in ws.iter_rows():
            row[0].value, row[2].value = row[2].value, row[0].value

    edit_workbook(book, change=swap)
    assert read_workbook(book) == ceremony()


def test_empty_workbook(tmp_path: Path) -> None:
    book = tmp_path / "kinerja.xlsx"
    Workbook().save(book)
    [problem] = _problems(book)
    assert "no kinerja sheets" in problem


def test_sheets_without_rows(tmp_path: Path, example_workspace: Path) -> None:
    book = tmp_path / "kinerja.xlsx"
    wb = load_workbook(example_workspace / "kinerja.xlsx")
    for name in ("Unit", "Indikator", "Program", "Pakta Integritas", "Pejabat"):
        ws = wb[name]
        ws.delete_rows(2, ws.max_row)
    wb.save(book)
    assert "Unit: no units, expected one row per unit" in _problems(book)


def test_missing_sheet_and_column(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"

    def damage(wb):  # type: ignore[no-untyped-def]
        del wb["Program"]
        wb["Indikator"]["F1"] = "Polaritas"

    edit_workbook(book, change=damage)
    problems = _problems(book)
    assert (
        "Program: sheet is missing; the workbook has 'Petunjuk', 'Instansi', 'Pejabat', 'Unit', "
        "'Indikator', 'Pakta Integritas', 'Daftar'" in problems
    )
    assert "Indikator, row 1, column 'Arah': column is missing" in problems
    assert not any("Indikator, row 2" in p for p in problems), "no cascade per row"
    assert not any(p.startswith("Unit") for p in problems), "no cascade to other sheets"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Nama,NIP\nBudi,1\n", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
        (b"PK\x03\x04broken", "not an Excel workbook"),
    ],
)
def test_not_an_xlsx(tmp_path: Path, content: bytes, reason: str) -> None:
    book = tmp_path / "kinerja.xlsx"
    book.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        read_workbook(book)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_workbook(tmp_path / "nope.xlsx")


def test_tanggal_as_date_cell_or_iso_text(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Instansi", "A", "Tanggal")
    edit_workbook(book, {("Instansi", f"B{row}"): "2026-02-03"})
    assert read_workbook(book).agreements[0].tanggal == dt.date(2026, 2, 3)
    edit_workbook(book, {("Instansi", f"B{row}"): "3 Februari"})
    [problem] = _problems(book)
    assert problem.startswith(f"Instansi, row {row}, column B (Tanggal):")


# The command line: exit 2, one clear message, no traceback, nothing written


def test_cli_text_file_named_xlsx(tmp_path: Path) -> None:
    book = tmp_path / "kinerja.xlsx"
    book.write_text("this is not a workbook\n")
    before = sorted(tmp_path.iterdir())
    result = run_kinerja("check", str(book))
    assert result.returncode == 2
    assert "not an Excel workbook (.xlsx)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(tmp_path.iterdir()) == before


def test_cli_empty_workbook(tmp_path: Path) -> None:
    book = tmp_path / "kinerja.xlsx"
    Workbook().save(book)
    result = run_kinerja("check", str(book))
    assert result.returncode == 2
    assert "no kinerja sheets" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_lists_every_problem(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    edit_workbook(book, {("Program", "D2"): "banyak", ("Program", "D3"): -5})
    result = run_kinerja("check", str(book))
    assert result.returncode == 2
    assert "2 problems found, nothing was written" in result.stderr
    assert "Program, row 2, column D (Anggaran (Rp)): text 'banyak'" in result.stderr
    assert "Program, row 3, column D (Anggaran (Rp)): -5, expected whole rupiah" in result.stderr


def test_unit_rows_for_a_revision_and_the_kepala_daerah_pk(workspace: Path) -> None:
    import datetime as dt

    from signer.errors import WorkbookError
    from signer.workbooks.ceremony_read import read_workbook
    from tests.conftest import edit_workbook

    book = workspace / "kinerja.xlsx"

    def cells(wb, rows):  # type: ignore[no-untyped-def]
        ws = wb["Unit"]
        heads = [c.value for c in ws[1]]
        for values in rows:
            ws.append([values.get(h) for h in heads])
        return ws

    def revise(wb):  # type: ignore[no-untyped-def]
        ws = wb["Unit"]
        heads = [c.value for c in ws[1]]
        col = {h: heads.index(h) + 1 for h in heads}
        ws.cell(2, col["Dokumen"]).value = "PK Perubahan"
        ws.cell(2, col["Perubahan Ke"]).value = 1
        ws.cell(2, col["Tanggal"]).value = dt.date(2026, 3, 16)
        ws.cell(2, col["Nomor"]).value = "800/045/2026"
        cells(
            wb,
            [
                # the kepala daerah's own PK, but with a pihak kedua and a unit's jenis
                {
                    "Kode Unit": "KOTA",
                    "Nama Unit": "Pemerintah Kota Contoh",
                    "Jenis Unit": "dinas",
                    "Pihak Pertama": "KDH",
                    "Pihak Kedua": "KA-SETDA",
                    "Dokumen": "PK Kepala Daerah",
                },
                {
                    "Kode Unit": "X",
                    "Nama Unit": "Dinas X",
                    "Jenis Unit": "dinas",
                    "Pihak Pertama": "KA-DINKES",
                    "Pihak Kedua": "KDH",
                    "Tanggal": "16 Maretz 2026",
                },
            ],
        )

    edit_workbook(book, change=revise)
    with pytest.raises(WorkbookError) as e:
        read_workbook(book)
    text = "\n".join(str(p) for p in e.value.problems)
    assert "expected it empty: the kepala daerah signs" in text
    assert "dinas for a PK Kepala Daerah, expected pemerintah-daerah" in text
    assert "column I (Tanggal): text '16 Maretz 2026', expected a date" in text

    def fix(wb):  # type: ignore[no-untyped-def]
        ws = wb["Unit"]
        heads = [c.value for c in ws[1]]
        col = {h: heads.index(h) + 1 for h in heads}
        last = ws.max_row
        ws.delete_rows(last)  # the unit with a bad date
        ws.cell(last - 1, col["Pihak Kedua"]).value = None
        ws.cell(last - 1, col["Jenis Unit"]).value = "pemerintah-daerah"
        ind = wb["Indikator"]
        iheads = [c.value for c in ind[1]]
        row = {
            "Kode Unit": "KOTA",
            "Sasaran": "Meningkatnya kualitas hidup",
            "Kode Indikator": "IKU.01",
            "Indikator Kinerja": "Indeks Pembangunan Manusia",
            "Satuan": "Indeks",
            "Arah": "naik",
            "Target": 74.2,
        }
        ind.append([row.get(h) for h in iheads])

    edit_workbook(book, change=fix)
    ceremony = read_workbook(book)
    revision = next(a for a in ceremony.agreements if a.jenis.revision)
    assert (revision.tanggal, revision.nomor) == (dt.date(2026, 3, 16), "800/045/2026")
    others = [a for a in ceremony.agreements if a is not revision]
    assert all(a.tanggal == dt.date(2026, 1, 15) for a in others)  # the ceremony's date
    kd = next(a for a in ceremony.agreements if a.unit.kode == "KOTA")
    assert kd.jenis.single_signer and kd.pihak_kedua is None and kd.pihak_pertama.kepala_daerah
