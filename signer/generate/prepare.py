"""Prepare a converted agreement for signing: data embedded, metadata consistent, fields ready.

Before anyone signs, so that both signatures cover it all:
- the agreement's canonical JSON is embedded as a PDF/A-3 associated file (catalog ``/AF``,
  ``AFRelationship /Data``, MIME type, size, checksum and dates);
- Info and XMP metadata agree (title, subject, author = instansi), and the producer is already
  pyHanko's, because pyHanko rewrites it at each signature and PDF/A wants Info and XMP equal;
- the header says PDF 1.7 (PDF/A-3 is based on it);
- one empty signature field per role, named after the role, over the blank space of that party's
  signature block, found from the template's bookmarks (PDF named destinations) in this very PDF,
  because long names and titles move the blocks. Field locks: pihak pertama's signature locks
  everything but pihak kedua's field; pihak kedua's locks everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.sign import fields

from signer import __version__
from signer.errors import InputError
from signer.model import Agreement, Peran

ATTACHMENT_DESCRIPTION = "Data perjanjian (kinerja, JSON kanonik)"
BOOKMARK_ROLE = {Peran.PIHAK_PERTAMA: "Pertama", Peran.PIHAK_KEDUA: "Kedua"}
SIGNATURE_GAP = 2.0  # points kept clear above the name line
SINGLE_COLUMN = 219.7  # points: half of the templates' 155 mm text width


class PrepareError(InputError):
    """A converted PDF that cannot be made ready for signing (e.g. a template without bookmarks)."""


@dataclass(frozen=True)
class Destination:
    page: int  # 0-based
    left: float
    top: float


@dataclass(frozen=True)
class SignatureBox:
    """Where a party's signature goes: page (0-based) and box (x1, y1, x2, y2) in points."""

    role: Peran
    page: int
    box: tuple[float, float, float, float]


def attachment_name(a: Agreement) -> str:
    return f"{a.id}.json"


def named_destinations(pdf: pikepdf.Pdf) -> dict[str, Destination]:
    """Named destinations from the catalog's /Dests dictionary and the /Names /Dests tree."""
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    found: dict[str, pikepdf.Object] = {}
    if "/Dests" in pdf.Root:
        for key, value in pdf.Root.Dests.items():
            found[str(key).lstrip("/")] = value
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        for key, value in pikepdf.NameTree(pdf.Root.Names.Dests).items():
            found[str(key)] = value
    out: dict[str, Destination] = {}
    for name, value in found.items():
        array = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
        if not isinstance(array, pikepdf.Array) or len(array) < 4:
            continue
        page = pages.get(array[0].objgen)
        if page is None or str(array[1]) != "/XYZ":
            continue
        out[name] = Destination(page, float(array[2]), float(array[3]))
    return out


def signature_boxes(
    dests: dict[str, Destination], page_width: float, roles: tuple[Peran, ...] = tuple(Peran)
) -> list[SignatureBox]:
    """One box per role, from the first signature block (bookmarks Sig<Role>1 / SigEnd<Role>1).

    The box spans from the blank space's top down to just above the name line; horizontally it
    is centred on the column, whose width is the distance between the two columns (a single
    signer's column is half the text width, as in the two-column block).
    """
    boxes: list[SignatureBox] = []
    tops: dict[Peran, Destination] = {}
    for role in roles:
        word = BOOKMARK_ROLE[role]
        start, end = dests.get(f"Sig{word}1"), dests.get(f"SigEnd{word}1")
        if start is None or end is None:
            raise PrepareError(
                f"the template has no bookmarks Sig{word}1 and SigEnd{word}1 "
                f"around the signature space of {role.value}"
            )
        if start.page != end.page:
            raise PrepareError(
                f"the signature block of {role.value} is split across pages "
                f"{start.page + 1} and {end.page + 1}"
            )
        if start.top - end.top < 20:
            raise PrepareError(
                f"the signature space of {role.value} is only "
                f"{start.top - end.top:.0f} pt high; at least 20 pt are needed"
            )
        tops[role] = start
    if len(tops) == 1:
        column = SINGLE_COLUMN
    else:
        left, right = sorted(tops.values(), key=lambda d: d.left)
        column = right.left - left.left
    if column < 100:
        raise PrepareError("the two signature columns overlap; expected them side by side")
    for role in roles:
        word = BOOKMARK_ROLE[role]
        start, end = dests[f"Sig{word}1"], dests[f"SigEnd{word}1"]
        width = min(column - 12, 220.0)
        x1 = start.left + (column - 12 - width) / 2
        x1 = max(6.0, min(x1, page_width - width - 6))
        boxes.append(
            SignatureBox(
                role,
                start.page,
                (
                    round(x1, 1),
                    round(end.top + SIGNATURE_GAP, 1),
                    round(x1 + width, 1),
                    round(start.top, 1),
                ),
            )
        )
    return boxes


