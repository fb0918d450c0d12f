"""Build the Word templates of kinerja with python-docx.

Writes ``templates/perjanjian-kinerja.docx``, ``templates/perjanjian-kinerja-perubahan.docx``,
``templates/perjanjian-kinerja-kepala-daerah.docx`` and ``templates/pakta-integritas.docx``:
docxtpl templates that :func:`signer.render.render` fills with
the context of :func:`signer.render.context`.

The .docx files are committed, so that a Bagian Organisasi can open them in Word and adapt the
wording or the kop to its own tata naskah dinas without touching Python. This script documents how
they were made and rebuilds them (``.venv/bin/python tools/make_templates.py``); the output is
byte-for-byte the same on every run. Edit the script, not the .docx, when the change belongs to
kinerja itself.

What the templates rely on, learnt from LibreOffice (notes/render.md §2 and §6):

- column widths live in ``w:tblGrid/w:gridCol`` (LibreOffice ignores ``w:tcW``);
- table rows never split (``w:cantSplit``); the lampiran header repeats (``w:tblHeader``);
- a signature block is one three-row table: headings (date, role, jabatan), a blank row of fixed
  height for the signature, then name, pangkat and NIP. Every paragraph of the first two rows
  keeps with the next, so the block never breaks across pages and the names line up; the
  paragraph above a block (the last clause, the lampiran's legend, the program table's total)
  keeps with it too, so a block never starts a page alone;
- Word bookmarks mark each blank signature space (``SigPertama1`` at its top, ``SigEndPertama1``
  on the name under it, likewise ``SigKedua1``/``SigEndKedua1``; ``...2`` in the lampiran's block).
  LibreOffice exports them as PDF named destinations, which is how the signer finds where to draw
  each party's stamp. Their names are letters and digits only;
- every jinja tag sits inside one run; ``{%p ...%}`` and ``{%tr ...%}`` tags sit alone in their
  paragraph or table row, which docxtpl removes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

# the verifier reads the tables by these headers: one list for both
from signer.verify.binding import LAMPIRAN, LAMPIRAN_TW, PROGRAM

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates"

FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
BODY_PT = 11
TABLE_PT = 10
FOOTER_PT = 7.5
LEGEND_PT = 8  # the line under the lampiran table that explains the arah
TEXT_WIDTH_MM = 155.0  # A4 210 mm minus the left (30) and right (25) margins
# height of the blank space a signature stamp is drawn into; the Pakta Integritas is tighter
# (its signature block must stay on its one page even when both parties have a NIP)
SIGNATURE_SPACE_MM = 27.0
SIGNATURE_SPACE_PAKTA_MM = 25.0
HEADING_GAP_PT = 4.0  # between the jabatan and the blank space
# a fixed time (UTC) for the core properties and the zip entries: every run writes the same bytes
FIXED_TIME = dt.datetime(2026, 1, 1)

Align = WD_ALIGN_PARAGRAPH
CENTER, LEFT, RIGHT, JUSTIFY = Align.CENTER, Align.LEFT, Align.RIGHT, Align.JUSTIFY

# The standard wording (notes/domain.md §1.2 and §2.2)
PEMBUKAAN = (
    "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel serta "
    "berorientasi pada hasil, kami yang bertanda tangan di bawah ini:"
)
# the reason ("Sehubungan dengan ..., "), the revision number and the agreement it replaces (its
# id and verification code) in one sentence, built by signer.formatting.kalimat_perubahan, which
# the verifier uses too
PERUBAHAN = "{{ kalimat_perubahan }}"
PEMBUKAAN_KEPALA_DAERAH = (
    "Dalam rangka mewujudkan manajemen pemerintahan yang efektif, transparan dan akuntabel serta "
    "berorientasi pada hasil, yang bertanda tangan di bawah ini:"
)
JANJI_KEPALA_DAERAH = (
    "Berjanji akan mewujudkan target kinerja tahunan sesuai lampiran perjanjian ini, dalam "
    "rangka mencapai target kinerja jangka menengah seperti yang telah ditetapkan dalam dokumen "
    "perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja tersebut menjadi tanggung "
    "jawab kami."
)
JANJI_PERTAMA = (
    "Pihak pertama berjanji akan mewujudkan target kinerja yang seharusnya sesuai lampiran "
    "perjanjian ini, dalam rangka mencapai target kinerja jangka menengah seperti yang telah "
    "ditetapkan dalam dokumen perencanaan. Keberhasilan dan kegagalan pencapaian target kinerja "
    "tersebut menjadi tanggung jawab kami."
)
JANJI_KEDUA = (
    "Pihak kedua akan melakukan supervisi yang diperlukan serta akan melakukan evaluasi terhadap "
    "capaian kinerja dari perjanjian ini dan mengambil tindakan yang diperlukan dalam rangka "
    "pemberian penghargaan dan sanksi."
)
PAKTA = (
    "Berperan secara pro aktif dalam upaya pencegahan dan pemberantasan Korupsi, Kolusi dan "
    "Nepotisme serta tidak melibatkan diri dalam perbuatan tercela;",
    "Tidak meminta atau menerima pemberian secara langsung atau tidak langsung berupa suap, "
    "hadiah, bantuan, atau bentuk lainnya yang tidak sesuai dengan ketentuan yang berlaku;",
    "Bersikap transparan, jujur, objektif, dan akuntabel dalam melaksanakan tugas;",
    "Menghindari pertentangan kepentingan (conflict of interest) dalam pelaksanaan tugas;",
    "Memberi contoh dalam kepatuhan terhadap peraturan perundang-undangan dalam melaksanakan "
    "tugas, terutama kepada pegawai yang berada di bawah pengawasan saya dan sesama pegawai di "
    "lingkungan kerja saya secara konsisten;",
    "Akan menyampaikan informasi penyimpangan integritas di {{ unit.nama }} {{ instansi.nama }} "
    "serta turut menjaga kerahasiaan saksi atas pelanggaran peraturan yang dilaporkannya;",
    "Bila saya melanggar hal-hal tersebut di atas, saya siap menghadapi konsekuensinya.",
)


# ---------------------------------------------------------------------------------------------
# Low-level OOXML helpers


def _el(tag: str, **attrs: str) -> OxmlElement:
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), v)
    return e


def _twips(mm: float) -> str:
    return str(round(mm * 1440 / 25.4))


def _fonts(rpr: OxmlElement) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = _el("w:rFonts")
        rpr.insert(0, rfonts)
    for a in list(rfonts.attrib):
        del rfonts.attrib[a]
    for a in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{a}"), FONT)


class Bookmarks:
    """Hands out bookmark ids, unique within one document."""

    def __init__(self) -> None:
        self.next_id = 0

    def add(self, p: Paragraph, name: str) -> None:
        """A collapsed bookmark ``name`` at the start of paragraph ``p``."""
        assert name.isalnum(), "LibreOffice escapes anything but letters and digits"
        start = _el("w:bookmarkStart", id=str(self.next_id), name=name)
        end = _el("w:bookmarkEnd", id=str(self.next_id))
        self.next_id += 1
        at = 1 if p._p.pPr is not None else 0
        p._p.insert(at, start)
        p._p.insert(at + 1, end)


def para(
    container,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    underline: bool = False,
    size: float | None = None,
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    keep_next: bool = False,
    reuse: bool = False,
) -> Paragraph:
    """Add a paragraph with one run (one run, so that a jinja tag in ``text`` stays whole).

    ``reuse`` fills the container's first, still empty paragraph (a new table cell has one).
    """
    p = container.paragraphs[0] if reuse else container.add_paragraph()
    f = p.paragraph_format
    f.space_before, f.space_after = Pt(before), Pt(after)
    if line is not None:
        f.line_spacing = line
    if align is not None:
        p.alignment = align
    if keep_next:
        f.keep_with_next = True
    if text:
        r = p.add_run(text)
        r.bold = bold or None
        r.underline = underline or None
        if size is not None:
            r.font.size = Pt(size)
    elif size is not None:  # an empty paragraph's height follows its paragraph mark
        para_size(p, size)
    return p


def para_size(p: Paragraph, size: float) -> None:
    """The size of the paragraph mark, which sets the height of an empty paragraph."""
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = _el("w:rPr")
        ppr.append(rpr)  # last child of pPr; python-docx inserts later children before it
    rpr.append(_el("w:sz", val=str(round(size * 2))))
    rpr.append(_el("w:szCs", val=str(round(size * 2))))


def tag(container, text: str) -> Paragraph:
    """A paragraph holding only a docxtpl ``{%p ...%}`` tag; docxtpl removes it when rendering."""
    return para(container, text)


def border(p: Paragraph, side: str, val: str = "single", size: int = 4, space: int = 1) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = _el("w:pBdr")
        # schema order: pBdr follows pStyle, keepNext, keepLines, pageBreakBefore, framePr,
        # widowControl, numPr, suppressLineNumbers and precedes everything else
        first = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")
        before = {qn(f"w:{t}") for t in (*first, "numPr", "suppressLineNumbers")}
        after = [c for c in ppr if c.tag not in before]
        if after:
            after[0].addprevious(bdr)
        else:
            ppr.append(bdr)
    bdr.append(_el(f"w:{side}", val=val, sz=str(size), space=str(space), color="auto"))


def field(p: Paragraph, instruction: str, placeholder: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) showing ``placeholder`` until it is updated."""

    def run(*children: OxmlElement) -> None:
        r = _el("w:r")
        rpr = _el("w:rPr")
        rpr.append(_el("w:sz", val=str(round(size * 2))))
        rpr.append(_el("w:szCs", val=str(round(size * 2))))
        r.append(rpr)
        for c in children:
            r.append(c)
        p._p.append(r)

    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    text = _el("w:t")
    text.text = placeholder
    run(_el("w:fldChar", fldCharType="begin"))
    run(instr)
    run(_el("w:fldChar", fldCharType="separate"))
    run(text)
    run(_el("w:fldChar", fldCharType="end"))


