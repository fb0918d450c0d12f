"""evaluasi.pdf: a Word document built with python-docx, converted by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from signer import formatting, fsio
from signer.evaluate.outputs.chart import chart_png
from signer.evaluate.outputs.common import (
    FONT,
    HEADER_COLOUR,
    MONO,
    SASARAN_MEAN,
    UNIT_COLUMNS,
    UNIT_MEAN,
    anggaran_note,
    band_colours,
    code,
    counts,
    jenis,
    levels,
    made,
    pct,
    rp,
    signer,
    summary_line,
    title,
    unit,
)
from signer.evaluate.results import AgreementResult, Evaluation, Status
from signer.model import Peran
from signer.office.convert import OfficePool

if TYPE_CHECKING:  # python-docx is imported when a report is built, not with this module
    from docx.document import Document as DocxDocument
    from docx.section import Section
    from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle
    from docx.table import Table, _Cell, _Row
    from docx.text.paragraph import Paragraph


def write(evaluation: Evaluation, path: Path, office: OfficePool | None = None) -> None:
    """Write the evaluation report as PDF/A, through a Word document and LibreOffice.

    Without ``office`` a one-worker pool is started for it and closed afterwards.
    """
    own = office is None
    pool = OfficePool(1) if office is None else office
    try:
        with tempfile.TemporaryDirectory(prefix="kinerja-report-") as folder:
            docx = Path(folder) / "evaluasi.docx"
            pdf = Path(folder) / "evaluasi.pdf"
            build_docx(evaluation).save(str(docx))
            pool.convert(docx, pdf)
            fsio.write_bytes(Path(path), pdf.read_bytes())
    finally:
        if own:
            pool.close()


LANDSCAPE = (297, 210)


PORTRAIT = (210, 297)


MARGIN = 15


SUMMARY_WIDTHS = (8, 52, 22, 16, 16, 22, 29, 29, 15, 58)  # mm, 267 in all


SUMMARY_HEADERS = (
    "No",
    "Unit",
    "Dokumen",
    "Status",
    "Capaian (%)",
    "Kategori",
    "Anggaran",
    "Realisasi Anggaran",
    "Serapan (%)",
    "Kode Verifikasi",
)


UNIT_WIDTHS = (8, 46, 24, 60, 18, 14, 18, 18, 15, 22, 24)  # mm, 267 in all


def build_docx(evaluation: Evaluation) -> DocxDocument:
    """The report as a python-docx Document (converted to PDF by :func:`write`)."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Mm

    doc = Document()
    _docx_styles(doc)
    made = evaluation.made.astimezone(dt.UTC) if evaluation.made.tzinfo else evaluation.made
    props = doc.core_properties
    props.title = title(evaluation)
    props.author = props.last_modified_by = "kinerja"
    props.language = "id-ID"
    props.created = props.modified = made.replace(tzinfo=None, microsecond=0)
    props.revision = 1

    section = doc.sections[0]
    _page(section, LANDSCAPE)
    _footer(section, evaluation)
    _title_page(doc, evaluation)
    _summary_table(doc, evaluation)

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, PORTRAIT)
    doc.add_paragraph("Grafik Capaian per Unit", style="Heading 1")
    doc.add_paragraph(
        "Batang: capaian unit (rata-rata capaian indikatornya); pita warna di belakangnya: "
        "kategori capaian; garis putus-putus: 100 %. Unit dalam urutan yang sama dengan ringkasan.",
        style="Keterangan",
    )
    width = PORTRAIT[0] - 2 * MARGIN
    if evaluation.evaluated:
        doc.add_picture(io.BytesIO(chart_png(evaluation, width_mm=width)), width=Mm(width))
    else:
        doc.add_paragraph("Belum ada perjanjian yang dievaluasi.")

    units = evaluation.evaluated
    if units:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, LANDSCAPE)
        for n, r in enumerate(units):
            _unit_section(doc, evaluation, r, first=n == 0)
    return doc


