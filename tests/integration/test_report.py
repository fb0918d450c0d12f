"""The evaluation reports: evaluasi.xlsx against the evaluation's JSON, evaluasi.pdf for real."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from signer import formatting
from signer.evaluate.outputs.chart import chart_png
from signer.evaluate.outputs.common import SUMMARY_SHEET, levels
from signer.evaluate.outputs.pdf import write as write_pdf
from signer.evaluate.outputs.xlsx import write as write_xlsx
from signer.evaluate.results import AgreementResult, Evaluation, Periode, Status
from signer.evaluate.stage import evaluate_agreement
from signer.example.workspace import ceremony, realisasi
from tests.helpers import canonical_digest

REFUSED_REASON = "tanda tangan pihak kedua tidak sah: dokumen diubah setelah ditandatangani"


def _evaluation() -> Evaluation:
    """The example ceremony evaluated without verification, plus one refused agreement."""
    c = ceremony()
    values, spent = realisasi(c)
    results = []
    for a in c.agreements:
        if not a.jenis.has_targets:
            results.append(
                AgreementResult(
                    f"{a.id}.pdf",
                    Status.NOT_APPLICABLE,
                    "Pakta Integritas: tanpa target",
                    a.id,
                    canonical_digest(a),
                    a.unit.kode,
                    a.unit.nama,
                    a.jenis.value,
                )
            )
            continue
        real = {k: v.tahunan for (u, k), v in values.items() if u == a.unit.kode}
        ang = {p: s for (u, p), s in spent.items() if u == a.unit.kode}
        results.append(
            evaluate_agreement(a, canonical_digest(a), f"{a.id}.pdf", Periode.TAHUNAN, real, ang)
        )
    results.insert(
        3,
        AgreementResult("pk-2026-dishub-salinan.pdf", Status.REFUSED, REFUSED_REASON, *(None,) * 5),
    )
    return Evaluation(Periode.TAHUNAN, c.instansi.nama, c.tahun, tuple(results))


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return _evaluation()


@pytest.fixture(scope="module")
def xlsx(evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "evaluasi.xlsx"
    write_xlsx(evaluation, path)
    return path


@pytest.fixture(scope="module")
def pdf(evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "evaluasi.pdf"
    write_pdf(evaluation, path)  # its own one-worker pool: the module's only LibreOffice
    return path


def _table(ws: Any) -> tuple[int, dict[str, int]]:
    """The header row of a sheet's table and its columns by name."""
    for row in ws.iter_rows():
        if row[0].value == "No":
            return row[0].row, {c.value: c.column for c in row if c.value}
    raise AssertionError(f"no table on {ws.title}")


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# ---------------------------------------------------------------------------------------------
# evaluasi.xlsx


def test_summary_sheet_lists_every_agreement(evaluation: Evaluation, xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    ws = wb[SUMMARY_SHEET]
    header, col = _table(ws)
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 1).value is None:
            break
        rows.append({name: ws.cell(r, c).value for name, c in col.items()})
    expected = evaluation.as_dict()["perjanjian"]
    assert len(rows) == len(expected) == len(evaluation.results)
    for row, e in zip(rows, expected, strict=True):
        assert row["Berkas"] == e["file"]
        assert row["Status"] == e["status"]
        assert row["Keterangan"] == e["alasan"]
        assert row["Kode Verifikasi"] == e["kode_verifikasi"]
        assert row["Kode Unit"] == (e["unit"] or {}).get("kode")
        assert row["Capaian Unit (%)"] == e["capaian"]
        assert row["Kategori"] == e["kategori"]
        assert row["Anggaran (Rp)"] == e["anggaran"]
        assert row["Realisasi Anggaran (Rp)"] == e["realisasi_anggaran"]
        assert row["Serapan Anggaran (%)"] == e["serapan_anggaran"]
        if e["status"] == Status.EVALUATED:
            assert _is_number(row["Capaian Unit (%)"])
            names = {p["peran"]: p["nama"] for p in e["penandatangan"]}
            assert row["Pihak Pertama"] == names["pihak-pertama"]
            assert row["Pihak Kedua"] == names["pihak-kedua"]
    refused = [r for r in rows if r["Status"] == "ditolak"]
    assert [r["Keterangan"] for r in refused] == [REFUSED_REASON]
    assert sum(r["Status"] == "tidak berlaku" for r in rows) == 44


