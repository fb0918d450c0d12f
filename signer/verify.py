"""The verify stage: a fail-closed verdict on an archived agreement.

Modelled on sigstore-python's policies: each check is a small function that looks at the
evidence gathered once from the file and returns results with a reason; a policy is a list of
checks; an empty policy fails. The verdict is VALID only if every check passes; INDETERMINATE
where proof is missing (no trust anchor, no revocation data, expired without long-term proofs);
INVALID otherwise. Parsing is strict; data is read from the signed revision, never a later one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import cms, keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko.sign.validation.ades import ades_lta_validation, ades_with_time_validation
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.api import FetcherBackend
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from . import formatting
from .embedded import EmbeddedAgreement, NotPrepared, read_embedded
from .errors import InputError
from .keys import same_person
from .model import Agreement, Peran


class Verdict(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    INDETERMINATE = "INDETERMINATE"


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    reason: str
    verdict: Verdict = Verdict.INVALID  # what a failure means: INVALID or INDETERMINATE
    subject: str | None = None  # the signature field a per-signature check is about

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "passed": self.passed,
            "reason": self.reason,
            "verdict": self.verdict.value if not self.passed else None,
        }

    def __str__(self) -> str:
        return f"{self.name}: {self.subject + ': ' if self.subject else ''}{self.reason}"


def ok(name: str, reason: str) -> CheckResult:
    return CheckResult(name, True, reason)


def fail(name: str, reason: str, verdict: Verdict = Verdict.INVALID) -> CheckResult:
    return CheckResult(name, False, reason, verdict)


# ---------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class TrustConfig:
    """Trust anchors and where current revocation data may come from."""

    anchors: tuple[asn1_x509.Certificate, ...] = ()
    fetcher_backend: FetcherBackend | None = None  # the demo PKI's in-process services
    online: bool = True  # may fetch current revocation data for the newest proofs
    pinned: tuple[asn1_x509.Certificate, ...] = ()  # if given, signers must be one of these


@dataclass(frozen=True)
class VerifyOptions:
    trust: TrustConfig = field(default_factory=TrustConfig)
    at: dt.datetime | None = None  # validate at this time from the proofs in the file


# ---------------------------------------------------------------------------------------------
# Evidence: gathered once per file, read by every check


@dataclass
class SignatureEvidence:
    es: EmbeddedPdfSignature
    role: str | None  # the field name if it is a role
    revision: int
    ades: Any = None  # AdESLTAValidationResult
    ades_error: str | None = None
    integrity: dict[str, Any] = field(default_factory=dict)  # coverage, diff_result, docmdp_ok
    intact: bool | None = None  # the byte ranges hash to the signed message digest
    level: str | None = None
    timestamp_time: dt.datetime | None = None

    @property
    def status(self) -> Any:
        return self.ades.api_status if self.ades is not None else None


@dataclass
class Evidence:
    path: str
    data: bytes
    reader: PdfFileReader | None = None
    parse_error: str | None = None
    signatures: list[SignatureEvidence] = field(default_factory=list)
    timestamps: list[tuple[EmbeddedPdfSignature, Any]] = field(default_factory=list)
    embedded: EmbeddedAgreement | None = None
    embedded_error: str | None = None
    signed_text: str | None = None  # the visible text of the last signed revision
    second_parser: list[str] = field(default_factory=list)  # what qpdf objects to
    text_error: str | None = None

    @property
    def agreement(self) -> Agreement | None:
        return self.embedded.agreement if self.embedded else None

    def by_role(self, role: Peran) -> SignatureEvidence | None:
        return next((s for s in self.signatures if s.role == role.value), None)


def _spec(trust: TrustConfig, at: dt.datetime | None) -> PdfSignatureValidationSpec:
    manager = SimpleTrustManager.build(trust_roots=list(trust.anchors))
    if at is not None or not trust.online:
        rule, backend = RevinfoOnlineFetchingRule.LOCAL_ONLY, None
    else:
        rule, backend = RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH, trust.fetcher_backend
    # difference analysis runs once per signature in gather(), not for every timestamp of
    # every signature inside the AdES process (which repeated it ten times per document)
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=manager, revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO)
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=rule, fetcher_backend=backend
            ),
        ),
        diff_policy=None,
    )


def _level(es: EmbeddedPdfSignature, doc_ts_revisions: list[int], has_dss_after: bool) -> str:
    unsigned = es.signer_info["unsigned_attrs"]
    has_ts = unsigned.native is not None and any(
        a["type"].native == "signature_time_stamp_token" for a in unsigned
    )
    if not has_ts:
        return "B-B"
    if any(rev > es.signed_revision for rev in doc_ts_revisions) and has_dss_after:
        return "B-LTA"
    return "B-LT" if has_dss_after else "B-T"


def _raw(d: generic.DictionaryObject, key: str) -> Any:
    """A dictionary entry as stored (a reference stays a reference), or None."""
    return d.raw_get(key) if key in d else None


def _validate(
    es: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo | None
) -> Any:
    """ETSI EN 319 102-1 validation of one signature.

    At the current time a signature that validates with its timestamp and today's revocation
    data needs no long-term proofs, and that check is three times cheaper; only when it does not
    pass, or at another time (--at), does the long-term process weigh the proofs in the file.
    """
    if timing is None and es.signer_info["unsigned_attrs"].native is not None:
        now = asyncio.run(
            ades_with_time_validation(
                es.signed_data, spec.signature_validation_spec, raw_digest=es.compute_digest()
            )
        )
        if now.ades_subindic.status.name == "PASSED":
            return now
    return asyncio.run(ades_lta_validation(es, spec, timing_info=timing))


def _intact(es: EmbeddedPdfSignature) -> bool:
    """Do the signed byte ranges still hash to the digest the signer signed?"""
    from pyhanko.sign.general import find_unique_cms_attribute

    signed = find_unique_cms_attribute(es.signer_info["signed_attrs"], "message_digest").native
    return bool(es.compute_digest() == signed)


def _dss_revisions(reader: PdfFileReader) -> list[int]:
    """The revisions that write the /DSS dictionary."""
    out = []
    for rev in range(reader.xrefs.total_revisions):
        dss = _raw(reader.get_historical_root(rev), "/DSS")
        if dss is None:
            continue
        written = {(r.idnum, r.generation) for r in reader.xrefs.explicit_refs_in_revision(rev)}
        inline = not isinstance(dss, generic.IndirectObject)
        if inline or (dss.idnum, dss.generation) in written:
            out.append(rev)
    return out


def _qpdf_problems(data: bytes) -> list[str]:
    """A second, independent parser (qpdf): any disagreement is a parser differential."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            problems = list(pdf.check_pdf_syntax())
            return problems + [str(w) for w in pdf.get_warnings()]
    except Exception as e:
        return [f"qpdf cannot open it: {str(e)[:200]}"]