# ---------------------------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class Style:
    """How a table looks: grid lines or none, cell padding, placement."""

    borders: bool
    pad_lr_mm: float = 1.9
    pad_tb_mm: float = 0.0
    align: str = "center"  # "center" or "left"


GRID = Style(borders=True, pad_lr_mm=1.0, pad_tb_mm=0.6)
PLAIN = Style(borders=False, pad_lr_mm=1.0)
FLUSH = Style(borders=False, pad_lr_mm=0.0, align="left")  # text flush with the body text


def table(container, widths_mm: Sequence[float], style: Style, width_mm: float | None = None):
    """An empty table with fixed column widths (gridCol and tcW both set) and no style."""
    total = sum(widths_mm)
    if width_mm is None:
        t = container.add_table(rows=0, cols=len(widths_mm))
    else:
        t = container.add_table(rows=0, cols=len(widths_mm), width=Mm(width_mm))
    tblPr = t._tbl.tblPr
    for child in list(tblPr):
        tblPr.remove(child)
    tblPr.append(_el("w:tblW", w=_twips(total), type="dxa"))
    tblPr.append(_el("w:jc", val=style.align))
    tblPr.append(_el("w:tblInd", w="0", type="dxa"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if style.borders:
            borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="auto"))
        else:
            borders.append(_el(f"w:{side}", val="nil"))
    tblPr.append(borders)
    tblPr.append(_el("w:tblLayout", type="fixed"))
    mar = _el("w:tblCellMar")
    for side, mm in (
        ("top", style.pad_tb_mm),
        ("left", style.pad_lr_mm),
        ("bottom", style.pad_tb_mm),
        ("right", style.pad_lr_mm),
    ):
        mar.append(_el(f"w:{side}", w=_twips(mm), type="dxa"))
    tblPr.append(mar)
    look = dict(firstRow="0", lastRow="0", firstColumn="0", lastColumn="0", noHBand="1")
    tblPr.append(_el("w:tblLook", val="0000", noVBand="1", **look))
    for gc, mm in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        gc.set(qn("w:w"), _twips(mm))
    t._widths = list(widths_mm)  # type: ignore[attr-defined]
    return t