def test_unit_sheets_hold_the_evaluation_numbers(evaluation: Evaluation, xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    expected = [e for e in evaluation.as_dict()["perjanjian"] if e["status"] == "dievaluasi"]
    assert len(wb.sheetnames) == 1 + len(expected) == 45
    checked = 0
    for title, e in zip(wb.sheetnames[1:], expected, strict=True):
        ws = wb[title]
        assert title == e["unit"]["kode"]
        header, col = _table(ws)
        block = " ".join(str(c.value) for row in ws.iter_rows(max_row=header) for c in row)
        assert e["id"] in block and e["kode_verifikasi"] in block and "Tahunan" in block
        for p in e["penandatangan"]:
            assert f"{p['nama']}, {p['jabatan']}" in block
        by_kode: dict[str, dict[str, object]] = {}
        means: list[object] = []
        unit_mean = None
        budget: dict[str, object] = {}
        programs: list[dict[str, object]] = []
        for r in range(header + 1, ws.max_row + 1):
            first = ws.cell(r, 1).value
            if first == "No":  # the program table, under the budget lines
                programs = [
                    {
                        "kode": ws.cell(p, 2).value,
                        "program": ws.cell(p, 3).value,
                        "anggaran": ws.cell(p, 4).value,
                        "realisasi_anggaran": ws.cell(p, 5).value,
                        "serapan_anggaran": ws.cell(p, 6).value,
                    }
                    for p in range(r + 1, ws.max_row + 1)
                ]
                break
            kode = ws.cell(r, col["Kode"]).value
            if kode:
                by_kode[kode] = {name: ws.cell(r, c) for name, c in col.items()}
            elif first == "Rata-rata capaian sasaran":
                means.append(ws.cell(r, col["Capaian (%)"]).value)
            elif isinstance(first, str) and first.startswith("Capaian unit"):
                unit_mean = ws.cell(r, col["Capaian (%)"]).value
            elif isinstance(first, str):
                budget[first] = ws.cell(r, col["Capaian (%)"]).value
        assert list(by_kode) == [i["kode"] for i in e["indikator"]]
        for i in e["indikator"]:
            cells = by_kode[i["kode"]]
            capaian = cells["Capaian (%)"]
            assert capaian.value == i["capaian"]
            if i["capaian"] is not None:
                assert _is_number(capaian.value)
                assert capaian.number_format == "0.00"
                assert capaian.fill.fgColor.rgb[-6:] == _colour(evaluation, i["kategori"])
            assert cells["Kategori"].value == i["kategori"]
            assert cells["Realisasi"].value == i["realisasi"]
            target = i["target"]
            assert cells["Target"].value == (
                target if isinstance(target, int | float | str) else i["target_teks"]
            )
            assert cells["Indikator"].value == i["indikator"]
            assert cells["Catatan"].value == i["catatan"]
            checked += 1
        assert means == [s["capaian"] for s in e["sasaran"]]
        assert unit_mean == e["capaian"] and _is_number(unit_mean)
        assert budget == {
            "Anggaran (Rp)": e["anggaran"],
            "Realisasi anggaran (Rp)": e["realisasi_anggaran"],
            "Serapan anggaran (%)": e["serapan_anggaran"],
        }
        assert programs == [
            {k: v for k, v in p.items() if k != "melebihi_pagu"} for p in e["program"]
        ]
    assert checked == sum(len(e["indikator"]) for e in expected) > 100


def _colour(evaluation: Evaluation, kategori: object) -> str:
    return next(level.colour for level in levels(evaluation.rules) if level.nama == kategori)


def test_workbook_prints_and_scrolls_well(xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    for ws in (wb[SUMMARY_SHEET], wb["DINKES"]):
        header, col = _table(ws)
        assert ws.print_title_rows == f"${header}:${header}"
        assert ws.freeze_panes.endswith(str(header + 1))
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    ws = wb[SUMMARY_SHEET]
    header, col = _table(ws)
    assert ws.cell(header + 1, col["Anggaran (Rp)"]).number_format == "#,##0"
    assert ws.cell(header + 1, col["Nama Unit"]).alignment.wrap_text
    ws = wb["DINKES"]
    header, col = _table(ws)
    assert ws.cell(header + 1, col["Indikator"]).alignment.wrap_text


def test_workbook_is_reproducible(evaluation: Evaluation, xlsx: Path, tmp_path: Path) -> None:
    again = tmp_path / "lagi.xlsx"
    write_xlsx(evaluation, again)
    assert again.read_bytes() == xlsx.read_bytes()


def test_sheet_titles_are_valid_and_unique(evaluation: Evaluation, tmp_path: Path) -> None:
    first = evaluation.evaluated[0]
    long = dataclasses.replace(first, unit_kode="KECAMATAN/SANGAT-PANJANG:" + "X" * 30)
    clash = dataclasses.replace(first, unit_kode="ringkasan")
    ev = dataclasses.replace(evaluation, results=(long, long, clash))
    write_xlsx(ev, tmp_path / "e.xlsx")
    names = load_workbook(tmp_path / "e.xlsx").sheetnames
    assert len(names) == 4 and len({n.casefold() for n in names}) == 4
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


def test_chart_is_a_sizable_png(evaluation: Evaluation) -> None:
    image = Image.open(io.BytesIO(chart_png(evaluation)))
    assert image.format == "PNG" and image.mode == "RGB"
    assert 1000 < image.width < image.height < 2000  # ~170 dpi for a portrait page


# ---------------------------------------------------------------------------------------------
# evaluasi.pdf


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.office
def test_pdf_shows_every_unit_and_code(evaluation: Evaluation, pdf: Path) -> None:
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    assert "LAPORAN EVALUASI PERJANJIAN KINERJA" in text
    assert evaluation.instansi and evaluation.instansi in text
    for r in evaluation.evaluated:
        assert f"{r.unit_kode} — {r.unit_nama}" in text
        assert r.sha256 and formatting.digest_grouped(r.sha256) in text
        for s in r.signers:
            assert s.nama in text
        assert f"Capaian unit: {formatting.persen(r.capaian)} %" in text  # type: ignore[arg-type]
    assert REFUSED_REASON in text
    assert text.count("Pakta Integritas: tanpa target") == 44
    assert "tidak berlaku" in text


@pytest.mark.slow
@pytest.mark.office
def test_pdf_has_the_chart_and_embedded_fonts(pdf: Path, tmp_path: Path) -> None:
    images = [line.split() for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    charts = [i for i in images if i[2] == "image" and int(i[3]) > 1000 and int(i[4]) > 1000]
    assert len(charts) == 1
    page = charts[0][0]

    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb column
    assert any("LiberationSans" in line for line in fonts)

    _run("pdftoppm", "-png", "-r", "60", "-f", page, "-l", page, str(pdf), str(tmp_path / "p"))
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as shot:
        assert shot.height > shot.width > 400  # the chart's page is portrait A4
        dark = sum(shot.convert("L").histogram()[:128])
        assert dark > 0.05 * shot.width * shot.height  # the bars are drawn, not a blank page
