"""The rules a document must pass before anyone signs it; a refusal writes nothing.

A document is signed only if: it was prepared by `kinerja generate` (embedded agreement, one
empty field per role, nothing else); the role has not signed yet and the order is kept (pihak
pertama first); the certificate, when the backend knows it beforehand, belongs to the party the
embedded data names for that role and is valid now. That the signatures already in the file
pass the full verify policy is checked by the stage, through its audit.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from signer import formatting
from signer.algorithms import certificate_weakness
from signer.embedded import EmbeddedAgreement, NotPrepared, read_embedded
from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.names import (
    NotIdentified,
    PartyPin,
    certificate_nip,
    holder_names,
    identify,
    same_person,
)
from signer.sign.backend import SignatureField
from signer.signed_roles import RolesBroken, bind_roles


class SignRefused(InputError):
    """A document that must not be signed as asked; nothing was written."""


class NoSuchRole(SignRefused):
    """A role the document's kind does not have (pihak kedua of the kepala daerah's own PK)."""


def read_strict(data: bytes, source: str) -> PdfFileReader:
    """A strict reader of a PDF's bytes, or bad input that says what is wrong."""
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{source}: not a PDF file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        _ = reader.root
        return reader
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InputError(f"{source}: damaged PDF ({e.__class__.__name__}: {e})") from None


def _page_of(reader: PdfFileReader, widget: generic.Reference) -> tuple[int, float]:
    """The 0-based index of the page whose annotations hold ``widget`` (0 if none does), and
    that page's height."""
    index = 0
    first_height = 0.0
    stack = [reader.root["/Pages"]]
    while stack:
        node = stack.pop()
        if node.get("/Type") == "/Pages":
            stack.extend(reversed([kid.get_object() for kid in node.get("/Kids", [])]))
            continue
        box = [float(v) for v in node.get("/MediaBox", (0, 0, 0, 0))]
        height = box[3] - box[1] if len(box) == 4 else 0.0
        first_height = first_height or height
        annots = node.get("/Annots", generic.ArrayObject())
        if widget in [a.reference for a in annots if isinstance(a, generic.IndirectObject)]:
            return index, height
        index += 1
    return 0, first_height


def signature_fields(reader: PdfFileReader) -> dict[str, SignatureField]:
    """The signature fields of a document by name, filled or not, with their boxes and pages."""
    out: dict[str, SignatureField] = {}
    for name, value, ref in fields.enumerate_sig_fields(reader):
        rect = ref.get_object().get("/Rect", (0, 0, 0, 0))
        x1, y1, x2, y2 = (float(v) for v in rect)
        page, height = (
            _page_of(reader, ref.reference) if isinstance(ref, generic.IndirectObject) else (0, 0.0)
        )
        out[name] = SignatureField(name, value is not None, (x1, y1, x2, y2), page, height)
    return out


def read_prepared(reader: PdfFileReader, source: str) -> EmbeddedAgreement:
    """The embedded agreement, or a refusal: the file was not prepared by `kinerja generate`."""
    try:
        return read_embedded(reader.root)
    except NotPrepared as e:
        raise SignRefused(f"{source}: not prepared by `kinerja generate` ({e})") from None


@dataclass(frozen=True)
class Checked:
    """A document that passed every rule for signing as ``role``."""

    embedded: EmbeddedAgreement
    field: SignatureField
    signed: tuple[Peran, ...]
    """The roles that have signed it so far, in order."""
    already: bool
    """This role already signed it (with this very certificate, when known): nothing to do."""


def check_role(agreement: Agreement, role: Peran, source: str) -> None:
    """Refuse a role the document's kind does not have (pihak kedua of the kepala daerah's own
    PK), before anything asks for that role's party or key."""
    if role not in agreement.peran:
        raise NoSuchRole(
            f"{source}: {agreement.id} is signed by pihak pertama "
            f"({agreement.pihak_pertama.nama}) alone; it has no {role.value} to sign as"
        )


