"""The QR codes drawn on a PDF's pages, read the way a phone reads them: from PDFium's rendering
of the whole page (content, annotations and form widgets, whatever is painted over what), decoded
with zxing-cpp.

The page is rendered whole, at :data:`SCALE` (144 dpi), because a QR can be drawn in many ways
(an image, vector paths, glyphs of a font, a tiling pattern, a shading, a clip or a soft mask)
and only the rendering shows them all; rendering only where images and paths are would be about
a third faster and would miss the rest. At 144 dpi zxing-cpp reads a QR whose modules are 0.7 pt
(0.25 mm) or more, wherever it is; ours have 1.3 to 1.5 pt. When an annotation prints
differently than it shows (flags NoView, or no Print), the page is also read as printed.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import zxingcpp

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF points, page coordinates."""

SCALE = 2.0  # 144 dpi: 0.7 pt modules get 1.4 pixels, enough for zxing-cpp on a clean rendering
MAX_PIXELS = 16_000_000  # a page beyond A1 is rendered coarser rather than exhaust memory

_FLAGS = raw.FPDF_ANNOT | raw.FPDF_GRAYSCALE
_HIDDEN, _PRINT, _NOVIEW = 2, 4, 32  # annotation flags (ISO 32000-2, 12.5.3)


@dataclass(frozen=True)
class DrawnQr:
    page: int  # 0-based
    bbox: Box  # PDF points, page coordinates (x0, y0, x1, y1)
    payload: str


def drawn_qr_codes(
    pdf: bytes | pdfium.PdfDocument, pages: Sequence[int] | None = None
) -> list[DrawnQr]:
    """Every QR code visible on the given pages (all when None), read from PDFium's rendering of
    the page (so whatever is painted over it counts), decoded with zxing-cpp.

    A document passed in gets a form environment if it has none (PDFium draws widgets only
    through one), so pass it before any of its pages were loaded; it is left open. Raises
    ``pypdfium2.PdfiumError`` for bytes PDFium cannot open, ``IndexError`` for a page it lacks.
    """
    doc = pdf if isinstance(pdf, pdfium.PdfDocument) else pdfium.PdfDocument(pdf)
    try:
        doc.init_forms()
        count = len(doc)
        out: list[DrawnQr] = []
        for index in range(count) if pages is None else pages:
            if not 0 <= index < count:
                raise IndexError(f"page {index} of a {count}-page document")
            page = doc[index]
            try:
                out += page_qr_codes(doc, page, index)
            finally:
                page.close()
        return out
    finally:
        if doc is not pdf:
            doc.close()


def page_qr_codes(doc: pdfium.PdfDocument, page: pdfium.PdfPage, index: int) -> list[DrawnQr]:
    """The QR codes of one loaded page (its document has its form environment)."""
    width, height = page.get_size()
    scale = min(SCALE, math.sqrt(MAX_PIXELS / max(1.0, width * height)))
    found = _read(doc, page, index, scale, printing=False)
    if _prints_differently(page):
        for qr in _read(doc, page, index, scale, printing=True):
            if not any(q.payload == qr.payload and _overlap(q.bbox, qr.bbox) for q in found):
                found.append(qr)
    return found


def _read(
    doc: pdfium.PdfDocument, page: pdfium.PdfPage, index: int, scale: float, printing: bool
) -> list[DrawnQr]:
    """The codes on the page as rendered on screen (or on paper) at ``scale``."""
    width, height = page.get_size()
    w, h = max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))
    bitmap = pdfium.PdfBitmap.new_native(w, h, raw.FPDFBitmap_Gray)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, w, h)
    args = (bitmap, page, 0, 0, w, h, 0, _FLAGS | (raw.FPDF_PRINTING if printing else 0))
    raw.FPDF_RenderPageBitmap(*args)
    if doc.formenv:
        raw.FPDF_FFLDraw(doc.formenv, *args)
    # per call: a module-level nanobind object outlives zxingcpp, reported leaked on stderr
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)  # Model 1, 2, Micro, rMQR
    codes = zxingcpp.read_barcodes(
        bitmap.to_numpy(),
        formats=formats,
        text_mode=zxingcpp.TextMode.Plain,
        try_rotate=False,  # QR finder patterns are found at any angle; the retries serve 1-D codes
    )
    out = []
    x, y = ctypes.c_double(), ctypes.c_double()
    for code in codes:
        xs, ys = [], []
        p = code.position
        for corner in (p.top_left, p.top_right, p.bottom_right, p.bottom_left):
            # PDFium's own mapping back to page space, so /Rotate and the crop box are its own
            raw.FPDF_DeviceToPage(page, 0, 0, w, h, 0, corner.x, corner.y, x, y)
            xs.append(x.value)
            ys.append(y.value)
        out.append(DrawnQr(index, (min(xs), min(ys), max(xs), max(ys)), code.text))
    return out


def _prints_differently(page: pdfium.PdfPage) -> bool:
    """Some annotation shows on screen but does not print, or the reverse."""
    for i in range(max(0, raw.FPDFPage_GetAnnotCount(page))):
        annot = raw.FPDFPage_GetAnnot(page, i)
        if not annot:
            continue
        try:
            flags = raw.FPDFAnnot_GetFlags(annot)
        finally:
            raw.FPDFPage_CloseAnnot(annot)
        if not flags & _HIDDEN and (flags & _NOVIEW or not flags & _PRINT):
            return True
    return False


def _overlap(a: Box, b: Box) -> bool:
    """The boxes share more than half of the smaller one: one code read twice."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w > 0 and h > 0 and w * h > smaller / 2
