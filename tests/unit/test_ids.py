"""Document ids are file names: never two agreements with one id. Codes that differ only in case
or punctuation are refused with both rows named; several Pakta Integritas of one unit (its head's
and its other officials') get ids of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer import canonical
from signer.errors import WorkbookError
from signer.generate.stage import _unique_names
from signer.kinds import JenisDokumen
from signer.model import Ceremony
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import run_kinerja

KODE_SHEETS = ("Unit", "Indikator", "Program", "Pakta Integritas")


def _rename_unit(book: Path, old: str, new: str) -> int:
    """Give unit ``old`` the kode ``new`` on every sheet; the row of its Unit sheet entry."""
    wb = load_workbook(book)
    row = 0
    for name in KODE_SHEETS:
        ws = wb[name]
        col = next(c.column for c in ws[1] if c.value == "Kode Unit")
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.value == old:
                cell.value = new
                row = cell.row if name == "Unit" else row
    wb.save(book)
    assert row
    return row


def _unit_kodes(book: Path) -> list[str]:
    ws = load_workbook(book)["Unit"]
    return [str(r[0]) for r in ws.iter_rows(min_row=2, max_col=1, values_only=True) if r[0]]


@pytest.mark.parametrize(
    ("first", "second", "slug"),
    [("DIN.KES", "DIN-KES", "din-kes"), ("DINKES2", "dinkes2", "dinkes2"), ("A_B", "a.b", "a-b")],
)
def test_codes_differing_in_case_or_punctuation_are_refused_with_both_rows(
    workspace: Path, first: str, second: str, slug: str
) -> None:
    book = workspace / "kinerja.xlsx"
    year = read_workbook(book).tahun
    one, two = [k for k in _unit_kodes(book) if k != "DINKES"][:2]
    row_one = _rename_unit(book, one, first)
    row_two = _rename_unit(book, two, second)
    assert row_one < row_two
    with pytest.raises(WorkbookError) as info:
        read_workbook(book)
    problems = [str(p) for p in info.value.problems]
    hits = [p for p in problems if f"pk-{year}-{slug}" in p]
    assert len(hits) == 1, problems
    # named at the later row, with the earlier row and both codes
    assert hits[0].startswith(f"Unit, row {row_two}, column A (Kode Unit): unit {second} ")
    assert f"as unit {first} (sheet Unit, row {row_one})" in hits[0]
    # the two heads' Pakta Integritas collide too, and are named on their own sheet
    assert any(p.startswith("Pakta Integritas, row") and f"pi-{year}-{slug}" in p for p in problems)
    # the command says so: exit 2, no traceback
    result = run_kinerja("check", str(book))
    assert result.returncode == 2, result.stderr
    assert f"pk-{year}-{slug}" in result.stderr and "Traceback" not in result.stderr


def test_several_pakta_integritas_of_one_unit_get_their_own_ids(workspace: Path) -> None:
    book = workspace / "kinerja.xlsx"
    before = read_workbook(book)
    heads = {a.unit.kode: a for a in before.agreements if a.jenis is JenisDokumen.PAKTA_INTEGRITAS}
    head = heads["DINKES"]
    # another official of the ceremony (the head of another unit) also signs one for DINKES
    other = next(a for k, a in heads.items() if k != "DINKES" and a.pihak_pertama.nip)
    wb = load_workbook(book)
    ws = wb["Pakta Integritas"]
    header = [c.value for c in ws[1]]
    dinkes = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "DINKES")
    other_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == other.unit.kode)
    ws.append(
        [
            "DINKES"
            if h == "Kode Unit"
            else other_row[i].value
            if h == "Pejabat"
            else dinkes[i].value
            for i, h in enumerate(header)
        ]
    )
    wb.save(book)

    after = read_workbook(book)
    pakta = [
        a
        for a in after.agreements
        if a.jenis is JenisDokumen.PAKTA_INTEGRITAS and a.unit.kode == "DINKES"
    ]
    assert len(pakta) == 2
    ids = sorted(a.id for a in pakta)
    assert head.id in ids, "the head's keeps the id it always had"
    assert other.pihak_pertama.nip is not None
    assert f"{head.id}-{other.pihak_pertama.nip.digits}" in ids
    assert len({a.id for a in after.agreements}) == len(after.agreements)
    for a in pakta:  # the id survives the embedded JSON, and a wrong one is refused
        assert canonical.from_json(canonical.to_json(a)) == a
    forged = canonical.to_json(pakta[0]).replace(pakta[0].id.encode(), b"pi-2026-dinkes-x")
    with pytest.raises(canonical.CanonicalError):
        canonical.from_json(forged)


def test_generate_refuses_two_agreements_for_one_file(example_workspace: Path) -> None:
    from dataclasses import replace

    from signer.errors import InputError
    from signer.model import Unit

    c = read_workbook(example_workspace / "kinerja.xlsx")
    a = next(a for a in c.agreements if a.unit.kode == "DINKES")
    twin = replace(a, unit=Unit("dinkes", a.unit.nama, a.unit.jenis))
    with pytest.raises(InputError, match=r"two agreements would be written to pk-\d+-dinkes.pdf"):
        _unique_names(Ceremony(c.instansi, c.tahun, (a, twin)))