def _docx_styles(doc: DocxDocument) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    normal: ParagraphStyle = doc.styles["Normal"]
    _font(normal, FONT)
    normal.font.size = Pt(9.5)
    normal.paragraph_format.space_after = Pt(4)
    _lang(normal)
    st: ParagraphStyle
    for name, size in (("Heading 1", 14), ("Heading 2", 11), ("Title", 20)):
        st = doc.styles[name]
        _font(st, FONT)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor.from_string(HEADER_COLOUR)
        st.paragraph_format.space_before = Pt(0 if name == "Heading 1" else 6)
        st.paragraph_format.space_after = Pt(6)
    doc.styles["Title"].paragraph_format.space_after = Pt(10)
    for name, points, bold in (("Tabel", 7.5, False), ("Tabel Kepala", 7.5, True)):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = Pt(points)
        st.font.bold = bold
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.line_spacing = 1.0
    doc.styles["Tabel Kepala"].font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    st = doc.styles.add_style("Keterangan", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.size = Pt(8.5)
    st.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _font(style: CharacterStyle, name: str) -> None:
    """Set a style's font for every script, dropping theme fonts that would override it."""
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _lang(style: BaseStyle) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "id-ID")
    style.element.get_or_add_rPr().append(lang)


def _page(section: Section, size: tuple[int, int]) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if size[0] > size[1] else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(size[0]), Mm(size[1])
    section.left_margin = section.right_margin = Mm(MARGIN)
    section.top_margin = Mm(MARGIN)
    section.bottom_margin = Mm(MARGIN)
    section.footer_distance = Mm(7)


def _footer(section: Section, evaluation: Evaluation) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.style = "Keterangan"
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"{title(evaluation)} · Periode {evaluation.periode.label} · halaman ")
    _field(p, "PAGE")
    p.add_run(" dari ")
    _field(p, "NUMPAGES")


