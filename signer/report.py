"""Evaluation reports for people: ``evaluasi.xlsx`` and ``evaluasi.pdf``.

Both render an :class:`~signer.evaluate.Evaluation` and nothing else: every figure shown is one
of its figures, formatted the Indonesian way by :mod:`signer.formatting` (the workbook stores
numbers as numbers, with number formats). Each unit's figures are shown with the agreement they
come from: its id, both signers and its verification code.

The workbook has a summary sheet (``Ringkasan``, one row per agreement) and a sheet per evaluated
unit. The PDF is built as a Word document and converted by LibreOffice: a title page, the summary
table, a bar chart of the capaian per unit over the category bands, and a page per unit.

Apart from the creation time (``Evaluation.made``, printed in both, and what LibreOffice stamps
into the PDF), the output depends only on the evaluation: the workbook is byte-for-byte
reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import formatting, fsio
from .capaian import SANGAT_RENDAH, Rules
from .convert import OfficePool
from .evaluate import AgreementResult, Evaluation, IndikatorResult, Status
from .model import JenisDokumen, Peran
from .realisasi import HEADER_FILL

SUMMARY_SHEET = "Ringkasan"
TITLE = "Evaluasi Perjanjian Kinerja"
FONT = "Liberation Sans"  # metric-compatible with Arial, the templates' font
MONO = "Liberation Mono"
HEADER_COLOUR = HEADER_FILL.fgColor.rgb[-6:]  # the realisasi workbook's header blue
BAR_COLOUR = HEADER_COLOUR

# fills for the categories, best first (ColorBrewer RdYlGn, light enough for black text)
PALETTE = ("91CF60", "D9EF8B", "FEE08B", "FDAE61", "F08080")

SUMMARY_COLUMNS = (
    ("No", 5),
    ("Kode Unit", 14),
    ("Nama Unit", 40),
    ("Dokumen", 22),
    ("Status", 13),
    ("Capaian Unit (%)", 12),
    ("Kategori", 14),
    ("Anggaran (Rp)", 20),
    ("Realisasi Anggaran (Rp)", 22),
    ("Serapan Anggaran (%)", 12),
    ("Kode Verifikasi", 42),
    ("Pihak Pertama", 34),
    ("Pihak Kedua", 34),
    ("Keterangan", 32),
    ("Berkas", 30),
)
UNIT_COLUMNS = (
    ("No", 5),
    ("Sasaran", 36),
    ("Kode", 14),
    ("Indikator", 48),
    ("Satuan", 12),
    ("Arah", 10),
    ("Target", 12),
    ("Realisasi", 12),
    ("Capaian (%)", 12),
    ("Kategori", 14),
    ("Catatan", 26),
)
SASARAN_MEAN = "Rata-rata capaian sasaran"
UNIT_MEAN = "Capaian unit (rata-rata seluruh indikator)"
RUPIAH_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00"


# ---------------------------------------------------------------------------------------------
# What both reports show


@dataclass(frozen=True)
class Level:
    """A category of capaian: its name, its half-open range [bawah, atas) and its colour."""

    nama: str
    bawah: Decimal | None
    atas: Decimal | None
    colour: str

    @property
    def rentang(self) -> str:
        if self.atas is None:
            return f"≥ {formatting.angka(self.bawah or 0)}"
        if self.bawah is None:
            return f"< {formatting.angka(self.atas)}"
        return f"{formatting.angka(self.bawah)} – < {formatting.angka(self.atas)}"


def levels(rules: Rules) -> tuple[Level, ...]:
    """The categories of ``rules``, best first, each with its colour."""
    bounds = sorted(rules.categories, key=lambda c: c[0], reverse=True)
    out: list[Level] = []
    upper: Decimal | None = None
    for i, (bound, name) in enumerate(bounds):
        out.append(Level(name, bound, upper, PALETTE[min(i, len(PALETTE) - 1)]))
        upper = bound
    out.append(Level(SANGAT_RENDAH, None, upper, PALETTE[-1]))
    return tuple(out)


def _colours(rules: Rules) -> dict[str, str]:
    return {level.nama: level.colour for level in levels(rules)}


def _made(when: dt.datetime) -> str:
    """'5 Maret 2027 pukul 10.15 UTC' (naive times are taken as UTC)."""
    utc = when.astimezone(dt.UTC) if when.tzinfo else when
    return f"{formatting.tanggal(utc.date())} pukul {utc:%H.%M} UTC"


def _jenis(r: AgreementResult) -> str:
    try:
        return JenisDokumen(r.jenis).judul
    except ValueError:
        return r.jenis or ""


def _signer(r: AgreementResult, peran: Peran) -> tuple[str, str, str | None] | None:
    for s in r.signers:
        if s.role == peran.value:
            return s.nama, s.jabatan, s.nip
    return None


def _signer_name(r: AgreementResult, peran: Peran) -> str:
    s = _signer(r, peran)
    return s[0] if s else ""


def _signer_full(r: AgreementResult, peran: Peran) -> str:
    s = _signer(r, peran)
    if s is None:
        return ""
    nama, jabatan, nip = s
    return f"{nama}, {jabatan}" + (f", NIP {nip}" if nip else "")


def _code(r: AgreementResult) -> str:
    return formatting.digest_grouped(r.sha256) if r.sha256 else ""


def _unit(r: AgreementResult) -> str:
    if r.unit_kode:
        return f"{r.unit_kode} — {r.unit_nama}" if r.unit_nama else r.unit_kode
    return r.file


def _pct(d: Decimal | None) -> str:
    return formatting.persen(d) if d is not None else "–"


def _rp(n: int | None) -> str:
    return formatting.rupiah(n) if n is not None else "–"


def _number(d: Decimal | int | None) -> int | float | None:
    """A number for a cell: an int when it is whole, as the evaluation's JSON has it."""
    if d is None:
        return None
    if isinstance(d, int):
        return d
    return int(d) if d == d.to_integral_value() else float(d)


