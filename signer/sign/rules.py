"""The rules a document must pass before anyone signs it; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from signer.embedded import EmbeddedAgreement, NotPrepared, read_embedded
from signer.errors import InputError
from signer.model import Peran, same_person
from signer.sign.keys import Credential, KeyMaterialError


class SignRefused(InputError):
    """A document that must not be signed as asked; nothing was written."""


@dataclass(frozen=True)
class SignatureField:
    name: str
    signed: bool
    box: tuple[float, float, float, float]


def _read(data: bytes, source: str) -> PdfFileReader:
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{source}: not a PDF file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        _ = reader.root
        return reader
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InputError(f"{source}: damaged PDF ({e.__class__.__name__}: {e})") from None


def signature_fields(reader: PdfFileReader) -> dict[str, SignatureField]:
    """The signature fields of a document by name, filled or not, with their boxes."""
    out: dict[str, SignatureField] = {}
    for name, value, ref in fields.enumerate_sig_fields(reader):
        rect = ref.get_object().get("/Rect", (0, 0, 0, 0))
        box = tuple(float(v) for v in rect)
        out[name] = SignatureField(name, value is not None, box)  # type: ignore[arg-type]
    return out


def _check_existing(reader: PdfFileReader, source: str, trust: list[asn1_x509.Certificate]) -> None:
    """Every signature and document timestamp already in the file must validate."""
    vc = ValidationContext(trust_roots=trust or None, allow_fetching=False)
    for es in reader.embedded_signatures:
        try:
            if es.sig_object.get("/Type") == "/DocTimeStamp":
                ts = validate_pdf_timestamp(es, validation_context=vc)
                ok, what = ts.intact and ts.valid, "document timestamp"
            else:
                st = validate_pdf_signature(es, vc, ts_validation_context=vc)
                ok = st.intact and st.valid and st.docmdp_ok and (st.trusted or not trust)
                what = f"signature {es.field_name}"
        except Exception as e:  # validation raises on malformed signatures; that is a failure
            ok, what = False, f"signature {es.field_name} ({e.__class__.__name__})"
        if not ok:
            raise SignRefused(
                f"{source}: the existing {what} does not validate; "
                "the file must not be signed further"
            )


@dataclass(frozen=True)
class Checked:
    """A document that passed every rule for signing as ``role``."""

    embedded: EmbeddedAgreement
    field: SignatureField
    already: bool  # this role already signed it with this very certificate: nothing to do


def read_prepared(reader: PdfFileReader, source: str) -> EmbeddedAgreement:
    """The embedded agreement, or a refusal: the file was not prepared by `kinerja generate`."""
    try:
        return read_embedded(reader.root)
    except NotPrepared as e:
        raise SignRefused(f"{source}: not prepared by `kinerja generate` ({e})") from None


def check(
    reader: PdfFileReader,
    source: str,
    role: Peran,
    credential: Credential,
    trust: list[asn1_x509.Certificate],
    now: dt.datetime,
    embedded: EmbeddedAgreement | None = None,
) -> Checked:
    """Apply every signing rule; raise :class:`SignRefused` with the reason if one fails."""
    embedded = embedded or read_prepared(reader, source)
    sig_fields = signature_fields(reader)
    missing = {r.value for r in Peran} - set(sig_fields)
    if missing:
        raise SignRefused(
            f"{source}: no signature field {', '.join(sorted(missing))}; not "
            "prepared by `kinerja generate`"
        )
    timestamps = {es.field_name for es in reader.embedded_timestamp_signatures}
    others = set(sig_fields) - {r.value for r in Peran} - timestamps
    if others:
        raise SignRefused(f"{source}: unexpected signature fields {', '.join(sorted(others))}")
    party = embedded.agreement.pihak(role)
    if not same_person(credential.holder, party.nama):
        raise SignRefused(
            f"{source}: the certificate ({credential.source}) belongs to "
            f"{credential.holder}, but {role.value} of {embedded.agreement.id} is "
            f"{party.nama}"
        )
    target = sig_fields[role.value]
    if target.signed:
        mine = next(
            (es for es in reader.embedded_regular_signatures if es.field_name == role.value), None
        )
        if mine is not None and mine.signer_cert.dump() == credential.certificate.dump():
            return Checked(embedded, target, already=True)
        raise SignRefused(f"{source}: {role.value} has already signed it")
    if role is Peran.PIHAK_KEDUA and not sig_fields[Peran.PIHAK_PERTAMA.value].signed:
        raise SignRefused(f"{source}: pihak pertama signs first")
    try:
        credential.check_valid_at(now)
    except KeyMaterialError as e:
        raise SignRefused(f"{source}: {e}") from None
    _check_existing(reader, source, trust)
    return Checked(embedded, target, already=False)