def gather(path: str, data: bytes, options: VerifyOptions) -> Evidence:
    ev = Evidence(path, data)
    ev.second_parser = _qpdf_problems(data)
    try:
        ev.reader = PdfFileReader(io.BytesIO(data), strict=True)
        _ = ev.reader.root
        sigs = list(ev.reader.embedded_signatures)
    except Exception as e:  # any parser failure is a format failure, never a pass
        ev.parse_error = f"{e.__class__.__name__}: {str(e)[:200]}"
        ev.reader = None
        return ev
    reader = ev.reader
    spec = _spec(options.trust, options.at)
    timing = (
        ValidationTimingInfo(
            validation_time=options.at,
            best_signature_time=options.at,
            point_in_time_validation=True,
        )
        if options.at
        else None
    )
    doc_ts_revisions = []
    for es in sigs:
        try:
            is_ts = es.sig_object.get("/Type") == "/DocTimeStamp"
        except Exception:
            is_ts = False
        if is_ts:
            doc_ts_revisions.append(es.signed_revision)
    dss_revs = _dss_revisions(reader)
    for es in sigs:
        if es.sig_object.get("/Type") == "/DocTimeStamp":
            try:
                vc = ValidationContext(
                    trust_roots=list(options.trust.anchors) or None,
                    allow_fetching=False,
                    moment=options.at,
                )
                ev.timestamps.append(
                    (es, validate_pdf_timestamp(es, validation_context=vc, skip_diff=True))
                )
            except Exception as e:
                ev.timestamps.append((es, e))
            continue
        name = es.field_name
        item = SignatureEvidence(
            es, str(name) if name in {r.value for r in Peran} else None, es.signed_revision
        )
        item.level = _level(es, doc_ts_revisions, any(rev > es.signed_revision for rev in dss_revs))
        try:
            item.intact = _intact(es)
            if item.intact:  # a changed signature is INVALID already; skip the costly rest
                es.compute_integrity_info(DEFAULT_DIFF_POLICY)
                item.integrity = es.summarise_integrity_info()
                item.ades = _validate(es, spec, timing)
            else:
                item.ades_error = "the signed bytes were changed"
        except Exception as e:
            item.ades_error = f"{e.__class__.__name__}: {str(e)[:200]}"
        if item.ades is not None and item.ades.api_status is not None:
            ts = getattr(item.ades.api_status, "timestamp_validity", None)
            item.timestamp_time = getattr(ts, "timestamp", None)
        ev.signatures.append(item)
    ev.signatures.sort(key=lambda s: s.revision)
    _gather_agreement(ev)
    return ev