def _places_format(d: Decimal) -> str:
    """A number format showing the decimals ``d`` has (as formatting.angka does)."""
    exponent = d.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return RUPIAH_FORMAT + ("." + "0" * places if places else "")


# ---------------------------------------------------------------------------------------------
# evaluasi.xlsx


def write_xlsx(evaluation: Evaluation, path: Path) -> None:
    """Write the evaluation workbook: ``Ringkasan`` first, then one sheet per evaluated unit."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    styles = _XlsxStyles(evaluation.rules)
    summary = wb.active
    summary.title = SUMMARY_SHEET
    titles = _sheet_titles(evaluation.results)
    _summary_sheet(summary, evaluation, titles, styles)
    for n, r in enumerate(evaluation.results):
        if n in titles:
            _unit_sheet(wb.create_sheet(titles[n]), evaluation, r, styles)

    made = evaluation.made.astimezone(dt.UTC) if evaluation.made.tzinfo else evaluation.made
    made = made.replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "kinerja"
    wb.properties.title = _title(evaluation)
    wb.properties.language = "id-ID"
    wb.properties.created = wb.properties.modified = made
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook: it stamps "modified" with now
    fsio.write_bytes(Path(path), _stable_zip(buf.getvalue(), made))


def _title(evaluation: Evaluation) -> str:
    parts = [TITLE]
    if evaluation.instansi:
        parts.append(evaluation.instansi)
    if evaluation.tahun:
        parts.append(f"Tahun {evaluation.tahun}")
    return " — ".join(parts)


def _stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same archive with every entry dated ``when``, so that equal input gives equal bytes."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def _sheet_titles(results: Iterable[AgreementResult]) -> dict[int, str]:
    """A valid, unique sheet title for each evaluated result, by its position in ``results``
    (Excel: at most 31 characters, none of []:*?/\\, unique in any case)."""
    used = {SUMMARY_SHEET.casefold()}
    titles: dict[int, str] = {}
    for n, r in enumerate(results):
        if r.status is not Status.EVALUATED:
            continue
        base = re.sub(r"[\[\]:*?/\\]", "-", r.unit_kode or "Unit").strip("'") or "Unit"
        title, copy = base[:31], 1
        while title.casefold() in used:
            copy += 1
            suffix = f" ({copy})"
            title = base[: 31 - len(suffix)] + suffix
        used.add(title.casefold())
        titles[n] = title
    return titles


class _XlsxStyles:
    def __init__(self, rules: Rules):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.header_fill = HEADER_FILL
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.right = Alignment(horizontal="right")
        self.bold = Font(bold=True)
        self.italic = Font(italic=True)
        self.title = Font(bold=True, size=13)
        self.link = Font(color="0563C1", underline="single")
        thin = Side(style="thin", color="BFBFBF")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.fills = {
            name: PatternFill("solid", fgColor=colour) for name, colour in _colours(rules).items()
        }
        self.levels = levels(rules)

    def kategori(self, cell: Any, name: str | None) -> None:
        if name in self.fills:
            cell.fill = self.fills[name]


def _header_row(ws: Any, row: int, columns: Sequence[tuple[str, int]], s: _XlsxStyles) -> None:
    from openpyxl.utils import get_column_letter

    for i, (name, width) in enumerate(columns, 1):
        c = ws.cell(row=row, column=i, value=name)
        c.fill, c.font, c.alignment, c.border = (
            s.header_fill,
            s.header_font,
            s.header_alignment,
            s.border,
        )
        ws.column_dimensions[get_column_letter(i)].width = width


def _print_setup(ws: Any, title_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{title_row}:{title_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "Halaman &P dari &N"
    ws.oddFooter.left.text = "&A"


def _summary_sheet(w: Any, evaluation: Evaluation, titles: dict[int, str], s: _XlsxStyles) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    w.cell(row=1, column=1, value=_title(evaluation)).font = s.title
    w.cell(
        row=2,
        column=1,
        value=f"Periode {evaluation.periode.label} · dibuat {_made(evaluation.made)} · "
        f"{_counts(evaluation)}",
    )
    header = 4
    _header_row(w, header, SUMMARY_COLUMNS, s)
    text_columns = {2, 3, 4, 5, 7, 11, 12, 13, 14, 15}
    row = header
    for n, r in enumerate(evaluation.results):
        row += 1
        evaluated = r.status is Status.EVALUATED
        values: list[object] = [
            n + 1,
            r.unit_kode,
            r.unit_nama,
            _jenis(r),
            r.status.value,
            _number(r.capaian),
            r.kategori,
            r.anggaran,
            r.realisasi_anggaran,
            _number(r.serapan),
            _code(r) or None,
            _signer_name(r, Peran.PIHAK_PERTAMA) or None,
            _signer_name(r, Peran.PIHAK_KEDUA) or None,
            r.reason,
            r.file,
        ]
        for col, value in enumerate(values, 1):
            c = w.cell(row=row, column=col, value=value)
            c.border = s.border
            c.alignment = s.wrap if col in text_columns else s.top
        w.cell(row=row, column=6).number_format = PERCENT_FORMAT
        w.cell(row=row, column=10).number_format = PERCENT_FORMAT
        w.cell(row=row, column=8).number_format = RUPIAH_FORMAT
        w.cell(row=row, column=9).number_format = RUPIAH_FORMAT
        s.kategori(w.cell(row=row, column=6), r.kategori)
        s.kategori(w.cell(row=row, column=7), r.kategori)
        if not evaluated:
            w.cell(row=row, column=5).font = s.bold if r.status is Status.REFUSED else s.italic
        if n in titles:
            c = w.cell(row=row, column=2)
            c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{titles[n]}'!A1")
            c.font = s.link
    last = get_column_letter(len(SUMMARY_COLUMNS))
    w.auto_filter.ref = f"A{header}:{last}{max(row, header + 1)}"
    w.freeze_panes = f"D{header + 1}"
    # the categories, below the table
    row += 2
    w.cell(row=row, column=2, value="Kategori capaian").font = s.bold
    for level in s.levels:
        row += 1
        s.kategori(w.cell(row=row, column=2, value=level.nama), level.nama)
        w.cell(row=row, column=3, value=f"capaian {level.rentang} %")
    _print_setup(w, header)


def _counts(evaluation: Evaluation) -> str:
    by = {st: sum(1 for r in evaluation.results if r.status is st) for st in Status}
    return (
        f"{len(evaluation.results)} dokumen: {by[Status.EVALUATED]} dievaluasi, "
        f"{by[Status.NOT_APPLICABLE]} tidak berlaku, {by[Status.REFUSED]} ditolak"
    )


def _set(ws: Any, row: int, column: int, value: object, **style: object) -> object:
    c = ws.cell(row=row, column=column, value=value)
    for k, v in style.items():
        setattr(c, k, v)
    return c


def _target_cell(i: IndikatorResult) -> tuple[object, str | None]:
    if isinstance(i.target, Decimal):
        return _number(i.target), _places_format(i.target)
    return i.target_text or None, None


def _realisasi_cell(i: IndikatorResult) -> tuple[object, str | None]:
    if isinstance(i.realisasi, Decimal):
        return _number(i.realisasi), _places_format(i.realisasi)
    return i.realisasi, None


def _unit_sheet(w: Any, evaluation: Evaluation, r: AgreementResult, s: _XlsxStyles) -> None:
    last = len(UNIT_COLUMNS)
    w.cell(row=1, column=1, value=f"{_title(evaluation)} — {_unit(r)}").font = s.title
    block = (
        ("Unit", _unit(r)),
        ("Perjanjian", f"{r.id} ({_jenis(r)}), berkas {r.file}"),
        ("Pihak Pertama", _signer_full(r, Peran.PIHAK_PERTAMA)),
        ("Pihak Kedua", _signer_full(r, Peran.PIHAK_KEDUA)),
        ("Kode Verifikasi", _code(r)),
        ("Periode", f"{evaluation.periode.label} {evaluation.tahun or ''}".strip()),
    )
    row = 1
    for label, value in block:
        row += 1
        w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        w.merge_cells(start_row=row, start_column=3, end_row=row, end_column=last)
        _set(w, row, 1, label, font=s.bold)
        _set(w, row, 3, value)
    header = row + 2
    _header_row(w, header, UNIT_COLUMNS, s)
    row = header
    n = 0
    for sasaran in r.sasaran:
        first = row + 1
        for i in sasaran.indikator:
            row += 1
            n += 1
            target, target_format = _target_cell(i)
            real, real_format = _realisasi_cell(i)
            values = (
                n,
                sasaran.uraian,
                i.kode,
                i.uraian,
                i.satuan,
                i.arah,
                target,
                real,
                _number(i.capaian),
                i.kategori,
                i.catatan,
            )
            for col, value in enumerate(values, 1):
                _set(w, row, col, value, border=s.border, alignment=s.wrap)
            if target_format:
                w.cell(row=row, column=7).number_format = target_format
            if real_format:
                w.cell(row=row, column=8).number_format = real_format
            w.cell(row=row, column=9).number_format = PERCENT_FORMAT
            s.kategori(w.cell(row=row, column=9), i.kategori)
            s.kategori(w.cell(row=row, column=10), i.kategori)
        if row > first:
            w.merge_cells(start_row=first, start_column=2, end_row=row, end_column=2)
        row += 1
        _mean_row(w, row, SASARAN_MEAN, sasaran.capaian, sasaran.kategori, s, s.italic)
    row += 1
    _mean_row(w, row, UNIT_MEAN, r.capaian, r.kategori, s, s.bold)
    row += 1
    budget = (
        ("Anggaran (Rp)", r.anggaran, RUPIAH_FORMAT),
        ("Realisasi anggaran (Rp)", r.realisasi_anggaran, RUPIAH_FORMAT),
        ("Serapan anggaran (%)", _number(r.serapan), PERCENT_FORMAT),
    )
    for label, value, fmt in budget:
        row += 1
        w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        w.merge_cells(start_row=row, start_column=9, end_row=row, end_column=10)
        _set(w, row, 1, label, font=s.bold)
        _set(w, row, 9, value, number_format=fmt)
    w.freeze_panes = f"A{header + 1}"
    _print_setup(w, header)


def _mean_row(
    w: Any,
    row: int,
    label: str,
    value: Decimal | None,
    kategori: str | None,
    s: _XlsxStyles,
    font: Any,
) -> None:
    for col in range(1, len(UNIT_COLUMNS) + 1):
        w.cell(row=row, column=col).border = s.border
    w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
    _set(w, row, 1, label, font=font, alignment=s.right)
    c = _set(w, row, 9, _number(value), font=font, number_format=PERCENT_FORMAT)
    k = _set(w, row, 10, kategori, font=font)
    s.kategori(c, kategori)
    s.kategori(k, kategori)


# ---------------------------------------------------------------------------------------------
# The chart


def chart_png(
    evaluation: Evaluation, width_mm: float = 180, height_mm: float = 232, dpi: int = 170
) -> bytes:
    """A horizontal bar chart of each evaluated unit's capaian over the category bands (PNG)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MultipleLocator
    from PIL import Image

    units = evaluation.evaluated
    labels = [r.unit_kode or r.file for r in units]
    values = [float(r.capaian) if r.capaian is not None else 0.0 for r in units]
    top = max(120.0, (int(max(values, default=0) + 10) // 10 + 1) * 10.0)
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT, "Arial", "DejaVu Sans"],
        "font.size": 8,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        handles: list[object] = []
        for level in levels(evaluation.rules):
            lo = float(level.bawah) if level.bawah is not None else 0.0
            hi = float(level.atas) if level.atas is not None else top
            ax.axvspan(lo, hi, color=f"#{level.colour}", alpha=0.6, lw=0, zorder=0)
            handles.append(
                Patch(
                    facecolor=f"#{level.colour}",
                    alpha=0.6,
                    label=f"{level.nama} ({level.rentang} %)",
                )
            )
        ax.axvline(100, color="#404040", ls="--", lw=0.8, zorder=1)
        handles.append(Line2D([], [], color="#404040", ls="--", lw=0.8, label="100 % (target)"))
        y = list(range(len(units)))
        ax.barh(y, values, height=0.6, color=f"#{BAR_COLOUR}", zorder=2)
        for n, r in enumerate(units):
            text = _pct(r.capaian) if r.capaian is not None else "belum ada capaian"
            if values[n] >= 15:  # inside the bar's end, clear of the 100 % line
                ax.text(
                    values[n] - 0.8,
                    n,
                    text,
                    va="center",
                    ha="right",
                    fontsize=6.5,
                    color="white",
                    fontweight="bold",
                    zorder=3,
                )
            else:
                ax.text(values[n] + 0.8, n, text, va="center", ha="left", fontsize=6.5, zorder=3)
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_ylim(max(len(units), 1) - 0.5, -0.5)  # the first unit on top, as in the workbook
        ax.set_xlim(0, top)
        ax.xaxis.set_major_locator(MultipleLocator(10))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.angka(int(v))))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Capaian unit (%): rata-rata capaian indikator")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        period = f"{evaluation.periode.label} {evaluation.tahun or ''}".strip()
        ax.set_title(f"Capaian per unit, {period}", fontsize=10, fontweight="bold", loc="left")
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.045),
            ncol=2,
            fontsize=7,
            frameon=False,
            title="Kategori capaian (Permendagri 86/2017)",
            title_fontsize=7,
        )
        canvas.draw()
        image = Image.frombuffer(
            "RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1
        ).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# evaluasi.pdf


