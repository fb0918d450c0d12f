"""Certificate checks, per signature: trusted at the validation time, strong algorithms, a key
meant for signing, the holder the embedded agreement names, and (with --pin) a pinned
certificate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from asn1crypto import keys
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.ades import AdESWithTimeValidationResult

from signer.algorithms import digest_weakness, key_weakness
from signer.model import Peran
from signer.names import Identification, NotIdentified, certificate_nip, holder_names, identify
from signer.verify.check import SignatureCheck, signature_check
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.plain import PLAIN
from signer.verify.result import CheckResult, Verdict, fail, ok


def _sub(result: AdESWithTimeValidationResult) -> tuple[str, str]:
    sub = getattr(result, "ades_subindic", None)
    return (sub.status.name if sub else "?", sub.name if sub else "?")


@signature_check(
    "signature-trust",
    "chain to a trust anchor, not revoked, at the validation time (ETSI AdES validation with "
    "the proofs in the file)",
)
def signature_trust(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    if s.ades is None:
        return fail(f"cannot be validated ({s.ades_error})")
    at = options.at
    if at is not None and at < dt.datetime.now(dt.UTC):
        # a verdict at a past time needs a proof that the signature existed by then
        poe = s.proof_of_existence
        if poe is None or poe > at:
            since = f"its earliest proof is {poe.isoformat()}" if poe else "no timestamp proves it"
            return fail(
                f"nothing proves the signature existed at {at.isoformat()}: {since}",
                Verdict.INDETERMINATE,
            )
    status, sub = _sub(s.ades)
    st = s.ades.api_status
    if status == "PASSED":
        return ok(f"trusted and not revoked ({s.level})")
    if sub == "SIG_CONSTRAINTS_FAILURE" and s.level == "B-B":
        # B-B: no signature timestamp; judge the certificate at the validation time
        if st is not None and st.trusted and not st.revoked:
            return ok(
                "trusted and not revoked at the validation time (B-B: no "
                "timestamp proves when it was signed)",
            )
        if st is not None and st.revoked:
            return fail("the signer's certificate is revoked")
        return fail(
            "the certificate cannot be trusted at the validation time, and a "
            "B-B signature has no timestamp to prove it was made earlier",
            Verdict.INDETERMINATE,
        )
    if st is not None and st.revoked:
        return fail(f"the signer's certificate was revoked ({sub})")
    reason = PLAIN.get(sub, (s.ades.failure_msg or sub).strip())
    if s.level == "B-B" and sub in ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "OUT_OF_BOUNDS_NO_POE"):
        reason = (
            "the certificate cannot be trusted at the validation time (expired, or no "
            "revocation data), and a B-B signature has no timestamp proving it is older"
        )
    return fail(
        f"{reason} ({sub})", Verdict.INVALID if status == "FAILED" else Verdict.INDETERMINATE
    )


@signature_check(
    "signature-algorithms", "SHA-256 or better; RSA of at least 2048 bits or EC of at least 256"
)
def signature_algorithms(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    # the same rules signing applies before it signs (signer.algorithms)
    es = s.es
    digest = es.md_algorithm
    mech = es.signer_info["signature_algorithm"]["algorithm"].native
    if weak := digest_weakness(digest, mech):
        return fail(weak)
    key: keys.PublicKeyInfo = es.signer_cert.public_key
    if weak := key_weakness(key):
        return fail(weak)
    return ok(f"{digest}, {key.algorithm.upper()} {key.bit_size} bits")


# what a signing certificate's extended key usage may name, if it has one: document signing
# (RFC 9336), Adobe's authentic documents, Microsoft's document signing, e-mail protection (how
# many CAs issue personal signing certificates), or any purpose
_SIGNING_EKU = {
    "1.3.6.1.5.5.7.3.36",
    "1.2.840.113583.1.1.5",
    "1.3.6.1.4.1.311.10.3.12",
    "email_protection",
    "any_extended_key_usage",
}


@signature_check(
    "signer-key-usage",
    "a certificate meant for signing documents: key usage non-repudiation (content commitment), "
    "and an extended key usage, if any, that allows document signing",
)
def signer_key_usage(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    cert = s.es.signer_cert
    usage = cert.key_usage_value
    allowed = set(usage.native) if usage is not None else set()
    if "non_repudiation" not in allowed:
        return fail(
            "the certificate is not meant for signing documents: no non-repudiation in its key "
            f"usage ({', '.join(sorted(allowed)) or 'missing'})",
        )
    eku = cert.extended_key_usage_value
    purposes = set(eku.native) if eku is not None else set()
    if eku is not None and not purposes & _SIGNING_EKU:
        return fail(
            "the certificate's extended key usage does not allow signing documents "
            f"({', '.join(sorted(purposes))})"
        )
    return ok(", ".join(sorted(allowed | purposes)))


# how far a signer's clock may run ahead of the timestamp authority's
CLOCK_ALLOWANCE = dt.timedelta(minutes=2)


@signature_check(
    "claimed-signing-time",
    "the signing time the signer claims is not after the signature's timestamp (2 minutes "
    "allowed for a clock running fast) and not before the certificate existed",
)
def claimed_signing_time(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    claimed = s.es.self_reported_timestamp
    if claimed is None:
        return ok("no signing time claimed")
    cert = s.es.signer_cert
    if claimed < cert.not_valid_before:
        return fail(
            f"claims to be signed at {claimed.isoformat()}, before the certificate existed "
            f"({cert.not_valid_before.isoformat()})"
        )
    if s.timestamp_time is not None and claimed > s.timestamp_time + CLOCK_ALLOWANCE:
        return fail(
            f"claims to be signed at {claimed.isoformat()}, after its own timestamp "
            f"({s.timestamp_time.isoformat()})"
        )
    return ok(f"claimed {claimed.isoformat()}")


def holder(cert: asn1_x509.Certificate) -> str:
    """The holder's name as the certificate gives it, fullest form first."""
    names = holder_names(cert.subject.native)
    return names[0] if names else ""


