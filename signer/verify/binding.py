"""The printed agreement equals the embedded data, field by field and in place.

Read from what the pages draw (:mod:`signer.verify.drawn`, :mod:`signer.verify.layout`), never
from a text search: the lampiran row by row (sasaran, indikator, satuan, arah, target, triwulan
targets) and the program table row by row in their ruled cells; each party's labelled identity
(Nama, NIP, Pangkat/Gol, Jabatan, Instansi) and signature block (jabatan, name, pangkat, NIP) in
its column; kop, title with kind and year, unit, place and date; the verification code. Values of
a recognisable shape (a year after TAHUN, a NIP, a date, a digest, a rupiah amount, a perubahan
number) must equal the data wherever they are drawn, so nothing printed contradicts it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from signer import formatting
from signer.kinds import JenisDokumen
from signer.model import Agreement, Indikator, Pihak
from signer.verify import binding_kinds
from signer.verify.binding_values import contradiction_problems, stray_numbers
from signer.verify.drawn import DrawnPage, Run
from signer.verify.layout import (
    LONG_WORD,
    WRAPPED_LINES,
    Cell,
    Segment,
    Table,
    cell_lines,
    find_wrapped,
    last_lines_reading,
    normalise,
    same_text,
    segments,
    tables,
)

# The lampiran's columns, in one order with or without triwulan targets: the quarters are two
# more columns at the end, and the yearly target before them is then the "Target Tahunan".
LAMPIRAN = ("No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Arah", "Target")
LAMPIRAN_TW = (*LAMPIRAN[:-1], "Target Tahunan", "TW", "Target")
PROGRAM = ("No", "Program", "Anggaran")
# what earlier kinerja printed, still read in archived agreements: the yearly table in another
# order (until 2026-12), and both tables before the arah was printed (2026-11), whose arah the
# pages leave unconfirmed
_OLD = ("No", "Sasaran Strategis", "Indikator Kinerja", "Target", "Satuan")
EARLIER: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
    LAMPIRAN: ((*_OLD, "Arah"), _OLD),
    LAMPIRAN_TW: (tuple(c for c in LAMPIRAN_TW if c != "Arah"),),
}
TRIWULAN = ("I", "II", "III", "IV")
LABELS = ("Nama", "NIP", "Pangkat/Gol", "Jabatan", "Instansi")
# the headings of the two signature columns, pihak kedua's first (left), per kind of text
SIGNATURE_HEADINGS = (
    ("PIHAK KEDUA,", "PIHAK PERTAMA,"),
    ("Atasan Langsung,", "Pembuat Pernyataan,"),
)

_HEX = re.compile(r"[0-9a-f]{4}(?: [0-9a-f]{4})*")
_CODE = re.compile(r"\b[0-9a-f]{4}(?: [0-9a-f]{4}){15}\b")


@dataclass
class _Reading:
    """What one document's pages were found to say, and what did not match."""

    a: Agreement
    pages: list[DrawnPage]
    problems: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)  # what the pages cannot tell

    @functools.cached_property
    def fields(self) -> tuple[str, ...]:
        """Every field printed outside the tables (see :func:`_field_texts`)."""
        return _field_texts(self.a)

    in_tables: set[int] = field(default_factory=set)  # id() of runs read as table cells
    placed: set[int] = field(default_factory=set)  # id() of runs read as the place and date

    def differ(
        self, page: int, what: str, drawn: Sequence[str] | str, want: str, long_word: int = 0
    ) -> None:
        lines = [drawn] if isinstance(drawn, str) else list(drawn)
        if not same_text(lines, want, long_word):
            shown = " ".join(lines) or "nothing"
            self.problems.append(f"page {page + 1}: {what} reads '{shown}', the data says '{want}'")