def write_pdf(evaluation: Evaluation, path: Path, office: OfficePool | None = None) -> None:
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


def build_docx(evaluation: Evaluation) -> Any:
    """The report as a python-docx Document (converted to PDF by :func:`write_pdf`)."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.shared import Mm

    doc = Document()
    _docx_styles(doc)
    made = evaluation.made.astimezone(dt.UTC) if evaluation.made.tzinfo else evaluation.made
    props = doc.core_properties
    props.title = _title(evaluation)
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


def _docx_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    _font(normal, FONT)
    normal.font.size = Pt(9.5)
    normal.paragraph_format.space_after = Pt(4)
    _lang(normal)
    for name, size in (("Heading 1", 14), ("Heading 2", 11), ("Title", 20)):
        st = doc.styles[name]
        _font(st, FONT)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor.from_string(HEADER_COLOUR)
        st.paragraph_format.space_before = Pt(0 if name == "Heading 1" else 6)
        st.paragraph_format.space_after = Pt(6)
    doc.styles["Title"].paragraph_format.space_after = Pt(10)
    for name, size, bold in (("Tabel", 7.5, False), ("Tabel Kepala", 7.5, True)):
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = Pt(size)
        st.font.bold = bold
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.line_spacing = 1.0
    doc.styles["Tabel Kepala"].font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    st = doc.styles.add_style("Keterangan", WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = normal
    st.font.size = Pt(8.5)
    st.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _font(style: Any, name: str) -> None:
    """Set a style's font for every script, dropping theme fonts that would override it."""
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _lang(style: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "id-ID")
    style.element.get_or_add_rPr().append(lang)


