"""An opened workbook: its sheets found by name as staff type them, and each sheet's rows as the
cells show them (:mod:`signer.workbooks.cells`), with its formulas and merged cells.

Before openpyxl sees the file, its zip is held to the bounds of :mod:`.archive` (a zip bomb is
refused from the zip's directory). The workbook is then opened read-only with cached values
(fast, and what Excel last showed). A sheet's rows are parsed from its XML by openpyxl's own
sheet parser, not through the read-only sheet's rows: those trust the sheet's declared
``<dimension>``, which drops the rows below a dimension declared too small (Excel shows them) and
pads every row to a forged ``A1:XFD1048576`` (17 billion cells from a 33 KB file). Here every
row with data is read, wherever the dimension says the sheet ends, and a sheet with data beyond
:data:`~.archive.MAX_ROWS`, :data:`~.archive.MAX_COLUMNS` or :data:`~.archive.MAX_CELLS` is
refused. Formulas are read by a second pass over the same XML (without cached values), only for
a sheet whose XML holds a formula at all. Merged cells are taken from the sheet's XML.

Whatever openpyxl raises on a malformed part (it may raise almost anything) becomes one
:class:`InputError` naming the file and the sheet; only the calls into openpyxl are guarded, so
a fault of kinerja's own still shows as one.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange

from signer.errors import InputError, KinerjaError, Problem
from signer.workbooks.archive import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, check_archive
from signer.workbooks.cells import ErrorValue, Uncomputed, shown_number

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def sheet_key(name: str) -> str:
    """A sheet name as staff mean it: case and spacing do not matter ('unit ', 'UNIT')."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class _Cell:
    """One cell with a value, as openpyxl parsed it."""

    column: int  # 1-based
    value: object
    data_type: str
    number_format: str


