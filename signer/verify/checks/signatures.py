"""Signature checks: for each signature, that its bytes are intact and only allowed changes
followed it (the expected signatures in order: :mod:`signer.verify.checks.roles`).
"""

from __future__ import annotations

from asn1crypto import cms
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signer.verify.check import SignatureCheck, document_check, signature_check
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.result import CheckResult, Verdict, fail, ok


class _Integrity(SignatureCheck):
    """Per signature, and for every document timestamp as well (whose results name no role)."""

    def run(self, ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
        out = super().run(ev, options)
        for es, status in ev.timestamps:
            problem = _canonical_problem(ev, es) if not isinstance(status, Exception) else None
            if problem:
                out.append(fail(f"document timestamp {es.field_name}: {problem}"))
            elif isinstance(status, Exception) or not (status.intact and status.valid):
                out.append(fail(f"document timestamp {es.field_name} does not verify"))
        return [CheckResult(self.name, r.passed, r.reason, r.verdict, r.subject) for r in out]


def _integrity(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    """Digest and signature value, canonical ByteRange and /Contents, coverage."""
    st = s.status
    es = s.es
    if s.intact is False:
        return fail("the signed bytes were changed (digest mismatch)")
    if st is None:
        return fail(f"cannot be validated ({s.ades_error})")
    if not (st.intact and st.valid):
        return fail(
            "the signed bytes were changed (digest mismatch)"
            if not st.intact
            else "the signature value does not verify"
        )
    problem = _canonical_problem(ev, es)
    if problem:
        return fail(problem)
    # a signature followed by later revisions (the other party's signature, a DSS update, a
    # document timestamp) covers its own revision; what those may change is judged by
    # modifications and changes-after-signing
    coverage = s.integrity.coverage
    if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return fail(f"nonstandard coverage ({coverage.name if coverage else 'unknown'})")
    whole = "the whole file" if coverage is SignatureCoverageLevel.ENTIRE_FILE else "its revision"
    return ok(f"intact, canonical byte range and contents, covering {whole}")


signature_integrity = _Integrity(
    "signature-integrity",
    "bytes unchanged, one SignerInfo, canonical byte range and /Contents, full coverage",
    _integrity,
)


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
    letters = set(raw[1:-1]) - set(b"0123456789")
    if letters & set(b"abcdef") and letters & set(b"ABCDEF"):
        # the same bytes, but no signer writes them so: the gap was edited after signing
        return "/Contents mixes upper- and lower-case hex digits"
    content_info = cms.ContentInfo.load(blob[: _der_length(blob)])
    try:  # count them without decoding them (.native would decode every attribute)
        infos = len(content_info["content"]["signer_infos"])
    except (ValueError, TypeError, KeyError):
        infos = 0
    if infos != 1:
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


@signature_check(
    "modifications",
    "after each signature but the last only form filling of exactly the next signature's "
    "field (in place of the prepared one, for a remote signature), after the last only DSS "
    "updates and document timestamps (pyHanko's difference analysis)",
)
def modifications(ev: Evidence, options: VerifyOptions, s: SignatureEvidence) -> CheckResult:
    diff = s.integrity.diff
    if diff is None:
        return fail(f"no difference analysis ({s.ades_error or 'not run'})")
    if not isinstance(diff, DiffResult):
        return fail(f"disallowed change after signing: {diff}")
    level = diff.modification_level
    if not s.integrity.docmdp_ok:
        return fail("changes after signing that the document's permissions forbid")
    # the next party's signature is the one form filling after this one; without a
    # certification (a remote pihak pertama) this analysis is what locks the document
    later = [x for x in ev.signatures if x.revision > s.revision]
    following = later[0] if later else None
    allowed = ModificationLevel.FORM_FILLING if following else ModificationLevel.LTA_UPDATES
    if level > allowed:
        return fail(
            f"changes after this signature go beyond {allowed.name.lower()}: {level.name.lower()}",
        )
    changed = set(diff.changed_form_fields)
    if following is not None and changed - {following.field}:
        return fail(
            f"fields changed after {s.role or s.field} signed: {', '.join(sorted(changed))}"
        )
    return ok(f"only {level.name.lower().replace('_', ' ')} after signing")


@document_check(
    "timestamp-trust",
    "every document timestamp (B-LTA, extend) comes from a trusted timestamp authority whose "
    "chain was valid at the time it states, or is covered by a later one that does; the level "
    "reported counts only those",
)
def timestamp_trust(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    out = []
    trusted = [
        es.signed_revision
        for es, status in ev.timestamps
        if not isinstance(status, Exception) and status.intact and status.valid and status.trusted
    ]
    superseded = 0
    for es, status in ev.timestamps:
        if isinstance(status, Exception) or not (status.intact and status.valid):
            continue  # signature-integrity reports it
        if not status.trusted and any(rev > es.signed_revision for rev in trusted):
            superseded += 1  # a trusted timestamp covers it: it proves nothing, and need not
            continue
        if not status.trusted:
            why = status.trust_problem_indic
            out.append(
                fail(
                    f"document timestamp {es.field_name} proves nothing: its authority is not "
                    f"trusted at {status.timestamp.isoformat()} "
                    f"({str(why).lower().replace('_', ' ') if why else 'no chain to an anchor'})",
                    Verdict.INDETERMINATE,
                )
            )
    note = f" ({superseded} untrusted, covered by a later trusted one)" if superseded else ""
    return out or [
        ok(f"{len(ev.timestamps)} document timestamp(s), each trusted at its time{note}")
    ]
