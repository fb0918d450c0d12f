"""Hostile workbooks (issue 12): each is refused with one line naming the file and the place,
quickly and small, or read as Excel shows it; never a traceback, never silently wrong."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from signer.errors import InputError, WorkbookError
from signer.generate.logo import MAX_LOGO_BYTES, read_logo
from signer.workbooks.archive import MAX_COLUMNS, MAX_MEMBERS, MAX_ROWS
from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.columns import H_KODE_INDIKATOR, H_KODE_UNIT, INDIKATOR
from tests.conftest import edit_workbook, run_kinerja
from tests.hostile_workbooks import (
    entity_bomb,
    members,
    rewrite,
    sheet_part,
    with_cell_at,
    with_dimension,
    write_zip,
    zip_bomb,
)


@pytest.fixture()
def book(example_workspace: Path) -> Path:
    return example_workspace / "kinerja.xlsx"


def _refused(path: Path, *needles: str, within: float = 5.0) -> str:
    start = time.monotonic()
    with pytest.raises(InputError) as e:
        read_workbook(path)
    assert time.monotonic() - start < within
    message = str(e.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message
    return message


# <dimension>: what the sheet declares is not what it holds


@pytest.mark.parametrize("ref", ["A1", "A1:B2", "A1:XFD1048576"])
def test_rows_are_read_whatever_the_dimension_declares(
    book: Path, tmp_path: Path, ref: str
) -> None:
    """Too small (rows below it were silently dropped) or forged huge (17 billion cells from a
    33 KB file): every row Excel shows is read, and nothing more."""
    changed = with_dimension(book, tmp_path / "k.xlsx", ref)
    start = time.monotonic()
    assert read_workbook(changed) == read_workbook(book)
    assert time.monotonic() - start < 10


def test_data_beyond_the_row_or_column_limit_is_refused(book: Path, tmp_path: Path) -> None:
    far_down = with_cell_at(book, tmp_path / "rows.xlsx", "Unit", "A1048576")
    _refused(far_down, "'Unit'", "A1048576", f"{MAX_ROWS:,} rows")
    far_right = with_cell_at(book, tmp_path / "cols.xlsx", "Unit", f"XFD{MAX_ROWS}")
    _refused(far_right, "'Unit'", f"XFD{MAX_ROWS}", f"{MAX_COLUMNS} columns")


def test_a_styled_empty_cell_far_away_is_harmless(book: Path, tmp_path: Path) -> None:
    part = sheet_part(book, "Unit")

    def change(name: str, data: bytes) -> bytes:
        far = b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
        return data.replace(b"</sheetData>", far, 1) if name == part else data

    assert read_workbook(rewrite(book, tmp_path / "k.xlsx", change)) == read_workbook(book)


# the zip, checked before openpyxl sees it


def test_zip_bombs_are_refused_from_the_directory(tmp_path: Path) -> None:
    big = zip_bomb(tmp_path / "big.xlsx", 40 * 1024 * 1024)
    assert big.stat().st_size < 100_000
    _refused(big, "xl/worksheets/sheet1.xml", "40.0 MB", "limit", within=1)
    dense = zip_bomb(tmp_path / "dense.xlsx", 3 * 1024 * 1024)
    _refused(dense, "xl/worksheets/sheet1.xml", "more than 100 times", within=1)


def test_a_part_longer_than_its_declared_size_is_not_read_past_it(
    book: Path, tmp_path: Path
) -> None:
    """zipfile returns at most the declared size and then fails on the CRC: a forged small
    size cannot smuggle a bomb past the directory check."""
    path = tmp_path / "k.xlsx"
    path.write_bytes(book.read_bytes())
    part = sheet_part(book, "Unit")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    data = bytearray(path.read_bytes())
    small = (100).to_bytes(4, "little")
    # the size fields of the local header (offset 22) and of the central directory entry
    data[info.header_offset + 22 : info.header_offset + 26] = small
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(part)] != part.encode():
        central = data.find(b"PK\x01\x02", central + 4)
        assert central != -1
    data[central + 24 : central + 28] = small
    path.write_bytes(bytes(data))
    _refused(path, part, "CRC")


def test_zip_structure_limits(tmp_path: Path, book: Path) -> None:
    parts = members(book)
    many = {**parts, **{f"xl/media/x{i}.bin": b"x" for i in range(MAX_MEMBERS)}}
    _refused(write_zip(tmp_path / "many.xlsx", many), f"{len(many):,} parts")

    twice = tmp_path / "twice.xlsx"
    write_zip(twice, parts)
    with pytest.warns(UserWarning), zipfile.ZipFile(twice, "a") as z:
        z.writestr("xl/workbook.xml", parts["xl/workbook.xml"])
    _refused(twice, "'xl/workbook.xml' appears twice")

    bz = tmp_path / "bz.xlsx"
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    _refused(bz, "compression method 12")


def test_a_part_claiming_more_packed_bytes_than_the_file_is_refused_unread(
    tmp_path: Path, book: Path
) -> None:
    # fuzz case 2027-7241: a flipped byte in the central directory made a part claim 3.6 GB
    # packed, and reading it allocated that much (MemoryError under a 1 GB limit)
    path = write_zip(tmp_path / "forged.xlsx", members(book))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    header = data.rfind(name) - 46  # its central directory entry: 46 fixed bytes, then the name
    assert data[header : header + 4] == b"PK\x01\x02"
    data[header + 20 : header + 24] = (0xD6000000).to_bytes(4, "little")  # compressed size
    path.write_bytes(bytes(data))
    _refused(path, "'xl/worksheets/sheet1.xml' claims", "more than the whole file")


# XML that is not as Excel writes it


def test_entity_declarations_are_refused_fast_and_small(book: Path, tmp_path: Path) -> None:
    assert openpyxl.DEFUSEDXML, "defusedxml must be installed: openpyxl then refuses entities"
    laughs = entity_bomb(book, tmp_path / "laughs.xlsx")
    _refused(laughs, "EntitiesForbidden", within=2)
    external = entity_bomb(book, tmp_path / "xxe.xlsx", external=True)
    message = _refused(external, "EntitiesForbidden", within=2)
    assert "root:" not in message


def _sheet_xml(book: Path, dst: Path, title: str, old: bytes, new: bytes) -> Path:
    part = sheet_part(book, title)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        assert old in data, old
        return data.replace(old, new, 1)

    return rewrite(book, dst, change)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"</sheetData>", b"<row r='x'></sheetData>"),  # malformed XML
        (b"</sheetData>", b'<row r="99"><c r="A99" t="b"><v>ya</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="A99" t="d"><v>kemarin</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="A99" t="s"><v>99999</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="1A"><v>1</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="A99"><v>1e999999</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="A99"><v>1,5</v></c></row></sheetData>'),
        (b"</sheetData>", b'<row r="99"><c r="A99" s="x"><v>1</v></c></row></sheetData>'),
        (b"<sheetData>", b"<sheetData>" + b"<x>" * 5000),  # deep nesting, never closed
    ],
)
def test_malformed_sheet_xml_is_one_line_naming_the_sheet(
    book: Path, tmp_path: Path, old: bytes, new: bytes
) -> None:
    bad = _sheet_xml(book, tmp_path / "k.xlsx", "Unit", old, new)
    try:
        read_workbook(bad)
    except WorkbookError:
        pass  # read, and the value is a problem of its cell: fine too
    except InputError as e:
        assert "'Unit'" in str(e) and "\n" not in str(e)


def test_a_cell_of_an_unknown_style_reads_as_general(book: Path, tmp_path: Path) -> None:
    """Excel shows a cell whose style index is beyond the style table in the default style."""
    part = sheet_part(book, "Unit")
    data = members(book)[part]
    assert b' s="' in data
    bad = rewrite(
        book,
        tmp_path / "k.xlsx",
        lambda n, d: re.sub(rb' s="\d+"', b' s="99999"', d) if n == part else d,
    )
    assert read_workbook(bad).agreements == read_workbook(book).agreements


def test_malformed_workbook_part(book: Path, tmp_path: Path) -> None:
    for name, data in [
        ("xl/workbook.xml", b"<workbook"),
        ("xl/styles.xml", b"<styleSheet><numFmts count='1'><numFmt/></numFmts></styleSheet>"),
        ("[Content_Types].xml", b"\xff\xfe\x00garbage"),
    ]:
        bad = rewrite(
            book, tmp_path / "k.xlsx", lambda n, d, name=name, data=data: data if n == name else d
        )
        message = _refused(bad)
        assert "\n" not in message


def test_cli_refuses_a_malformed_workbook_with_one_line(book: Path, tmp_path: Path) -> None:
    bad = _sheet_xml(book, tmp_path / "k.xlsx", "Unit", b"</sheetData>", b"<row r='x'>")
    result = run_kinerja("check", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "'Unit'" in result.stderr


# a unit with more indikator than a lampiran holds


def test_a_unit_with_too_many_indikator_is_one_problem(book: Path, tmp_path: Path) -> None:
    path = tmp_path / "k.xlsx"
    path.write_bytes(book.read_bytes())

    def add(wb: openpyxl.Workbook) -> None:
        ws = wb[INDIKATOR]
        headers = [c.value for c in ws[1]]
        unit_col, kode_col = headers.index(H_KODE_UNIT), headers.index(H_KODE_INDIKATOR)
        template = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[unit_col])
        for i in range(201):
            row = list(template)
            row[kode_col] = f"X{i}"
            ws.append(row)

    edit_workbook(path, change=add)
    with pytest.raises(WorkbookError) as e:
        read_workbook(path)
    [problem] = [p for p in e.value.problems if "indikator rows" in p.message]
    assert problem.sheet == INDIKATOR
    assert "over the limit of 200" in problem.message


# the logo


@pytest.fixture()
def folder(tmp_path: Path, example_workspace: Path) -> Path:
    (tmp_path / "logo.png").write_bytes((example_workspace / "logo.png").read_bytes())
    return tmp_path


def test_the_example_logo_reads(folder: Path) -> None:
    assert read_logo("logo.png", folder / "kinerja.xlsx").startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("../../../../etc/passwd", "outside the workbook's folder"),
        ("/dev/zero", "outside the workbook's folder"),
        ("zero.png", "outside the workbook's folder"),  # a link inside to /dev/zero
        ("pipe.png", "not a regular file"),
        ("sub", "a folder"),
        ("huge.png", f"over the {MAX_LOGO_BYTES:,}"),
        ("text.png", "not a PNG or JPEG"),
        ("fake.png", "not a PNG or JPEG image Pillow can read"),
        ("missing.png", "not found"),
    ],
)
def test_a_hostile_logo_is_one_line(folder: Path, name: str, needle: str) -> None:
    (folder / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.png")
    (folder / "sub").mkdir()
    with (folder / "huge.png").open("wb") as f:
        f.truncate(MAX_LOGO_BYTES + 1)
    (folder / "text.png").write_text("bukan gambar\n")
    (folder / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    start = time.monotonic()
    with pytest.raises(InputError, match="Instansi, Logo") as e:
        read_logo(name, folder / "kinerja.xlsx")
    assert time.monotonic() - start < 2
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


# the realisasi workbook of `kinerja evaluate` is opened the same way


def test_realisasi_workbook_is_read_whatever_its_dimension(
    example_workspace: Path, tmp_path: Path
) -> None:
    from signer.example.workspace import ceremony
    from signer.workbooks.realisasi import read_realisasi, read_realisasi_of

    agreements = ceremony().agreements
    realisasi = example_workspace / "realisasi.xlsx"
    small = with_dimension(realisasi, tmp_path / "r.xlsx", "A1")
    assert read_realisasi_of(small) == read_realisasi_of(realisasi)
    assert read_realisasi(small, agreements) == read_realisasi(realisasi, agreements)


def test_hostile_realisasi_workbook_is_one_line(example_workspace: Path, tmp_path: Path) -> None:
    from signer.workbooks.realisasi import read_realisasi, read_realisasi_of

    bomb = zip_bomb(tmp_path / "bomb.xlsx", 40 * 1024 * 1024)
    laughs = entity_bomb(example_workspace / "realisasi.xlsx", tmp_path / "l.xlsx", "Instansi")
    for path, needle in [(bomb, "over the limit"), (laughs, "declares XML entities")]:
        with pytest.raises(InputError, match=needle):
            read_realisasi_of(path)
        with pytest.raises(InputError, match=needle):
            read_realisasi(path, [])


def test_numbers_excel_cannot_hold_read_as_the_num_error(book: Path, tmp_path: Path) -> None:
    from decimal import Decimal

    from signer.workbooks.book import open_book
    from signer.workbooks.cells import ErrorValue, shown_number

    cells = b'<c r="A99"><v>1e999999</v></c><c r="B99"><v>%s</v></c><c r="C99"><v>1e308</v></c>'
    new = b'<row r="99">' + cells % (b"9" * 400) + b"</row></sheetData>"
    path = _sheet_xml(book, tmp_path / "k.xlsx", "Unit", b"</sheetData>", new)
    opened = open_book(path)
    try:
        row = opened.rows("Unit")[0][98]
    finally:
        opened.close()
    assert row[:2] == (ErrorValue("#NUM!", None), ErrorValue("#NUM!", None))
    assert row[2] == Decimal("1e308")
    # a format's rounding of the largest numbers and of 500 decimals (Excel shows 30)
    largest = shown_number(1.7976931348623157e308, "0.00", formula=True)
    assert largest == Decimal("1.79769313486232e308")
    assert shown_number(2.5, "0." + "0" * 500, formula=True) == Decimal("2.5")


def test_shared_strings_as_excel_saves_them_read_the_same(book: Path, tmp_path: Path) -> None:
    """The fuzzer's third seed: the example with its text in xl/sharedStrings.xml."""
    from tests.hostile_workbooks import as_shared_strings

    excel_like = as_shared_strings(book, tmp_path / "k.xlsx")
    assert "xl/sharedStrings.xml" in members(excel_like)
    assert b' t="s"' in members(excel_like)[sheet_part(excel_like, "Unit")]
    assert read_workbook(excel_like) == read_workbook(book)


