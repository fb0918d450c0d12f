"""The page read as a person reads it: lines of text split into segments at wide gaps, and ruled
tables split into cells by the lines drawn between them.

Built on :mod:`signer.verify.drawn`, so only visible text takes part. A table is found by its header
row (the labels a template prints, e.g. "Indikator Kinerja"); its columns are the spaces between
the vertical rulings that cross the header, its cells the spaces between the horizontal rulings
that cross each column. A merged cell is simply a taller one.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from signer.verify.drawn import Box, DrawnPage, Rule, Run

SAME_LINE = 1.5  # baselines closer than this (points) are one line
COLUMN_GAP = 1.6  # a gap wider than this many font sizes starts a new segment
ALIGN = 1.6  # rulings and cell edges this close (points) are the same
# an empty space between two rulings lower than this (points) is no row: the table's edge beside
# another ruling of the page, such as the footer's rule under a table that fills its page
SLIVER = 3.0


@dataclass(frozen=True)
class Segment:
    """Runs on one line with no wide gap between them: one phrase as a reader sees it."""

    page: int
    text: str
    box: Box
    baseline: float
    bold: bool


def _join(runs: Sequence[Run]) -> str:
    out = ""
    for prev, run in zip((None, *runs), runs, strict=False):
        if (
            prev is not None
            and out
            and not out[-1].isspace()
            and not run.text[:1].isspace()
            and run.box.x0 - prev.box.x1 > 0.15 * run.size  # a visible gap is a space
        ):
            out += " "
        out += run.text
    return normalise(out)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def lines(runs: Iterable[Run]) -> list[list[Run]]:
    """Runs grouped by baseline, top to bottom, each line left to right."""
    ordered = sorted(runs, key=lambda r: -r.baseline)
    out: list[list[Run]] = []
    for run in ordered:
        if out and abs(out[-1][0].baseline - run.baseline) <= SAME_LINE:
            out[-1].append(run)
        else:
            out.append([run])
    return [sorted(line, key=lambda r: r.box.x0) for line in out]


def segments(page: DrawnPage, runs: Iterable[Run] | None = None) -> list[Segment]:
    """The page's phrases in reading order (top to bottom, left to right)."""
    out: list[Segment] = []
    for line in lines(page.runs if runs is None else runs):
        group: list[Run] = [line[0]]
        for run in line[1:]:
            if run.box.x0 - group[-1].box.x1 > COLUMN_GAP * max(run.size, group[-1].size):
                out.append(_segment(page.index, group))
                group = []
            group.append(run)
        out.append(_segment(page.index, group))
    return out


def _segment(page: int, runs: list[Run]) -> Segment:
    box = Box(
        min(r.box.x0 for r in runs),
        min(r.box.y0 for r in runs),
        max(r.box.x1 for r in runs),
        max(r.box.y1 for r in runs),
    )
    return Segment(page, _join(runs), box, runs[0].baseline, all(r.bold for r in runs))


def cell_lines(runs: Iterable[Run]) -> list[str]:
    """A cell's text, one string per line."""
    return [_join(line) for line in lines(runs)]


def join_lines(lines: Iterable[str]) -> str:
    """Lines read as one text: a space between them, except after a line that ends in a hyphen
    (a document id or a compound word such as "pk-2027-dinkes" wraps there)."""
    out = ""
    for line in lines:
        out += line if out.endswith("-") and not out.endswith(" -") else f" {line}"
    return out


BREAK = "\n"  # where a line of the page ends, in a text of :func:`broken_lines`


def broken_lines(lines: Iterable[str]) -> str:
    """Lines read as one text that keeps where each line ended (:data:`BREAK`): whether a line
    break stands for a space or for nothing is decided against the data, see :func:`without`."""
    return BREAK.join(t for t in (normalise(line) for line in lines) if t)


def as_read(text: str) -> str:
    """A text of :func:`broken_lines` as one line (each break a space, except after a hyphen
    that ends a word: :func:`join_lines`)."""
    return normalise(join_lines(text.split(BREAK)))


# Where LibreOffice ends a line inside a word (no space there): after one of these, or anywhere in
# a word too long for a whole line (a URL). Outside the tables a line holds 30 characters or more,
# so there a word shorter than LONG_WORD is never broken but after one of BREAK_AFTER: "20" / "26"
# cannot stand for the data's "2026".
BREAK_AFTER = frozenset("/-?&=_|\\!\u2013\u2014")
LONG_WORD = 16