def page_problems(a: Agreement, pages: list[DrawnPage]) -> tuple[list[str], list[str]]:
    """Everything in which the drawn pages and the agreement differ (empty when they are equal),
    and what the pages leave unconfirmed."""
    r = _Reading(a, pages)
    for p in pages:
        for text, why in p.hidden:
            r.problems.append(f"page {p.index + 1}: '{text[:60]}' is drawn but not seen ({why})")
    lampiran = [t for p in pages for t in tables(p, "Indikator Kinerja", LAMPIRAN_TW)]
    program = [t for p in pages for t in tables(p, "Program", PROGRAM)]
    for t in lampiran + program:
        r.problems += [f"page {t.page + 1}: {x}" for x in t.problems]
        r.in_tables.update(id(run) for run in _runs_in(pages[t.page], t))
    if a.jenis.has_targets:
        _lampiran(r, lampiran)
        _program(r, program)
    elif lampiran or program:
        r.problems.append("a target table on the pages of a document that has no targets")
    segs = [
        s for p in pages for s in segments(p, [run for run in p.runs if id(run) not in r.in_tables])
    ]
    _heading(r, segs)
    r.problems += binding_kinds.nomor_problems(a, segs)
    r.problems += binding_kinds.perubahan_problems(a, segs)
    _labelled(r, segs)
    if a.jenis.single_signer:
        footers = {p.index: _footer_top(segs, p.index) for p in pages}
        r.problems += binding_kinds.single_signature_problems(a, pages, r.in_tables, footers)
    else:
        _signature_blocks(r, segs)
    # the place and date, read in its column above the signature (where it may wrap beside
    # the other column's lines), is left out of the page's running text
    rest = [
        s
        for p in pages
        for s in segments(p, [x for x in p.runs if id(x) not in r.in_tables | r.placed])
    ]
    r.problems += contradiction_problems(a, r.fields, rest)
    codes = {
        id(x)
        for k, seg in enumerate(rest)
        if seg.text.startswith("Kode verifikasi")
        for x in _code_lines(rest, k)
    }
    r.problems += stray_numbers(a, len(pages), r.fields, [x for x in rest if id(x) not in codes])
    return r.problems, r.unconfirmed


def code_problems(a: Agreement, sha256: str, pages: list[DrawnPage]) -> list[str]:
    """Where the printed verification code is missing, misplaced or not the data's digest."""
    r = _Reading(a, pages)
    segs = [s for p in pages for s in segments(p)]
    _codes(r, sha256, segs)
    r.problems += binding_kinds.address_problems(a, len(pages), segs)
    code = formatting.digest_grouped(sha256)
    for s in segs:
        for m in _CODE.finditer(s.text):
            if m.group(0) != code:
                r.problems.append(
                    f"page {s.page + 1}: another code '{m.group(0)[:19]}…' is printed"
                )
    return r.problems


def _runs_in(page: DrawnPage, t: Table) -> list[Run]:
    return [run for run in page.runs if run.box.overlap(t.box) > 0]


def _columns_as_printed(r: _Reading, tabs: list[Table], want: tuple[str, ...], what: str) -> bool:
    if not tabs:
        r.problems.append(f"the {what} table is not on the pages")
        return False
    for t in tabs:
        if t.header != want:
            r.problems.append(
                f"page {t.page + 1}: the {what} table's columns are {', '.join(t.header)}; "
                f"kinerja prints {', '.join(want)}"
            )
            return False
    return True


@dataclass
class _Row:
    """One indikator's row as printed, gathered over the pages it spans (a merged cell split by
    a page break continues at the top of the next page's table, its text flowing on)."""

    page: int
    text: dict[str, list[str]]  # column -> lines, all parts joined
    triwulan: list[tuple[str, str]]
    cells: list[tuple[Table, Cell]]  # the indikator cell of each part