def _styled_rows(rows: int, cells: int) -> bytes:
    return b"".join(
        b'<row r="%d" s="1" customFormat="1">' % r
        + b"".join(b'<c r="A%d" s="%d"/>' % (r, c % 7) for c in range(cells))
        + b"</row>"
        for r in range(1000, 1000 + rows)
    )


@pytest.mark.parametrize(("tag", "rows", "cells"), [("row", 60_001, 0), ("c", 2_500, 101)])
def test_a_workbook_of_too_many_elements_is_refused_before_parsing(
    book: Path, tmp_path: Path, tag: str, rows: int, cells: int
) -> None:
    """Styled empty rows and cells show nothing but cost openpyxl time each: counted first."""
    part = sheet_part(book, "Pejabat")
    extra = _styled_rows(rows, cells)

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"</sheetData>", extra + b"</sheetData>", 1) if name == part else data

    many = rewrite(book, tmp_path / "k.xlsx", change)
    _refused(many, f"<{tag}> elements", "over the limit", within=2)


def _with_merge(book: Path, dst: Path, ref: str) -> Path:
    part = sheet_part(book, "Indikator")
    merge = b'<mergeCell ref="%s"/>' % ref.encode()

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        if b"<mergeCells" in data:
            return re.sub(rb"(<mergeCells[^>]*>)", rb"\1" + merge, data, count=1)
        cells = b'<mergeCells count="1">' + merge + b"</mergeCells>"
        return data.replace(b"</sheetData>", b"</sheetData>" + cells, 1)

    return rewrite(book, dst, change)


