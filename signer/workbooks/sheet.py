"""Reading sheets of a workbook that staff fill in Excel: columns found by their header, typed
values read as the cells show them, and every problem recorded as "sheet, row, column (header):
what, expected what"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from babel.dates import get_day_names, get_month_names
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from signer.errors import Problem
from signer.model import normalise_text
from signer.workbooks.book import Book, open_book
from signer.workbooks.cells import Percent, is_persen, number_text, plain, problem_of
from signer.workbooks.teks import PANJANG, clean, shown, too_long

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
    warnings: list[Problem] = field(default_factory=list)  # what reading changed in a cell

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

    def usable(self, row: int, header: str, v: object) -> bool:
        """False (and a problem) for a formula with no computed value or an error cell."""
        reason = problem_of(v)
        if reason is not None:
            self.problem(row, header, reason)
        return reason is None

    def filled(
        self, row: int, values: tuple[object, ...], header: str, what: str, *, required: bool
    ) -> object | None:
        """The cell's value, or None with the problem recorded: empty where ``what`` is
        required, or unusable (a formula without its computed value, an error cell)."""
        v = self.raw(values, header)
        if v is None:
            if required:
                self.problem(row, header, f"empty, expected {what}")
            return None
        return v if self.usable(row, header, v) else None

    def text(
        self, row: int, values: tuple[object, ...], header: str, *, required: bool = True
    ) -> str | None:
        v = self.filled(row, values, header, "a text", required=required)
        if v is None:
            return None
        if isinstance(v, (dt.date, dt.datetime)):
            self.problem(row, header, f"a date ({v:%Y-%m-%d}) where a text belongs")
            return None
        if isinstance(v, Decimal):
            v = plain(v)
        text = self.cleaned(row, header, str(v))
        if text == "":
            if required:
                self.problem(row, header, "empty but for invisible characters, expected a text")
            return None
        return text

    def cleaned(self, row: int, header: str, raw: str) -> str | None:
        """``raw`` as it will be printed (see :mod:`signer.workbooks.teks`): each change is a
        warning naming the cell, a character that cannot be printed or a text longer than the
        pages can carry is a problem (and None)."""
        got = clean(raw)
        if got.refused is not None:
            self.problem(row, header, f"cannot be printed: {got.refused}")
            return None
        if got.changes:
            letter = get_column_letter(self.columns[header] + 1) if header in self.columns else None
            said = "; ".join(got.changes)
            self.warnings.append(
                Problem(self.name, row, letter, header, f"{said}: now reads {shown(got.text)}")
            )
        limit = PANJANG.get(header)
        if limit is not None and len(got.text) > limit:
            self.problem(row, header, too_long(got.text, limit))
            return None
        return got.text

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
        self,
        row: int,
        values: tuple[object, ...],
        header: str,
        *,
        required: bool = True,
        satuan: str | None = None,
    ) -> Decimal | None:
        """A number as the cell shows it. A cell formatted as percent, or a text ending in
        '%', is its shown number (95 for 95%) when ``satuan`` counts in percent and refused
        otherwise: 0.95 of an indikator in 'Indeks' is neither 0,95 nor 95 for sure."""
        v = self.filled(row, values, header, "a number", required=required)
        if v is None:
            return None
        percent = isinstance(v, Percent)
        if isinstance(v, Percent):
            number = v.shown
        elif isinstance(v, str):
            try:
                number, percent = number_text(v)
            except ValueError as e:
                reason = str(e)
                if reason == "not a number":
                    reason = "where a number belongs, expected a number typed as a number"
                    reason += " (e.g. 75,5)"
                self.problem(row, header, f"text {v!r} {reason}")
                return None
        elif isinstance(v, Decimal):
            number = v
        else:
            self.problem(
                row,
                header,
                f"{show(v)} where a number belongs, expected a number "
                "typed as a number (e.g. 75,5)",
            )
            return None
        if percent and not is_persen(satuan):
            held = f", the cell holds {v.held}" if isinstance(v, Percent) else ""
            why = f"the satuan is {satuan!r}" if satuan else "this column is no percentage"
            self.problem(
                row,
                header,
                f"{show(v)} is a percentage ({number}%{held}) but {why}: expected the "
                "number itself, in a cell formatted as Number",
            )
            return None
        return number

    def date(
        self, row: int, values: tuple[object, ...], header: str, *, required: bool = True
    ) -> dt.date | None:
        """A date: a date cell, or text as '2 Januari 2027' (see :func:`read_date`)."""
        v = self.filled(row, values, header, "a date", required=required)
        if v is None:
            return None
        try:
            return read_date(v)
        except ValueError as e:
            self.problem(row, header, str(e))
            return None

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
    if isinstance(v, Percent):
        return f"{v} (a cell formatted as percent)"
    if isinstance(v, Decimal):
        return str(plain(v))
    return problem_of(v) or repr(v)


# Month and day names as Babel has them for Indonesian (and English, which some staff type),
# plus the older Indonesian spellings still seen in letters.
def _names() -> tuple[dict[str, int], dict[str, int]]:
    months: dict[str, int] = {"agt": 8, "agust": 8, "pebruari": 2, "peb": 2, "nopember": 11}
    months |= {"nop": 11, "sept": 9}
    days: dict[str, int] = {"jum'at": 4}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            months |= {n.lower(): i for i, n in get_month_names(width, locale=locale).items()}
            days |= {n.lower(): i for i, n in get_day_names(width, locale=locale).items()}
    return months, days


_MONTHS, _DAYS = _names()
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAMED_DATE = re.compile(r"^(?:([^\W\d]+'?[^\W\d]*)\s*,?\s+)?(\d{1,2})\s+([^\W\d]+)\.?\s+(\d{4})$")


def read_date(value: object) -> dt.date:
    """A date as staff type it: a date cell, or text in the Indonesian order: '2 Januari 2027',
    '2 Jan 2027', 'Sabtu, 2 Januari 2027', '02-01-2027' (day first, as Indonesia writes it),
    '02/01/2027', or '2027-01-02'. A day name must agree with the date. Raises ValueError
    with what was found and what was expected."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    expected = "expected a date (a date cell, or text such as 2 Januari 2027 or 02-01-2027)"
    if not isinstance(value, str):
        raise ValueError(f"{show(value)}, {expected}")
    text = " ".join(value.split())
    day_name = None
    if m := _ISO_DATE.match(text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _NUMERIC_DATE.match(text):
        d, mo, y = (int(g) for g in m.groups())
    elif (m := _NAMED_DATE.match(text)) and m.group(3).lower() in _MONTHS:
        day_name = m.group(1)
        d, mo, y = int(m.group(2)), _MONTHS[m.group(3).lower()], int(m.group(4))
    else:
        raise ValueError(f"{show(value)}, {expected}")
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"{show(value)} is no day of the calendar, {expected}") from None
    if day_name is not None:
        weekday = _DAYS.get(day_name.lower())
        if weekday is None:
            raise ValueError(f"{show(value)}: {day_name!r} is not a day name, {expected}")
        if weekday != date.weekday():
            actual = get_day_names("wide", locale="id")[date.weekday()]
            raise ValueError(
                f"{show(value)}: {d} {get_month_names('wide', locale='id')[mo]} {y} is a "
                f"{actual}, not a {day_name}; expected the day and the date to agree"
            )
    return date


