"""Values of a recognisable shape (a year after TAHUN, a NIP, a date, a rupiah amount, "perubahan
ke-N") must be the agreement's own wherever the pages draw them: an inserted or changed value
outside the fields is caught even where no field is expected. Called by
:mod:`signer.verify.binding`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from signer import formatting
from signer.model import Agreement
from signer.verify import binding_kinds
from signer.verify.layout import BREAK, Segment, as_read, broken_lines, without

_BULAN = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
_DATE = re.compile(rf"\b\d{{1,2}} (?:{_BULAN}) \d{{4}}\b")
_NIP = re.compile(r"\b\d{8} ?\d{6} ?\d ?\d{3}\b")
_YEAR = re.compile(r"\bTAHUN (\d{4})\b", re.IGNORECASE)
_RUPIAH = re.compile(r"\bRp ?[\d.]+(?:,\d+)?")
_ADDRESS = re.compile(r"\bhttps?:/\S*", re.IGNORECASE)  # where a reader would be sent
PERUBAHAN = re.compile(r"perubahan ke-(\S+?) atas Perjanjian Kinerja Tahun (\d{4})")


def contradiction_problems(
    a: Agreement, fields: Sequence[str], segs: Sequence[Segment]
) -> list[str]:
    """Values of a recognisable shape must be the data's, wherever they are drawn."""
    problems: list[str] = []
    nips = {formatting.nip(p.nip).replace(" ", "") for p in a.pihak_semua if p.nip}
    checks: list[tuple[re.Pattern[str], Callable[[re.Match[str]], bool], str]] = [
        (_YEAR, lambda m: m.group(1) == str(a.tahun), f"the year is {a.tahun}"),
        (_NIP, lambda m: m.group(0).replace(" ", "") in nips, "no party has this NIP"),
        (_DATE, lambda m: m.group(0) == formatting.tanggal(a.tanggal), "the date differs"),
        (_RUPIAH, lambda m: False, "an amount outside the program table"),
        (_ADDRESS, lambda m: False, "an address that is not the data's verification address"),
        (
            PERUBAHAN,
            lambda m: m.group(1) == str(a.perubahan_ke or "") and m.group(2) == str(a.tahun),
            f"this is perubahan ke-{a.perubahan_ke} of {a.tahun}",
        ),
    ]
    text_by_page = {
        page: broken_lines(s.text for s in segs if s.page == page)
        for page in {s.page for s in segs}
    }
    for page, lines in text_by_page.items():
        text = as_read(lines)
        # the fields are judged in place; a year or a date inside one (the reason for a
        # perubahan may cite an earlier Perda) is the data's own
        free = lines
        for printed in fields:
            free = without(free, printed)
        free = as_read(free)
        for pattern, fine, why in checks:
            for m in pattern.finditer(text if pattern is PERUBAHAN else free):
                if not fine(m):
                    problems.append(f"page {page + 1}: '{m.group(0)}' is printed ({why})")
        # the revision's sentence, its reason included: binding_kinds.perubahan_problems
    return problems


_LIST_MARKER = re.compile(r"^\d{1,2}\.(?=\s)")  # a numbered list item ("1. Berperan ...")
_PAGE_NUMBER = re.compile(r"\bHalaman (\d+) dari (\d+)\b")
_PERUBAHAN_BROKEN = re.compile(PERUBAHAN.pattern.replace(" ", f"[ {BREAK}]"))


def stray_numbers(
    a: Agreement, pages: int, fields: Sequence[str], segs: Sequence[Segment]
) -> list[str]:
    """Outside the tables, a number is part of a field (a NIP, a date, the kop, the code, the
    page number): a number anywhere else (an inserted "target 95") is printed beside the data.
    ``segs``: the page's running text, without the tables, the place and the code."""
    problems: list[str] = []
    for page in range(pages):
        # the page's lines, each break kept: a field wrapped after a '/' or inside a URL is
        # still the field (see layout.without)
        text = broken_lines(_LIST_MARKER.sub("", s.text) for s in segs if s.page == page)
        for printed in binding_kinds.field_texts(a):  # whole, before its parts are cut out
            text = without(text, printed)
        text = _PERUBAHAN_BROKEN.sub(" ", text)  # judged by the contradictions
        for m in _PAGE_NUMBER.finditer(text):
            if (int(m.group(1)), int(m.group(2))) != (page + 1, pages):
                problems.append(f"page {page + 1}: it prints '{m.group(0)}'")
        text = _PAGE_NUMBER.sub(" ", text)
        for printed in fields:
            text = without(text, printed)
        for m in re.finditer(r"\S*\d\S*", as_read(text)):
            problems.append(
                f"page {page + 1}: '{m.group(0)}' is printed outside the agreement's fields"
            )
    return problems
