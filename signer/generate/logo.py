"""The pemerintah daerah's logo, named on the Instansi sheet, read as carefully as the workbook.

The name is whatever staff (or a hostile workbook) typed: it may point at ``/dev/zero``, a named
pipe that blocks a reader forever, a folder, a huge file, a file outside the workbook's folder
(``../../etc/passwd``, whose bytes would then be printed into every agreement) or a file that
is not an image. Only a regular file inside the workbook's folder (a link is followed only if it
stays inside), under :data:`MAX_LOGO_BYTES`, is read, opened without blocking; and only a PNG or
JPEG image that Pillow can read, of at most :data:`MAX_LOGO_PIXELS` per side, is embedded:
upright, and no larger than it prints (:func:`printed_logo`).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from signer import fsio
from signer.errors import InputError

MAX_LOGO_BYTES = 5 * 1024 * 1024
"""A logo is some 20-500 KB; printed 24 mm high it never needs more."""
MAX_LOGO_PIXELS = 8000
"""Per side: 24 mm at 1200 dpi is some 1,100 pixels."""
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}  # a phone's JPEG reads as MPO
HEIGHT_MM = 24
"""The logo's height in the kop (its width follows its shape)."""
PRINTED_PIXELS = round(HEIGHT_MM / 25.4 * 600)
"""Its height in pixels at 600 dpi, twice the 300 ppi to which LibreOffice reduces every image
in the PDF: a taller logo is scaled to this once per ceremony, instead of LibreOffice decoding
all its pixels again for every agreement (a 2,000-pixel logo doubled each conversion)."""
_ORIENTATION = 0x0112  # EXIF: how a camera's picture is turned


def read_logo(name: str, workbook: Path) -> bytes:
    """The bytes of logo ``name`` (as typed on the Instansi sheet) next to ``workbook``."""
    where = f"Instansi, Logo: {name!r}"
    folder = workbook.parent.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise InputError(
            f"{where} is outside the workbook's folder ({folder}); put the logo next to "
            "the workbook and give its file name"
        )
    try:
        data = fsio.read_bounded(path, MAX_LOGO_BYTES)
    except fsio.ReadRefused as e:
        raise InputError(f"{where}: {_refusal(e, path)}") from None
    _check_image(data, where, path)
    return data


def _refusal(e: fsio.ReadRefused, path: Path) -> str:
    if e.kind == "missing":
        return f"not found next to the workbook (looked for {path})"
    if e.kind == "unreadable":
        return f"cannot read {path} ({e.detail})"
    if e.kind == "large":
        size = f"{e.size:,} bytes, " if e.size is not None else ""
        return f"{path} is {size}over the {MAX_LOGO_BYTES:,} a logo can need; save it smaller"
    kind = "a folder" if e.kind == "folder" else "not a regular file"
    return f"{path} is {kind}, expected a PNG or JPEG image"


def _check_image(data: bytes, where: str, path: Path) -> None:
    from PIL import Image

    not_image = f"{where}: {path} is not a PNG or JPEG image"
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8")):
        raise InputError(not_image)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                image.verify()  # the whole file's structure, without decoding its pixels
    except Exception as e:  # Pillow raises many kinds on a damaged image
        raise InputError(f"{not_image} Pillow can read ({e.__class__.__name__})") from None
    if kind not in _FORMATS:
        raise InputError(not_image)
    if max(width, height) > MAX_LOGO_PIXELS:
        raise InputError(
            f"{where}: {path} is {width} x {height} pixels, over {MAX_LOGO_PIXELS} per side; "
            "save it smaller"
        )


def printed_logo(data: bytes) -> bytes:
    """``data`` (a logo :func:`read_logo` accepted) as it is printed: upright, as every image
    viewer shows a phone's picture (LibreOffice ignores the EXIF orientation), and no taller
    than :data:`PRINTED_PIXELS`. Anything else is returned unchanged."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        turned = image.getexif().get(_ORIENTATION, 1) not in (1, None)
        if not turned and image.height <= PRINTED_PIXELS:
            return data
        kind = _FORMATS[image.format or ""]
        if kind == "JPEG" and not turned:  # decoded at a fraction of its size, when it can be
            image.draft(image.mode, (1, PRINTED_PIXELS))
        upright = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
    if upright.height > PRINTED_PIXELS:
        if upright.mode == "1":  # a bilevel image is resampled in grey
            upright = upright.convert("L")
        width = max(1, round(upright.width * PRINTED_PIXELS / upright.height))
        upright = upright.resize((width, PRINTED_PIXELS), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        upright.save(out, "JPEG", quality=95, subsampling=0, icc_profile=icc)
    else:
        if upright.mode not in ("1", "L", "LA", "RGB", "RGBA"):
            upright = upright.convert("RGBA")  # a palette, 16 bits: what PNG and resizing share
        upright.save(out, "PNG", icc_profile=icc)
    return out.getvalue()