def _page(section: Any, size: tuple[int, int]) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if size[0] > size[1] else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(size[0]), Mm(size[1])
    section.left_margin = section.right_margin = Mm(MARGIN)
    section.top_margin = Mm(MARGIN)
    section.bottom_margin = Mm(MARGIN)
    section.footer_distance = Mm(7)


def _footer(section: Any, evaluation: Evaluation) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.style = "Keterangan"
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"{_title(evaluation)} · Periode {evaluation.periode.label} · halaman ")
    _field(p, "PAGE")
    p.add_run(" dari ")
    _field(p, "NUMPAGES")


def _field(paragraph: Any, instruction: str) -> None:
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


def _title_page(doc: Any, evaluation: Evaluation) -> None:
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
    p = doc.add_paragraph(f"Dibuat {_made(evaluation.made)} oleh kinerja", style="Keterangan")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()

    p = doc.add_paragraph(
        f"{_counts(evaluation)}. Target dibaca dari data yang tertanam dan ditandatangani dalam "
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
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = 1  # centred
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

    refused = [r for r in evaluation.results if r.status is Status.REFUSED]
    if refused:
        doc.add_paragraph("Perjanjian yang ditolak (tidak dievaluasi)", style="Heading 2")
        for r in refused:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(_unit(r)).bold = True
            if r.unit_kode:
                p.add_run(f" ({r.file})")
            p.add_run(f": {r.reason or 'tanpa alasan'}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _summary_table(doc: Any, evaluation: Evaluation) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.add_paragraph("Ringkasan", style="Heading 1")
    doc.add_paragraph(
        "Satu baris per dokumen. Pihak penandatangan dan rincian indikator ada pada halaman "
        "setiap unit; kode verifikasi adalah SHA-256 data perjanjian yang tertanam.",
        style="Keterangan",
    )
    colours = _colours(evaluation.rules)
    table = doc.add_table(rows=1, cols=len(SUMMARY_HEADERS))
    table.style = "Table Grid"
    _widths(table, SUMMARY_WIDTHS)
    _header(table.rows[0], SUMMARY_HEADERS)
    for n, r in enumerate(evaluation.results, 1):
        evaluated = r.status is Status.EVALUATED
        cells = _row(
            table,
            (
                formatting.angka(n),
                "",
                _jenis(r),
                r.status.value,
                _pct(r.capaian) if evaluated else "",
                r.kategori or "",
                _rp(r.anggaran) if evaluated else "",
                _rp(r.realisasi_anggaran) if evaluated else "",
                _pct(r.serapan) if evaluated else "",
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
        else:
            merged = cells[4].merge(cells[8])
            p = merged.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for extra in merged.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
            run = p.add_run(r.reason or r.status.value)
            run.italic = r.status is Status.NOT_APPLICABLE
            run.bold = r.status is Status.REFUSED
            if r.status is Status.REFUSED:
                cells[3].paragraphs[0].runs[0].bold = True


def _code_runs(paragraph: Any, sha256: str | None, size: float) -> None:
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


def _unit_section(doc: Any, evaluation: Evaluation, r: AgreementResult, first: bool) -> None:
    from docx.shared import Pt

    heading = doc.add_paragraph(_unit(r), style="Heading 1")
    heading.paragraph_format.page_break_before = not first
    heading.paragraph_format.keep_with_next = True

    pertama = _signer(r, Peran.PIHAK_PERTAMA)
    kedua = _signer(r, Peran.PIHAK_KEDUA)
    p = doc.add_paragraph()
    p.add_run(f"Angka di bawah berasal dari {_jenis(r)} {r.id} (berkas {r.file})")
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
    run = p.add_run(_code(r))
    run.font.name = MONO
    run.font.size = Pt(8.5)
    p.paragraph_format.keep_with_next = True

    p = doc.add_paragraph()
    p.add_run("Capaian unit: ")
    p.add_run(f"{_pct(r.capaian)} %").bold = True
    if r.kategori:
        p.add_run(f" ({r.kategori})")
    p.add_run(
        f" · Anggaran {_rp(r.anggaran)} · Realisasi anggaran {_rp(r.realisasi_anggaran)} · "
        f"Serapan {_pct(r.serapan)} %"
    )
    p.paragraph_format.keep_with_next = True

    colours = _colours(evaluation.rules)
    table = doc.add_table(rows=1, cols=len(UNIT_COLUMNS))
    table.style = "Table Grid"
    _widths(table, UNIT_WIDTHS)
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
                    _pct(i.capaian),
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


def _mean_docx_row(
    table: Any,
    label: str,
    value: Decimal | None,
    kategori: str | None,
    colours: dict[str, str],
    bold: bool,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cells = _row(table, ("", "", "", "", "", "", "", "", _pct(value), kategori or "", ""), (8,))
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


def _widths(table: Any, widths_mm: Sequence[float]) -> None:
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _header(row: Any, names: Sequence[str]) -> None:
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


def _row(table: Any, texts: Sequence[str], right: Sequence[int]) -> list[Any]:
    """Append a row of plain texts (columns in ``right`` right-aligned); return its cells."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row = table.add_row()
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


def _shade(cell: Any, colour: str | None) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if not colour:
        return
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)
