"""Signature checks: the expected signatures in order, and for each signature that its bytes
are intact and only allowed changes followed it.
"""

from __future__ import annotations

from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signer.model import Peran
from signer.verify.check import SignatureCheck, document_check, signature_check
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.result import CheckResult, Verdict, fail, ok


@document_check(
    "expected-signatures",
    "pihak pertama certified (form filling only), then pihak kedua; nothing else but document "
    "timestamps",
)
def expected_signatures(ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
    if ev.reader is None:
        return [fail("the file could not be read")]
    roles = [s.role or s.field for s in ev.signatures]
    # the roles the document's kind has (the kepala daerah's own PK: pihak pertama alone)
    kind_roles = ev.agreement.peran if ev.agreement is not None else tuple(Peran)
    expected = [r.value for r in options.expect if r in kind_roles]
    if roles != expected:
        found = ", ".join(map(str, roles)) or "none"
        wanted = ", ".join(expected) or "none"
        return [fail(f"expected signatures {wanted} in that order, found {found}")]
    if not ev.signatures:
        return [ok("not signed yet, as expected")]
    first = ev.signatures[0]
    second = ev.signatures[1] if len(ev.signatures) > 1 else None
    if first.es.docmdp_level is None or first.es.docmdp_level.value != 2:
        return [
            fail(
                "pihak pertama's signature is not a certification allowing form "
                "filling (DocMDP P=2)",
            )
        ]
    if second and second.es.docmdp_level is not None and "/Reference" in second.es.sig_object:
        return [fail("pihak kedua's signature claims to certify the document")]
    names = set(_signature_field_names(ev.reader))
    timestamps = {es.field_name for es, _ in ev.timestamps}
    extra = names - {r.value for r in kind_roles} - timestamps
    if extra:
        return [fail(f"unexpected signature fields: {', '.join(sorted(extra))}")]
    early = [es.field_name for es, _ in ev.timestamps if es.signed_revision < first.revision]
    if early:
        return [fail("a document timestamp precedes the signatures")]
    then = ", then pihak kedua signed" if second else ""
    return [ok(f"pihak pertama certified{then}; {len(ev.timestamps)} document timestamp(s) after")]


def _signature_field_names(reader: PdfFileReader) -> list[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return [n for n, _v, _r in enumerate_sig_fields(reader)]


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
    "after pihak pertama's signature only form filling (pihak kedua's signature), after pihak "
    "kedua's only DSS updates and document timestamps (pyHanko's difference analysis)",
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
    allowed = (
        ModificationLevel.FORM_FILLING
        if s.role == Peran.PIHAK_PERTAMA.value
        else ModificationLevel.LTA_UPDATES
    )
    if level > allowed:
        return fail(
            f"changes after this signature go beyond {allowed.name.lower()}: {level.name.lower()}",
        )
    if s.role == Peran.PIHAK_PERTAMA.value:
        changed = set(diff.changed_form_fields)
        if changed - {Peran.PIHAK_KEDUA.value}:
            return fail(f"fields changed after pihak pertama signed: {', '.join(sorted(changed))}")
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
