"""Checks across the rows of the ceremony workbook: no two documents share an id (it is their
file name), and no unit has more indikator rows than a lampiran can hold."""

from __future__ import annotations

from dataclasses import dataclass

from signer.errors import Problem
from signer.model import Agreement
from signer.workbooks.archive import MAX_INDIKATOR_PER_UNIT
from signer.workbooks.columns import H_KODE_UNIT, INDIKATOR
from signer.workbooks.sheet import SheetRows


@dataclass(frozen=True)
class Origin:
    """The row an agreement is read from, for naming it in a problem."""

    sheet: SheetRows | None
    row: int
    header: str
    what: str


def same_ids(agreements: list[Agreement], origins: list[Origin]) -> None:
    """Two documents must never share an id (it is their file name: one would overwrite the
    other): codes that differ only in case or punctuation (DIN.KES, DIN-KES, dinkes) give one
    id. Named at the later row, with the earlier one."""
    first: dict[str, Origin] = {}
    for a, here in zip(agreements, origins, strict=True):
        seen = first.setdefault(a.id, here)
        if seen is not here and here.sheet is not None and seen.sheet is not None:
            here.sheet.problem(
                here.row,
                here.header,
                f"{here.what} gets the document id {a.id}, as {seen.what} (sheet "
                f"{seen.sheet.name}, row {seen.row}) does: codes that differ only in case or "
                "punctuation give one id, expected codes that differ in letters or digits",
            )


def too_many_indikator(sheet: SheetRows | None, problems: list[Problem]) -> bool:
    """Whether a unit has more indikator rows than any lampiran can hold (a problem naming
    the unit and the count): :data:`~signer.workbooks.archive.MAX_INDIKATOR_PER_UNIT`."""
    if sheet is None:
        return False
    counts: dict[str, tuple[int, int]] = {}  # unit as typed -> (first row, rows)
    for row, values in sheet.rows:
        unit = sheet.raw(values, H_KODE_UNIT)
        if unit is not None:
            key = " ".join(str(unit).split()).upper()
            first, n = counts.get(key, (row, 0))
            counts[key] = (first, n + 1)
    over = [(k, first, n) for k, (first, n) in counts.items() if n > MAX_INDIKATOR_PER_UNIT]
    for unit, first, n in over:
        problems.append(
            Problem(
                INDIKATOR,
                first,
                None,
                H_KODE_UNIT,
                f"unit {unit[:40]!r} has {n:,} indikator rows, over the limit of "
                f"{MAX_INDIKATOR_PER_UNIT} a lampiran can hold; is the sheet filled as meant?",
            )
        )
    return bool(over)