def _field(paragraph: Paragraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _title_page(doc: DocxDocument, evaluation: Evaluation) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    for _ in range(3):
        doc.add_paragraph()
    p = doc.add_paragraph("LAPORAN EVALUASI PERJANJIAN KINERJA", style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, size in (
        (evaluation.instansi or "", 16),
        (f"Tahun {evaluation.tahun}" if evaluation.tahun else "", 13),
        (f"Periode {evaluation.periode.label}", 13),
    ):
        if text:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.font.size, run.bold = Pt(size), True
    p = doc.add_paragraph(f"Dibuat {made(evaluation.made)} oleh kinerja", style="Keterangan")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()

    p = doc.add_paragraph(
        f"{counts(evaluation)}. Target dibaca dari data yang tertanam dan ditandatangani dalam "
        "setiap perjanjian; perjanjian yang tidak lolos verifikasi ditolak dan angkanya tidak "
        "dipakai. Pakta Integritas tidak memuat target sehingga tidak berlaku untuk evaluasi. "
        "Capaian unit adalah rata-rata capaian indikatornya"
        + (
            f", dengan setiap capaian dibatasi {formatting.angka(evaluation.rules.cap_for_average)}"
            " % dalam rata-rata"
            if evaluation.rules.cap_for_average is not None
            else ""
        )
        + "."
    )
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # the categories and how many units fall in each
    table: Table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (40, 45, 30))
    _header(table.rows[0], ("Kategori", "Capaian (%)", "Jumlah unit"))
    for level in levels(evaluation.rules):
        count = sum(1 for r in evaluation.evaluated if r.kategori == level.nama)
        cells = _row(table, (level.nama, level.rentang, formatting.angka(count)), (1, 2))
        _shade(cells[0], level.colour)
    missing = sum(1 for r in evaluation.evaluated if r.kategori is None)
    if missing:
        _row(table, ("tanpa capaian", "–", formatting.angka(missing)), (1, 2))
    p = doc.add_paragraph("Kategori menurut Permendagri 86/2017.", style="Keterangan")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Mm(2)
    p = doc.add_paragraph(
        f"Jumlah: {summary_line(evaluation)}. Setiap unit dihitung sekali, dengan perjanjian yang "
        "berlaku; realisasi anggaran yang belum diisi tidak dihitung sebagai nol."
    )
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    refused = [r for r in evaluation.results if r.status.failed]
    if refused:
        doc.add_paragraph(
            "Perjanjian yang ditolak dan unit tanpa perjanjian (tidak dievaluasi)",
            style="Heading 2",
        )
        for r in refused:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(unit(r)).bold = True
            if r.unit_kode and r.file:
                p.add_run(f" ({r.file})")
            p.add_run(f": {r.reason or 'tanpa alasan'}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _summary_table(doc: DocxDocument, evaluation: Evaluation) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.add_paragraph("Ringkasan", style="Heading 1")
    doc.add_paragraph(
        "Satu baris per dokumen. Pihak penandatangan dan rincian indikator ada pada halaman "
        "setiap unit; kode verifikasi adalah SHA-256 data perjanjian yang tertanam.",
        style="Keterangan",
    )
    colours = band_colours(evaluation.rules)
    table: Table = doc.add_table(rows=1, cols=len(SUMMARY_HEADERS))
    table.style = "Table Grid"
    _widths(table, numbered(SUMMARY_WIDTHS, len(evaluation.results)))
    _header(table.rows[0], SUMMARY_HEADERS)
    for n, r in enumerate(evaluation.results, 1):
        evaluated = r.status is Status.EVALUATED
        cells = _row(
            table,
            (
                formatting.angka(n),
                "",
                jenis(r),
                r.status.value,
                pct(r.capaian) if evaluated else "",
                r.kategori or "",
                rp(r.anggaran) if evaluated else "",
                _spent_text(r) if evaluated else "",
                pct(r.serapan) if evaluated else "",
                "",
            ),
            (0, 4, 6, 7, 8),
        )
        p = cells[1].paragraphs[0]
        if r.unit_kode:
            p.add_run(r.unit_kode).bold = True
            if r.unit_nama:
                p.add_run(f" {r.unit_nama}")
        else:
            p.add_run(r.file)
        _code_runs(cells[9].paragraphs[0], r.sha256, size=6.5)
        if evaluated:
            _shade(cells[4], colours.get(r.kategori or ""))
            _shade(cells[5], colours.get(r.kategori or ""))
            if r.melebihi_pagu:
                cells[8].paragraphs[0].add_run(" melebihi pagu").bold = True
        else:
            merged = cells[4].merge(cells[8])
            p = merged.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for extra in merged.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
            run = p.add_run(r.reason or r.status.value)
            run.italic = r.status is Status.NOT_APPLICABLE
            run.bold = r.status.failed
            if r.status.failed:
                cells[3].paragraphs[0].runs[0].bold = True


def _code_runs(paragraph: Paragraph, sha256: str | None, size: float) -> None:
    """A verification code in two lines of monospace (8 groups of 4 each)."""
    from docx.shared import Pt

    if not sha256:
        return
    groups = formatting.digest_grouped(sha256).split(" ")
    half = (len(groups) + 1) // 2
    run = paragraph.add_run(" ".join(groups[:half]))
    run.add_break()
    run.add_text(" ".join(groups[half:]))
    run.font.name = MONO
    run.font.size = Pt(size)


def _unit_section(
    doc: DocxDocument, evaluation: Evaluation, r: AgreementResult, first: bool
) -> None:
    from docx.shared import Pt

    heading = doc.add_paragraph(unit(r), style="Heading 1")
    heading.paragraph_format.page_break_before = not first
    heading.paragraph_format.keep_with_next = True

    pertama = signer(r, Peran.PIHAK_PERTAMA)
    kedua = signer(r, Peran.PIHAK_KEDUA)
    p = doc.add_paragraph()
    p.add_run(f"Angka di bawah berasal dari {jenis(r)} {r.id} (berkas {r.file}")
    p.add_run(f"; menggantikan {r.menggantikan})" if r.menggantikan else ")")
    if pertama:
        p.add_run(" antara Pihak Pertama ")
        p.add_run(pertama[0]).bold = True
        p.add_run(f" ({pertama[1]})")
    if kedua:
        p.add_run(" dan Pihak Kedua " if pertama else " dengan Pihak Kedua ")
        p.add_run(kedua[0]).bold = True
        p.add_run(f" ({kedua[1]})")
    p.add_run(".")
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(0)
    p = doc.add_paragraph("Kode verifikasi: ")
    run = p.add_run(code(r))
    run.font.name = MONO
    run.font.size = Pt(8.5)
    p.paragraph_format.keep_with_next = True

    p = doc.add_paragraph()
    p.add_run("Capaian unit: ")
    p.add_run(f"{pct(r.capaian)} %").bold = True
    if r.kategori:
        p.add_run(f" ({r.kategori})")
    p.add_run(
        f" · Anggaran {rp(r.anggaran)} · Realisasi anggaran {_spent_text(r)} · "
        f"Serapan {pct(r.serapan)} %"
    )
    note = anggaran_note(r)
    if note:
        p.add_run(f" ({note})").bold = r.melebihi_pagu
    p.paragraph_format.keep_with_next = True

    colours = band_colours(evaluation.rules)
    table: Table = doc.add_table(rows=1, cols=len(UNIT_COLUMNS))
    table.style = "Table Grid"
    _widths(table, numbered(UNIT_WIDTHS, len(r.indikator)))
    _header(table.rows[0], [name for name, _ in UNIT_COLUMNS])
    numeric = (0, 6, 7, 8)
    n = 0
    for sasaran in r.sasaran:
        rows = []
        for i in sasaran.indikator:
            n += 1
            cells = _row(
                table,
                (
                    formatting.angka(n),
                    "",
                    i.kode,
                    i.uraian,
                    i.satuan,
                    i.arah,
                    i.target_text or "–",
                    i.realisasi_text or "–",
                    pct(i.capaian),
                    i.kategori or "",
                    i.catatan or "",
                ),
                numeric,
            )
            _shade(cells[8], colours.get(i.kategori or ""))
            _shade(cells[9], colours.get(i.kategori or ""))
            rows.append(cells)
        if rows:
            rows[0][1].paragraphs[0].add_run(sasaran.uraian)
            if len(rows) > 1:
                rows[0][1].merge(rows[-1][1])
        _mean_docx_row(table, SASARAN_MEAN, sasaran.capaian, sasaran.kategori, colours, False)
    _mean_docx_row(table, UNIT_MEAN, r.capaian, r.kategori, colours, True)


def _spent_text(r: AgreementResult) -> str:
    """Budget spent, or "belum diisi" when not filled: never shown as 0."""
    return "belum diisi" if r.anggaran_belum_diisi else rp(r.realisasi_anggaran)


def _mean_docx_row(
    table: Table,
    label: str,
    value: Decimal | None,
    kategori: str | None,
    colours: dict[str, str],
    bold: bool,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cells = _row(table, ("", "", "", "", "", "", "", "", pct(value), kategori or "", ""), (8,))
    merged = cells[0].merge(cells[7])
    for extra in merged.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    p = merged.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(label)
    run.bold, run.italic = bold, not bold
    for c in (cells[8], cells[9]):
        _shade(c, colours.get(kategori or ""))
        for run in c.paragraphs[0].runs:
            run.bold = bold


DIGIT_MM = 1.6  # a digit of Liberation Sans at the tables' 7.5 pt is 1.47 mm wide
CELL_PADDING_MM = 4.5  # Word's default cell margins (2 x 1.9 mm) and a little air


def numbered(widths_mm: Sequence[float], rows: int) -> tuple[float, ...]:
    """``widths_mm`` with the first column (No) wide enough for the largest row number on one
    line, taken from the second column, so the table keeps its width: "100" wraps in 8 mm."""
    needed = CELL_PADDING_MM + DIGIT_MM * len(str(max(rows, 1)))
    extra = max(0.0, needed - widths_mm[0])
    return (widths_mm[0] + extra, widths_mm[1] - extra, *widths_mm[2:])


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _header(row: _Row, names: Sequence[str]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)
    for cell, name in zip(row.cells, names, strict=True):
        p = cell.paragraphs[0]
        p.style = "Tabel Kepala"
        p.add_run(name)
        _shade(cell, HEADER_COLOUR)


def _row(table: Table, texts: Sequence[str], right: Sequence[int]) -> list[_Cell]:
    """Append a row of plain texts (columns in ``right`` right-aligned); return its cells."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row: _Row = table.add_row()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant_split)
    cells = list(row.cells)
    for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
        p = cell.paragraphs[0]
        p.style = "Tabel"
        if text:
            p.add_run(text)
        if i in right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return cells


def _shade(cell: _Cell, colour: str | None) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if not colour:
        return
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)
