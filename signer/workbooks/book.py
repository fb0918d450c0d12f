"""An opened workbook: its sheets found by name as staff type them, and each sheet's rows as the
cells show them (:mod:`signer.workbooks.cells`), with its formulas and merged cells.

The workbook is opened read-only with cached values (fast, and what Excel last showed). Formulas
need a second, formula view of the file; it is opened only for a sheet whose XML holds a formula
at all, so a workbook without formulas is read once. Read-only sheets do not expose merged
cells, so those are taken from the sheet's XML, where they are listed after the rows.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import CellRange

from signer.errors import InputError, Problem
from signer.workbooks.cells import ErrorValue, Uncomputed, shown_number

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def sheet_key(name: str) -> str:
    """A sheet name as staff mean it: case and spacing do not matter ('unit ', 'UNIT')."""
    return " ".join(name.split()).casefold()


@dataclass
class Book:
    path: Path
    wb: Workbook
    warnings: list[Problem] = field(default_factory=list)
    _formula_view: Workbook | None = None

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

    def _xml(self, title: str) -> bytes:
        # read-only worksheets keep their part name privately; nothing public names it
        ws = self.wb[title]
        part = getattr(ws, "_worksheet_path", None)
        archive = getattr(self.wb, "_archive", None)
        if not isinstance(part, str) or not isinstance(archive, zipfile.ZipFile):
            return b""
        return archive.read(part)

    def _formulas(self, title: str) -> dict[tuple[int, int], str]:
        """(row, 0-based column) -> formula text, of every formula cell of the sheet."""
        if self._formula_view is None:
            self._formula_view = load_workbook(self.path, read_only=True, data_only=False)
        out: dict[tuple[int, int], str] = {}
        for r, cells in enumerate(self._formula_view[title].iter_rows(), 1):
            for c, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    text = getattr(cell.value, "text", cell.value)  # an ArrayFormula has .text
                    out[r, c] = str(text) if str(text).startswith("=") else f"={text}"
        return out

    def rows(self, title: str) -> tuple[list[tuple[object, ...]], list[CellRange]]:
        """The rows of a sheet (the first is row 1) as its cells show, and its merged ranges.

        A number becomes a Decimal, or a :class:`Percent` in a percent-formatted cell; a
        formula without a cached value an :class:`Uncomputed`; an error an :class:`ErrorValue`.
        """
        xml = self._xml(title)
        formulas = self._formulas(title) if _FORMULA.search(xml) else {}
        merges = [CellRange(m.decode()) for m in _MERGE.findall(xml)]
        out: list[tuple[object, ...]] = []
        for r, cells in enumerate(self.wb[title].iter_rows(), 1):
            values: list[object] = []
            for c, cell in enumerate(cells):
                v = cell.value
                if v is None:
                    formula = formulas.get((r, c)) if formulas else None
                    values.append(Uncomputed(formula) if formula else None)
                elif type(v) is str:  # an error such as #DIV/0! comes as text of type "e"
                    error = cell.data_type == "e"
                    values.append(ErrorValue(v, formulas.get((r, c))) if error else v)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    computed = (r, c) in formulas if formulas else False
                    values.append(shown_number(v, cell.number_format, formula=computed))
                else:
                    values.append(v)
            out.append(tuple(values))
        return out, merges

    def close(self) -> None:
        self.wb.close()
        if self._formula_view is not None:
            self._formula_view.close()


def open_book(path: Path) -> Book:
    """Open a workbook to read; a missing file, a folder or a non-workbook is bad input."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected an Excel workbook (.xlsx)")
    try:
        return Book(path, load_workbook(path, read_only=True, data_only=True))
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        reason = "not a zip archive" if isinstance(e, zipfile.BadZipFile) else str(e).split("\n")[0]
        raise InputError(f"{path}: not an Excel workbook (.xlsx) ({reason})") from None