def _gather_agreement(ev: Evidence) -> None:
    reader = ev.reader
    assert reader is not None
    if not ev.signatures:
        ev.embedded_error = "no signature: nothing signed to read the agreement from"
        return
    last = ev.signatures[-1]
    try:
        ev.embedded = read_embedded(reader.get_historical_root(last.revision))
    except NotPrepared as e:
        ev.embedded_error = str(e)
        return
    except InputError as e:
        ev.embedded_error = str(e)
        return
    except Exception as e:
        ev.embedded_error = f"unreadable ({e.__class__.__name__})"
        return
    # the visible text of exactly the bytes the last signature covers
    br = [int(v) for v in last.es.byte_range]
    signed_bytes = ev.data[: br[2] + br[3]]
    ev.signed_text, ev.text_error = page_text(signed_bytes)


def page_text(pdf: bytes) -> tuple[str | None, str | None]:
    """Whitespace-normalised text of every page, as PDFium (Chrome's PDF engine) extracts it:
    a second parser, independent of pyHanko's, reading what viewers show."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as e:
        return None, f"PDFium cannot open the signed revision ({e})"
    try:
        return normalise(" ".join(page.get_textpage().get_text_range() for page in doc)), None
    finally:
        doc.close()


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# The checks. Each takes the evidence and returns one or more results.

Check = Callable[[Evidence, VerifyOptions], list[CheckResult]]


def check_trust_anchor(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if not options.trust.anchors:
        return [
            fail(
                "trust-anchor",
                "no trust anchor configured (--trust CERT|DIR): nothing can be trusted",
                Verdict.INDETERMINATE,
            )
        ]
    return [ok("trust-anchor", f"{len(options.trust.anchors)} trust anchor(s)")]


_EOF = re.compile(rb"startxref\s+\d+\s+%%EOF")


def check_structure(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "pdf-structure"
    if ev.reader is None:
        return [fail(name, f"the file does not parse as a strict PDF ({ev.parse_error})")]
    reader = ev.reader
    if reader.encrypted:
        return [fail(name, "the file is encrypted")]
    if "/XRefStm" in reader.trailer_view:
        return [fail(name, "hybrid cross-reference sections (an ambiguity vector)")]
    eofs = list(_EOF.finditer(ev.data))
    if not eofs:
        return [fail(name, "no startxref/%%EOF marker")]
    tail = ev.data[eofs[-1].end() :]
    if tail.strip(b"\r\n \t\x00"):
        return [fail(name, f"{len(tail)} bytes after the last %%EOF that no revision explains")]
    if ev.second_parser:
        return [fail(name, f"qpdf reads the file differently: {ev.second_parser[0]}")]
    revisions = reader.xrefs.total_revisions
    if len(eofs) != revisions:
        return [
            fail(
                name,
                f"{len(eofs)} end-of-file markers but {revisions} revisions in the "
                "cross-reference chain: bytes no revision explains",
            )
        ]
    return [ok(name, f"{revisions} revisions, strictly parsed, nothing after the last %%EOF")]


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


# ETSI EN 319 102-1 sub-indications in plain words
PLAIN = {
    "NO_POE": "nothing in the file proves the signature existed while its certificates were "
    "valid and unrevoked (no archive timestamp reaching the validation time)",
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain from the signer's certificate to a trusted anchor",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "the certificate chain cannot be validated (not "
    "trusted, expired, or without revocation data)",
    "OUT_OF_BOUNDS_NO_POE": "a certificate is expired or not yet valid at the validation time "
    "and nothing proves the signature is older",
    "OUT_OF_BOUNDS_NOT_REVOKED": "a certificate is outside its validity at the validation time",
    "REVOKED_NO_POE": "a certificate was revoked and nothing proves the signature predates it",
    "REVOKED_CA_NO_POE": "a CA certificate was revoked and nothing proves the signature "
    "predates it",
    "REVOKED": "the signer's certificate is revoked",
    "TRY_LATER": "revocation data for the validation time is not available",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "the revocation data cannot be placed in time",
    "HASH_FAILURE": "the signed bytes were changed",
    "SIG_CRYPTO_FAILURE": "the signature value does not verify",
    "FORMAT_FAILURE": "the signature is malformed",
    "EXPIRED": "the certificate had expired when the signature was made",
    "NOT_YET_VALID": "the certificate was not yet valid when the signature was made",
    "CRYPTO_CONSTRAINTS_FAILURE": "an algorithm or key size is not acceptable",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "an algorithm or key size is no longer acceptable and "
    "nothing proves the signature is older",
    "CHAIN_CONSTRAINTS_FAILURE": "the certificate chain breaks a constraint",
    "SIG_CONSTRAINTS_FAILURE": "the signature breaks a validation constraint",
}


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


def check_changes_after_signing(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    """What pyHanko's difference analysis accepts but a signed agreement must not allow:
    metadata rewritten, objects that nothing references, anything after the last signature
    but DSS and document timestamps."""
    name = "changes-after-signing"
    reader = ev.reader
    if reader is None or not ev.signatures:
        return [fail(name, "nothing signed")]
    last = ev.signatures[-1]
    total = reader.xrefs.total_revisions
    # the document information and XMP metadata as signed
    signed_info = _info(reader, last.revision)
    final_info = _info(reader, total - 1)
    if signed_info != final_info:
        return [
            fail(
                name,
                "the document information (title, author, ...) was rewritten "
                "after the last signature",
            )
        ]
    if _metadata(reader, last.revision) != _metadata(reader, total - 1):
        return [fail(name, "the XMP metadata was rewritten after the last signature")]
    # revisions after the last signature: document timestamps, and DSS updates that touch
    # nothing but the DSS (pyHanko's last DSS update, for the newest TSA, is covered by nothing)
    ts_revisions = {es.signed_revision for es, _ in ev.timestamps}
    for rev in range(last.revision + 1, total):
        trailer = _trailer_changes(reader, rev)
        if trailer:
            return [fail(name, f"revision {rev + 1} changes the trailer ({', '.join(trailer)})")]
        root = reader.get_historical_root(rev)
        before = reader.get_historical_root(rev - 1)
        allowed = {"/DSS", "/AcroForm"} if rev in ts_revisions else {"/DSS"}
        changed = {
            k
            for k in set(root.keys()) | set(before.keys())
            if k not in allowed and _raw(root, k) != _raw(before, k)
        }
        if changed:
            return [fail(name, f"revision {rev + 1} changes the catalog ({', '.join(changed)})")]
        if rev not in ts_revisions:
            stray = _outside_dss(reader, rev)
            if stray:
                return [
                    fail(
                        name,
                        f"revision {rev + 1} is not only a DSS update: it changes "
                        f"{', '.join(stray[:5])}",
                    )
                ]
    orphans = _orphans(reader, ev.signatures[0].revision)
    if orphans:
        return [
            fail(
                name,
                f"objects added after signing that nothing references: {', '.join(orphans[:5])}",
            )
        ]
    return [ok(name, "after the last signature only DSS updates and document timestamps")]


def _reachable(resolver: Any, start: list[Any]) -> set[tuple[int, int]]:
    """Indirect objects reachable from ``start`` in the revision ``resolver`` shows."""
    seen: set[tuple[int, int]] = set()
    stack = list(start)
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = resolver(obj.reference)  # as of that revision, not the latest
            except Exception:
                continue
        if isinstance(obj, generic.DictionaryObject):
            stack.extend(obj.raw_get(k) for k in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.raw_get(i) for i in range(len(obj)))
    return seen


def _outside_dss(reader: PdfFileReader, rev: int) -> list[str]:
    """Objects a revision writes that are neither the catalog nor part of its DSS."""
    resolver = reader.get_historical_resolver(rev)
    root_ref = resolver.trailer_view.raw_get("/Root")
    dss = _raw(resolver.root, "/DSS")
    inside = _reachable(resolver, [dss]) if dss is not None else set()
    written = {(r.idnum, r.generation) for r in reader.xrefs.explicit_refs_in_revision(rev)}
    allowed = inside | {(root_ref.idnum, root_ref.generation)}
    previous = reader.get_historical_resolver(rev - 1)
    metadata_ref, xmp = _metadata(reader, rev)
    stray = []
    for idnum, gen in sorted(written - allowed):
        ref = generic.Reference(idnum, gen)
        if ref == metadata_ref and xmp == _metadata(reader, rev - 1)[1]:
            continue  # pyHanko rewrites the XMP packet at every save, moving only its clock
        if not _same_object(resolver, previous, ref):
            stray.append(f"{idnum} {gen} R")
    return stray


def _same_object(now: Any, before: Any, ref: generic.Reference) -> bool:
    """Is ``ref`` the same object in two revisions? (A new object is not.)"""
    try:
        a, b = now(ref), before(ref)
        if isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject):
            return a.data == b.data and dict(a.items()) == dict(b.items())
        return bool(a == b)
    except Exception:
        return False


def _info(reader: PdfFileReader, revision: int) -> dict[str, str]:
    """The document information dictionary as of ``revision``, without the signing clock."""
    resolver = reader.get_historical_resolver(revision)
    ref = _raw(resolver.trailer_view, "/Info")
    if ref is None:
        return {}
    info = resolver(ref.reference) if isinstance(ref, generic.IndirectObject) else ref
    return {str(k): str(v) for k, v in info.items() if k not in ("/ModDate", "/Producer")}


def _trailer_changes(reader: PdfFileReader, rev: int) -> list[str]:
    """Trailer entries a revision changes beyond what every save changes."""
    now = reader.get_historical_resolver(rev).trailer_view
    before = reader.get_historical_resolver(rev - 1).trailer_view
    changed = [
        k
        for k in set(now.keys()) | set(before.keys())
        if k not in ("/Prev", "/Size", "/ID") and _raw(now, k) != _raw(before, k)
    ]
    ids = (_raw(now, "/ID"), _raw(before, "/ID"))
    if ids[0] is not None and ids[1] is not None and ids[0][0] != ids[1][0]:
        changed.append("/ID")
    return sorted(changed)


_XMP_CLOCK = re.compile(
    rb'\s(xmp:ModifyDate|xmp:MetadataDate)="[^"]*"|'
    rb"<(xmp:ModifyDate|xmp:MetadataDate)>[^<]*</(xmp:ModifyDate|"
    rb"xmp:MetadataDate)>"
)


def xmp_content(data: bytes) -> bytes:
    """The XMP packet without its clock: pyHanko moves xmp:ModifyDate at every save."""
    return _XMP_CLOCK.sub(b"", data)


def _metadata(reader: PdfFileReader, revision: int) -> tuple[Any, bytes | None]:
    """The catalog's /Metadata reference and normalised XMP content at ``revision``."""
    resolver = reader.get_historical_resolver(revision)
    ref = _raw(resolver.root, "/Metadata")
    if not isinstance(ref, generic.IndirectObject):
        return None, None
    stream = resolver(ref.reference)
    if not isinstance(stream, generic.StreamObject):
        return ref.reference, None
    return ref.reference, xmp_content(stream.data)


