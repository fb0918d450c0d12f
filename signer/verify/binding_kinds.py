"""What the pages print for the fields and kinds added after schema version 1, bound to the data:
the document's own number under the title, the revision sentence of a PK Perubahan (its reason,
number, year and the agreement it replaces with that agreement's verification code), the
verification address in every page's footer, and the single signature block of the kepala
daerah's own PK.

Kept apart from :mod:`signer.verify.binding`, which calls these; each returns the problems found
(empty when the pages print exactly the data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from signer import formatting
from signer.model import Agreement
from signer.verify.drawn import DrawnPage, Run
from signer.verify.layout import (
    LONG_WORD,
    WRAPPED_LINES,
    Segment,
    as_read,
    broken_lines,
    cell_lines,
    find_wrapped,
    first_lines_reading,
    last_lines_reading,
    normalise,
    prints,
    same_text,
    without,
)

_NOMOR = re.compile(r"^NOMOR\b", re.IGNORECASE)
# a sentence that names a replaced agreement: only a revision prints one, and only the data's
_MENGGANTIKAN = re.compile(r"menggantikan perjanjian", re.IGNORECASE)


_ALAMAT = "Verifikasi:"  # the footer's line of the verification address


def field_texts(a: Agreement) -> list[str]:
    """The texts of these fields as printed (for the checks of stray numbers and dates)."""
    return [t for t in (formatting.nomor(a), formatting.kalimat_perubahan(a), _address(a)) if t]


def _address(a: Agreement) -> str:
    return f"{_ALAMAT} {a.instansi.verify_url}" if a.instansi.verify_url else ""


def address_problems(a: Agreement, pages: int, segs: Sequence[Segment]) -> list[str]:
    """The footer's verification address: on every page once, exactly the data's (it may wrap
    onto a second line), and on no page when the data has none."""
    want = _address(a)
    out: list[str] = []
    found = {page: 0 for page in range(pages)}
    for k, s in enumerate(segs):
        if not s.text.startswith(_ALAMAT):
            continue
        if want and find_wrapped(segs, (want,), k)[0] == k:
            found[s.page] += 1
        else:
            says = f"'{want}'" if want else "no address"
            out.append(f"page {s.page + 1}: '{s.text[:80]}' is printed, the data says {says}")
    if want:
        out += [
            f"page {page + 1}: the verification address is printed {n} times, not once"
            if n
            else f"page {page + 1}: the verification address '{want}' is not printed"
            for page, n in found.items()
            if n != 1
        ]
    return out


def nomor_problems(a: Agreement, segs: Sequence[Segment]) -> list[str]:
    """The number line: on page 1 once, exactly the data's, or nowhere when it has none."""
    want = formatting.nomor(a)
    out: list[str] = []
    # a long number wraps onto the next line, under it
    found = [k for k, s in enumerate(segs) if _NOMOR.match(s.text)]
    printed = [k for k in found if want and find_wrapped(segs, (want,), k)[0] == k]
    for k in found:
        s = segs[k]
        if s.page != 0 or k not in printed:
            shown = "has no number" if not want else f"says '{want}'"
            out.append(f"page {s.page + 1}: '{s.text}' is printed, the data {shown}")
    if want and not any(segs[k].page == 0 for k in printed):
        out.append(f"page 1: the number '{want}' is not printed under the title")
    return out


def perubahan_problems(a: Agreement, segs: Sequence[Segment]) -> list[str]:
    """A revision's sentence (reason, number, year, replaced agreement and its code) is printed
    on page 1 exactly as the data says; no other document names a replaced agreement."""
    text_by_page = {
        page: broken_lines(s.text for s in segs if s.page == page)
        for page in {s.page for s in segs}
    }
    out: list[str] = []
    want = normalise(formatting.kalimat_perubahan(a))
    if want and not prints(text_by_page.get(0, ""), want):
        out.append(
            f"page 1: the sentence of the perubahan is not the data's ('{want[:90]}...'): "
            "its reason, number or the agreement it replaces differs"
        )
    for page, text in text_by_page.items():
        free = as_read(without(text, want) if want else text)
        if _MENGGANTIKAN.search(free):
            out.append(f"page {page + 1}: it names a replaced agreement the data does not name")
    return out


def single_signature_problems(
    a: Agreement, pages: Sequence[DrawnPage], in_tables: set[int], footer_top: dict[int, float]
) -> list[str]:
    """The kepala daerah's block, alone in the right column: the place and date, then the
    jabatan followed by a comma, then (under the blank space) the name, and nothing else below
    the jabatan on either side down to the footer."""
    out: list[str] = []
    p = a.pihak_pertama
    heading = f"{p.jabatan.upper()},"
    place = f"{a.tempat}, {formatting.tanggal(a.tanggal)}"
    blocks = 0
    for page in pages:
        free = [run for run in page.runs if id(run) not in in_tables]
        footer = footer_top.get(page.index, 0.0)
        middle = (page.box.x0 + page.box.x1) / 2
        # the jabatan heading, in the right column, may wrap onto a few lines
        starts = [x for x in free if x.box.cx > middle and heading.startswith(normalise(x.text))]
        for start in starts:
            lines = first_lines_reading(
                [x for x in free if x.box.cx > middle and x.baseline <= start.baseline + 1], heading
            )
            if lines is None or start not in lines[0]:
                continue
            h, top = lines[-1][0], lines[0][0]
            blocks += 1
            below: list[Run] = [x for x in free if footer < x.baseline < h.baseline - 1]
            right = [x for x in below if x.box.cx > middle]
            left = [x for x in below if x.box.cx <= middle]
            got = cell_lines(right)
            if not same_text(got, p.nama, LONG_WORD):
                out.append(
                    f"page {page.index + 1}: the signature block of pihak pertama reads "
                    f"'{' | '.join(got)}', the data says '{p.nama}'"
                )
            if left:
                out.append(
                    f"page {page.index + 1}: '{' | '.join(cell_lines(left))}' is printed beside "
                    "the signature block of a document signed by pihak pertama alone"
                )
            above = [
                x
                for x in free
                if top.baseline < x.baseline < top.baseline + (WRAPPED_LINES + 1) * top.size
                and x.box.cx > middle
            ]
            if last_lines_reading(above, place) is None:
                out.append(f"page {page.index + 1}: '{place}' is not printed above '{heading}'")
    if blocks == 0:
        out.append(f"no signature block ('{heading}')")
    return out
