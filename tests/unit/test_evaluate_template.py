"""`kinerja evaluate --template FILE` never overwrites realisasi typed into FILE, nor a file that
is not a realisasi workbook (the ceremony workbook given by mistake); a blank one may be
rewritten; --force replaces anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.errors import InputError
from signer.evaluate.stage import may_write_template
from signer.example.workspace import ceremony
from signer.workbooks.realisasi import write_realisasi
from tests.conftest import run_kinerja


@pytest.fixture()
def blank(tmp_path: Path) -> Path:
    path = tmp_path / "realisasi.xlsx"
    write_realisasi([a for a in ceremony().agreements if a.jenis.has_targets][:3], path)
    return path


def _fill(path: Path, cells: dict[tuple[str, str], object]) -> None:
    wb = load_workbook(path)
    for (sheet, header), value in cells.items():
        ws = wb[sheet]
        col = next(c.column for c in ws[1] if c.value == header)
        ws.cell(row=2, column=col, value=value)
    wb.save(path)


def test_a_filled_realisasi_workbook_is_not_overwritten(blank: Path, tmp_path: Path) -> None:
    _fill(
        blank,
        {
            ("Realisasi", "Realisasi Tahunan"): 97.5,
            ("Realisasi", "Realisasi TW I"): "20,5",
            ("Anggaran", "Realisasi Anggaran (Rp)"): 1_250_000,
        },
    )
    before = blank.read_bytes()
    pdf = tmp_path / "pk-2026-dinkes.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = run_kinerja("evaluate", str(pdf), "--template", str(blank))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"error: {blank} already holds 3 filled realisasi cells; not overwritten: use another "
        f"file name, or --force to replace {blank}"
    )
    assert blank.read_bytes() == before
    may_write_template(blank, force=True)  # --force: the user's decision


def test_a_blank_template_may_be_rewritten(blank: Path) -> None:
    may_write_template(blank, force=False)
    may_write_template(blank.with_name("new.xlsx"), force=False)


def test_the_ceremony_workbook_or_another_file_is_not_overwritten(
    example_workspace: Path, tmp_path: Path
) -> None:
    book = tmp_path / "kinerja.xlsx"
    shutil.copy(example_workspace / "kinerja.xlsx", book)
    with pytest.raises(InputError, match=r"is not a realisasi workbook .*not overwritten"):
        may_write_template(book, force=False)
    text = tmp_path / "catatan.xlsx"
    text.write_text("realisasi TW I: 20\n")
    with pytest.raises(InputError, match=r"not a blank realisasi workbook .*not overwritten"):
        may_write_template(text, force=False)
