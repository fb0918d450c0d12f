"""What a remote signing service returns, checked before anything is written.

The document sent, byte for byte, plus one incremental update that adds one PAdES signature, by
a certificate whose holder is the party of the role (by name, as BSrE's certificates carry no
NIP), covering the whole file, and nothing else: pyHanko's difference analysis between the two
revisions finds no change beyond that signature's own field. Anything else is refused; the
caller keeps the original file as it was. The full verify policy runs after this (the stage's
audit): this check says precisely what the service did wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel

from signer.errors import KinerjaError
from signer.model import Peran
from signer.names import NotIdentified, PartyPin, certificate_nip, holder_names, identify
from signer.sign.backend import SignRequest
from signer.sign.rules import SignRefused, read_strict
from signer.signed_roles import stand_in_policy

PADES = "/ETSI.CAdES.detached"


def check_returned(
    request: SignRequest,
    returned: bytes,
    service: str,
    expected: asn1_x509.Certificate | None = None,
    pins: tuple[PartyPin, ...] = (),
) -> None:
    """Refuse (:class:`SignRefused`) what ``service`` returned for ``request`` unless it is the
    document sent plus exactly one signature by the party of the role."""
    source, role = request.source, request.role

    def refuse(what: str) -> SignRefused:
        return SignRefused(f"{source}: {service} returned {what}; refused, the file is unchanged")

    if not returned.startswith(request.data):
        raise refuse("a changed document, not the one sent plus a signature")
    if len(returned) == len(request.data):
        raise refuse("the document unsigned")
    try:
        before = read_strict(request.data, source).xrefs.total_revisions
        reader = read_strict(returned, source)
    except KinerjaError:
        raise refuse("a document that does not read as a PDF") from None
    added = reader.xrefs.total_revisions - before
    if added != 1:
        raise refuse(f"{added} updates instead of one")
    new = [es for es in reader.embedded_signatures if es.signed_revision == before]
    if len(new) != 1 or new[0].sig_object.get("/Type") == "/DocTimeStamp":
        raise refuse(f"an update with {len(new)} signatures instead of one")
    es = new[0]
    if es.sig_object.get("/SubFilter") != PADES:
        raise refuse(f"a signature of type {es.sig_object.get('/SubFilter')}, not PAdES")
    byte_range = [int(v) for v in es.byte_range]
    if byte_range[2] + byte_range[3] != len(returned):
        raise refuse("a signature that does not cover the whole file")
    _check_holder(request, es.signer_cert, expected, pins, refuse)
    first = not any(e.signed_revision < before for e in reader.embedded_regular_signatures)
    form = reader.root.get("/AcroForm")
    form = form.get_object() if form is not None else {}
    flags = form.get("/SigFlags") if isinstance(form, dict) else None
    if first and flags not in (1, 3):
        raise refuse(f"a form with /SigFlags {flags}, not a signed document's")
    diff = stand_in_policy(first_signature=first).review_file(reader, before - 1)
    if not isinstance(diff, DiffResult):
        raise refuse(f"a document changed beyond the signature ({diff})")
    if diff.modification_level > ModificationLevel.FORM_FILLING:
        raise refuse(
            "a document changed beyond the signature "
            f"({diff.modification_level.name.lower().replace('_', ' ')})"
        )
    others = set(diff.changed_form_fields) - {str(es.field_name)}
    if others:
        raise refuse(f"a document with other fields changed too ({', '.join(sorted(others))})")
    if role is Peran.PIHAK_PERTAMA and str(es.field_name) == Peran.PIHAK_KEDUA.value:
        raise refuse("pihak pertama's signature in pihak kedua's field")


def _check_holder(
    request: SignRequest,
    certificate: asn1_x509.Certificate,
    expected: asn1_x509.Certificate | None,
    pins: tuple[PartyPin, ...],
    refuse: Callable[[str], SignRefused],
) -> None:
    names = holder_names(certificate.subject.native)
    holder = names[0] if names else "a certificate with no name"
    if expected is not None and certificate.dump() != expected.dump():
        raise refuse(f"a signature by another certificate ({holder}) than the account's")
    try:
        identify(
            request.agreement,
            request.role,
            names,
            certificate.sha256.hex(),
            pins,
            certificate_nip(certificate.subject.native),
        )
    except NotIdentified as e:
        raise refuse(f"a signature that is not {request.role.value}'s ({e.reason})") from None
