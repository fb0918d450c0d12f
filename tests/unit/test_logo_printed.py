"""The logo as printed: a tall one scaled once per ceremony, a phone's picture upright."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from signer.generate.logo import PRINTED_PIXELS, printed_logo


def _pixel(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return value


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _emblem(size: tuple[int, int], mode: str = "RGBA") -> Image.Image:
    """Red on the left half, blue on the right, the top-left corner transparent."""
    w, h = size
    image = Image.new("RGBA", size, (0, 0, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, w // 2, h], fill=(255, 0, 0, 255))
    draw.rectangle([0, 0, w // 8, h // 8], fill=(0, 0, 0, 0))
    return image if mode == "RGBA" else image.convert(mode)


def test_a_logo_that_prints_as_it_is_stays_the_same_bytes() -> None:
    data = _png(_emblem((360, PRINTED_PIXELS)))
    assert printed_logo(data) is data


def test_a_tall_png_is_scaled_to_the_printed_height_keeping_shape_and_transparency() -> None:
    out = Image.open(io.BytesIO(printed_logo(_png(_emblem((3000, 2000))))))
    assert out.format == "PNG" and out.mode == "RGBA"
    assert out.height == PRINTED_PIXELS
    assert out.width == round(3000 * PRINTED_PIXELS / 2000)
    assert _pixel(out, 5, 5)[3] == 0  # the transparent corner
    assert _pixel(out, out.width // 4, out.height // 2) == (255, 0, 0, 255)
    assert _pixel(out, 3 * out.width // 4, out.height // 2) == (0, 0, 255, 255)


@pytest.mark.parametrize("mode", ["P", "1", "L", "LA", "RGB", "I;16"])
def test_a_tall_png_of_any_mode_comes_out_a_png_of_the_printed_height(mode: str) -> None:
    image = _emblem((1200, 1800), "RGB" if mode == "I;16" else mode)
    data = _png(image.convert(mode))
    out = Image.open(io.BytesIO(printed_logo(data)))
    assert out.format == "PNG"
    assert out.size == (round(1200 * PRINTED_PIXELS / 1800), PRINTED_PIXELS)


def _jpeg(image: Image.Image, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


def test_a_tall_jpeg_stays_a_jpeg_of_the_printed_height() -> None:
    out = Image.open(io.BytesIO(printed_logo(_jpeg(_emblem((2400, 2400))))))
    assert out.format == "JPEG"
    assert out.size == (PRINTED_PIXELS, PRINTED_PIXELS)
    r, _, b = _pixel(out, out.width // 4, out.height // 2)
    assert r > 200 and b < 60


def test_a_phone_picture_turned_by_exif_is_printed_upright() -> None:
    # stored 400 x 200 with the red half on the left; orientation 6: shown turned 90° clockwise,
    # so upright it is 200 x 400 with the red half on top
    data = _jpeg(_emblem((400, 200)), orientation=6)
    out = Image.open(io.BytesIO(printed_logo(data)))
    assert out.size == (200, 400)
    assert out.getexif().get(0x0112, 1) == 1
    r, _, b = _pixel(out, 100, 50)
    assert r > 200 and b < 60
    r, _, b = _pixel(out, 100, 350)
    assert b > 200 and r < 60
