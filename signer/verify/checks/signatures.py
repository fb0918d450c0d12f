"""Signature checks: the expected signatures in order, and per signature its integrity, trust,
algorithms, key usage, signer identity and the changes made after it.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import cms, keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signer.model import Peran, same_person
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.plain import PLAIN
from signer.verify.result import CheckResult, Verdict, fail, ok


def check_expected_signatures(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "expected-signatures"
    if ev.reader is None:
        return [fail(name, "the file could not be read")]
    roles = [s.role or s.es.field_name for s in ev.signatures]
    expected = [r.value for r in Peran]
    if roles != expected:
        found = ", ".join(map(str, roles)) or "none"
        return [
            fail(name, f"expected signatures {', '.join(expected)} in that order, found {found}")
        ]
    first, second = ev.signatures
    if first.es.docmdp_level is None or first.es.docmdp_level.value != 2:
        return [
            fail(
                name,
                "pihak pertama's signature is not a certification allowing form "
                "filling (DocMDP P=2)",
            )
        ]
    if second.es.docmdp_level is not None and "/Reference" in second.es.sig_object:
        return [fail(name, "pihak kedua's signature claims to certify the document")]
    names = set(_signature_field_names(ev.reader))
    timestamps = {es.field_name for es, _ in ev.timestamps}
    extra = names - set(expected) - timestamps
    if extra:
        return [fail(name, f"unexpected signature fields: {', '.join(sorted(extra))}")]
    early = [es.field_name for es, _ in ev.timestamps if es.signed_revision < first.revision]
    if early:
        return [fail(name, "a document timestamp precedes the signatures")]
    return [
        ok(
            name,
            "pihak pertama certified, then pihak kedua signed; "
            f"{len(ev.timestamps)} document timestamp(s) after",
        )
    ]


def _signature_field_names(reader: PdfFileReader) -> list[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return [n for n, _v, _r in enumerate_sig_fields(reader)]


def _sub(result: Any) -> tuple[str, str]:
    sub = getattr(result, "ades_subindic", None)
    return (sub.status.name if sub else "?", sub.name if sub else "?")


def check_signature(
    ev: Evidence, options: VerifyOptions, s: SignatureEvidence
) -> list[CheckResult]:
    out: list[CheckResult] = []
    st = s.status
    es = s.es
    # integrity: digest and signature value, canonical ByteRange and /Contents, coverage
    if s.intact is False:
        out.append(fail("signature-integrity", "the signed bytes were changed (digest mismatch)"))
    elif st is None:
        out.append(fail("signature-integrity", f"cannot be validated ({s.ades_error})"))
    elif not (st.intact and st.valid):
        out.append(
            fail(
                "signature-integrity",
                "the signed bytes were changed (digest mismatch)"
                if not st.intact
                else "the signature value does not verify",
            )
        )
    else:
        problem = _canonical_problem(ev, es)
        last = s is ev.signatures[-1] and not ev.timestamps
        coverage = s.integrity.get("coverage")
        coverage_ok = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            not last and coverage == SignatureCoverageLevel.ENTIRE_REVISION
        )
        if problem:
            out.append(fail("signature-integrity", problem))
        elif not coverage_ok:
            out.append(
                fail(
                    "signature-integrity",
                    f"nonstandard coverage ({coverage.name if coverage else 'unknown'})",
                )
            )
        else:
            out.append(ok("signature-integrity", "intact, canonical byte range and contents"))
    # trust at the validation time, with the long-term proofs in the file
    out.append(_trust_result(s, options))
    out.append(_algorithms(es))
    out.append(_key_usage(es))
    out.append(_identity(ev, options, s))
    out.append(_modifications(ev, s))
    return out


def _canonical_problem(ev: Evidence, es: EmbeddedPdfSignature) -> str | None:
    br = [int(v) for v in es.byte_range]
    if len(br) != 4 or br[0] != 0:
        return "the byte range does not start at 0 with two parts"
    contents_len = br[2] - br[1]
    raw = ev.data[br[1] : br[2]]
    if not (raw.startswith(b"<") and raw.endswith(b">")) or len(raw) != contents_len:
        return "the gap in the byte range is not exactly the /Contents hex string"
    try:
        blob = bytes.fromhex(raw[1:-1].decode("ascii"))
    except ValueError:
        return "/Contents is not a hex string"
    content_info = cms.ContentInfo.load(blob[: _der_length(blob)])
    if (
        content_info["content"]["signer_infos"].native is None
        or len(content_info["content"]["signer_infos"]) != 1
    ):
        return "expected exactly one SignerInfo"
    used = _der_length(blob)
    if any(blob[used:]):
        return "bytes hidden in the padding of /Contents"
    return None


def _der_length(blob: bytes) -> int:
    """Total length of the DER element at the start of ``blob``."""
    if len(blob) < 2:
        return len(blob)
    first = blob[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    return 2 + n + int.from_bytes(blob[2 : 2 + n], "big")


def _trust_result(s: SignatureEvidence, options: VerifyOptions) -> CheckResult:
    name = "signature-trust"
    if s.ades is None:
        return fail(name, f"cannot be validated ({s.ades_error})")
    status, sub = _sub(s.ades)
    st = s.ades.api_status
    if status == "PASSED":
        return ok(name, f"trusted and not revoked ({s.level})")
    if sub == "SIG_CONSTRAINTS_FAILURE" and s.level == "B-B":
        # B-B: no signature timestamp; judge the certificate at the validation time
        if st is not None and st.trusted and not st.revoked:
            return ok(
                name,
                "trusted and not revoked at the validation time (B-B: no "
                "timestamp proves when it was signed)",
            )
        if st is not None and st.revoked:
            return fail(name, "the signer's certificate is revoked")
        return fail(
            name,
            "the certificate cannot be trusted at the validation time, and a "
            "B-B signature has no timestamp to prove it was made earlier",
            Verdict.INDETERMINATE,
        )
    if st is not None and st.revoked:
        return fail(name, f"the signer's certificate was revoked ({sub})")
    reason = PLAIN.get(sub, (s.ades.failure_msg or sub).strip())
    if s.level == "B-B" and sub in ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "OUT_OF_BOUNDS_NO_POE"):
        reason = (
            "the certificate cannot be trusted at the validation time (expired, or no "
            "revocation data), and a B-B signature has no timestamp proving it is older"
        )
    return fail(
        name, f"{reason} ({sub})", Verdict.INVALID if status == "FAILED" else Verdict.INDETERMINATE
    )


_WEAK_DIGESTS = {"md5", "sha1", "md2", "sha224"}


def _algorithms(es: EmbeddedPdfSignature) -> CheckResult:
    name = "signature-algorithms"
    digest = es.md_algorithm
    if digest in _WEAK_DIGESTS:
        return fail(name, f"weak digest algorithm {digest}")
    mech = es.signer_info["signature_algorithm"]["algorithm"].native
    if "sha1" in mech or "md5" in mech:
        return fail(name, f"weak signature algorithm {mech}")
    key: keys.PublicKeyInfo = es.signer_cert.public_key
    if key.algorithm == "rsa" and key.bit_size < 2048:
        return fail(name, f"RSA key of {key.bit_size} bits (at least 2048 required)")
    if key.algorithm == "ec" and key.bit_size < 256:
        return fail(name, f"EC key of {key.bit_size} bits (at least 256 required)")
    return ok(name, f"{digest}, {key.algorithm.upper()} {key.bit_size} bits")


def _key_usage(es: EmbeddedPdfSignature) -> CheckResult:
    usage = es.signer_cert.key_usage_value
    allowed = set(usage.native) if usage is not None else set()
    if usage is None or not allowed & {"digital_signature", "non_repudiation"}:
        return fail(
            "signer-key-usage",
            "the certificate is not meant for signing (key usage "
            f"{', '.join(sorted(allowed)) or 'missing'})",
        )
    return ok("signer-key-usage", ", ".join(sorted(allowed)))


def holder(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", ""))


def _identity(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    name = "signer-identity"
    agreement = ev.agreement
    if agreement is None or s.role is None:
        return fail(name, "no embedded agreement names the party for this signature")
    party = agreement.pihak(Peran(s.role))
    cn = holder(s.es.signer_cert)
    if not same_person(cn, party.nama):
        return fail(name, f"signed by {cn}, but {s.role} is {party.nama}")
    if options.trust.pinned and not any(
        c.dump() == s.es.signer_cert.dump() for c in options.trust.pinned
    ):
        return fail(name, f"{cn}'s certificate is not among the pinned certificates")
    return ok(name, f"{cn} is {s.role} of {agreement.id}")


def _modifications(ev: Evidence, s: SignatureEvidence) -> CheckResult:
    name = "modifications"
    diff = s.integrity.get("diff_result")
    if diff is None:
        return fail(name, f"no difference analysis ({s.ades_error or 'not run'})")
    if not hasattr(diff, "modification_level"):
        return fail(name, f"disallowed change after signing: {diff}")
    level = diff.modification_level
    if not s.integrity.get("docmdp_ok"):
        return fail(name, "changes after signing that the document's permissions forbid")
    allowed = (
        ModificationLevel.FORM_FILLING
        if s.role == Peran.PIHAK_PERTAMA.value
        else ModificationLevel.LTA_UPDATES
    )
    if level > allowed:
        return fail(
            name,
            f"changes after this signature go beyond {allowed.name.lower()}: {level.name.lower()}",
        )
    if s.role == Peran.PIHAK_PERTAMA.value:
        changed = set(getattr(diff, "changed_form_fields", set()))
        if changed - {Peran.PIHAK_KEDUA.value}:
            return fail(
                name, f"fields changed after pihak pertama signed: {', '.join(sorted(changed))}"
            )
    return ok(name, f"only {level.name.lower().replace('_', ' ')} after signing")


def check_signatures(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    out = []
    for s in ev.signatures:
        out += [
            CheckResult(r.name, r.passed, r.reason, r.verdict, str(s.es.field_name))
            for r in check_signature(ev, options, s)
        ]
    for es, status in ev.timestamps:
        problem = _canonical_problem(ev, es) if not isinstance(status, Exception) else None
        if problem:
            out.append(
                fail("signature-integrity", f"document timestamp {es.field_name}: {problem}")
            )
        elif isinstance(status, Exception) or not (status.intact and status.valid):
            out.append(
                fail("signature-integrity", f"document timestamp {es.field_name} does not verify")
            )
    return out