def _orphans(reader: PdfFileReader, first_signed: int) -> list[str]:
    """Objects written after the first signature that nothing referenced in the revision that
    wrote them (stashed shadow content). Objects a later DSS update superseded are fine."""

    def roots(trailer: Any) -> list[Any]:
        return [trailer.raw_get(k) for k in ("/Root", "/Info") if k in trailer]

    last = reader.get_historical_resolver(reader.xrefs.total_revisions - 1)
    reachable_now = _reachable(last, roots(last.trailer_view))
    written_in: dict[tuple[int, int], int] = {}
    for rev in range(first_signed + 1, reader.xrefs.total_revisions):
        for r in reader.xrefs.explicit_refs_in_revision(rev):
            written_in[(r.idnum, r.generation)] = rev
    orphans = []
    reachable_then: dict[int, set[tuple[int, int]]] = {}
    for ref in sorted(set(written_in) - reachable_now):
        rev = written_in[ref]
        if rev not in reachable_then:
            resolver = reader.get_historical_resolver(rev)
            reachable_then[rev] = _reachable(resolver, roots(resolver.trailer_view))
        if ref not in reachable_then[rev]:
            orphans.append(f"{ref[0]} {ref[1]} R")
    return orphans


def check_embedded_agreement(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "embedded-agreement"
    if ev.embedded is None:
        return [
            fail(name, f"no valid embedded agreement in the signed revision ({ev.embedded_error})")
        ]
    reader = ev.reader
    assert reader is not None
    try:
        current = read_embedded(reader.root)
    except Exception as e:
        return [fail(name, f"the agreement in the final revision is unreadable ({e})")]
    if current.data != ev.embedded.data:
        return [fail(name, "the embedded agreement was replaced after signing")]
    return [ok(name, f"{ev.embedded.name}, schema-valid, canonical, the one associated file")]


def check_verification_code(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "verification-code"
    if ev.embedded is None:
        return [fail(name, "no embedded agreement")]
    if ev.signed_text is None:
        return [fail(name, f"the signed pages' text is unreadable ({ev.text_error})")]
    code = formatting.digest_grouped(ev.embedded.sha256)
    if code not in ev.signed_text:
        return [fail(name, "the pages do not print the SHA-256 of the embedded agreement")]
    return [ok(name, f"the pages print {ev.embedded.sha256[:16]}…")]


def expected_on_pages(a: Agreement) -> list[str]:
    """What the pages must show: every party name, indikator and formatted target."""
    out = [a.pihak_pertama.nama, a.pihak_kedua.nama]
    for i in a.indikator:
        out += [i.uraian, formatting.target(i.target)]
        out += [formatting.target(t) for t in i.target_triwulan or ()]
    return [normalise(s) for s in out]


def check_visible_content(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    name = "visible-content"
    if ev.agreement is None or ev.signed_text is None:
        return [fail(name, "no embedded agreement or no readable page text")]
    missing = [s for s in expected_on_pages(ev.agreement) if s not in ev.signed_text]
    if missing:
        shown = "; ".join(repr(m) for m in missing[:3])
        return [
            fail(
                name,
                f"{len(missing)} item(s) of the embedded data are not on the signed "
                f"pages, e.g. {shown}",
            )
        ]
    return [ok(name, "every party name, indikator and target of the data is on the pages")]


def check_document_profile(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    """No forms, scripts or annotations beyond the signature widgets (anti-shadow)."""
    name = "document-profile"
    reader = ev.reader
    if reader is None:
        return [fail(name, "unreadable")]
    root = reader.root
    if "/AA" in root:
        return [fail(name, "the catalog has /AA (actions run on events)")]
    opening = root.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        # LibreOffice writes a plain destination (which page to show); anything else acts
        if not isinstance(opening, generic.ArrayObject) and opening.get("/S") != "/GoTo":
            return [fail(name, f"the catalog has an /OpenAction of type {opening.get('/S')}")]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return [fail(name, "the document carries JavaScript")]
    form = root.get("/AcroForm")
    fields = form.get_object().get("/Fields", []) if form is not None else []
    for f in fields:
        f = f.get_object()
        if f.get("/FT") != "/Sig" or "/Kids" in f:
            return [fail(name, f"a form field that is not a signature ({f.get('/T')})")]
    if form is not None and form.get_object().get("/NeedAppearances"):
        return [fail(name, "NeedAppearances is set (viewers would redraw fields)")]
    pages = _pages(root)
    first_signed = ev.signatures[0].revision if ev.signatures else None
    if first_signed is not None:
        signed_pages = _pages(reader.get_historical_root(first_signed))
        if len(signed_pages) != len(pages):
            return [
                fail(name, f"{len(signed_pages)} pages were signed, the file now has {len(pages)}")
            ]
    for n, page in enumerate(pages, 1):
        if "/AA" in page:
            return [fail(name, f"page {n} has actions (/AA)")]
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Widget" or annot.get(
                "/FT", annot.get("/Parent", generic.DictionaryObject()).get("/FT")
            ) not in ("/Sig", None):
                return [
                    fail(
                        name,
                        f"page {n} has a {annot.get('/Subtype')} annotation; only "
                        "signature widgets are allowed",
                    )
                ]
            if annot.get("/Subtype") == "/Widget" and annot.get("/FT") != "/Sig":
                return [fail(name, f"page {n} has a widget that is not a signature")]
    return [ok(name, f"{len(pages)} pages, signature widgets only, no scripts or forms")]


def _pages(root: generic.DictionaryObject) -> list[generic.DictionaryObject]:
    out: list[generic.DictionaryObject] = []
    stack = [root["/Pages"]]
    seen = 0
    while stack and seen < 100000:
        seen += 1
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node.get("/Kids", []))))
        else:
            out.append(node)
    return out