@pytest.mark.parametrize("ref", ["Z9:A1", "ZZZZ1:ZZZZ2", "A0:B2"])
def test_a_merged_range_excel_cannot_write_is_one_line(
    book: Path, tmp_path: Path, ref: str
) -> None:
    _refused(_with_merge(book, tmp_path / "k.xlsx", ref), "'Indikator'", within=3)


def test_a_range_merged_over_the_whole_sheet_costs_nothing(book: Path, tmp_path: Path) -> None:
    """A2:XFD1048576 is 17 billion cells: it is cut to the cells that hold anything (and is
    then a merge over columns kinerja reads: a problem of its cells, as any such merge)."""
    path = _with_merge(book, tmp_path / "k.xlsx", "A2:XFD1048576")
    start = time.monotonic()
    with pytest.raises(WorkbookError) as e:
        read_workbook(path)
    assert time.monotonic() - start < 5
    assert any("are merged" in p.message for p in e.value.problems)


def test_openpyxl_warnings_are_not_printed(book: Path, tmp_path: Path) -> None:
    """A date serial beyond 9999-12-31 makes openpyxl warn on stderr: the value is the cell's
    problem (an error value), and the output stays one line per problem."""
    import warnings

    from signer.workbooks.book import open_book

    part = sheet_part(book, "Instansi")
    data = members(book)[part]
    date_style = re.search(rb'<c r="B\d+" s="(\d+)"', data)
    assert date_style is not None
    new = b'<row r="99"><c r="B99" s="%s"><v>99999999</v></c></row></sheetData>'
    path = _sheet_xml(
        book, tmp_path / "k.xlsx", "Instansi", b"</sheetData>", new % date_style.group(1)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opened = open_book(path)
        try:
            opened.rows("Instansi")
        finally:
            opened.close()


def test_a_part_flagged_as_patched_data_is_one_line(book: Path, tmp_path: Path) -> None:
    """Found by the fuzzer: a flipped bit marks a part 'compressed patched data', which
    zipfile refuses with NotImplementedError."""
    path = tmp_path / "k.xlsx"
    data = bytearray(book.read_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x20  # general purpose flags of the first part, central directory
    path.write_bytes(bytes(data))
    _refused(path, "patched data")


def test_the_largest_numbers_a_cell_holds_print_as_targets() -> None:
    """Found by the fuzzer: a target of 1E+308 (a value a cell can hold) made Babel raise
    InvalidOperation in the 28-digit decimal context while `check` printed a warning."""
    from decimal import Decimal

    from signer.formatting import angka

    assert angka(Decimal("1e308")).replace(".", "") == "1" + "0" * 308
    assert angka(Decimal("-1.5e40")).replace(".", "") == "-15" + "0" * 39
    assert angka(Decimal("75.5")) == "75,5"
    assert angka(Decimal("1e-40")) == "0," + "0" * 39 + "1"