def may_break(text: str, k: int, long_word: int) -> bool:
    """Whether a line may end between ``text[k - 1]`` and ``text[k]`` (neither a space) with
    nothing between them: after a character of :data:`BREAK_AFTER`, or inside a word of at least
    ``long_word`` characters (0: any word, as in a narrow table cell)."""
    if text[k - 1] in BREAK_AFTER:
        return True
    start = text.rfind(" ", 0, k) + 1
    end = text.find(" ", k)
    return (len(text) if end < 0 else end) - start >= long_word


@functools.lru_cache(maxsize=4096)
def _printed(text: str) -> re.Pattern[str]:
    """``text`` as the pages may print it over several lines, outside the tables: a line may end
    where the text has a space (the break is that space) or where :func:`may_break` lets
    LibreOffice break inside a word (the break is nothing there). Nothing else may differ: no
    character added, dropped or moved, no space where the text has none."""
    parts = []
    for k, ch in enumerate(text):
        if ch == " ":
            parts.append(f"[ {BREAK}]")
            continue
        parts.append(re.escape(ch))
        if k + 1 < len(text) and text[k + 1] != " " and may_break(text, k + 1, LONG_WORD):
            parts.append(f"{BREAK}?")
    return re.compile("".join(parts))


def without(text: str, field: str) -> str:
    """``text`` (of :func:`broken_lines`) with every place that prints ``field`` blanked."""
    field = normalise(field)
    return _printed(field).sub(" ", text) if field else text


def prints(text: str, field: str) -> bool:
    """Whether ``text`` (of :func:`broken_lines`) prints ``field`` somewhere."""
    return _printed(normalise(field)).search(text) is not None


def same_text(drawn_lines: Sequence[str], expected: str, long_word: int = 0) -> bool:
    """Whether the lines read as ``expected``: words are equal, and a line may end between two
    words or inside a word where :func:`may_break` allows (in a table cell, ``long_word`` 0: a
    narrow column breaks any word; outside the tables :data:`LONG_WORD`)."""
    want = normalise(expected)
    pos = 0
    for i, line in enumerate(drawn_lines):
        if not want.startswith(line, pos):
            return False
        pos += len(line)
        if i < len(drawn_lines) - 1:
            if want[pos : pos + 1] == " ":
                pos += 1
            elif 0 < pos < len(want) and not may_break(want, pos, long_word):
                return False
    return pos == len(want)


def find_wrapped(segs: Sequence[Segment], texts: tuple[str, ...], start: int) -> tuple[int, int]:
    """The first segment from ``start`` that, with the lines it wraps onto, reads as one of
    ``texts`` (a heading too long for one line), and how many lines it takes; (-1, 0) if none.
    A wrapped line continues on the next line of the same page, directly under it."""
    for k in range(start, len(segs)):
        first = segs[k]
        lines = [first.text]
        for n in range(1, WRAPPED_LINES + 1):
            if any(same_text(lines, t, LONG_WORD) for t in texts):
                return k, n
            if k + n >= len(segs) or not any(t.startswith(first.text[:8]) for t in texts):
                break
            prev, nxt = segs[k + n - 1], segs[k + n]
            height = prev.box.y1 - prev.box.y0
            if nxt.page != first.page or not 0 < prev.baseline - nxt.baseline < 2 * height:
                break
            lines.append(nxt.text)
    return -1, 0


WRAPPED_LINES = 4  # a heading line (kop, instansi, unit) too long for the page wraps onto these


def last_lines_reading(runs: Iterable[Run], text: str) -> list[Run] | None:
    """The runs of the last lines of ``runs`` (top to bottom) that read as ``text`` (a place
    and date wrapped in its column), or None if no such lines end them."""
    rows = lines(runs)
    texts = [_join(row) for row in rows]
    for j in range(len(rows)):
        if same_text(texts[j:], text, LONG_WORD):
            return [run for row in rows[j:] for run in row]
    return None


def first_lines_reading(runs: Iterable[Run], text: str) -> list[list[Run]] | None:
    """The first lines of ``runs`` (top to bottom, at most :data:`WRAPPED_LINES`) that read as
    ``text``, or None."""
    rows = lines(runs)
    texts = [_join(row) for row in rows]
    for n in range(1, min(len(rows), WRAPPED_LINES) + 1):
        if same_text(texts[:n], text, LONG_WORD):
            return rows[:n]
    return None


