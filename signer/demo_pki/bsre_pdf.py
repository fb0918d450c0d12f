"""What the BSrE emulator does to a PDF: sign it as BSrE does, and the faults tests ask for.

A signature as BSrE's eSign API v2 makes it (../shared/notes/domain.md 4.2, /tmp bsre_api.md 1):
one incremental update that adds a NEW signature field named ``esc_<epoch milliseconds>`` (BSrE
cannot fill a field it did not make), PAdES (/SubFilter /ETSI.CAdES.detached) at level B-T with
the emulator's TSA, never certifying (no DocMDP). Visible: one widget on the page and rectangle
of the request, whose appearance is the sent image scaled into it; invisible: a zero rectangle.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import math
import time
from dataclasses import dataclass
from enum import StrEnum

import pikepdf
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import StaticStampStyle

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096
RESERVED_HEX = 32768
"""Hex digits kept for a signature's /Contents, fixed as signing services keep them: an
emulator's B-T signature with its chain and token is about 9,800 bytes (19,600 digits).
pyHanko's own estimate would sign every document twice."""


class Fault(StrEnum):
    """What a test asks a running emulator to do wrong."""

    SERVER_ERROR = "server-error"  # 500 on sign
    HANG = "hang"  # sign never answers (released when the emulator stops)
    CHANGED_DOCUMENT = "changed-document"  # the update also changes a page's content
    WRONG_SIGNER = "wrong-signer"  # signed with another account's certificate
    EXTRA_UPDATE = "extra-update"  # a second incremental update after the signature
    REWRITTEN = "rewritten"  # the whole file written anew, not an incremental update


class BadFile(Exception):
    """A ``file`` that is not base64 of a PDF (BSrE answers 500)."""


class BadProperties(Exception):
    """A ``signatureProperties`` entry that cannot be applied (400)."""


class Origin(StrEnum):
    """Where originX/originY are counted from: the documented examples use the lower-left."""

    LOWER_LEFT = "lower-left"
    UPPER_LEFT = "upper-left"


@dataclass(frozen=True)
class Tampilan:
    """One ``signatureProperties`` entry, read."""

    visible: bool
    image: bytes | None = None
    page: int = 1  # 1-based
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # originX, originY, w, h
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None


def decode_file(text: object, index: int) -> bytes:
    """The PDF of ``file[index]``: standard base64 (a ``data:`` prefix tolerated)."""
    if not isinstance(text, str) or not text:
        raise BadFile(f"file[{index}] kosong atau bukan string base64")
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    text = "".join(text.split())  # MIME encoders (Java's) break lines every 76 characters
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadFile(f"file[{index}] bukan base64 yang sah") from None
    if not data.lstrip()[:5] == b"%PDF-":
        raise BadFile(f"file[{index}] bukan dokumen PDF")
    return data


