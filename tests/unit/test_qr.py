"""Reading the QR codes drawn on pages: what the rendering shows counts, however it is drawn."""

from __future__ import annotations

import io
import zlib
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
import qrcode
from pikepdf import Array, Dictionary, Name
from PIL import Image

from signer.generate.render import qr_png
from signer.verify.qr import drawn_qr_codes

GOOD = "kinerja:1:pk-2026-dinkes:sha256:" + "1f" * 32
FORGED = "kinerja:1:pk-2026-dinkes:sha256:" + "e0" * 32
AT = (100.0, 600.0, 172.0, 672.0)  # where the QR image is drawn: 72 pt square


def _border(payload: str, size: float) -> float:
    """The quiet zone of qr_png(payload) drawn ``size`` points wide, in points."""
    img = Image.open(io.BytesIO(qr_png(payload))).convert("L")
    dark = img.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert dark is not None
    return dark[0] / img.width * size


def _image(pdf: pikepdf.Pdf, payload: str) -> pikepdf.Stream:
    img = Image.open(io.BytesIO(qr_png(payload))).convert("L")
    return pikepdf.Stream(
        pdf,
        zlib.compress(img.tobytes()),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=img.width,
        Height=img.height,
        ColorSpace=Name.DeviceGray,
        BitsPerComponent=8,
        Filter=Name.FlateDecode,
    )


def _vector(payload: str, x: float, y: float, module: float) -> bytes:
    """A QR as one filled rectangle per dark module, its top-left corner at (x, y)."""
    qr = qrcode.QRCode(border=0)
    qr.add_data(payload)
    ops = [f"q 0 g {module} 0 0 {-module} {x} {y} cm"]
    for r, row in enumerate(qr.get_matrix()):
        ops += [f"{c} {r} 1 1 re" for c, dark in enumerate(row) if dark]
    return "\n".join([*ops, "f Q"]).encode()


def _draw(box: tuple[float, float, float, float], name: str = "Im0") -> bytes:
    x0, y0, x1, y1 = box
    return f"q {x1 - x0} 0 0 {y1 - y0} {x0} {y0} cm /{name} Do Q\n".encode()


def _pdf(
    content: bytes,
    images: dict[str, str] | None = None,
    *,
    rotate: int = 0,
    annots: list[tuple[bytes, int]] | None = None,
    widgets: bool = False,
    pages: int = 1,
) -> bytes:
    """A page drawing ``content`` with QR images {name: payload}, and annotations (appearance
    content, flags) the size of :data:`AT` placed on it: squares, or signature fields."""
    pdf = pikepdf.new()
    xobjects = Dictionary({f"/{n}": _image(pdf, p) for n, p in (images or {"Im0": GOOD}).items()})
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        page.obj.Resources = Dictionary(XObject=xobjects)
        page.obj.Contents = pdf.make_stream(content)
        if rotate:
            page.obj.Rotate = rotate
    for look, flags in annots or []:
        ap = pikepdf.Stream(pdf, look, Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 72, 72])
        ap.Resources = Dictionary(XObject=xobjects)
        annot = pdf.make_indirect(
            Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array(AT), F=flags)
        )
        annot.AP = Dictionary(N=ap)
        if widgets:
            annot.Subtype, annot.FT, annot.T, annot.P = Name.Widget, Name.Sig, "s", pdf.pages[0].obj
            fields = pdf.Root.get("/AcroForm", Dictionary(Fields=Array(), SigFlags=3))
            fields.Fields.append(annot)
            pdf.Root.AcroForm = fields
        pdf.pages[0].obj.Annots = Array([*pdf.pages[0].obj.get("/Annots", []), annot])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _inside(box: tuple[float, ...], outer: tuple[float, ...], slack: float = 1.0) -> bool:
    return (
        box[0] >= outer[0] - slack
        and box[1] >= outer[1] - slack
        and box[2] <= outer[2] + slack
        and box[3] <= outer[3] + slack
    )


def test_an_image_qr_is_read_with_its_box_in_page_coordinates() -> None:
    [qr] = drawn_qr_codes(_pdf(_draw(AT)))
    assert (qr.page, qr.payload) == (0, GOOD)
    # the symbol, without its one-module border, to within a pixel of the 144 dpi rendering
    m = _border(GOOD, 72)
    symbol = (AT[0] + m, AT[1] + m, AT[2] - m, AT[3] - m)
    assert all(abs(a - b) < 1.5 for a, b in zip(qr.bbox, symbol, strict=True)), qr.bbox


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_the_box_is_in_page_coordinates_on_a_rotated_page(rotate: int) -> None:
    [qr] = drawn_qr_codes(_pdf(_draw(AT), rotate=rotate))
    assert qr.payload == GOOD
    assert _inside(qr.bbox, AT) and qr.bbox[2] - qr.bbox[0] > 60, qr.bbox


WHITE = b"q 1 g 0 0 72 72 re f Q"