def check(
    reader: PdfFileReader,
    source: str,
    role: Peran,
    certificate: asn1_x509.Certificate | None,
    now: dt.datetime,
    embedded: EmbeddedAgreement | None = None,
    pins: tuple[PartyPin, ...] = (),
) -> Checked:
    """Apply every signing rule; raise :class:`SignRefused` with the reason if one fails.

    ``certificate`` is the one that will sign, or None when the backend learns it only when
    signing (remote signing); its holder and validity are then checked in the result. Its
    holder must be the party by name without gelar, or by a certificate pinned in ``pins``;
    a party who shares its plain name with another party of the document needs a pin.
    """
    embedded = embedded or read_prepared(reader, source)
    agreement = embedded.agreement
    check_role(agreement, role, source)
    sig_fields = signature_fields(reader)
    roles = {r.value for r in agreement.peran}
    missing = roles - set(sig_fields)
    if missing:
        raise SignRefused(
            f"{source}: no signature field {', '.join(sorted(missing))}; not "
            "prepared by `kinerja generate`"
        )
    regular = sorted(reader.embedded_regular_signatures, key=lambda es: es.signed_revision)
    filled = frozenset(n for n, f in sig_fields.items() if f.signed and n in roles)
    try:
        bound = bind_roles([str(es.field_name) for es in regular], agreement.peran, filled)
    except RolesBroken as e:
        raise SignRefused(f"{source}: {e}") from None
    timestamps = {es.field_name for es in reader.embedded_timestamp_signatures}
    remote = {b.field for b in bound if b.remote}
    others = set(sig_fields) - roles - timestamps - remote
    if others:
        raise SignRefused(f"{source}: unexpected signature fields {', '.join(sorted(others))}")
    party = embedded.agreement.pihak(role)
    holder = None
    if certificate is not None:
        names = holder_names(certificate.subject.native)
        holder = names[0] if names else ""
        try:
            identify(
                embedded.agreement,
                role,
                names,
                certificate.sha256.hex(),
                pins,
                certificate_nip(certificate.subject.native),
            )
        except NotIdentified as e:
            raise SignRefused(f"{source}: {e.reason}") from None
        if weak := certificate_weakness(certificate):
            raise SignRefused(f"{source}: the certificate of {holder}: {weak}")
    signed = tuple(b.role for b in bound)
    target = sig_fields[role.value]
    if role in signed:
        mine = regular[signed.index(role)]
        if _same_signer(mine.signer_cert, certificate, party.nama):
            return Checked(embedded, target, signed, already=True)
        raise SignRefused(f"{source}: {role.value} has already signed it")
    order = list(agreement.peran)
    if order.index(role) != len(signed):
        raise SignRefused(f"{source}: pihak pertama signs first")
    if certificate is not None:
        _check_valid_at(certificate, holder or "", now, source)
    return Checked(embedded, target, signed, already=False)


def _same_signer(
    signer: asn1_x509.Certificate, certificate: asn1_x509.Certificate | None, nama: str
) -> bool:
    if certificate is not None:
        return bool(signer.dump() == certificate.dump())
    # a remote backend: the role's field was filled by the party the data names
    return any(same_person(n, nama) for n in holder_names(signer.subject.native))


def _check_valid_at(
    certificate: asn1_x509.Certificate, holder: str, now: dt.datetime, source: str
) -> None:
    if now < certificate.not_valid_before:
        raise SignRefused(
            f"{source}: the certificate of {holder} is not valid yet "
            f"(from {certificate.not_valid_before:%Y-%m-%d})"
        )
    if now > certificate.not_valid_after:
        raise SignRefused(
            f"{source}: the certificate of {holder} expired on "
            f"{certificate.not_valid_after:%Y-%m-%d}"
        )


def signing_warnings(embedded: EmbeddedAgreement, now: dt.datetime) -> list[str]:
    """What a signer should know although the document may be signed: a signature dated before
    the agreement's own date (the day printed above the signatures, in its time zone), which an
    auditor will ask about."""
    a = embedded.agreement
    local = now.astimezone(ZoneInfo(a.zona_waktu.iana))
    if local.date() < a.tanggal:
        return [
            f"signed on {formatting.tanggal(local.date())}, before the agreement's date "
            f"{formatting.tanggal(a.tanggal)} ({a.id}); check the computer's clock, or the "
            "date in the workbook's Instansi sheet"
        ]
    return []