def _lampiran(r: _Reading, tabs: list[Table]) -> None:
    a = r.a
    tw = a.has_triwulan
    layout: tuple[str, ...] = LAMPIRAN_TW if tw else LAMPIRAN
    earlier = [h for h in EARLIER[layout] if tabs and all(t.header == h for t in tabs)]
    if earlier:
        layout = earlier[0]
    if "Arah" not in layout:
        r.unconfirmed.append(
            "the lampiran does not print the arah (made by a kinerja before it did): the arah "
            "that evaluation reads was not shown to the signers"
        )
    if not _columns_as_printed(r, tabs, layout, "lampiran"):
        return
    expected = [(n, s.uraian, i) for n, s in enumerate(a.sasaran, 1) for i in s.indikator]
    target = "Target Tahunan" if tw else "Target"
    columns = tuple(c for c in ("Indikator Kinerja", "Satuan", "Arah", target) if c in layout)
    rows: list[_Row] = []
    for t in tabs:
        for k, cell in enumerate(t.columns["Indikator Kinerja"]):
            pairs = (
                [
                    (_text(x), _text(y))
                    for x, y in zip(t.within("TW", cell), t.within("Target", cell), strict=False)
                ]
                if tw
                else []
            )
            part: dict[str, list[str]] = {"Indikator Kinerja": list(cell.lines)}
            for col in columns[1:]:
                same = t.row_of(col, cell)
                part[col] = list(same[0].lines) if len(same) == 1 else ["?"]
            # a part that starts with triwulan II-IV continues the indikator above it
            if k == 0 and rows and pairs and pairs[0][0] in TRIWULAN[1:]:
                last = rows[-1]
                for col in columns:
                    last.text[col] += part[col]
                last.triwulan += pairs
                last.cells.append((t, cell))
                continue
            rows.append(_Row(t.page, part, pairs, [(t, cell)]))
    for row, (_, _, i) in zip(rows, expected, strict=False):
        printed = {
            "Indikator Kinerja": i.uraian,
            "Satuan": i.satuan,
            "Arah": formatting.arah(i.arah),
            target: formatting.target(i.target),
        }
        for col in columns:
            want = printed[col]
            what = f"indikator {i.kode}" + ("" if col == columns[0] else f"'s {col.lower()}")
            r.differ(row.page, what, row.text[col], want)
        if tw:
            want_tw = (
                list(zip(TRIWULAN, (formatting.target(x) for x in i.target_triwulan), strict=False))
                if i.target_triwulan
                else [("", "")]
            )
            if row.triwulan != want_tw:
                r.problems.append(
                    f"page {row.page + 1}: indikator {i.kode}'s triwulan targets read "
                    f"{_pairs(row.triwulan)}, the data says {_pairs(want_tw)}"
                )
    for row in rows[len(expected) :]:
        r.problems.append(
            f"page {row.page + 1}: an indikator the data does not have: "
            f"'{' '.join(row.text['Indikator Kinerja'])}'"
        )
    for _, _, i in expected[len(rows) :]:
        r.problems.append(f"indikator {i.kode} '{i.uraian}' is not printed")
    _sasaran(r, tabs, rows, expected)


def _text(cell: Cell) -> str:
    return " ".join(cell.lines)


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{a} {b}".strip() for a, b in pairs) or "nothing"


def _sasaran(
    r: _Reading,
    tabs: list[Table],
    rows: list[_Row],
    expected: list[tuple[int, str, Indikator]],
) -> None:
    """Each sasaran cell spans the indikator of one sasaran; its text (flowing on over a page
    break) is the sasaran's uraian, and the No cell its number."""
    owner = {
        id(cell): n for row, (n, _, _) in zip(rows, expected, strict=False) for _, cell in row.cells
    }
    printed: dict[tuple[str, int], tuple[int, list[str]]] = {}
    for t in tabs:
        indikator = t.columns["Indikator Kinerja"]
        for col in ("Sasaran Strategis", "No"):
            for cell in t.columns[col]:
                inside = {owner[id(c)] for c in indikator if id(c) in owner and _contains(cell, c)}
                if len(inside) != 1:
                    r.problems.append(
                        f"page {t.page + 1}: a {col} cell spans "
                        + (f"sasaran {sorted(inside)}" if inside else "no indikator of the data")
                    )
                    continue
                page, lines = printed.setdefault((col, inside.pop()), (t.page, []))
                lines += cell.lines
    for n, uraian, _ in expected:
        for col, want in (("Sasaran Strategis", uraian), ("No", str(n))):
            page, lines = printed.get((col, n), (0, []))
            r.differ(page, f"sasaran {n}'s {col.lower()}", lines, want)


