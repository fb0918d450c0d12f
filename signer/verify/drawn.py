"""What the pages actually draw: text runs a reader can see, ruling lines, and everything else.

PDFium (Chrome's PDF engine) interprets the content; this module keeps only what a person sees.
Text that is invisible (render mode 3 or 7), transparent, white, too small to read, off the page,
outside its clip, painted over by a later shape or image, drawn in a form XObject, or whose glyphs
run backwards, is set apart with the reason, never counted as shown. kinerja's generator draws
none of these, so the content checks treat any of them as a manipulation.
"""

from __future__ import annotations

import ctypes
import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as raw

MIN_READABLE_PT = 3.0  # a glyph shorter than this is not read by anyone
WHITE = 230  # RGB components all above this: white on the white page
EDGE_TOLERANCE = 1.0
RULE_THICKNESS = 2.0  # a ruling line is at most this thick


class Box(NamedTuple):
    """A rectangle in page coordinates (a tuple: a page makes thousands, one per object)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def overlap(self, other: Box) -> float:
        """The area both boxes cover."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0

    @property
    def area(self) -> float:
        return max(self.x1 - self.x0, 0.0) * max(self.y1 - self.y0, 0.0)

    def inside(self, other: Box, tolerance: float = EDGE_TOLERANCE) -> bool:
        return (
            self.x0 >= other.x0 - tolerance
            and self.y0 >= other.y0 - tolerance
            and self.x1 <= other.x1 + tolerance
            and self.y1 <= other.y1 + tolerance
        )


@dataclass(frozen=True)
class Run:
    """One text object as drawn: its text, the box of its glyphs and its baseline."""

    page: int
    text: str
    box: Box
    baseline: float  # y of the text origin
    x: float  # x of the text origin
    size: float  # the glyphs' height in points (font size times the matrix's scale)
    bold: bool

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Rule:
    """A visible ruling line, horizontal or vertical."""

    box: Box

    @property
    def horizontal(self) -> bool:
        return (self.box.x1 - self.box.x0) > (self.box.y1 - self.box.y0)


@dataclass
class DrawnPage:
    index: int
    box: Box
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    shapes: list[Box] = field(default_factory=list)  # other paths and images
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (text, why nobody sees it)


def _bounds(obj: raw.FPDF_PAGEOBJECT) -> Box:
    b = [ctypes.c_float() for _ in range(4)]
    raw.FPDFPageObj_GetBounds(obj, *b)
    return Box(b[0].value, b[1].value, b[2].value, b[3].value)


def _colour(obj: raw.FPDF_PAGEOBJECT, stroke: bool) -> tuple[int, int, int, int]:
    c = [ctypes.c_uint() for _ in range(4)]
    (raw.FPDFPageObj_GetStrokeColor if stroke else raw.FPDFPageObj_GetFillColor)(obj, *c)
    return c[0].value, c[1].value, c[2].value, c[3].value


def _clip_box(obj: raw.FPDF_PAGEOBJECT) -> Box | None:
    """The bounding box of the object's clip, None when it has none."""
    clip = raw.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    paths = raw.FPDFClipPath_CountPaths(clip)
    if paths <= 0:
        return None
    box: Box | None = None
    for p in range(paths):
        xs, ys = [], []
        for s in range(raw.FPDFClipPath_CountPathSegments(clip, p)):
            seg = raw.FPDFClipPath_GetPathSegment(clip, p, s)
            x, y = ctypes.c_float(), ctypes.c_float()
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            xs.append(x.value)
            ys.append(y.value)
        if not xs:
            return Box(0, 0, 0, 0)  # an empty clip shows nothing
        b = Box(min(xs), min(ys), max(xs), max(ys))
        box = (
            b
            if box is None
            else Box(max(box.x0, b.x0), max(box.y0, b.y0), min(box.x1, b.x1), min(box.y1, b.y1))
        )
    return box


def _visible(rgba: tuple[int, int, int, int]) -> bool:
    r, g, b, a = rgba
    return a > 0 and not (r > WHITE and g > WHITE and b > WHITE)


def _font(obj: raw.FPDF_PAGEOBJECT) -> tuple[float, bool]:
    size = ctypes.c_float()
    raw.FPDFTextObj_GetFontSize(obj, size)
    font = raw.FPDFTextObj_GetFont(obj)
    weight = raw.FPDFFont_GetWeight(font) if font else 400
    n = raw.FPDFFont_GetBaseFontName(font, None, 0) if font else 0
    name = b""
    if n:
        buf = ctypes.create_string_buffer(n)
        raw.FPDFFont_GetBaseFontName(font, buf, n)
        name = buf.value
    return size.value, weight >= 600 or b"Bold" in name


@dataclass
class _Text:
    obj: int
    index: int  # the object's place in the painting order
    chars: list[tuple[str, float]] = field(default_factory=list)  # (char, origin x; 0 if space)


# PDFium's FPDFText_GetTextObject answering the object's address (None for none): through
# pypdfium2 each character made a pointer object, and casting it to an address a reference
# cycle (ctypes keeps the source alive), some 2,000 per document for the collector
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value or 0
)