@pytest.mark.parametrize(
    "cover",
    [
        pytest.param({"content": _draw(AT) + b"q 1 g 96 596 80 80 re f Q"}, id="white-rectangle"),
        pytest.param({"content": b"q 100 600 36 72 re W n " + _draw(AT) + b"Q"}, id="clipped"),
        pytest.param({"content": _draw(AT), "annots": [(WHITE, 4)]}, id="white-annotation"),
        pytest.param(
            {"content": _draw(AT), "annots": [(WHITE, 4)], "widgets": True}, id="white-widget"
        ),
    ],
)
def test_a_qr_painted_over_or_clipped_is_not_read(cover: dict[str, Any]) -> None:
    assert drawn_qr_codes(_pdf(**cover)) == []


@pytest.mark.parametrize(
    "annot",
    [(WHITE, 32 | 4), (WHITE, 0), (b"", 32 | 4)],
    ids=["covers-on-paper", "covers-on-screen", "shows-only-on-paper-but-nothing"],
)
def test_a_qr_covered_only_on_paper_or_only_on_screen_is_read_once(
    annot: tuple[bytes, int],
) -> None:
    found = drawn_qr_codes(_pdf(_draw(AT), annots=[annot]))
    assert [q.payload for q in found] == [GOOD]


def test_a_second_qr_is_reported_beside_the_first() -> None:
    elsewhere = (400.0, 100.0, 472.0, 172.0)
    found = drawn_qr_codes(_pdf(_draw(AT) + _draw(elsewhere, "Im1"), {"Im0": GOOD, "Im1": FORGED}))
    by_payload = {q.payload: q for q in found}
    assert len(found) == 2 and set(by_payload) == {GOOD, FORGED}
    assert _inside(by_payload[GOOD].bbox, AT)
    assert _inside(by_payload[FORGED].bbox, elsewhere)


def test_the_same_qr_drawn_twice_is_reported_twice() -> None:
    found = drawn_qr_codes(_pdf(_draw(AT) + _draw((400.0, 100.0, 472.0, 172.0))))
    assert [q.payload for q in found] == [GOOD, GOOD]
    assert found[0].bbox != found[1].bbox


@pytest.mark.parametrize("module", [0.8, 1.44, 4.0])
def test_a_qr_drawn_as_vector_rectangles_is_read(module: float) -> None:
    [qr] = drawn_qr_codes(_pdf(_vector(FORGED, 300.5, 500.25, module)))
    assert qr.payload == FORGED
    assert abs(qr.bbox[0] - 300.5) < 1 and abs(qr.bbox[3] - 500.25) < 1


def test_a_qr_in_a_signature_widget_is_read() -> None:
    found = drawn_qr_codes(_pdf(b"", annots=[(b"q 72 0 0 72 0 0 cm /Im0 Do Q", 4)], widgets=True))
    assert [q.payload for q in found] == [GOOD]


def test_a_qr_in_a_print_only_annotation_is_read() -> None:
    found = drawn_qr_codes(_pdf(b"", annots=[(b"q 72 0 0 72 0 0 cm /Im0 Do Q", 32 | 4)]))
    assert [q.payload for q in found] == [GOOD]  # not on screen, but on paper
    hidden = drawn_qr_codes(_pdf(b"", annots=[(b"q 72 0 0 72 0 0 cm /Im0 Do Q", 2 | 4)]))
    assert hidden == []


def test_a_replaced_image_xobject_reads_its_new_payload() -> None:
    pdf = pikepdf.open(io.BytesIO(_pdf(_draw(AT))))
    forged = _image(pdf, FORGED)
    pdf.pages[0].obj.Resources.XObject.Im0.write(forged.read_raw_bytes(), filter=Name.FlateDecode)
    pdf.pages[0].obj.Resources.XObject.Im0.Width = forged.Width
    pdf.pages[0].obj.Resources.XObject.Im0.Height = forged.Height
    out = io.BytesIO()
    pdf.save(out)
    assert [q.payload for q in drawn_qr_codes(out.getvalue())] == [FORGED]


def test_a_qr_drawn_over_the_qr_is_the_one_read() -> None:
    found = drawn_qr_codes(_pdf(_draw(AT) + _draw(AT, "Im1"), {"Im0": GOOD, "Im1": FORGED}))
    assert [q.payload for q in found] == [FORGED]


def test_pages_are_chosen_and_a_document_passed_in_stays_open() -> None:
    doc = pdfium.PdfDocument(_pdf(_draw(AT), pages=3))
    assert [q.page for q in drawn_qr_codes(doc, pages=[2, 0])] == [2, 0]
    assert [q.page for q in drawn_qr_codes(doc)] == [0, 1, 2]
    assert len(doc) == 3
    with pytest.raises(IndexError):
        drawn_qr_codes(doc, pages=[3])
    doc.close()


def test_a_page_without_a_qr_has_none() -> None:
    assert drawn_qr_codes(_pdf(b"0 g 100 100 300 300 re f")) == []
