"""Workbooks kinerja writes hold the data as text: no name or indikator becomes a formula.

openpyxl takes any str that starts with "=" as a formula, so a unit named
``=HYPERLINK("http://…","Dinas Kesehatan")`` would be a live link in the evaluation report
(formula injection, OWASP "CSV injection"). Every workbook writer calls :func:`data_as_text`
just before saving: each cell then holds its str as a string cell, exactly as the data has it
(it still shows the same), and a text that a spreadsheet would take as a formula when someone
edits the cell (a leading =, +, -, @, tab or line break) gets Excel's quote prefix, which keeps
it text there too. kinerja's own formulas, if a writer ever has any, are named in ``formulas``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported by the writers, when a workbook is written
    from openpyxl import Workbook

# what Excel, LibreOffice and Google Sheets take as the start of a formula when a cell is typed
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_LEADS)


def data_as_text(wb: Workbook, formulas: Collection[tuple[str, str]] = ()) -> None:
    """Make every str cell of ``wb`` a string cell, except kinerja's own ``formulas``
    ((sheet title, coordinate) pairs), and quote-prefix those that would read as a formula."""
    ours = set(formulas)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or (ws.title, cell.coordinate) in ours:
                    continue
                cell.data_type = "s"  # openpyxl made "=…" a formula ("f"): text it is
                if looks_like_formula(value):
                    cell.quotePrefix = True