@contextmanager
def _parsing(path: Path, part: str) -> Iterator[None]:
    """Any error while openpyxl parses ``part`` of the workbook as one line of bad input; its
    warnings (a date serial out of range, an unsupported extension) are not printed: what
    matters of them shows in the values read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except KinerjaError:
        raise
    except Exception as e:  # openpyxl, lxml, expat, zipfile, zlib: anything, see the docstring
        while e.__cause__ or e.__context__:  # openpyxl rewraps: "could not read worksheets"
            e = e.__cause__ or e.__context__  # type: ignore[assignment]
        reason = (str(e).split("\n")[0] or e.__class__.__name__)[:200]
        if e.__class__.__module__.startswith("defusedxml"):
            raise InputError(
                f"{path}: {part} declares XML entities or a DOCTYPE ({e.__class__.__name__}), "
                "which Excel never writes; refused unread"
            ) from None
        raise InputError(
            f"{path}: {part} is damaged or not as Excel writes it, kinerja cannot read it "
            f"({e.__class__.__name__}: {reason}); open and save it again in Excel"
        ) from None


@dataclass
class Book:
    path: Path
    wb: Workbook
    warnings: list[Problem] = field(default_factory=list)

    @property
    def sheetnames(self) -> list[str]:
        return list(self.wb.sheetnames)

    def has(self, name: str) -> bool:
        """Whether a sheet of that name exists, in any case and spacing."""
        return any(sheet_key(s) == sheet_key(name) for s in self.wb.sheetnames)

    def find(self, name: str, problems: list[Problem] | None) -> str | None:
        """The title of sheet ``name``. A sheet named so but for case and spaces ('unit ') is
        taken, with a warning; a missing one is a problem (when ``problems`` is given) that
        lists the sheets there are and the nearest name."""
        if name in self.wb.sheetnames:
            return name
        same = [s for s in self.wb.sheetnames if sheet_key(s) == sheet_key(name)]
        if len(same) == 1:
            self.warnings.append(
                Problem(name, None, None, None, f"read from the sheet named {same[0]!r}")
            )
            return same[0]
        if problems is None:
            return None
        if same:
            message = f"sheets {', '.join(map(repr, same))} could each be it, expected one"
        else:
            found = ", ".join(repr(s) for s in self.wb.sheetnames) or "none"
            message = f"sheet is missing; the workbook has {found}"
            near = difflib.get_close_matches(sheet_key(name), map(sheet_key, self.wb.sheetnames))
            if near:
                nearest = next(s for s in self.wb.sheetnames if sheet_key(s) == near[0])
                message += f"; the nearest is {nearest!r}: rename it to {name!r}"
        problems.append(Problem(name, None, None, None, message))
        return None

    def _part(self, title: str) -> tuple[Any, str, zipfile.ZipFile]:
        # read-only worksheets keep their part name privately; nothing public names it
        ws = self.wb[title]
        part = getattr(ws, "_worksheet_path", None)
        archive = getattr(self.wb, "_archive", None)
        if not isinstance(part, str) or not isinstance(archive, zipfile.ZipFile):
            raise InputError(f"{self.path}: sheet {title!r} has no part in the workbook's zip")
        return ws, part, archive

    def _cells(self, title: str, *, data_only: bool) -> dict[int, list[_Cell]]:
        """Row number -> the cells of that row that hold a value (a formula, with
        ``data_only=False``), of every row of the sheet's XML, whatever its dimension says."""
        ws, part, archive = self._part(title)
        wb: Any = self.wb
        where = f"sheet {title!r} ({part})"
        out: dict[int, list[_Cell]] = {}
        count = 0
        with _parsing(self.path, where), archive.open(part) as source:
            parser = WorkSheetParser(
                source,
                getattr(ws, "_shared_strings", []),
                data_only=data_only,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            for row, parsed in parser.parse():
                cells: list[_Cell] = []
                for c in parsed:
                    if c["value"] is None:
                        continue  # a styled empty cell: nothing shows
                    column = int(c["column"])
                    if row > MAX_ROWS or column > MAX_COLUMNS:
                        self._too_large(title, f"has data in cell {_ref(row, column)}")
                    count += 1
                    if count > MAX_CELLS:
                        self._too_large(title, f"has more than {MAX_CELLS:,} cells with data")
                    cells.append(
                        _Cell(column, c["value"], c["data_type"], self._format(c["style_id"]))
                    )
                if cells:
                    out.setdefault(row, []).extend(cells)
        return out

    def _format(self, style_id: object) -> str:
        """The number format of a cell's style, as openpyxl's read-only cell finds it."""
        wb: Any = self.wb
        if not style_id:
            style_id = 0
        styles = wb._cell_styles
        if not isinstance(style_id, int) or not 0 <= style_id < len(styles):
            return "General"  # Excel shows a cell of an unknown style in the default one
        number_format = styles[style_id].numFmtId
        if number_format < BUILTIN_FORMATS_MAX_SIZE:
            return str(BUILTIN_FORMATS.get(number_format, "General"))
        custom = wb._number_formats
        index = number_format - BUILTIN_FORMATS_MAX_SIZE
        return str(custom[index]) if 0 <= index < len(custom) else "General"

    def _too_large(self, title: str, what: str) -> None:
        raise InputError(
            f"{self.path}: sheet {title!r} {what}; kinerja reads at most {MAX_ROWS:,} rows "
            f"and {MAX_COLUMNS} columns ({get_column_letter(MAX_COLUMNS)}) per sheet, far more "
            "than a ceremony needs: delete what is beyond"
        )

    def _xml(self, title: str) -> bytes:
        _, part, archive = self._part(title)
        with _parsing(self.path, f"sheet {title!r} ({part})"):
            return archive.read(part)

    def _formulas(self, title: str) -> dict[tuple[int, int], str]:
        """(row, 0-based column) -> formula text, of every formula cell of the sheet."""
        out: dict[tuple[int, int], str] = {}
        for r, cells in self._cells(title, data_only=False).items():
            for cell in cells:
                if cell.data_type == "f":
                    text = getattr(cell.value, "text", cell.value)  # an ArrayFormula has .text
                    text = str(text)
                    out[r, cell.column - 1] = text if text.startswith("=") else f"={text}"
        return out

    def rows(self, title: str) -> tuple[list[tuple[object, ...]], list[CellRange]]:
        """The rows of a sheet (the first is row 1) as its cells show, and its merged ranges.

        A number becomes a Decimal, or a :class:`Percent` in a percent-formatted cell; a
        formula without a cached value an :class:`Uncomputed`; an error an :class:`ErrorValue`.
        """
        xml = self._xml(title)
        formulas = self._formulas(title) if _FORMULA.search(xml) else {}
        refs = [m.decode() for m in _MERGE.findall(xml)]
        del xml
        parsed = self._cells(title, data_only=True)
        by_row: dict[int, dict[int, str]] = {}  # a formula without a cached value has no cell
        for (fr, fc), formula in formulas.items():  # in the cached view, yet it shows
            by_row.setdefault(fr, {})[fc] = formula
        last = max((*parsed, *by_row), default=0)
        slots = 0
        out: list[tuple[object, ...]] = []
        for r in range(1, last + 1):
            cells, uncomputed = parsed.get(r, []), by_row.get(r, {})
            width = max((*(c.column for c in cells), *(c + 1 for c in uncomputed)), default=0)
            slots += width
            if slots > MAX_CELLS:
                self._too_large(title, f"spans more than {MAX_CELLS:,} cells")
            values: list[object] = [None] * width
            for c, formula in uncomputed.items():
                values[c] = Uncomputed(formula)
            for cell in cells:
                c, v = cell.column - 1, cell.value
                if type(v) is str:  # an error such as #DIV/0! comes as text of type "e"
                    error = cell.data_type == "e"
                    values[c] = ErrorValue(v, formulas.get((r, c))) if error else v
                elif isinstance(v, (int, float)) and not _excel_number(v):
                    values[c] = ErrorValue("#NUM!", formulas.get((r, c)))  # as Excel shows it
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    computed = (r, c) in formulas if formulas else False
                    values[c] = shown_number(v, cell.number_format, formula=computed)
                else:
                    values[c] = v
            out.append(tuple(values))
        widest = max((len(v) for v in out), default=0)
        return out, self._merges(title, refs, len(out), widest)

    def _merges(self, title: str, refs: list[str], rows: int, columns: int) -> list[CellRange]:
        """The merged ranges, cut to the rows and columns that hold anything: a range merged
        down a whole column (A2:A1048576) covers nothing more that kinerja could read, and
        walking it cell by cell would take minutes."""
        merges: list[CellRange] = []
        for ref in refs:
            try:
                bounds = range_boundaries(ref)
                if None in bounds:
                    raise ValueError(ref)
                min_col, min_row, max_col, max_row = (int(b or 0) for b in bounds)
                if min_col > max_col or min_row > max_row:
                    raise ValueError(ref)
            except (ValueError, TypeError):
                raise InputError(
                    f"{self.path}: sheet {title!r}: merged cells {ref[:40]!r} are not a range "
                    "Excel writes; open and save the workbook again in Excel"
                ) from None
            if min_row <= rows and min_col <= columns:
                merges.append(
                    CellRange(
                        min_col=min_col,
                        min_row=min_row,
                        max_col=min(max_col, columns),
                        max_row=min(max_row, rows),
                    )
                )
        return merges

    def close(self) -> None:
        self.wb.close()


def _excel_number(v: int | float) -> bool:
    """Whether Excel can hold ``v`` (a double): openpyxl reads '1e999' as inf and a 400-digit
    <v> as an int, where Excel shows #NUM!."""
    return math.isfinite(v) if isinstance(v, float) else abs(v) <= _EXCEL_MAX


_EXCEL_MAX = int(sys.float_info.max)


def _ref(row: int, column: int) -> str:
    letters = get_column_letter(column) if column <= 18278 else f"column {column:,} "
    return f"{letters}{row}"


def open_book(path: Path) -> Book:
    """Open a workbook to read; a missing file, a folder, a non-workbook or one beyond the
    bounds of :mod:`.archive` is bad input, one line."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected an Excel workbook (.xlsx)")
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file, expected an Excel workbook (.xlsx)")
    check_archive(path)
    with _parsing(path, "the workbook"):
        return Book(path, load_workbook(path, read_only=True, data_only=True))
