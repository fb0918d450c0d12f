"""Formula injection: every workbook kinerja writes holds the data's texts as text.

A unit, a name, a sasaran, an indikator or a program that starts with =, +, - or @ (the
OWASP "CSV injection" leads) is written as a string cell with Excel's quote prefix: read back
it is the same text, and no sheet of the file has a formula (<f>) at all.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from signer.evaluate.outputs.xlsx import write as write_evaluation
from signer.evaluate.results import Evaluation, Periode
from signer.evaluate.stage import evaluate_agreement
from signer.example.workspace import ceremony, realisasi
from signer.model import Agreement, Ceremony
from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.ceremony_write import write_workbook
from signer.workbooks.realisasi import write_realisasi
from signer.xlsxtext import data_as_text
from tests.helpers import canonical_digest

UNIT = '=HYPERLINK("http://evil.example/","Dinas Kesehatan")'
SASARAN = "-Meningkatnya derajat kesehatan masyarakat"
INDIKATOR = ("+Angka Kematian Ibu", "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1")
PROGRAM = "=cmd|' /C calc'!A0"
NAMA = "=Dr. Rina Kartikasari, S.KM., M.Kes."


def _hostile(a: Agreement) -> Agreement:
    if a.unit.kode != "DINKES":
        return a
    sasaran = list(a.sasaran)
    if sasaran:
        first = sasaran[0]
        indikator = [
            dataclasses.replace(i, uraian=INDIKATOR[n % len(INDIKATOR)])
            for n, i in enumerate(first.indikator)
        ]
        sasaran[0] = dataclasses.replace(first, uraian=SASARAN, indikator=tuple(indikator))
    program = [dataclasses.replace(p, uraian=PROGRAM) for p in a.program[:1]] + list(a.program[1:])
    return dataclasses.replace(
        a,
        unit=dataclasses.replace(a.unit, nama=UNIT),
        pihak_pertama=dataclasses.replace(a.pihak_pertama, nama=NAMA),
        sasaran=tuple(sasaran),
        program=tuple(program),
    )


@pytest.fixture(scope="module")
def hostile() -> Ceremony:
    c = ceremony()
    return dataclasses.replace(c, agreements=tuple(_hostile(a) for a in c.agreements))


def _formulas(path: Path) -> list[str]:
    """Every <f> element of every sheet of the file."""
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        return [f for n in sheets for f in re.findall(r"<f[ >].*?</f>|<f/>", z.read(n).decode())]


def _texts(path: Path) -> dict[str, object]:
    """Each cell value that is one of the hostile texts, with its cell's type and prefix."""
    wb = load_workbook(path)
    found: dict[str, object] = {}
    hostile = {UNIT, SASARAN, *INDIKATOR, PROGRAM, NAMA}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in hostile:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    found[str(cell.value)] = cell.coordinate
    return found


def test_the_ceremony_workbook_holds_them_as_text(hostile: Ceremony, tmp_path: Path) -> None:
    path = tmp_path / "kinerja.xlsx"
    write_workbook(hostile, path)
    assert _formulas(path) == []
    assert {UNIT, SASARAN, *INDIKATOR, PROGRAM, NAMA} <= set(_texts(path))
    # and kinerja reads them back as the same texts (what the pages will show)
    back = next(a for a in read_workbook(path).agreements if a.unit.kode == "DINKES")
    assert back.unit.nama == UNIT
    assert back.pihak_pertama.nama == NAMA
    assert back.sasaran[0].uraian == SASARAN
    assert {i.uraian for i in back.sasaran[0].indikator} <= set(INDIKATOR)


def test_the_realisasi_template_holds_them_as_text(hostile: Ceremony, tmp_path: Path) -> None:
    path = tmp_path / "realisasi.xlsx"
    write_realisasi([a for a in hostile.agreements if a.jenis.has_targets], path)
    assert _formulas(path) == []
    assert {*INDIKATOR, PROGRAM} <= set(_texts(path))


def test_the_evaluation_report_holds_them_as_text(hostile: Ceremony, tmp_path: Path) -> None:
    values, spent = realisasi(ceremony())
    results = []
    for a in hostile.agreements:
        if not a.jenis.has_targets:
            continue
        real = {k: v.tahunan for (u, k), v in values.items() if u == a.unit.kode}
        ang = {p: s for (u, p), s in spent.items() if u == a.unit.kode}
        results.append(
            evaluate_agreement(a, canonical_digest(a), f"{a.id}.pdf", Periode.TAHUNAN, real, ang)
        )
    evaluation = Evaluation(Periode.TAHUNAN, hostile.instansi.nama, hostile.tahun, tuple(results))
    path = tmp_path / "evaluasi.xlsx"
    write_evaluation(evaluation, path)
    assert _formulas(path) == []
    assert {UNIT, SASARAN, *INDIKATOR, NAMA} <= set(_texts(path))


def test_our_own_formulas_stay_formulas() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"], ws["A2"], ws["A3"] = "=SUM(B1:B2)", "=HYPERLINK(1)", "Dinas Kesehatan"
    data_as_text(wb, formulas={(ws.title, "A1")})
    assert [ws["A1"].data_type, ws["A2"].data_type, ws["A3"].data_type] == ["f", "s", "s"]
    assert not ws["A3"].quotePrefix and ws["A2"].quotePrefix