def row(
    t: Table,
    *,
    header: bool = False,
    height_mm: float | None = None,
    exact: bool = False,
) -> _Row:
    """A new row that never splits across pages, optionally a repeated header row."""
    r = t.add_row()
    for c, mm in zip(r.cells, t._widths, strict=True):  # type: ignore[attr-defined]
        tcPr = c._tc.get_or_add_tcPr()
        for child in list(tcPr):
            tcPr.remove(child)
        tcPr.append(_el("w:tcW", w=_twips(mm), type="dxa"))
    trPr = r._tr.get_or_add_trPr()
    for child in list(trPr):
        trPr.remove(child)
    trPr.append(_el("w:cantSplit"))
    if height_mm is not None:
        trPr.append(_el("w:trHeight", val=_twips(height_mm), hRule="exact" if exact else "atLeast"))
    if header:
        trPr.append(_el("w:tblHeader"))
    return r


def shade(c: _Cell, fill: str = "E7E6E6") -> None:
    c._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def valign(c: _Cell, how: WD_CELL_VERTICAL_ALIGNMENT) -> None:
    c.vertical_alignment = how


def merge(first: _Cell, last: _Cell) -> _Cell:
    """Merge a row's cells from ``first`` to ``last`` into one cell with one empty paragraph."""
    cell = first.merge(last)
    for extra in cell.paragraphs[1:]:  # merging keeps one paragraph per merged cell
        extra._p.getparent().remove(extra._p)
    return cell


def loop_row(t: Table, text: str) -> None:
    """A row holding only a ``{%tr ...%}`` tag, which docxtpl removes with the row. Its cells
    are merged, so that the tag reads on one line when the template is opened in Word."""
    r = row(t)
    cell = merge(r.cells[0], r.cells[-1]) if len(r.cells) > 1 else r.cells[0]
    para(cell, text, size=TABLE_PT, reuse=True)


def cell_text(
    c: _Cell,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH = LEFT,
    bold: bool = False,
    size: float = TABLE_PT,
    keep_next: bool = False,
) -> Paragraph:
    return para(c, text, align=align, bold=bold, size=size, keep_next=keep_next, reuse=True)


# ---------------------------------------------------------------------------------------------
# The document and its parts