def _text(entry: dict[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None or value == "" or value == "null":  # the collection sends "null"
        return None
    if not isinstance(value, str):
        raise BadProperties(f"{where}.{key} harus berupa teks")
    return value


def _number(entry: dict[str, object], key: str, where: str) -> float:
    value = entry.get(key)
    if isinstance(value, str):  # some clients send numbers as strings
        try:
            value = float(value)
        except ValueError:
            raise BadProperties(f"{where}.{key} bukan angka: {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadProperties(f"{where}.{key} harus berupa angka")
    return float(value)


def _image(entry: dict[str, object], where: str) -> bytes:
    text = _text(entry, "imageBase64", where)
    if text is None:
        raise BadProperties(f"{where}.imageBase64 wajib untuk tampilan VISIBLE")
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    text = "".join(text.split())
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadProperties(f"{where}.imageBase64 bukan base64 yang sah") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise BadProperties(f"{where}.imageBase64 lebih dari {MAX_IMAGE_BYTES} byte")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise BadProperties(f"{where}.imageBase64 harus PNG atau JPEG, bukan {img.format}")
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise BadProperties(f"{where}.imageBase64 terlalu besar ({img.width}x{img.height})")
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise BadProperties(f"{where}.imageBase64 bukan gambar PNG atau JPEG") from None
    return data


def read_properties(raw: object, files: int) -> list[Tampilan]:
    """One :class:`Tampilan` per file: one entry for all files, or one per file by index."""
    if isinstance(raw, dict):  # a single object instead of an array: read it as one entry
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise BadProperties("signatureProperties harus berupa array berisi minimal satu entri")
    if len(raw) not in (1, files):
        raise BadProperties(
            f"signatureProperties berisi {len(raw)} entri untuk {files} file "
            "(harus 1 atau sama dengan jumlah file)"
        )
    read: list[Tampilan] = []
    for i, entry in enumerate(raw):
        where = f"signatureProperties[{i}]"
        if not isinstance(entry, dict):
            raise BadProperties(f"{where} harus berupa objek")
        tampilan = (_text(entry, "tampilan", where) or "").upper()
        common = {
            "reason": _text(entry, "reason", where),
            "location": _text(entry, "location", where),
            "contact_info": _text(entry, "contactInfo", where),
        }
        if tampilan in ("INVISIBLE", "INV"):
            read.append(Tampilan(visible=False, **common))  # type: ignore[arg-type]
            continue
        if tampilan not in ("VISIBLE", "VIS"):
            raise BadProperties(f"{where}.tampilan harus VISIBLE atau INVISIBLE")
        page = _number(entry, "page", where)
        if page != int(page) or page < 1:
            raise BadProperties(f"{where}.page harus bilangan bulat mulai 1")
        box = tuple(_number(entry, k, where) for k in ("originX", "originY", "width", "height"))
        if box[2] <= 0 or box[3] <= 0:
            raise BadProperties(f"{where}.width dan height harus lebih dari 0")
        read.append(
            Tampilan(True, _image(entry, where), int(page), box, **common)  # type: ignore[arg-type]
        )
    return read * files if len(read) == 1 else read


def field_name(taken: set[str]) -> str:
    """A new field name like BSrE's, ``esc_<epoch ms>``, not yet in the document."""
    ms = int(time.time() * 1000)
    while f"esc_{ms}" in taken:
        ms += 1
    return f"esc_{ms}"


def _page_rect(
    writer: IncrementalPdfFileWriter, t: Tampilan, origin: Origin
) -> tuple[int, tuple[float, float, float, float]]:
    pages = int(writer.root["/Pages"]["/Count"])
    if t.page > pages:
        raise BadProperties(f"page {t.page} tidak ada (dokumen {pages} halaman)")
    ref, _ = writer.find_page_for_modification(t.page - 1)
    box = _inherited(ref.get_object(), "/CropBox") or _inherited(ref.get_object(), "/MediaBox")
    if box is None:
        raise BadFile(f"halaman {t.page} tanpa /MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    left, bottom = min(x0, x1), min(y0, y1)
    top = max(y0, y1)
    x, y, w, h = t.box
    lly = bottom + y if origin is Origin.LOWER_LEFT else top - y - h
    return t.page - 1, (left + x, lly, left + x + w, lly + h)


def _inherited(page: generic.DictionaryObject, key: str) -> generic.ArrayObject | None:
    """A page attribute, from the page or the nearest page tree node that has it."""
    node: generic.DictionaryObject | None = page
    for _ in range(64):  # a page tree deeper than this is a loop
        if node is None:
            return None
        if key in node:
            value = node[key]
            return value if isinstance(value, generic.ArrayObject) else None
        parent = node.get("/Parent")
        node = parent if isinstance(parent, generic.DictionaryObject) else None
    return None


def _change_page_content(writer: IncrementalPdfFileWriter) -> None:
    """The changed-document fault: draw a box on page 1 in the same update."""
    ref, _ = writer.find_page_for_modification(0)
    page = ref.get_object()
    extra = generic.StreamObject(stream_data=b"q 1 0 0 rg 20 20 120 40 re f Q\n")
    ref = writer.add_object(extra)
    contents = page.get("/Contents")
    parts = (
        list(contents)
        if isinstance(contents, generic.ArrayObject)
        else [page.raw_get("/Contents")]
        if contents is not None
        else []
    )
    page["/Contents"] = generic.ArrayObject([*parts, ref])
    writer.update_container(page)


@dataclass(frozen=True)
class Signing:
    """Who signs and with what: the account's key, and the emulator's TSA."""

    signer: signers.Signer
    timestamper: TimeStamper
    origin: Origin = Origin.LOWER_LEFT


def sign_one(data: bytes, t: Tampilan, how: Signing, fault: Fault | None = None) -> bytes:
    """``data`` plus one incremental update with a new B-T PAdES signature field."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise BadFile("dokumen terenkripsi tidak didukung")
        taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    except (PdfError, ValueError, KeyError, TypeError) as e:
        raise BadFile(f"dokumen PDF rusak ({e})") from None
    name = field_name(taken)
    if t.visible:
        page, rect = _page_rect(writer, t, how.origin)
        assert t.image is not None
        image = PdfImage(Image.open(io.BytesIO(t.image)))
        style = StaticStampStyle(
            border_width=0,
            background=image,
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(),
                inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
            ),
        )
        spec = fields.SigFieldSpec(name, on_page=page, box=rect)  # type: ignore[arg-type]
    else:
        style = None
        spec = fields.SigFieldSpec(name, on_page=0, box=None)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=t.reason,
        location=t.location,
        contact_info=t.contact_info,
        certify=False,
    )
    if fault is Fault.CHANGED_DOCUMENT:
        _change_page_content(writer)
    pdf_signer = signers.PdfSigner(
        meta, how.signer, timestamper=how.timestamper, stamp_style=style, new_field_spec=spec
    )
    out = io.BytesIO()
    try:
        asyncio.run(pdf_signer.async_sign_pdf(writer, bytes_reserved=RESERVED_HEX, output=out))
    except (PdfError, ValueError, KeyError, TypeError) as e:
        raise BadFile(f"dokumen tidak dapat ditandatangani ({e})") from None
    signed = out.getvalue()
    if fault is Fault.EXTRA_UPDATE:
        again = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
        again.set_info(
            generic.DictionaryObject(
                {generic.pdf_name("/Producer"): generic.TextStringObject("eSign Client (emulator)")}
            )
        )
        after = io.BytesIO()
        again.write(after)
        signed = after.getvalue()
    elif fault is Fault.REWRITTEN:
        with pikepdf.open(io.BytesIO(signed)) as pdf:
            rewritten = io.BytesIO()
            pdf.save(rewritten, fix_metadata_version=False)
        signed = rewritten.getvalue()
    return signed


def page_count(data: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