@dataclass(frozen=True)
class Cell:
    column: str  # the header label
    box: Box
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass
class Table:
    """One ruled table on one page: its header labels and, per column, its cells top to bottom."""

    page: int
    box: Box
    header: tuple[str, ...]
    columns: dict[str, list[Cell]]
    problems: list[str]

    def row_of(self, column: str, cell: Cell) -> list[Cell]:
        """The cells of ``column`` spanning exactly the rows ``cell`` spans."""
        return [
            c
            for c in self.columns[column]
            if abs(c.box.y1 - cell.box.y1) <= ALIGN and abs(c.box.y0 - cell.box.y0) <= ALIGN
        ]

    def within(self, column: str, cell: Cell) -> list[Cell]:
        """The cells of ``column`` inside the rows ``cell`` spans, top to bottom."""
        return [
            c
            for c in self.columns[column]
            if c.box.y1 <= cell.box.y1 + ALIGN and c.box.y0 >= cell.box.y0 - ALIGN
        ]


def _verticals(rules: list[Rule], y: float) -> list[Rule]:
    return sorted(
        (r for r in rules if not r.horizontal and r.box.y0 - ALIGN <= y <= r.box.y1 + ALIGN),
        key=lambda r: r.box.cx,
    )


def tables(page: DrawnPage, header_key: str, labels: Iterable[str]) -> list[Table]:
    """Every ruled table on the page whose header row has a cell reading ``header_key``."""
    known = set(labels)
    out: list[Table] = []
    first_word = header_key.split()[0]
    for run in page.runs:
        if normalise(run.text) not in (header_key, first_word):  # a narrow column wraps it
            continue
        table = _table(page, run, known)
        if table is not None and header_key in table.header and table not in out:
            out.append(table)
    return out


def _table(page: DrawnPage, key: Run, known: set[str]) -> Table | None:
    verticals = _verticals(page.rules, key.baseline)
    xs: list[float] = []
    for v in verticals:
        if not xs or v.box.cx - xs[-1] > ALIGN:
            xs.append(v.box.cx)
    if len(xs) < 2 or not xs[0] < key.box.cx < xs[-1]:
        return None
    outer = [v for v in verticals if abs(v.box.cx - xs[0]) <= ALIGN]
    bottom, top = min(v.box.y0 for v in outer), max(v.box.y1 for v in outer)
    box = Box(xs[0], bottom, xs[-1], top)
    horizontals = [r for r in page.rules if r.horizontal and r.box.cy >= bottom - ALIGN]
    inside = [r for r in page.runs if r.box.overlap(box) > 0]
    problems: list[str] = []
    header: list[str] = []
    columns: dict[str, list[Cell]] = {}
    spans = list(itertools.pairwise(xs))
    for x0, x1 in spans:
        cx = (x0 + x1) / 2
        ys = sorted(
            {
                round(h.box.cy, 1)
                for h in horizontals
                if h.box.x0 - ALIGN <= cx <= h.box.x1 + ALIGN
                and bottom - ALIGN <= h.box.cy <= top + ALIGN
            },
            reverse=True,
        )
        cells = []
        for y1, y0 in itertools.pairwise(ys):
            cbox = Box(x0, y0, x1, y1)
            text = [r for r in inside if cbox.x0 <= r.box.cx <= cbox.x1 and y0 <= r.baseline <= y1]
            if not text and y1 - y0 < SLIVER:
                continue
            cells.append(Cell("", cbox, tuple(cell_lines(text))))
        if not cells:
            return None
        label = cells[0].text
        header.append(label)
        columns[label] = [Cell(label, c.box, c.lines) for c in cells[1:]]
    if not known.intersection(header):
        return None
    for run in inside:
        if run.box.x0 < xs[0] - ALIGN or run.box.x1 > xs[-1] + ALIGN:
            problems.append(f"'{normalise(run.text)}' runs over the table's edge")
        elif any(run.box.x0 < x - ALIGN < run.box.x1 - 2 * ALIGN for x in xs[1:-1]):
            problems.append(f"'{normalise(run.text)}' runs across a column's ruling")
    # below the header only text and rulings: an image or shape there could show other figures
    body_top = min(c.box.y1 for col in columns.values() for c in col[:1]) if columns else top
    body = Box(xs[0], bottom, xs[-1], body_top)
    if any(shape.overlap(body) > 1.0 for shape in page.shapes):
        problems.append("an image or shape is drawn inside the table's cells")
    counted = sum(len(c.lines) for col in columns.values() for c in col) + len(header)
    if counted == 0:
        problems.append("an empty table")
    return Table(page.index, box, tuple(header), columns, problems)
