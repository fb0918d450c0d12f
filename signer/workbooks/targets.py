"""The target cells of the Indikator sheet, read by each indikator's arah, and the warning when a
TW IV target is not the yearly target."""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl.utils import get_column_letter

from signer.errors import Problem
from signer.model import Arah, Predikat, Rentang, Target
from signer.workbooks.columns import H_TARGET, H_TW
from signer.workbooks.sheet import SheetRows, show

_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:-|–|—|s\.?\s*d\.?)\s*(\d+(?:[.,]\d+)?)\s*$")


def parse_target(
    sheet: SheetRows,
    row: int,
    values: tuple[object, ...],
    header: str,
    arah: Arah | None,
    skala: tuple[str, ...] | None,
    satuan: str | None,
    *,
    required: bool,
) -> Target | None:
    """A target cell read by the indikator's arah: a number, a range, or a predikat on its
    scale; None (with the problem recorded) when it cannot be read."""
    if arah in (Arah.NAIK, Arah.TURUN):
        return sheet.number(row, values, header, required=required, satuan=satuan)
    v = sheet.filled(row, values, header, "a target", required=required)
    if v is None:
        return None
    if arah is Arah.RENTANG:
        m = _RANGE.match(str(v)) if isinstance(v, str) else None
        if not m:
            sheet.problem(row, header, f"{show(v)}, expected a range such as 69,1 - 69,5")
            return None
        lo, hi = (Decimal(x.replace(",", ".")) for x in m.groups())
        if lo > hi:
            sheet.problem(row, header, f"range {v!r} runs backwards, expected lower - upper")
            return None
        return Rentang(lo, hi)
    if arah is Arah.PREDIKAT:
        text = sheet.cleaned(row, header, str(v))  # as the scale's grades are read
        if text is None:
            return None
        if skala is not None:
            match = {s.lower(): s for s in skala}.get(text.lower())
            if match is None:
                sheet.problem(
                    row, header, f"{text!r} is not on the scale, expected one of {', '.join(skala)}"
                )
                return None
            return Predikat(match)
        return None
    return None


def tw4_differs(sheet: SheetRows, row: int, tw4: Target, target: Target) -> Problem:
    """The TW IV target is where the year ends: unlike the yearly target, one of them is most
    likely mistyped (0,95 for 95, a formula off by a row). A warning, not a refusal: a unit
    may mean it."""
    from signer.formatting import target as shown

    header = H_TW[3]
    column = get_column_letter(sheet.columns[header] + 1)
    return Problem(
        sheet.name,
        row,
        column,
        header,
        f"{shown(tw4)} differs from the yearly {H_TARGET} {shown(target)}; the target of "
        "the last triwulan is normally the yearly target",
    )