DEFAULT_POLICY: tuple[Check, ...] = (
    check_trust_anchor,
    check_structure,
    check_expected_signatures,
    check_signatures,
    check_changes_after_signing,
    check_embedded_agreement,
    check_verification_code,
    check_visible_content,
    check_document_profile,
)


# ---------------------------------------------------------------------------------------------
# The verdict


@dataclass(frozen=True)
class SignatureSummary:
    role: str | None
    field: str
    signer: str
    issuer: str
    signing_time: str | None  # from the signature timestamp, else the claimed time
    time_source: str  # "timestamp" or "claimed"
    level: str | None

    def as_dict(self, checks: list[CheckResult]) -> dict[str, object]:
        return {
            "role": self.role,
            "field": self.field,
            "signer": self.signer,
            "issuer": self.issuer,
            "signing_time": self.signing_time,
            "time_source": self.time_source,
            "level": self.level,
            "checks": [c.as_dict() for c in checks],
        }


@dataclass(frozen=True)
class Report:
    file: str
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    signatures: tuple[SignatureSummary, ...]
    agreement_id: str | None
    sha256: str | None
    agreement_json: bytes | None = None  # the embedded data as read from the signed revision

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    def as_dict(self) -> dict[str, object]:
        doc_checks = [c for c in self.checks if c.subject is None]
        return {
            "file": self.file,
            "verdict": self.verdict.value,
            "agreement": (
                {"id": self.agreement_id, "sha256": self.sha256} if self.agreement_id else None
            ),
            "signatures": [
                s.as_dict([c for c in self.checks if c.subject == s.field]) for s in self.signatures
            ],
            "checks": [c.as_dict() for c in doc_checks],
        }


