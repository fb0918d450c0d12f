"""Reading sheets of a workbook that staff fill in Excel: columns found by their header, typed
values, and every problem recorded as "sheet, row, column (header): what, expected what"."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from signer.errors import InputError, Problem
from signer.model import normalise_text

KODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

_T = TypeVar("_T")


@dataclass
class SheetRows:
    """Rows of one sheet with its columns found by header; records problems as it goes."""

    name: str
    columns: dict[str, int]  # header -> 0-based column index
    rows: list[tuple[int, tuple[object, ...]]]  # (Excel row number, cell values)
    problems: list[Problem]
    missing: set[str] = field(default_factory=set)  # required columns reported missing once

    def problem(self, row: int | None, header: str | None, message: str) -> None:
        if header in self.missing:
            return  # the missing column is one problem, not one per row
        letter = get_column_letter(self.columns[header] + 1) if header in self.columns else None
        self.problems.append(Problem(self.name, row, letter, header, message))

    def raw(self, values: tuple[object, ...], header: str) -> object:
        idx = self.columns.get(header)
        if idx is None or idx >= len(values):
            return None
        v = values[idx]
        return None if isinstance(v, str) and not v.strip() else v

    def text(
        self, row: int, values: tuple[object, ...], header: str, *, required: bool = True
    ) -> str | None:
        v = self.raw(values, header)
        if v is None:
            if required:
                self.problem(row, header, "empty, expected a text")
            return None
        if isinstance(v, (dt.date, dt.datetime)):
            self.problem(row, header, f"a date ({v:%Y-%m-%d}) where a text belongs")
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return normalise_text(str(v))

    def kode(
        self, row: int, values: tuple[object, ...], header: str, *, required: bool = True
    ) -> str | None:
        v = self.text(row, values, header, required=required)
        if v is not None and not KODE.match(v):
            self.problem(
                row,
                header,
                f"{v!r} is not a code, expected letters, digits, '.', '-' or '_' without spaces",
            )
            return None
        return v

    def number(
        self, row: int, values: tuple[object, ...], header: str, *, required: bool = True
    ) -> Decimal | None:
        v = self.raw(values, header)
        if v is None:
            if required:
                self.problem(row, header, "empty, expected a number")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
            self.problem(
                row,
                header,
                f"{show(v)} where a number belongs, expected a number "
                "typed as a number (e.g. 75,5)",
            )
            return None
        # repr() of a float is its shortest exact form: 75.5, not 75.5000000000000001
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)

    def choice(
        self,
        row: int,
        values: tuple[object, ...],
        header: str,
        allowed: dict[str, _T],
        *,
        required: bool = True,
    ) -> _T | None:
        v = self.text(row, values, header, required=required)
        if v is None:
            return None
        found = allowed.get(v.lower())
        if found is None:
            options = ", ".join(sorted({str(k) for k in allowed}))
            self.problem(row, header, f"unknown value {v!r}, expected one of: {options}")
        return found


def show(v: object) -> str:
    if isinstance(v, str):
        return f"text {v!r}"
    if isinstance(v, (dt.date, dt.datetime)):
        return f"a date ({v:%Y-%m-%d})"
    return repr(v)


def open_workbook(path: Path) -> Workbook:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected an Excel workbook (.xlsx)")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        reason = "not a zip archive" if isinstance(e, zipfile.BadZipFile) else str(e).split("\n")[0]
        raise InputError(f"{path}: not an Excel workbook (.xlsx) ({reason})") from None


def read_sheet(
    wb: Workbook, name: str, headers: tuple[str, ...], optional: set[str], problems: list[Problem]
) -> SheetRows | None:
    """The rows under the header row of sheet ``name``; missing sheet or columns are problems."""
    if name not in wb.sheetnames:
        problems.append(Problem(name, None, None, None, "sheet is missing"))
        return None
    ws = wb[name]
    all_rows = list(ws.iter_rows(min_row=1, values_only=True))
    # the header row is the first row that holds any of the expected headers
    header_row = None
    for i, values in enumerate(all_rows[:10]):
        texts = {normalise_text(str(v)).lower() for v in values if v is not None}
        if any(h.lower() in texts for h in headers):
            header_row = i
            break
    if header_row is None:
        problems.append(
            Problem(
                name, 1, None, None, f"no header row, expected the headers {', '.join(headers)}"
            )
        )
        return None
    columns: dict[str, int] = {}
    for idx, v in enumerate(all_rows[header_row]):
        if v is None:
            continue
        text = normalise_text(str(v)).lower()
        for h in headers:
            if h.lower() == text and h not in columns:
                columns[h] = idx
    sheet = SheetRows(name, columns, [], problems)
    for h in headers:
        if h not in columns and h not in optional:
            problems.append(Problem(name, header_row + 1, None, h, "column is missing"))
            sheet.missing.add(h)
    for i, values in enumerate(all_rows[header_row + 1 :], start=header_row + 2):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
            sheet.rows.append((i, values))
    return sheet