def new_document() -> DocumentObject:
    """An empty A4 document in Arial with the package cleaned of python-docx's defaults."""
    doc = Document()
    # Arial everywhere, Indonesian, no spacing unless a paragraph asks for it
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    rpr.find(qn("w:sz")).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "id-ID")
    lang.set(qn("w:eastAsia"), "id-ID")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    _fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(BODY_PT)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin, section.right_margin = Mm(30), Mm(25)
    section.header_distance, section.footer_distance = Mm(12.5), Mm(8)

    # the package: no thumbnail of an empty page, no bibliography part, no Word 2010 copy of the
    # styles (it would keep python-docx's Calibri defaults), no "python-docx"
    pkg = doc.part.package
    for rels in (pkg.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype in (RT.THUMBNAIL, RT.CUSTOM_XML) or rel.reltype.endswith(
                "/stylesWithEffects"
            ):
                del rels[rid]
    app = pkg.part_related_by(RT.EXTENDED_PROPERTIES)
    app._blob = (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties"><Template>Normal.dotm</Template><TotalTime>0</TotalTime>'
        b"<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    )
    settings = doc.settings.element
    for t in ("w:savePreviewPicture", "w:proofState"):
        for e in settings.findall(qn(t)):
            settings.remove(e)
    return doc


def core_properties(doc: DocumentObject, subject: str) -> None:
    """Title, subject, author as jinja tags: docxtpl renders them too, and they reach the PDF.

    ``|safe``: these are plain strings, escaped once by python-docx; autoescaping would escape
    an "&" in a unit name a second time.
    """
    cp = doc.core_properties
    cp.title = "{{ judul_lengkap|safe }} {{ unit.nama|safe }}"
    cp.subject = subject
    cp.author = "{{ instansi.nama|safe }}"
    cp.identifier = "{{ id|safe }}"
    cp.language = "id-ID"
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""
    cp.last_modified_by = ""
    cp.revision = 1
    cp.created = cp.modified = FIXED_TIME


def kop(doc: DocumentObject) -> None:
    """The letterhead: logo, name of the pemerintah daerah, address lines, a double rule."""
    para(doc, "{{ logo }}", align=CENTER, after=2)
    para(doc, "{{ instansi.nama_upper }}", align=CENTER, bold=True, size=14)
    tag(doc, "{%p for line in instansi.kop %}")
    para(doc, "{{ line }}", align=CENTER, size=9)
    tag(doc, "{%p endfor %}")
    rule = para(doc, "", size=2, after=8)
    border(rule, "bottom", val="thickThinSmallGap", size=18, space=1)


def title(doc: DocumentObject, lines: Sequence[str], *, page_break: bool = False) -> None:
    for k, text in enumerate(lines):
        p = para(
            doc, text, align=CENTER, bold=True, size=12, after=10 if k == len(lines) - 1 else 0
        )
        if page_break and k == 0:
            p.paragraph_format.page_break_before = True


def body(doc: DocumentObject, text: str, *, after: float = 6) -> Paragraph:
    return para(doc, text, align=JUSTIFY, line=1.15, after=after)


def identity(
    doc: DocumentObject,
    rows: Sequence[tuple[str, str]],
    *,
    civil_servant: Sequence[tuple[str, str]] = (),
    party: str = "",
) -> None:
    """An aligned "Nama : ..." table: ``rows``, then ``civil_servant`` (NIP, pangkat), which
    ``party``'s kepala daerah does not have, then ``rows`` again from the second on.

    In practice: Nama, (NIP, Pangkat/Gol), Jabatan, Instansi.
    """
    t = table(doc, (30, 4, TEXT_WIDTH_MM - 34), FLUSH)

    def line(label: str, value: str) -> None:
        r = row(t)
        for c, text in zip(r.cells, (label, ":", value), strict=True):
            para(c, text, reuse=True)

    line(*rows[0])
    if civil_servant:
        loop_row(t, f"{{%tr if not {party}.kepala_daerah %}}")
        for label, value in civil_servant:
            line(label, value)
        loop_row(t, "{%tr endif %}")
    for label, value in rows[1:]:
        line(label, value)


@dataclass(frozen=True)
class Column:
    """One column of a signature block."""

    party: str  # "pihak_pertama" or "pihak_kedua"
    bookmark: str  # "Pertama" or "Kedua"
    headings: tuple[str, ...]  # the lines above the blank space, the jabatan included


def signature_block(
    doc: DocumentObject,
    left: Column,
    right: Column,
    place: int,
    marks: Bookmarks,
    space_mm: float = SIGNATURE_SPACE_MM,
) -> None:
    """Two signature columns in one three-row table that never breaks across pages."""
    half = TEXT_WIDTH_MM / 2
    t = table(doc, (half, half), PLAIN)
    heads, space, names = row(t), row(t, height_mm=space_mm, exact=True), row(t)
    for k, col in enumerate((left, right)):
        for n, text in enumerate(col.headings):
            # a gap under the jabatan: its glyphs' descent must stay out of the signature box
            last = n == len(col.headings) - 1
            gap = HEADING_GAP_PT if last else 0
            para(heads.cells[k], text, align=CENTER, keep_next=True, reuse=n == 0, after=gap)
        # the blank space: a left-aligned empty paragraph, so the bookmark sits at the column's
        # left edge and at the top of the space
        blank = para(space.cells[k], "", align=LEFT, keep_next=True, reuse=True)
        marks.add(blank, f"Sig{col.bookmark}{place}")
        c = names.cells[k]
        name = para(
            c, f"{{{{ {col.party}.nama }}}}", align=CENTER, bold=True, underline=True, reuse=True
        )
        marks.add(name, f"SigEnd{col.bookmark}{place}")
        tag(c, f"{{%p if {col.party}.pangkat and not {col.party}.kepala_daerah %}}")
        para(c, f"{{{{ {col.party}.pangkat }}}}", align=CENTER)
        tag(c, "{%p endif %}")
        tag(c, f"{{%p if not {col.party}.kepala_daerah %}}")
        para(c, f"NIP. {{{{ {col.party}.nip }}}}", align=CENTER)
        tag(c, "{%p endif %}")


def pk_columns() -> tuple[Column, Column]:
    """Pihak kedua on the left, pihak pertama (with the place and date) on the right."""
    return (
        Column("pihak_kedua", "Kedua", ("", "PIHAK KEDUA,", "{{ pihak_kedua.jabatan|kapital }}")),
        Column(
            "pihak_pertama",
            "Pertama",
            ("{{ tempat_tanggal }}", "PIHAK PERTAMA,", "{{ pihak_pertama.jabatan|kapital }}"),
        ),
    )


def footer(doc: DocumentObject, caption: str) -> None:
    """On every page: the QR code, the kode verifikasi, what the QR is for, the verification
    address when the agreement has one, the page number."""
    f = doc.sections[0].footer
    f.is_linked_to_previous = False
    widths = (22.0, TEXT_WIDTH_MM - 22 - 28, 28.0)
    t = table(f, widths, Style(borders=False, pad_lr_mm=0.0), width_mm=TEXT_WIDTH_MM)
    r = row(t)
    qr, text, page = r.cells
    para(qr, "{{ qr }}", align=LEFT, size=FOOTER_PT, reuse=True)
    para(text, "Kode verifikasi {{ id }}:", bold=True, size=FOOTER_PT, reuse=True)
    para(text, "{{ kode_verifikasi }}", size=FOOTER_PT)
    para(text, caption, size=FOOTER_PT)
    # the address the QR leads to, for a reader without a phone (at most two lines: the QR
    # stays the footer's tallest cell, signer.verify_url.PANJANG_MAKS)
    tag(text, "{%p if verify_url %}")
    para(text, "Verifikasi: {{ verify_url }}", size=FOOTER_PT)
    tag(text, "{%p endif %}")
    p = para(page, "Halaman ", align=RIGHT, size=FOOTER_PT, reuse=True)
    field(p, "PAGE", "1", FOOTER_PT)
    p.add_run(" dari ").font.size = Pt(FOOTER_PT)
    field(p, "NUMPAGES", "1", FOOTER_PT)
    valign(qr, WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    valign(text, WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    valign(page, WD_CELL_VERTICAL_ALIGNMENT.BOTTOM)
    # a footer ends with a paragraph: move python-docx's initial one below the table, tiny
    first = f.paragraphs[0]
    t._tbl.addnext(first._p)
    para_size(first, 1)
    # a thin rule above the footer
    top = t._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:top"))
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "4")
    top.set(qn("w:space"), "0")
    top.set(qn("w:color"), "auto")
    t._tbl.tblPr.find(qn("w:tblCellMar")).find(qn("w:top")).set(qn("w:w"), _twips(1.2))


def end_paragraph(doc: DocumentObject) -> None:
    """Word needs a paragraph after a table that ends the document: make it take no room, so
    that a full page does not spill an empty last page."""
    p = para(doc, "", size=1)
    p.paragraph_format.line_spacing = Pt(1)  # exact
    p._p.pPr.find(qn("w:rPr")).insert(0, _el("w:vanish"))  # vanish precedes sz in rPr


# ---------------------------------------------------------------------------------------------
# The lampiran tables


def header_row(t: Table, heads: Sequence[str], size: float = TABLE_PT) -> None:
    """The header row, repeated on every page the table runs over."""
    h = row(t, header=True)
    for c, text in zip(h.cells, heads, strict=True):
        cell_text(c, text, align=CENTER, bold=True, size=size)
        shade(c)
        valign(c, WD_CELL_VERTICAL_ALIGNMENT.CENTER)


def vmerge(c: _Cell, restart: bool) -> None:
    """A static vertical merge: ``restart`` starts the merged cell, otherwise it continues."""
    c._tc.get_or_add_tcPr().append(_el("w:vMerge", **({"val": "restart"} if restart else {})))


def target_table(doc: DocumentObject) -> None:
    """The target table: No | Sasaran Strategis | Indikator Kinerja | Satuan | Arah | Target,
    the columns of the table with triwulan targets up to its Target Tahunan.

    ``No`` and ``Sasaran Strategis`` are merged down each sasaran's rows (docxtpl's ``{% vm %}``
    in the loop over the sasaran's indikator). Target is wide enough for "1.250.000.000.000",
    Arah for "Rentang" and "Predikat".
    """
    t = table(doc, (8, 34, 46, 18, 17, 32), GRID)
    header_row(t, LAMPIRAN)
    loop_row(t, "{%tr for s in sasaran %}")
    loop_row(t, "{%tr for r in s.indikator %}")
    d = row(t)
    cell_text(d.cells[0], "{{ s.no }}{% vm %}", align=CENTER)
    cell_text(d.cells[1], "{{ s.uraian }}{% vm %}")
    cell_text(d.cells[2], "{{ r.indikator }}")
    cell_text(d.cells[3], "{{ r.satuan }}", align=CENTER)
    cell_text(d.cells[4], "{{ r.arah }}", align=CENTER)
    cell_text(d.cells[5], "{{ r.target }}", align=CENTER)
    loop_row(t, "{%tr endfor %}")
    loop_row(t, "{%tr endfor %}")


def target_table_triwulan(doc: DocumentObject) -> None:
    """The target table with quarterly targets, one row per triwulan (as in PK lampirans that
    carry the Rencana Aksi): No | Sasaran Strategis | Indikator Kinerja | Satuan | Arah |
    Target Tahunan | TW | Target.

    Four columns TW I-IV side by side cannot hold a rupiah target such as "1.250.000.000.000"
    on A4 portrait, so the quarters go down instead, in 9 pt. An indikator's cells are merged
    down its quarters (static ``w:vMerge``), No and Sasaran down the sasaran (``{% vm %}`` on
    the first quarter, static continuation). The four rows of an indikator keep together on one
    page (every paragraph of the first three keeps with the next), so that its merged cells
    never split across a page break. An indikator without quarterly targets has a single row,
    which keeps with nothing.
    """
    size = TABLE_PT - 1
    t = table(doc, (7, 24, 27, 16, 15, 29, 8, 29), GRID)
    header_row(t, LAMPIRAN_TW, size=size)
    loop_row(t, "{%tr for s in sasaran %}")
    loop_row(t, "{%tr for r in s.indikator %}")

    def first_row(quarters: bool) -> None:
        keep = quarters
        first = row(t).cells
        cell_text(first[0], "{{ s.no }}{% vm %}", align=CENTER, size=size, keep_next=keep)
        cell_text(first[1], "{{ s.uraian }}{% vm %}", size=size, keep_next=keep)
        for c, text, align in (
            (first[2], "{{ r.indikator }}", LEFT),
            (first[3], "{{ r.satuan }}", CENTER),
            (first[4], "{{ r.arah }}", CENTER),
            (first[5], "{{ r.target }}", CENTER),
        ):
            if quarters:
                vmerge(c, restart=True)
            cell_text(c, text, align=align, size=size, keep_next=keep)
        cell_text(first[6], "I" if quarters else "", align=CENTER, size=size, keep_next=keep)
        tw1 = "{{ r.tw1 }}" if quarters else ""
        cell_text(first[7], tw1, align=CENTER, size=size, keep_next=keep)

    loop_row(t, "{%tr if r.tw1 %}")
    first_row(quarters=True)
    for k, numeral in ((2, "II"), (3, "III"), (4, "IV")):
        keep = k < 4
        cells = row(t).cells  # before the merge: python-docx then resolves cells upwards
        for c in cells[:6]:
            vmerge(c, restart=False)
            cell_text(c, "", size=size, keep_next=keep)
        cell_text(cells[6], numeral, align=CENTER, size=size, keep_next=keep)
        cell_text(cells[7], f"{{{{ r.tw{k} }}}}", align=CENTER, size=size, keep_next=keep)
    loop_row(t, "{%tr else %}")
    first_row(quarters=False)
    loop_row(t, "{%tr endif %}")
    loop_row(t, "{%tr endfor %}")
    loop_row(t, "{%tr endfor %}")


def program_table(doc: DocumentObject) -> None:
    t = table(doc, (10, 100, 45), GRID)
    header_row(t, PROGRAM)
    loop_row(t, "{%tr for p in program %}")
    d = row(t)
    cell_text(d.cells[0], "{{ p.no }}", align=CENTER)
    cell_text(d.cells[1], "{{ p.uraian }}")
    cell_text(d.cells[2], "{{ p.anggaran }}", align=RIGHT)
    loop_row(t, "{%tr endfor %}")
    total = row(t)
    label = merge(total.cells[0], total.cells[1])
    cell_text(label, "Jumlah", align=CENTER, bold=True, keep_next=True)
    cell_text(total.cells[2], "{{ jumlah_anggaran }}", align=RIGHT, bold=True, keep_next=True)


# ---------------------------------------------------------------------------------------------
# The three templates


def perjanjian_kinerja(perubahan: bool) -> DocumentObject:
    """Perjanjian Kinerja (PermenPAN-RB 53/2014): the statement page, then the lampiran.

    ``perubahan`` adds the sentence that names the revision (the title comes from the context).
    """
    doc = new_document()
    core_properties(doc, "{{ judul|safe }} {{ unit.nama|safe }} {{ tahun }}")
    marks = Bookmarks()

    kop(doc)
    title(doc, ("{{ judul_lengkap }}", "{{ unit.nama_upper }}"))
    nomor(doc)
    body(doc, PEMBUKAAN)
    for party, role in (
        ("pihak_pertama", "Selanjutnya disebut pihak pertama."),
        ("pihak_kedua", "Selaku atasan pihak pertama, selanjutnya disebut pihak kedua."),
    ):
        identity(
            doc, (("Nama", f"{{{{ {party}.nama }}}}"), ("Jabatan", f"{{{{ {party}.jabatan }}}}"))
        )
        body(doc, role)
    if perubahan:
        body(doc, PERUBAHAN)
    body(doc, JANJI_PERTAMA)
    # the last clause keeps with the signature block: the block never starts a page alone
    body(doc, JANJI_KEDUA, after=12).paragraph_format.keep_with_next = True
    signature_block(doc, *pk_columns(), place=1, marks=marks)

    lampiran(doc)
    signature_block(doc, *pk_columns(), place=2, marks=marks)
    end_paragraph(doc)
    footer(doc, "Pindai kode QR untuk memeriksa keaslian data perjanjian ini.")
    return doc


def lampiran(doc: DocumentObject) -> None:
    """The lampiran, "bagian yang tidak terpisahkan": its title, the targets (with triwulan
    columns when the agreement has them), the arah legend and the programs. The legend, the
    program table's total and the space under them keep with the signature block that follows
    (keep-with-next), so that the block never starts a page alone."""
    title(doc, ("LAMPIRAN {{ judul_lengkap }}", "{{ unit.nama_upper }}"), page_break=True)
    tag(doc, "{%p if has_triwulan %}")
    target_table_triwulan(doc)
    tag(doc, "{%p else %}")
    target_table(doc)
    tag(doc, "{%p endif %}")
    # what each arah means, for the arah values this agreement has
    para(doc, "{{ arah_keterangan }}", size=LEGEND_PT, before=2, keep_next=True)
    tag(doc, "{%p if program %}")
    para(doc, "", after=6)
    program_table(doc)
    tag(doc, "{%p endif %}")
    para(doc, "", after=12, keep_next=True)


def nomor(doc: DocumentObject) -> None:
    """The document's own number under the title, when it has one ("NOMOR: ...")."""
    tag(doc, "{%p if nomor %}")
    para(doc, "{{ nomor }}", align=CENTER, after=10)
    tag(doc, "{%p endif %}")


def signature_single(doc: DocumentObject, place: int, marks: Bookmarks) -> None:
    """The kepala daerah's own signature block, alone in the right column: the place and date,
    the jabatan, the blank space, the name (no pangkat, no NIP). The left column stays empty."""
    half = TEXT_WIDTH_MM / 2
    t = table(doc, (half, half), PLAIN)
    heads, space, names = row(t), row(t, height_mm=SIGNATURE_SPACE_MM, exact=True), row(t)
    for n, text in enumerate(("{{ tempat_tanggal }}", "{{ pihak_pertama.jabatan|kapital }},")):
        gap = HEADING_GAP_PT if n == 1 else 0
        para(heads.cells[1], text, align=CENTER, keep_next=True, reuse=n == 0, after=gap)
    para(heads.cells[0], "", keep_next=True, reuse=True)
    para(space.cells[0], "", keep_next=True, reuse=True)
    blank = para(space.cells[1], "", align=LEFT, keep_next=True, reuse=True)
    marks.add(blank, f"SigPertama{place}")
    name = para(
        names.cells[1],
        "{{ pihak_pertama.nama }}",
        align=CENTER,
        bold=True,
        underline=True,
        reuse=True,
    )
    marks.add(name, f"SigEndPertama{place}")


def perjanjian_kinerja_kepala_daerah() -> DocumentObject:
    """The kepala daerah's own Perjanjian Kinerja (notes/domain.md 1.2-1.3): one signer, no
    pihak kedua, the lampiran of the daerah's sasaran strategis and programs."""
    doc = new_document()
    core_properties(doc, "{{ judul|safe }} {{ unit.nama|safe }} {{ tahun }}")
    marks = Bookmarks()

    kop(doc)
    title(doc, ("{{ judul_lengkap }}", "{{ unit.nama_upper }}"))
    nomor(doc)
    body(doc, PEMBUKAAN_KEPALA_DAERAH)
    identity(
        doc, (("Nama", "{{ pihak_pertama.nama }}"), ("Jabatan", "{{ pihak_pertama.jabatan }}"))
    )
    body(doc, JANJI_KEPALA_DAERAH, after=12)
    signature_single(doc, place=1, marks=marks)

    lampiran(doc)
    signature_single(doc, place=2, marks=marks)
    end_paragraph(doc)
    footer(doc, "Pindai kode QR untuk memeriksa keaslian data perjanjian ini.")
    return doc


def pakta_integritas() -> DocumentObject:
    """Pakta Integritas (PermenPAN 49/2011), witnessed by the atasan langsung."""
    doc = new_document()
    core_properties(doc, "{{ judul|safe }} {{ pihak_pertama.nama|safe }} {{ tahun }}")
    marks = Bookmarks()

    kop(doc)
    title(doc, ("{{ judul }}",))
    body(doc, "Saya yang bertanda tangan di bawah ini:")
    identity(
        doc,
        (
            ("Nama", "{{ pihak_pertama.nama }}"),
            ("Jabatan", "{{ pihak_pertama.jabatan }}"),
            ("Instansi", "{{ unit.nama }} {{ instansi.nama }}"),
        ),
        civil_servant=(
            ("NIP", "{{ pihak_pertama.nip }}"),
            ("Pangkat/Gol", "{{ pihak_pertama.pangkat }}"),
        ),
        party="pihak_pertama",
    )
    body(doc, "Dengan ini menyatakan bahwa saya:").paragraph_format.space_before = Pt(6)
    for n, text in enumerate(PAKTA, 1):
        last = n == len(PAKTA)
        # the last item keeps with the signature block, which never starts a page alone
        p = para(doc, f"{n}.\t{text}", align=JUSTIFY, after=10 if last else 2, keep_next=last)
        f = p.paragraph_format
        f.left_indent, f.first_line_indent = Mm(7), Mm(-7)
        f.tab_stops.add_tab_stop(Mm(7), WD_TAB_ALIGNMENT.LEFT)
    signature_block(
        doc,
        Column(
            "pihak_kedua",
            "Kedua",
            ("Mengetahui/Menyaksikan,", "Atasan Langsung,", "{{ pihak_kedua.jabatan|kapital }}"),
        ),
        Column(
            "pihak_pertama",
            "Pertama",
            ("{{ tempat_tanggal }}", "Pembuat Pernyataan,", "{{ pihak_pertama.jabatan|kapital }}"),
        ),
        place=1,
        marks=marks,
        space_mm=SIGNATURE_SPACE_PAKTA_MM,
    )
    end_paragraph(doc)
    footer(doc, "Pindai kode QR untuk memeriksa keaslian data pakta integritas ini.")
    return doc


def drop_unused_styles(doc: DocumentObject) -> None:
    """Keep only the styles the document uses (and those they are based on, linked to or
    followed by, and the defaults). python-docx's default styles.xml holds 164 styles, 100 of
    them table styles, 350 KB that docxtpl parsed and LibreOffice imported for every agreement:
    without them rendering took half the CPU and converting a quarter less time."""
    styles = doc.styles.element
    # every other XML part of the package: body, headers, footers, numbering
    parts = [
        p.element
        for p in doc.part.package.iter_parts()
        if isinstance(p, XmlPart) and p.element is not styles
    ]
    refs = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink")
    used = {e.get(qn("w:val")) for part in parts for r in refs for e in part.iter(qn(r))}
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    used |= {i for i, s in by_id.items() if s.get(qn("w:default")) == "1"}
    todo = [by_id[i] for i in used if i in by_id]
    while todo:
        style = todo.pop()
        for tag in ("w:basedOn", "w:link", "w:next"):
            e = style.find(qn(tag))
            name = e.get(qn("w:val")) if e is not None else None
            if name is not None and name not in used and name in by_id:
                used.add(name)
                todo.append(by_id[name])
    for i, style in by_id.items():
        if i not in used:
            styles.remove(style)


def save(doc: DocumentObject, path: Path) -> None:
    """Save with fixed zip timestamps, so that the same script writes the same bytes."""
    drop_unused_styles(doc)
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, doc in (
        ("perjanjian-kinerja.docx", perjanjian_kinerja(perubahan=False)),
        ("perjanjian-kinerja-perubahan.docx", perjanjian_kinerja(perubahan=True)),
        ("perjanjian-kinerja-kepala-daerah.docx", perjanjian_kinerja_kepala_daerah()),
        ("pakta-integritas.docx", pakta_integritas()),
    ):
        save(doc, OUT / name)
        print(f"wrote {(OUT / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