def verdict_of(results: Sequence[CheckResult]) -> Verdict:
    """VALID only if there are results and all pass; an empty policy fails."""
    if not results:
        return Verdict.INVALID
    failed = [r for r in results if not r.passed]
    if not failed:
        return Verdict.VALID
    if any(r.verdict is Verdict.INVALID for r in failed):
        return Verdict.INVALID
    return Verdict.INDETERMINATE


def _summary(s: SignatureEvidence) -> SignatureSummary:
    cert = s.es.signer_cert
    when, source = s.timestamp_time, "timestamp"
    if when is None:
        when, source = s.es.self_reported_timestamp, "claimed"
    # plain str: pyHanko's text objects carry their reader along, which would be pickled whole
    return SignatureSummary(
        str(s.role) if s.role else None,
        str(s.es.field_name),
        holder(cert),
        str(cert.issuer.native.get("common_name", "")),
        when.isoformat() if when else None,
        source,
        s.level,
    )


def verify_bytes(
    data: bytes, name: str, options: VerifyOptions, policy: Sequence[Check] = DEFAULT_POLICY
) -> Report:
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{name}: not a PDF file")
    try:
        ev = gather(name, data, options)
    except Exception as e:  # whatever the bytes: a file we cannot take apart is not valid
        ev = Evidence(name, data, parse_error=f"{e.__class__.__name__}: {str(e)[:200]}")
    results: list[CheckResult] = []
    for check in policy:
        try:
            results += check(ev, options)
        except Exception as e:  # a check that cannot decide fails closed
            results.append(
                fail(
                    getattr(check, "__name__", "check").replace("check_", "").replace("_", "-"),
                    f"could not be evaluated ({e.__class__.__name__}: {e})",
                )
            )
    sigs = []
    for s in ev.signatures:
        try:
            sigs.append(_summary(s))
        except Exception:
            continue
    return Report(
        name,
        verdict_of(results),
        tuple(results),
        tuple(sigs),
        ev.agreement.id if ev.agreement else None,
        ev.embedded.sha256 if ev.embedded else None,
        ev.embedded.data if ev.embedded else None,
    )