def open_workbook(path: Path) -> Book:
    return open_book(path)


def _fill_down(
    sheet: SheetRows,
    header_row: int,
    all_rows: list[tuple[object, ...]],
    merges: list[CellRange],
    fill_down: frozenset[str],
) -> list[tuple[int, tuple[object, ...]]]:
    """Merged cells under the header row. A range down one column of ``fill_down`` (a Sasaran
    or Kode Unit merged over its indikator rows, as staff do) gives its value to every row it
    covers; any other merge touching a column kinerja reads is a problem, since kinerja reads
    one value per row and column."""
    by_index = {idx: h for h, idx in sheet.columns.items()}
    filled: dict[int, dict[int, object]] = {}  # row -> column -> value
    for rng in merges:
        if rng.max_row <= header_row:
            continue  # a title above the table
        cols = range(rng.min_col - 1, rng.max_col)
        touched = [by_index[c] for c in cols if c in by_index]
        if not touched:
            continue  # columns kinerja does not read
        top = all_rows[rng.min_row - 1] if rng.min_row <= len(all_rows) else ()
        shown = top[rng.min_col - 1] if rng.min_col - 1 < len(top) else None
        # every cell of the range gets the value shown in it, so a refused merge is one
        # problem, not one more per covered cell
        for r in range(max(rng.min_row, header_row + 1), rng.max_row + 1):
            for c in cols:
                if (r, c) != (rng.min_row, rng.min_col - 1):
                    filled.setdefault(r, {})[c] = shown
        if rng.min_col == rng.max_col and rng.min_row > header_row and touched[0] in fill_down:
            continue
        sheet.problem(
            rng.min_row,
            touched[0],
            f"cells {rng.coord} are merged; kinerja reads one value per row and column: "
            f"unmerge them and fill the {touched[0].lower()} in each cell",
        )
    rows: list[tuple[int, tuple[object, ...]]] = []
    for i, values in enumerate(all_rows[header_row:], start=header_row + 1):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
            if i in filled:
                cells = list(values)
                for c, v in filled[i].items():
                    cells += [None] * (c + 1 - len(cells))
                    cells[c] = v
                values = tuple(cells)
            rows.append((i, values))
    return rows


def read_sheet(
    book: Book,
    name: str,
    headers: tuple[str, ...],
    optional: set[str],
    problems: list[Problem],
    *,
    fill_down: frozenset[str] = frozenset(),
) -> SheetRows | None:
    """The rows under the header row of sheet ``name``; missing sheet or columns are problems.
    Columns in ``fill_down`` may be merged down over several rows (see :func:`_fill_down`)."""
    title = book.find(name, problems)
    if title is None:
        return None
    all_rows, merges = book.rows(title)
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
    sheet = SheetRows(name, columns, [], problems, warnings=book.warnings)
    for h in headers:
        if h not in columns and h not in optional:
            problems.append(Problem(name, header_row + 1, None, h, "column is missing"))
            sheet.missing.add(h)
    sheet.rows = _fill_down(sheet, header_row + 1, all_rows, merges, fill_down)
    return sheet