def _page_text(textpage: pdfium.PdfTextPage) -> dict[int, _Text]:
    """The characters of each text object, in content order, with their origins."""
    out: dict[int, _Text] = {}
    tp = textpage.raw
    count = raw.FPDFText_CountChars(tp)
    if count <= 0:
        return out
    # the page's text in one call, one UTF-16 unit per character index
    buf = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(tp, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    units = buf.raw[: count * 2]
    x, y = ctypes.c_double(), ctypes.c_double()
    get_object, get_origin = _text_object_address, raw.FPDFText_GetCharOrigin
    last = 0
    for i in range(count):
        code = units[2 * i] | units[2 * i + 1] << 8
        # PDFium marks a hyphen that ends a line (0x02, or U+FFFE in the page's text); the glyph
        # drawn is a hyphen
        hyphen = code in (0x02, 0xFFFE) and raw.FPDFText_IsHyphen(tp, i) == 1
        char = "-" if hyphen else chr(code)
        key = get_object(tp, i)
        if not key:  # generated by PDFium: a space inferred from a wide gap belongs to the run
            if char == " " and last in out:
                out[last].chars.append((char, out[last].chars[-1][1]))
            continue
        origin = 0.0  # a space's origin is never compared: no call for it
        if not char.isspace():
            get_origin(tp, i, x, y)
            origin = x.value
        text = out.get(key)
        if text is None:
            text = out[key] = _Text(key, -1)
        text.chars.append((char, origin))
        last = key
    return out


# marked-content entries that make extractors read other text than the glyphs drawn
REPLACING = {"ActualText", "Alt", "E"}


def _replaced(obj: raw.FPDF_PAGEOBJECT) -> str | None:
    """The name of a marked-content entry that replaces the object's text, if any."""
    buf = ctypes.create_string_buffer(64)
    size = ctypes.c_ulong()
    for m in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, m)
        for k in range(raw.FPDFPageObjMark_CountParams(mark)):
            raw.FPDFPageObjMark_GetParamKey(
                mark, k, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)), len(buf), size
            )
            key = buf.raw[: max(size.value - 2, 0)].decode("utf-16-le", "replace")
            if key in REPLACING:
                return key
    return None


def _why_hidden(
    obj: raw.FPDF_PAGEOBJECT, box: Box, page: Box, size: float, matrix: raw.FS_MATRIX
) -> str | None:
    if replaced := _replaced(obj):
        return f"its text is replaced by /{replaced}"
    mode = raw.FPDFTextObj_GetTextRenderMode(obj)
    if mode in (3, 7):
        return "invisible render mode"
    colour = _colour(obj, stroke=mode in (1, 5))
    if not _visible(colour):
        return "transparent" if colour[3] == 0 else "white on the white page"
    if not box.inside(page):
        return "off the page"
    clip = _clip_box(obj)
    if clip is not None and not box.inside(clip):
        return "outside its clip"
    if abs(matrix.b) > 1e-3 or abs(matrix.c) > 1e-3 or matrix.a <= 0 or matrix.d <= 0:
        return "rotated, mirrored or skewed"
    if size * matrix.d < MIN_READABLE_PT or box.y1 - box.y0 < MIN_READABLE_PT:
        return "too small to read"
    return None


def drawn_pages(pdf: bytes | pdfium.PdfDocument) -> list[DrawnPage]:
    """Every page as drawn. PDFium errors propagate (the caller reports the file unreadable)."""
    doc = pdf if isinstance(pdf, pdfium.PdfDocument) else pdfium.PdfDocument(pdf)
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            try:
                out.append(drawn_page(page, index))
            finally:
                page.close()
        return out
    finally:
        if doc is not pdf:
            doc.close()


def drawn_page(page: pdfium.PdfPage, index: int) -> DrawnPage:
    """One loaded page as drawn."""
    crop, media = page.get_cropbox(), page.get_mediabox()
    out = DrawnPage(
        index,
        Box(
            max(crop[0], media[0]),
            max(crop[1], media[1]),
            min(crop[2], media[2]),
            min(crop[3], media[3]),
        ),
    )
    texts = _page_text(page.get_textpage())
    fills: list[tuple[int, Box]] = []  # opaque things painted, with their place in the order
    pending: list[tuple[int, Run]] = []
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        kind = raw.FPDFPageObj_GetType(obj)
        box = _bounds(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            chars = texts[key].chars if key in texts else []
            text = "".join(c for c, _ in chars)
            if not text.strip():
                continue
            matrix = raw.FS_MATRIX()
            raw.FPDFPageObj_GetMatrix(obj, matrix)
            size, bold = _font(obj)
            why = _why_hidden(obj, box, out.box, size, matrix)
            origins = [x for c, x in chars if not c.isspace()]
            if why is None and any(b2 < a2 - 0.01 for a2, b2 in itertools.pairwise(origins)):
                why = "glyphs drawn out of their reading order"
            if why:
                out.hidden.append((text.strip(), why))
                continue
            run = Run(index, text, box, matrix.f, matrix.e, size * matrix.d, bold)
            pending.append((i, run))
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            thin = min(box.x1 - box.x0, box.y1 - box.y0) <= RULE_THICKNESS
            painted = (fill.value and _visible(_colour(obj, stroke=False))) or (
                stroke.value and _visible(_colour(obj, stroke=True))
            )
            if not painted:
                if fill.value and _colour(obj, stroke=False)[3] > 0:
                    fills.append((i, box))  # white paint hides what is under it
                continue
            if thin and raw.FPDFPath_CountSegments(obj) <= 5:
                out.rules.append(Rule(box))
            else:
                out.shapes.append(box)
                if fill.value:
                    fills.append((i, box))
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            out.shapes.append(box)
            fills.append((i, box))
        elif kind == raw.FPDF_PAGEOBJ_FORM:
            out.hidden.append(("(form XObject)", "drawn through a form XObject"))
        elif kind == raw.FPDF_PAGEOBJ_SHADING:
            out.shapes.append(box)
            fills.append((i, box))
    for i, run in pending:
        covered = any(j > i and run.box.overlap(f) > 0.2 * run.box.area for j, f in fills)
        if covered:
            out.hidden.append((run.text.strip(), "painted over by a later shape or image"))
        else:
            out.runs.append(run)
    return out