def _contains(outer: Cell, inner: Cell) -> bool:
    return outer.box.y1 + 1.6 >= inner.box.y1 and outer.box.y0 - 1.6 <= inner.box.y0


def _program(r: _Reading, tabs: list[Table]) -> None:
    a = r.a
    if not a.program:
        if tabs:
            r.problems.append("a program table the data does not have")
        return
    if not _columns_as_printed(r, tabs, PROGRAM, "program"):
        return
    rows: list[tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []
    for t in tabs:
        for cell in t.columns["Program"]:
            no_cells = t.row_of("No", cell)
            rupiah_cells = t.row_of("Anggaran", cell)
            rows.append(
                (
                    t.page,
                    no_cells[0].lines if len(no_cells) == 1 else ("?",),
                    cell.lines,
                    rupiah_cells[0].lines if len(rupiah_cells) == 1 else ("?",),
                )
            )
    want = [(str(n), p.uraian, formatting.rupiah(p.anggaran)) for n, p in enumerate(a.program, 1)]
    want.append(("", "Jumlah", formatting.rupiah(a.jumlah_anggaran)))
    for (page, no, uraian, rupiah), (w_no, w_uraian, w_rupiah) in zip(rows, want, strict=False):
        r.differ(page, f"program {w_no or 'total'} number", no, w_no)
        r.differ(page, f"program {w_no or 'total'}", uraian, w_uraian)
        r.differ(page, f"program {w_no or 'total'}'s anggaran", rupiah, w_rupiah)
    if len(rows) != len(want):
        r.problems.append(
            f"the program table has {len(rows) - 1} program(s), the data {len(a.program)}"
        )


def _find(segs: Sequence[Segment], text: str | tuple[str, ...], start: int = 0) -> int:
    texts = (text,) if isinstance(text, str) else text
    for k in range(start, len(segs)):
        if segs[k].text in texts:
            return k
    return -1


def _capitals(text: str) -> tuple[str, ...]:
    """``text`` as the pages may print it in capitals: keeping "dr.", "Plt." and the like as
    written (:func:`signer.formatting.kapital`), or, as kinerja before 2026-12 did, all of it."""
    return tuple(dict.fromkeys((formatting.kapital(text), text.upper())))


def _heading(r: _Reading, segs: list[Segment]) -> None:
    """Kop (instansi and its address lines), title with kind and year, and unit, in order."""
    a = r.a
    judul = a.jenis.judul.upper()
    title = f"{judul} TAHUN {a.tahun}" if a.jenis.has_targets else judul
    want = [_capitals(a.instansi.nama), *((line,) for line in a.instansi.kop), (title,)]
    if a.jenis.has_targets:
        want.append(_capitals(a.unit.nama))
    pos = 0
    first_page = [s for s in segs if s.page == 0]
    for texts in want:
        k, n = find_wrapped(first_page, texts, pos)
        if k < 0:
            r.problems.append(f"page 1: '{texts[0]}' is not printed where the heading is")
            return
        pos = k + n
    if a.jenis.has_targets:
        k = _find(segs, f"LAMPIRAN {title}")
        if k < 0 or find_wrapped(segs, _capitals(a.unit.nama), k + 1)[0] != k + 1:
            r.problems.append(f"the lampiran's heading 'LAMPIRAN {title}' with the unit is missing")
    kinds = {k.judul.upper() for k in JenisDokumen if k.judul != a.jenis.judul}
    for s in segs:
        bare = re.sub(r"^LAMPIRAN |\s+TAHUN \d{4}$", "", s.text)
        if bare in kinds:
            r.problems.append(f"page {s.page + 1}: '{s.text}' names another kind of document")


def _party_fields(a: Agreement, p: Pihak) -> dict[str, str]:
    out = {"Nama": p.nama, "Jabatan": p.jabatan, "Instansi": f"{a.unit.nama} {a.instansi.nama}"}
    if not p.kepala_daerah:
        out["NIP"] = formatting.nip(p.nip)
        out["Pangkat/Gol"] = p.pangkat_golongan or ""
    return out


def _labelled(r: _Reading, segs: list[Segment]) -> None:
    """ "Nama : ..." blocks: pihak pertama's, then (in a perjanjian) pihak kedua's."""
    a = r.a
    order = list(zip(("pihak pertama", "pihak kedua"), a.pihak_semua, strict=False))
    if not a.jenis.has_targets:
        order = order[:1]
    blocks: list[list[tuple[str, Segment, list[str] | None]]] = []
    for k, s in enumerate(segs):
        label = s.text.rstrip(" :")
        if label not in LABELS or s.page != 0:
            continue
        value = _value_after(segs, k)
        if label == "Nama":
            blocks.append([])
        if blocks:
            blocks[-1].append((label, s, value))
    if len(blocks) != len(order):
        r.problems.append(f"page 1: {len(blocks)} 'Nama :' block(s), the data has {len(order)}")
    for block, (role, pihak) in zip(blocks, order, strict=False):
        fields = _party_fields(a, pihak)
        for label, _, value in block:
            if label not in fields:
                r.problems.append(f"page 1: '{label}' is printed for {pihak.nama}, who has none")
            elif value is None:
                r.problems.append(f"page 1: '{label} :' has no value")
            else:
                r.differ(0, f"{label} of {role}", value, fields[label], LONG_WORD)


def _value_after(segs: list[Segment], k: int) -> list[str] | None:
    """The value of a label, after a ':' on the label's line, with the lines it wraps onto
    (they start where the value starts)."""
    label = segs[k]
    line = [
        (j, s)
        for j, s in enumerate(segs[k + 1 : k + 4], k + 1)
        if abs(s.baseline - label.baseline) < 1.5
    ]
    if label.text.endswith(":") and line:
        j, first = line[0]
        text = first.text
    elif len(line) > 1 and line[0][1].text == ":":
        j, first = line[1]
        text = first.text
    elif line and line[0][1].text.startswith(":"):
        j, first = line[0]
        text = first.text[1:].strip()
    else:
        return None
    out = [text]
    for nxt in segs[j + 1 :]:
        height = first.box.y1 - first.box.y0
        if nxt.page != first.page or not -2.0 < nxt.box.x0 - first.box.x0 < 2 * height:
            break
        if first.baseline - nxt.baseline > 1.8 * (first.box.y1 - first.box.y0) * len(out):
            break
        out.append(nxt.text)
    return out


def _signature_blocks(r: _Reading, segs: list[Segment]) -> None:
    """Under each signature heading, in its column: jabatan, name, pangkat and NIP, in order;
    the place and date above pihak pertama's. Read from runs, as two columns may sit closer
    than a segment's gap."""
    a = r.a
    assert a.pihak_kedua is not None  # the single signer's block: binding_kinds
    blocks = 0
    place = f"{a.tempat}, {formatting.tanggal(a.tanggal)}"
    for page in r.pages:
        free = [run for run in page.runs if id(run) not in r.in_tables]
        footer = _footer_top(segs, page.index)
        for left_text, right_text in SIGNATURE_HEADINGS:
            lefts = [x for x in free if normalise(x.text) == left_text]
            rights = [x for x in free if normalise(x.text) == right_text]
            for left in lefts:
                # the right heading sits level with the left one, or lower by the lines the
                # place and date above it wrapped onto
                right = min(
                    (
                        x
                        for x in rights
                        if -1.5 < left.baseline - x.baseline < WRAPPED_LINES * 1.5 * x.size
                        and x.box.cx > left.box.cx
                    ),
                    key=lambda x: left.baseline - x.baseline,
                    default=None,
                )
                if right is None:
                    r.problems.append(
                        f"page {page.index + 1}: '{left_text}' without '{right_text}'"
                    )
                    continue
                blocks += 1
                middle = (left.box.cx + right.box.cx) / 2
                for role, pihak, heading, side in (
                    ("pihak kedua", a.pihak_kedua, left, -1),
                    ("pihak pertama", a.pihak_pertama, right, 1),
                ):
                    column = [
                        x
                        for x in free
                        if footer < x.baseline < heading.baseline - 1
                        and (x.box.cx - middle) * side > 0
                    ]
                    _signature_column(r, page.index, cell_lines(column), role, pihak)
                above = [
                    x
                    for x in free
                    if right.baseline
                    < x.baseline
                    < right.baseline + (WRAPPED_LINES + 1) * right.size
                    and x.box.cx > middle
                ]
                placed = last_lines_reading(above, place)
                if placed is None:
                    r.problems.append(
                        f"page {page.index + 1}: '{place}' is not printed above {right_text}"
                    )
                else:  # read here, in its column: not again as the page's running text
                    r.placed.update(id(x) for x in placed)
    if blocks == 0:
        r.problems.append("no signature block ('PIHAK PERTAMA,' / 'Pembuat Pernyataan,')")


def _signature_column(r: _Reading, page: int, got: list[str], role: str, pihak: Pihak) -> None:
    rest = [pihak.nama]
    if not pihak.kepala_daerah:
        if pihak.pangkat_golongan:
            rest.append(pihak.pangkat_golongan)
        rest.append(f"NIP. {formatting.nip(pihak.nip)}")
    wants = [[jabatan, *rest] for jabatan in _capitals(pihak.jabatan)]
    want = wants[0]
    if not any(same_text(got, " ".join(w), LONG_WORD) for w in wants):
        r.problems.append(
            f"page {page + 1}: the signature block of {role} reads "
            f"'{' | '.join(got)}', the data says '{' | '.join(want)}'"
        )


def _footer_top(segs: list[Segment], page: int) -> float:
    tops = [s.box.y1 for s in segs if s.page == page and s.text.startswith("Kode verifikasi")]
    return max(tops, default=0.0)


def _codes(r: _Reading, sha256: str, segs: list[Segment]) -> None:
    """Every page prints "Kode verifikasi <id>:" and the grouped digest on the next line."""
    code = formatting.digest_grouped(sha256)
    pages = {p.index for p in r.pages}
    seen: set[int] = set()
    for k, s in enumerate(segs):
        if not s.text.startswith("Kode verifikasi"):
            continue
        r.differ(s.page, "the verification code's heading", s.text, f"Kode verifikasi {r.a.id}:")
        lines = [x.text for x in _code_lines(segs, k)]
        r.differ(s.page, "the verification code", lines, code)
        seen.add(s.page)
    for p in sorted(pages - seen):
        r.problems.append(f"page {p + 1}: the verification code is not printed")


def _code_lines(segs: list[Segment], heading: int) -> list[Segment]:
    """The code's lines under its heading (a narrow footer wraps it)."""
    out: list[Segment] = []
    for x in segs[heading + 1 :]:
        top = segs[heading]
        if x.page != top.page or abs(x.box.x0 - top.box.x0) > 2 or not _HEX.fullmatch(x.text):
            break
        out.append(x)
    return out


def _field_texts(a: Agreement) -> tuple[str, ...]:
    """Every field the pages print outside the tables, as printed, longest first."""
    judul = a.jenis.judul.upper()
    out = [*_capitals(a.instansi.nama), *a.instansi.kop, *_capitals(a.unit.nama), judul, a.tempat]
    out.append(a.alasan_perubahan or "")
    out += binding_kinds.field_texts(a)
    out += [f"{judul} TAHUN {a.tahun}", formatting.tanggal(a.tanggal), f"Kode verifikasi {a.id}:"]
    for p in a.pihak_semua:
        out += [p.nama, p.jabatan, *_capitals(p.jabatan), *_party_fields(a, p).values()]
        if p.nip:
            out.append(f"NIP. {formatting.nip(p.nip)}")
    return tuple(sorted({normalise(t) for t in out if t}, key=len, reverse=True))
