"""Text cells made printable at reading: what is removed, replaced or refused, each change a
warning naming the cell, and the length limits of the fields."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.errors import WorkbookError
from signer.model import Predikat
from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.teks import DRAWABLE, PANJANG, clean, drawable
from tests.conftest import edit_workbook, run_kinerja


@pytest.mark.parametrize(
    ("raw", "text", "said"),
    [
        ("Pusk\u00adesmas", "Puskesmas", "removed soft hyphen (U+00AD)"),
        ("Puskesmas\u200bPustu", "PuskesmasPustu", "removed zero-width space (U+200B)"),
        ("\ufeffDinas", "Dinas", "removed byte order mark (U+FEFF)"),
        ("a\u200c\u200d\u2060b", "ab", "removed zero-width non-joiner (U+200C)"),
        ("Rp\u00a01.000", "Rp 1.000", "replaced non-breaking space (U+00A0) by a space"),
        ("Kepala\tDinas", "Kepala Dinas", "replaced tab (U+0009) by a space"),
        ("Kepala\nDinas\r\nKesehatan", "Kepala Dinas Kesehatan", "replaced line break"),
        ("Kota\u3000Contoh", "Kota Contoh", "replaced ideographic space (U+3000) by a space"),
        ("Dinas\x1b[2J", "Dinas[2J", "removed control character (U+001B)"),
        ("Cafe\u0301", "Café", "composed letters typed as letter and accent (Unicode NFC)"),
        ("ＤＩＮＫＥＳ", "DINKES", "replaced fullwidth latin capital letter d (U+FF24) by 'D'"),
        ("e\ufb03sien", "effisien", "replaced latin small ligature ffi (U+FB03) by 'ffi'"),
        ("a\u200eb", "ab", "removed left-to-right mark (U+200E)"),
    ],
)
def test_invisible_and_odd_characters_are_normalised_and_said(
    raw: str, text: str, said: str
) -> None:
    got = clean(raw)
    assert got.refused is None
    assert got.text == text
    assert any(c.startswith(said) for c in got.changes), got.changes


def test_a_plain_text_is_unchanged_and_unremarked() -> None:
    raw = "Persentase Puskesmas/Pustu dan/atau https://sakip.contoh.go.id/a?b=1&c=2_x (%) ±5 – “Ä”"
    assert clean(raw).text == raw and clean(raw).changes == () and clean(raw).refused is None
    assert clean("  two   spaces  ").changes == ()  # plain spacing: nothing a reader sees


def test_repeated_changes_are_counted_once() -> None:
    got = clean("a\u00adb\u00adc\u00add")
    assert got.changes == ("removed soft hyphen (U+00AD) (3 times)",)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("Dinas \u202eseknid", "changes the order the text is shown in"),
        ("Dinas \u2067x\u2069", "changes the order the text is shown in"),
        ("Kantor \u05e9\u05dc\u05d5\u05dd", "right-to-left script"),
        ("Dinas \u0627", "right-to-left script"),
        ("x\u0301", "accent with no precomposed letter"),
        ("Dinas \ue000", "private or unassigned"),
        ("Target \U0001f600", "cannot draw"),
        ("Kabupaten \u4e2d\u6587", "cannot draw"),
        ("\u0e01\u0e02 Thai", "cannot draw"),
    ],
)
def test_what_cannot_be_printed_is_refused(raw: str, why: str) -> None:
    got = clean(raw)
    assert got.refused is not None and why in got.refused, got.refused


def test_drawable_is_the_installed_fonts_coverage() -> None:
    from fontTools.ttLib import TTFont

    fonts = [
        Path(f"/usr/share/fonts/truetype/liberation2/LiberationSans-{style}.ttf")
        for style in ("Regular", "Bold")
    ]
    if not all(f.exists() for f in fonts):
        pytest.skip("fonts-liberation2 is not installed")
    cmaps = [set(TTFont(f).getBestCmap()) for f in fonts]
    covered = {cp for lo, hi in DRAWABLE for cp in range(lo, hi + 1)}
    assert covered == cmaps[0] & cmaps[1]
    assert drawable("A") and drawable("é") and not drawable("\u4e2d") and not drawable("\x7f")
    # everything kept after cleaning is drawable, whatever the input
    sample = "".join(chr(cp) for cp in range(0x20, 0x3000) if unicodedata.category(chr(cp)) != "Cs")
    got = clean(sample)
    assert got.refused is not None  # it holds undrawable characters, and says which


def _row_of(path: Path, sheet: str, column: str, value: str) -> int:
    for cell in load_workbook(path)[sheet][column]:
        if cell.value == value:
            return int(cell.row)
    raise AssertionError(f"{value} not in {sheet}!{column}")


def test_changes_are_warnings_naming_the_cell_and_the_data_is_clean(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DINKES.02")
    prow = _row_of(book, "Pejabat", "A", "KA-DINKES")
    edit_workbook(
        book,
        {
            ("Indikator", f"D{row}"): "Cakupan Pusk\u00adesmas/Pustu\u200b/Posyandu\tdan/atau RS",
            ("Pejabat", f"D{prow}"): "Kepala\u00a0Dinas\nKesehatan",
            ("Instansi", "B2"): "\ufeffJalan Merdeka Nomor 1, Kota Contoh 40111",
        },
    )
    ceremony = read_workbook(book)
    a = next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")
    kode = {i.kode: i for i in a.indikator}
    assert kode["DINKES.02"].uraian == "Cakupan Puskesmas/Pustu/Posyandu dan/atau RS"
    assert a.pihak_pertama.jabatan == "Kepala Dinas Kesehatan"
    assert a.instansi.kop[0] == "Jalan Merdeka Nomor 1, Kota Contoh 40111"
    said = [str(w) for w in ceremony.warnings]
    assert any(
        w.startswith(f"Indikator, row {row}, column D (Indikator Kinerja): removed soft hyphen")
        and "zero-width space" in w
        and "tab" in w
        for w in said
    ), said
    assert any(
        w.startswith(f"Pejabat, row {prow}, column D (Jabatan): replaced non-breaking space")
        for w in said
    ), said
    assert any(
        w.startswith("Instansi, row 2, column B (Kop Baris 1): removed byte order") for w in said
    )


def test_unprintable_and_too_long_texts_are_refused_with_the_cell(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DINKES.02")
    srow = _row_of(book, "Indikator", "C", "DINKES.01")
    urow = _row_of(book, "Unit", "A", "DINKES")
    edit_workbook(
        book,
        {
            ("Indikator", f"D{row}"): "persentase cakupan " * 300,  # 5,700 characters
            ("Indikator", f"B{srow}"): "Meningkatnya layanan \U0001f3e5",
            ("Unit", f"B{urow}"): "Dinas \u202eKesehatan",
            ("Instansi", "B3"): "Laman https://contoh.go.id " * 8,
        },
    )
    with pytest.raises(WorkbookError) as info:
        read_workbook(book)
    problems = [str(p) for p in info.value.problems]
    limit = PANJANG["Indikator Kinerja"]
    assert any(
        p.startswith(f"Indikator, row {row}, column D (Indikator Kinerja): 5699 characters")
        and f"at most {limit}" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"Indikator, row {srow}, column B (Sasaran): cannot be printed: hospital")
        for p in problems
    ), problems
    assert any(
        p.startswith(f"Unit, row {urow}, column B (Nama Unit): cannot be printed: right-to-left o")
        for p in problems
    ), problems
    assert any(
        p.startswith("Instansi, row 3, column B (Kop Baris 2): 215 characters") for p in problems
    )


def test_check_lists_the_warnings_and_refuses_with_exit_2(workspace: Path, tmp_path: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "DINKES.02")
    edit_workbook(book, {("Indikator", f"D{row}"): "Cakupan Pusk\u00adesmas"})
    done = run_kinerja("check", str(book), "--json")
    assert done.returncode == 0, done.stderr
    warnings = json.loads(done.stdout)["warnings"]
    assert any(f"row {row}" in json.dumps(w) and "soft hyphen" in json.dumps(w) for w in warnings)
    refused = tmp_path / "refused.xlsx"
    shutil.copy(book, refused)
    edit_workbook(refused, {("Indikator", f"D{row}"): "Cakupan \u4e2d"})
    done = run_kinerja("check", str(refused))
    assert done.returncode == 2
    assert f"Indikator, row {row}, column D (Indikator Kinerja): cannot be printed" in (
        done.stdout + done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_predikat_pasted_with_a_zero_width_space_is_the_grade(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    row = _row_of(book, "Indikator", "C", "SETDA.01")
    edit_workbook(book, {("Indikator", f"H{row}"): "WTP\u200b"})
    ceremony = read_workbook(book)
    a = next(a for a in ceremony.agreements if a.id == "pk-2026-setda")
    assert next(i for i in a.indikator if i.kode == "SETDA.01").target == Predikat("WTP")
    assert any(
        str(w).startswith(f"Indikator, row {row}, column H (Target): removed zero-width space")
        for w in ceremony.warnings
    )