def verify_file(path: Path, options: VerifyOptions) -> Report:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    return verify_bytes(data, str(path), options)


# ---------------------------------------------------------------------------------------------
# Trust configuration and many files


TRUST_ENV = "KINERJA_TRUST"


def load_trust_config(
    paths: Sequence[Path], *, online: bool = True, pinned: Sequence[Path] = ()
) -> TrustConfig:
    """Trust anchors from certificate files or folders, and ``$KINERJA_TRUST``.

    A folder that is a demo key store contributes its root and its in-process revocation
    services (so the demo verifies with no network); any other folder contributes the
    certificates in it. Nothing is trusted implicitly.
    """
    import os

    from . import pki
    from .services import DemoFetcherBackend, to_asn1_cert
    from .sign import load_trust

    all_paths = list(paths) + [
        Path(p) for p in os.environ.get(TRUST_ENV, "").split(os.pathsep) if p
    ]
    anchors: list[asn1_x509.Certificate] = []
    backend: FetcherBackend | None = None
    plain: list[Path] = []
    for p in all_paths:
        if p.is_dir() and pki.is_demo_store(p):
            anchors.append(to_asn1_cert(_load_pem(p / "ca" / "root.crt")))
            try:
                backend = DemoFetcherBackend(pki.load_demo_pki(p, pki.passphrase_from_env()))
            except InputError:
                backend = None  # trusted, but current revocation data cannot be made
        else:
            plain.append(p)
    anchors += load_trust(plain) if plain else []
    pins = tuple(load_trust(list(pinned))) if pinned else ()
    return TrustConfig(tuple(anchors), backend, online, pins)


def _load_pem(path: Path) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())


def pdf_paths(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(p.rglob("*.pdf"))
        else:
            found.append(p)
    return found


def verify_paths(
    paths: Sequence[Path], options: VerifyOptions, jobs: int = 1, progress: bool = True
) -> list[Report | InputError]:
    """Verify many files in forked workers; unusable input comes back as its error."""
    from .batch import Batch, Outcome, Status

    reports: dict[str, Report | InputError] = {}

    def one(path: Path) -> Outcome:
        try:
            report: Report | InputError = verify_file(path, options)
        except InputError as e:
            report = e
        return Outcome(str(path), Status.DONE, extra={"report": report})

    outcomes = Batch("verify", one, str, jobs=jobs, progress=progress, processes=True).run(paths)
    for o in outcomes:
        if "report" in o.extra:
            reports[o.name] = o.extra["report"]  # type: ignore[assignment]
        else:
            reports[o.name] = InputError(o.detail)
    return [reports[str(p)] for p in paths]