def _embed(pdf: pikepdf.Pdf, name: str, data: bytes, when: dt.datetime) -> None:
    stamp = pikepdf.Object.parse(b"(D:" + when.strftime("%Y%m%d%H%M%SZ").encode() + b")")
    spec = pikepdf.AttachedFileSpec(
        pdf,
        data,
        description=ATTACHMENT_DESCRIPTION,
        filename=name,
        mime_type="application/json",
        relationship=pikepdf.Name.Data,
    )
    pdf.attachments[name] = spec
    filespec = spec.obj  # the very file specification just listed, also the /AF entry
    stream = filespec.EF.F
    stream.Params = pikepdf.Dictionary(
        Size=len(data),
        CheckSum=pikepdf.String(hashlib.md5(data).digest()),
        CreationDate=stamp,
        ModDate=stamp,
    )
    pdf.Root.AF = pikepdf.Array([filespec])


def _metadata(pdf: pikepdf.Pdf, a: Agreement) -> None:
    title = f"{a.jenis.judul} Tahun {a.tahun} {a.unit.nama}"
    parties = (
        f"antara {a.pihak_pertama.jabatan} dan {a.pihak_kedua.jabatan}"
        if a.pihak_kedua
        else f"oleh {a.pihak_pertama.jabatan}"
    )
    subject = f"{a.jenis.judul} {parties}, {a.instansi.nama}, tahun {a.tahun} ({a.id})"
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = title
        meta["dc:description"] = subject
        meta["dc:creator"] = [a.instansi.nama]
        meta["pdf:Keywords"] = f"{a.jenis.value}; {a.tahun}; {a.unit.kode}; {a.id}"
        meta["xmp:CreatorTool"] = f"kinerja {__version__}"
        meta["pdf:Producer"] = VENDOR  # what pyHanko writes at signing, so Info and XMP agree
    pdf.docinfo["/Author"] = a.instansi.nama
    pdf.docinfo["/Subject"] = subject


def _fields(pdf_bytes: bytes, boxes: list[SignatureBox]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    for b in boxes:
        # pihak pertama's signature leaves pihak kedua's field open; the last signer's locks all
        lock = (
            fields.FieldMDPSpec(fields.FieldMDPAction.EXCLUDE, [Peran.PIHAK_KEDUA.value])
            if b.role is Peran.PIHAK_PERTAMA and len(boxes) > 1
            else fields.FieldMDPSpec(fields.FieldMDPAction.ALL)
        )
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                b.role.value,
                on_page=b.page,
                box=tuple(round(v) for v in b.box),  # type: ignore[arg-type]
                field_mdp_spec=lock,
                empty_field_appearance=True,
                readable_field_name=f"Tanda tangan {b.role.value}",
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare(
    converted: Path | bytes, a: Agreement, data: bytes, when: dt.datetime | None = None
) -> tuple[bytes, list[SignatureBox]]:
    """Turn LibreOffice's PDF/A-3b of ``a`` into the ready-to-sign PDF; return it and its boxes.

    ``data`` is the canonical JSON of ``a`` (the bytes whose SHA-256 the pages print).
    """
    when = when or dt.datetime.now(dt.UTC)
    source = io.BytesIO(converted) if isinstance(converted, bytes) else converted
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PdfError as e:
        raise PrepareError(f"{a.id}: the converted PDF cannot be read ({e})") from None
    with pdf:
        if "/AcroForm" in pdf.Root and pdf.Root.AcroForm.get("/Fields"):
            raise PrepareError(f"{a.id}: the converted PDF already has form fields")
        boxes = signature_boxes(named_destinations(pdf), float(pdf.pages[0].mediabox[2]), a.peran)
        _embed(pdf, attachment_name(a), data, when)
        _metadata(pdf, a)
        buf = io.BytesIO()
        pdf.save(
            buf,
            min_version="1.7",
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            fix_metadata_version=True,
        )
    return _fields(buf.getvalue(), boxes), boxes
