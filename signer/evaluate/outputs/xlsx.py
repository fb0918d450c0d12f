"""evaluasi.xlsx: a summary sheet and a sheet per unit, numbers as numbers, ready to print."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from signer import fsio
from signer.evaluate.capaian import Rules
from signer.evaluate.outputs.common import (
    PERCENT_FORMAT,
    RUPIAH_FORMAT,
    SASARAN_MEAN,
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    UNIT_COLUMNS,
    UNIT_MEAN,
    anggaran_note,
    band_colours,
    code,
    counts,
    jenis,
    keterangan,
    levels,
    made,
    number,
    places_format,
    shown,
    signer_full,
    signer_name,
    summary_line,
    title,
    unit,
)
from signer.evaluate.results import AgreementResult, Evaluation, IndikatorResult, Status
from signer.model import Peran
from signer.workbooks.columns import HEADER_FILL, HEADER_FONT
from signer.xlsxtext import data_as_text

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not with this module
    from openpyxl.cell import Cell, MergedCell
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

# what this module writes into a cell (a subset of what openpyxl accepts; the stubs' alias for
# that, _CellSetValue, is private)
_CellValue: TypeAlias = str | int | float | None


def write(evaluation: Evaluation, path: Path) -> None:
    """Write the evaluation workbook: ``Ringkasan`` first, then one sheet per evaluated unit."""
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    styles = _XlsxStyles(evaluation.rules)
    summary = wb.active
    assert isinstance(summary, Worksheet)  # a new workbook's one sheet
    summary.title = SUMMARY_SHEET
    titles = _sheet_titles(evaluation.results)
    _summary_sheet(summary, evaluation, titles, styles)
    for n, r in enumerate(evaluation.results):
        if n in titles:
            _unit_sheet(wb.create_sheet(titles[n]), evaluation, r, styles)

    made = evaluation.made.astimezone(dt.UTC) if evaluation.made.tzinfo else evaluation.made
    made = made.replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "kinerja"
    wb.properties.title = title(evaluation)
    wb.properties.language = "id-ID"
    wb.properties.created = wb.properties.modified = made
    data_as_text(wb)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook: it stamps "modified" with now
    fsio.write_bytes(Path(path), _stable_zip(buf.getvalue(), made))


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
        self.header_font = HEADER_FONT
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
            name: PatternFill("solid", fgColor=colour)
            for name, colour in band_colours(rules).items()
        }
        self.levels = levels(rules)

    def kategori(self, cell: Cell | MergedCell, name: str | None) -> None:
        if name in self.fills:
            cell.fill = self.fills[name]


def _header_row(
    ws: Worksheet, row: int, columns: Sequence[tuple[str, int | None]], s: _XlsxStyles
) -> None:
    """A styled header row; a column's width is set where one is given (None: the sheet's)."""
    from openpyxl.utils import get_column_letter

    for i, (name, width) in enumerate(columns, 1):
        c = ws.cell(row=row, column=i, value=name)
        c.fill, c.font, c.alignment, c.border = (
            s.header_fill,
            s.header_font,
            s.header_alignment,
            s.border,
        )
        if width is not None:
            ws.column_dimensions[get_column_letter(i)].width = width


def _print_setup(ws: Worksheet, title_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    fit = ws.sheet_properties.pageSetUpPr
    assert fit is not None  # openpyxl makes one with every sheet
    fit.fitToPage = True
    ws.print_title_rows = f"{title_row}:{title_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    footer = ws.oddFooter
    assert footer is not None  # openpyxl makes one with every sheet
    footer.center.text = "Halaman &P dari &N"
    footer.left.text = "&A"


def _summary_sheet(
    w: Worksheet, evaluation: Evaluation, titles: dict[int, str], s: _XlsxStyles
) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    w.cell(row=1, column=1, value=title(evaluation)).font = s.title
    w.cell(
        row=2,
        column=1,
        value=f"Periode {evaluation.periode.label} · dibuat {made(evaluation.made)} · "
        f"{counts(evaluation)}",
    )
    header = 4
    _header_row(w, header, SUMMARY_COLUMNS, s)
    text_columns = {2, 3, 4, 5, 7, 11, 12, 13, 14, 15}
    row = header
    for n, r in enumerate(evaluation.results):
        row += 1
        evaluated = r.status is Status.EVALUATED
        values: list[_CellValue] = [
            n + 1,
            r.unit_kode,
            r.unit_nama,
            jenis(r),
            r.status.value,
            shown(r.capaian),
            r.kategori,
            r.anggaran if evaluated else None,
            r.realisasi_anggaran,
            shown(r.serapan),
            code(r) or None,
            signer_name(r, Peran.PIHAK_PERTAMA) or None,
            signer_name(r, Peran.PIHAK_KEDUA) or None,
            keterangan(r),
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
            w.cell(row=row, column=5).font = s.bold if r.status.failed else s.italic
        if n in titles:
            link = w.cell(row=row, column=2)
            sheet = titles[n].replace("'", "''")  # a quote in a sheet name is doubled
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!A1")
            link.font = s.link
    last = get_column_letter(len(SUMMARY_COLUMNS))
    w.auto_filter.ref = f"A{header}:{last}{max(row, header + 1)}"
    w.freeze_panes = f"D{header + 1}"
    # the whole: each unit once (only the agreement in force), unfilled budgets left out
    t = evaluation.totals
    row += 2
    w.cell(row=row, column=2, value="Jumlah").font = s.bold
    totals: tuple[tuple[str, _CellValue, str | None], ...] = (
        ("Unit dievaluasi", t.unit, None),
        ("Rata-rata capaian unit (%)", shown(t.capaian), PERCENT_FORMAT),
        ("Kategori", t.kategori, None),
        ("Anggaran seluruh unit (Rp)", t.anggaran, RUPIAH_FORMAT),
        ("Anggaran unit yang realisasinya terisi (Rp)", t.anggaran_terisi, RUPIAH_FORMAT),
        ("Realisasi anggaran (Rp)", t.realisasi_anggaran, RUPIAH_FORMAT),
        ("Serapan anggaran (%)", shown(t.serapan), PERCENT_FORMAT),
        ("Unit dengan realisasi anggaran belum diisi", t.anggaran_belum_diisi, None),
        ("Unit yang melebihi pagu", t.melebihi_pagu, None),
    )
    for label, value, fmt in totals:
        row += 1
        w.cell(row=row, column=2, value=label)
        c = w.cell(row=row, column=3, value=value)
        if fmt:
            c.number_format = fmt
        if label == "Kategori":
            s.kategori(c, t.kategori)
    w.cell(row=row + 1, column=2, value=summary_line(evaluation)).font = s.italic
    row += 1
    # the categories, below the table
    row += 2
    w.cell(row=row, column=2, value="Kategori capaian").font = s.bold
    for level in s.levels:
        row += 1
        s.kategori(w.cell(row=row, column=2, value=level.nama), level.nama)
        w.cell(row=row, column=3, value=f"capaian {level.rentang} %")
    _print_setup(w, header)


def _set(ws: Worksheet, row: int, column: int, value: _CellValue, **style: object) -> Cell:
    c = ws.cell(row=row, column=column, value=value)
    for k, v in style.items():
        setattr(c, k, v)
    return c


def _target_cell(i: IndikatorResult) -> tuple[_CellValue, str | None]:
    if isinstance(i.target, Decimal):
        return number(i.target), places_format(i.target)
    return i.target_text or None, None


def _realisasi_cell(i: IndikatorResult) -> tuple[_CellValue, str | None]:
    if isinstance(i.realisasi, Decimal):
        return number(i.realisasi), places_format(i.realisasi)
    return i.realisasi, None


def _unit_sheet(w: Worksheet, evaluation: Evaluation, r: AgreementResult, s: _XlsxStyles) -> None:
    last = len(UNIT_COLUMNS)
    w.cell(row=1, column=1, value=f"{title(evaluation)} — {unit(r)}").font = s.title
    block = (
        ("Unit", unit(r)),
        (
            "Perjanjian",
            f"{r.id} ({jenis(r)}), berkas {r.file}"
            + (f"; menggantikan {r.menggantikan}" if r.menggantikan else ""),
        ),
        ("Pihak Pertama", signer_full(r, Peran.PIHAK_PERTAMA)),
        ("Pihak Kedua", signer_full(r, Peran.PIHAK_KEDUA)),
        ("Kode Verifikasi", code(r)),
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
                shown(i.capaian),
                i.kategori,
                i.catatan,
            )
            for col, cell_value in enumerate(values, 1):
                _set(w, row, col, cell_value, border=s.border, alignment=s.wrap)
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
        ("Serapan anggaran (%)", shown(r.serapan), PERCENT_FORMAT),
    )
    for label, amount, fmt in budget:
        row += 1
        w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        w.merge_cells(start_row=row, start_column=9, end_row=row, end_column=10)
        _set(w, row, 1, label, font=s.bold)
        _set(w, row, 9, amount, number_format=fmt)
    note = anggaran_note(r)
    if note:
        row += 1
        w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        _set(w, row, 1, note, font=s.italic)
    if r.program:
        row += 2
        _program_rows(w, row, r, s)
    w.freeze_panes = f"A{header + 1}"
    _print_setup(w, header)


def _mean_row(
    w: Worksheet,
    row: int,
    label: str,
    value: Decimal | None,
    kategori: str | None,
    s: _XlsxStyles,
    font: Font,
) -> None:
    for col in range(1, len(UNIT_COLUMNS) + 1):
        w.cell(row=row, column=col).border = s.border
    w.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
    _set(w, row, 1, label, font=font, alignment=s.right)
    c = _set(w, row, 9, shown(value), font=font, number_format=PERCENT_FORMAT)
    k = _set(w, row, 10, kategori, font=font)
    s.kategori(c, kategori)
    s.kategori(k, kategori)


PROGRAM_COLUMNS = (
    "No",
    "Kode Program",
    "Program",
    "Anggaran (Rp)",
    "Realisasi Anggaran (Rp)",
    "Serapan (%)",
    "Keterangan",
)


def _program_rows(w: Worksheet, header: int, r: AgreementResult, s: _XlsxStyles) -> None:
    """Per program: pagu, spent (empty when not filled, never 0), absorption, over the pagu."""
    _header_row(w, header, [(name, None) for name in PROGRAM_COLUMNS], s)  # the unit's widths
    for n, p in enumerate(r.program, 1):
        row = header + n
        note = (
            "belum diisi" if p.realisasi is None else "melebihi pagu" if p.melebihi_pagu else None
        )
        values = (n, p.kode, p.uraian, p.anggaran, p.realisasi, shown(p.serapan), note)
        for col, value in enumerate(values, 1):
            _set(w, row, col, value, border=s.border, alignment=s.wrap)
        w.cell(row=row, column=4).number_format = RUPIAH_FORMAT
        w.cell(row=row, column=5).number_format = RUPIAH_FORMAT
        w.cell(row=row, column=6).number_format = PERCENT_FORMAT
