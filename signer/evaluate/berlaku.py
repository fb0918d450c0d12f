"""The agreement in force: of a unit's PK and its PK Perubahan, the one whose targets and budget
count for the period evaluated.

A revision (``perubahan_ke`` 1, 2, ...) replaces the earlier agreement of its unit and year from
its date (``Agreement.tanggal``) on. For the year, the newest revision is in force; for a
triwulan, the newest one dated on or before the triwulan's last day (or, when every document is
dated later, the earliest). The others are "diganti" (replaced, with the id of the revision that
replaced it) or, dated after the triwulan, "belum berlaku". Which document a revision replaces
is what its signed data names (``menggantikan``: id and verification code) when it names one,
else the one before it of the same unit and year. So a unit is evaluated once, and its budget
counted once, whatever else lies in the folder.

Two documents of one unit, year and ``perubahan_ke`` (two copies, or two different agreements
each claiming the same place) leave no way to tell which binds: an error naming both files.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from signer import formatting
from signer.errors import InputError
from signer.evaluate.results import AgreementResult, Periode, Status
from signer.model import Agreement

Item = tuple[str, Agreement, str]  # (file, agreement, sha256 of its embedded data)


@dataclass(frozen=True)
class InForce:
    agreements: tuple[Item, ...]  # one per unit: the agreement in force
    results: tuple[AgreementResult, ...]  # the replaced, the not yet in force
    menggantikan: dict[str, str]  # file of an agreement in force -> id of the one it replaces


def akhir(tahun: int, periode: Periode) -> dt.date | None:
    """The last day of the period (None for the year: the newest revision is in force)."""
    triwulan = periode.triwulan
    if triwulan is None:
        return None
    month = 3 * triwulan
    return dt.date(tahun, month, calendar.monthrange(tahun, month)[1])


def _rank(item: Item) -> int:
    return item[1].perubahan_ke or 0


def pick(items: Sequence[Item], periode: Periode) -> InForce:
    """The agreement in force per unit among ``items`` (all of one pemda and year)."""
    by_unit: dict[tuple[str, int], list[Item]] = {}
    for item in items:
        by_unit.setdefault((item[1].unit.kode, item[1].tahun), []).append(item)
    _refuse_duplicates(by_unit)
    chosen: list[Item] = []
    others: list[AgreementResult] = []
    links: dict[str, str] = {}
    for (_, tahun), unit_items in sorted(by_unit.items()):
        chain = sorted(unit_items, key=_rank)
        end = akhir(tahun, periode)
        started = [i for i in chain if end is None or i[1].tanggal <= end]
        current = started[-1] if started else chain[0]
        before = _predecessors(chain)
        after = {before[i[0]][0]: i for i in chain if i[0] in before}  # file -> its successor
        chosen.append(current)
        replaced = _replaced_id(current, before)
        if replaced:
            links[current[0]] = replaced
        for item in chain:
            if item is current:
                continue
            if _rank(item) < _rank(current):
                successor = after.get(item[0]) or next(i for i in chain if _rank(i) > _rank(item))
                others.append(_superseded(item, successor, before))
            else:
                others.append(
                    _result(
                        item,
                        Status.NOT_YET,
                        f"berlaku sejak {formatting.tanggal(item[1].tanggal)}, setelah akhir "
                        f"{periode.label}; yang berlaku {current[1].id}",
                        menggantikan=_replaced_id(item, before),
                    )
                )
    return InForce(tuple(chosen), tuple(others), links)


def _refuse_duplicates(by_unit: dict[tuple[str, int], list[Item]]) -> None:
    problems = []
    for (unit, tahun), items in sorted(by_unit.items()):
        seen: dict[int, Item] = {}
        for item in sorted(items, key=lambda i: i[0]):
            first = seen.setdefault(_rank(item), item)
            if first is item:
                continue
            what = (
                "the same signed agreement twice"
                if first[2] == item[2]
                else "two different agreements in the same place"
            )
            place = f"perubahan ke-{_rank(item)}" if _rank(item) else "not a revision"
            problems.append(
                f"{first[0]} and {item[0]}: both are {unit}'s agreement of {tahun} ({place}), "
                f"{what}; expected one document per unit, year and perubahan_ke (move one out "
                "of the folders given)"
            )
    if problems:
        raise InputError.of_lines(problems)


def _predecessors(chain: list[Item]) -> dict[str, Item]:
    """For each revision's file, the document of ``chain`` it replaces: the one its signed data
    names by verification code, else the one before it."""
    by_sha = {i[2]: i for i in chain}
    out: dict[str, Item] = {}
    for n, item in enumerate(chain):
        named = item[1].menggantikan
        if named is not None and named.sha256 in by_sha and by_sha[named.sha256] is not item:
            out[item[0]] = by_sha[named.sha256]
        elif n > 0:
            out[item[0]] = chain[n - 1]
    return out


def _replaced_id(item: Item, before: dict[str, Item]) -> str | None:
    named = item[1].menggantikan
    if named is not None:
        return named.id  # what it signed, whether or not that document is in the folder
    return before[item[0]][1].id if item[0] in before else None


def _superseded(item: Item, successor: Item, before: dict[str, Item]) -> AgreementResult:
    a = successor[1]
    reason = f"diganti oleh {a.id}" + (
        f" (perubahan ke-{a.perubahan_ke}, berlaku sejak {formatting.tanggal(a.tanggal)})"
        if a.perubahan_ke
        else ""
    )
    named = a.menggantikan
    if named is not None and named.sha256 != item[2]:
        # the revision names another document than this one: say so, it may be a stray draft
        reason += f"; perubahan itu merujuk {named.id} dengan kode verifikasi lain"
    return _result(
        item,
        Status.SUPERSEDED,
        reason,
        menggantikan=_replaced_id(item, before),
        diganti_oleh=a.id,
    )


def _result(
    item: Item,
    status: Status,
    reason: str,
    menggantikan: str | None = None,
    diganti_oleh: str | None = None,
) -> AgreementResult:
    file, a, sha256 = item
    return AgreementResult(
        file,
        status,
        reason,
        a.id,
        sha256,
        a.unit.kode,
        a.unit.nama,
        a.jenis.value,
        perubahan_ke=a.perubahan_ke,
        menggantikan=menggantikan,
        diganti_oleh=diganti_oleh,
    )