def identification(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> Identification:
    """How the signer's certificate is the party of its role (or :class:`NotIdentified`)."""
    if ev.agreement is None or s.role is None:
        raise NotIdentified("no embedded agreement names the party for this signature")
    cert = s.es.signer_cert
    return identify(
        ev.agreement,
        Peran(s.role),
        holder_names(cert.subject.native),
        cert.sha256.hex(),
        options.trust.party_pins,
        certificate_nip(cert.subject.native),
    )


# an organisation that names a government must be the agreement's; others ("Personal", a CA's
# own name) say nothing about the signer's employer
_GOVERNMENT = re.compile(r"pemerintah|kabupaten|\bkota\b|provinsi|pemkab|pemkot|pemprov", re.I)
_NIP_IN_TEXT = re.compile(r"NIP\.?\s*:?\s*((?:\d[\s.]?){18})", re.I)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def subject_attributes(cert: asn1_x509.Certificate) -> dict[str, str]:
    """The subject attributes that can say who the signer is, as plain text."""
    native = cert.subject.native
    keys = {
        "common_name": "CN",
        "organization_name": "O",
        "organizational_unit_name": "OU",
        "title": "title",
        "given_name": "givenName",
        "surname": "surname",
        "email_address": "email",
        "serial_number": "serialNumber",
    }
    out = {}
    for key, label in keys.items():
        value = native.get(key)
        if value:
            out[label] = ", ".join(value) if isinstance(value, list) else str(value)
    return out


@signature_check(
    "signer-identity",
    "the certificate's holder is the party the embedded data names for that role, and nothing "
    "the certificate or the signed reason says (NIP, organisation, title) contradicts it",
)
def signer_identity(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    if newer := ev.newer_schema():
        return newer
    agreement = ev.agreement
    if agreement is None or s.role is None:
        return fail("no embedded agreement names the party for this signature")
    party = agreement.pihak(Peran(s.role))
    subject = subject_attributes(s.es.signer_cert)
    try:
        found = identification(ev, options, s)
    except NotIdentified as e:
        # two parties with one plain name and no pin: proof is missing, nothing contradicts
        return fail(e.reason, Verdict.INDETERMINATE if e.ambiguous else Verdict.INVALID)
    cn = found.certificate_name
    matched, contradictions = [found.describe()], []
    reason = str(s.es.sig_object.get("/Reason", ""))
    for nip in {re.sub(r"\D", "", n) for n in _NIP_IN_TEXT.findall(reason)}:
        if party.nip is not None and nip == party.nip.digits:
            matched.append("NIP in the signed reason")
        else:
            contradictions.append(f"the signed reason gives NIP {nip}, the agreement {party.nip}")
    org = subject.get("O")
    if org and _GOVERNMENT.search(org):
        if _plain(org) == _plain(agreement.instansi.nama):
            matched.append(f"organisation {org}")
        else:
            contradictions.append(
                f"the certificate's organisation is {org}, not {agreement.instansi.nama}"
            )
    title = subject.get("title")
    if title:
        if _plain(title) in _plain(party.jabatan) or _plain(party.jabatan) in _plain(title):
            matched.append("title")
        elif _ACTING.match(party.jabatan):
            matched.append(f"title {title}, signing as {party.jabatan}")
        else:
            contradictions.append(f"the certificate's title is {title}, not {party.jabatan}")
    if contradictions:
        return fail(f"{cn} is named as {s.role}, but " + "; ".join(contradictions))
    return ok(f"{agreement.id}: {'; '.join(matched)}")


# an acting post (Plt., Plh., Pj.) is held beside the official's own: the certificate names that one
_ACTING = re.compile(r"^(?:Plt|Plh|Pjs|Pj)\.?\s", re.IGNORECASE)


def pinned_signers(pinned: Sequence[asn1_x509.Certificate]) -> SignatureCheck:
    """The check `--pin` adds: every signer holds one of exactly these certificates."""
    dumps = {c.dump() for c in pinned}

    def check(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
        cn = holder(s.es.signer_cert)
        if s.es.signer_cert.dump() not in dumps:
            return fail(f"{cn}'s certificate is not among the {len(dumps)} pinned certificate(s)")
        return ok(f"{cn}'s certificate is pinned")

    return SignatureCheck(
        "pinned-signers",
        "the signer holds one of the pinned certificates (only with --pin)",
        check,
    )
