"""Evidence: everything the checks look at, gathered once per file.

Parsing is strict (pyHanko) and doubled by a second parser (qpdf); the signatures are validated
(ETSI EN 319 102-1) once; the agreement and the page text are read from the last signed
revision, never a later one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pikepdf
from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodeLimits, StreamDecodeLimits
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko.sign.validation.ades import (
    AdESWithTimeValidationResult,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    SignatureCoverageLevel,
    StandardCMSSignatureStatus,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from signer.canonical import NewerSchema
from signer.embedded import EmbeddedAgreement, NotPrepared, read_embedded
from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.trust import TrustConfig
from signer.verify import cache, speedups
from signer.verify.bounds import (
    MAX_STREAM_BYTES,
    oversized_streams,
    too_many_objects,
)
from signer.verify.drawn import DrawnPage, drawn_page
from signer.verify.glyphs import GlyphProblem, glyph_problems
from signer.verify.online import run_validation
from signer.verify.qr import DrawnQr, page_qr_codes
from signer.verify.result import CheckResult, Verdict, fail
from signer.verify.roles import ROLE_FIELDS, bind_roles

speedups.install()  # pyHanko and asn1crypto hot spots, same results (see the module)


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify."""

    trust: TrustConfig = field(default_factory=TrustConfig)
    """The trust anchors, and where current revocation data may come from."""
    at: dt.datetime | None = None
    """Validate at this time from the proofs in the file; None: now."""
    expect: tuple[Peran, ...] = tuple(Peran)
    """The roles that must have signed, in order: both for an archived agreement; fewer while
    it is being signed (the sign stage checks a half-signed document this way)."""


@dataclass(frozen=True)
class Integrity:
    """pyHanko's integrity findings for one signature (its difference analysis included)."""

    coverage: SignatureCoverageLevel | None = None
    diff: DiffResult | SuspiciousModification | None = None
    """What changed after the signature, or why the analysis gave up (None: not run)."""
    docmdp_ok: bool | None = None
    """The changes stay within the document's permissions (DocMDP)."""


@dataclass
class SignatureEvidence:
    es: EmbeddedPdfSignature
    role: str | None
    """The role it is, by order (:mod:`signer.verify.roles`); None past the kind's roles."""
    revision: int
    ades: AdESWithTimeValidationResult | None = None
    """ETSI validation: with the signature timestamp, or the long-term (LTA) process."""
    ades_error: str | None = None
    integrity: Integrity = field(default_factory=Integrity)
    intact: bool | None = None  # the byte ranges hash to the signed message digest
    level: str | None = None
    timestamp_time: dt.datetime | None = None
    """When the signature's own timestamp says it existed (validated with the signature)."""
    proof_of_existence: dt.datetime | None = None
    """The earliest time a trusted timestamp proves the signature existed: its own, or a
    document timestamp made after it."""

    @property
    def status(self) -> StandardCMSSignatureStatus | None:
        """pyHanko's status of the signature itself (intact, valid, trusted, revoked)."""
        status = self.ades.api_status if self.ades is not None else None
        return status if isinstance(status, StandardCMSSignatureStatus) else None

    @property
    def field(self) -> str:
        """The signature field's name (plain str: pyHanko's text objects carry their reader)."""
        return str(self.es.field_name)

    @property
    def remote(self) -> bool:
        """In a field of its own, not a prepared role field (a remote signing service's)."""
        return self.field not in ROLE_FIELDS


@dataclass
class Evidence:
    path: str
    data: bytes
    reader: PdfFileReader | None = None
    parse_error: str | None = None
    signatures: list[SignatureEvidence] = field(default_factory=list)
    timestamps: list[tuple[EmbeddedPdfSignature, DocumentTimestampStatus | Exception]] = field(
        default_factory=list
    )
    embedded: EmbeddedAgreement | None = None
    embedded_error: str | None = None
    embedded_newer: bool = False  # the agreement is of a newer schema version: cannot judge
    signed_pages: list[DrawnPage] | None = None  # the last signed revision's pages, as drawn
    signed_qr: list[DrawnQr] = field(default_factory=list)  # the QR codes those pages show
    glyphs: list[GlyphProblem] | None = None  # where the pages' fonts draw other characters
    second_parser: list[str] = field(default_factory=list)  # what qpdf objects to
    beyond_bounds: list[str] = field(default_factory=list)  # what is past signer.verify.bounds
    text_error: str | None = None

    @property
    def agreement(self) -> Agreement | None:
        return self.embedded.agreement if self.embedded else None

    def newer_schema(self) -> CheckResult | None:
        """For a check that needs the agreement: INDETERMINATE when it is a newer kinerja's
        (not wrong, only not ours to judge), else None."""
        if not self.embedded_newer:
            return None
        return fail(f"cannot be judged: {self.embedded_error}", Verdict.INDETERMINATE)


def _earlier_proofs(reader: PdfFileReader, final: int, dss_revs: list[int]) -> LocalKnowledge:
    """The validation data of the DSS as every revision before the last one wrote it.

    CRLs, OCSP responses and certificates prove themselves (their issuers signed them), so an
    unsigned update that removes them from the DSS must not make them unavailable; pyHanko
    reads the last DSS itself."""
    certs: dict[bytes, asn1_x509.Certificate] = {}
    crls: dict[bytes, CRLContainer] = {}
    ocsps: dict[bytes, OCSPContainer] = {}
    for rev in dss_revs:
        if rev == final:
            continue
        resolver = reader.get_historical_resolver(rev)

        def resolved(
            obj: generic.PdfObject | None, resolver: HistoricalResolver = resolver
        ) -> generic.PdfObject | None:
            # as that revision has it, not as the newest one does
            return resolver(obj.reference) if isinstance(obj, generic.IndirectObject) else obj

        dss = resolved(_raw(resolver.root, "/DSS"))
        if not isinstance(dss, generic.DictionaryObject):
            continue
        for key in ("/Certs", "/CRLs", "/OCSPs"):
            entries = resolved(_raw(dss, key))
            if not isinstance(entries, generic.ArrayObject):
                continue
            for i in range(len(entries)):
                try:
                    stream = resolved(entries.raw_get(i))
                    assert isinstance(stream, generic.StreamObject)
                    data = stream.data
                    # parsed once per worker by their bytes' digest (signer.verify.cache)
                    if key == "/Certs" and data not in certs:
                        certs[data] = cache.certificate(data)
                    elif key == "/CRLs" and data not in crls:
                        crls[data] = cache.crl(data)
                    elif key == "/OCSPs" and data not in ocsps:
                        ocsps[data] = cache.ocsp(data)[0]  # its first single response only
                except MemoryError:
                    raise
                except Exception:
                    continue  # not validation data: changes-after-signing reports it
    return LocalKnowledge(
        known_ocsps=list(ocsps.values()),
        known_crls=list(crls.values()),
        known_certs=list(certs.values()),
    )


def _spec(
    trust: TrustConfig, at: dt.datetime | None, earlier: LocalKnowledge | None = None
) -> PdfSignatureValidationSpec:
    manager = cache.trust_manager(trust.anchors)  # the same anchors for the whole batch
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
            local_knowledge=earlier or LocalKnowledge(),
        ),
        diff_policy=None,
    )


def _level(es: EmbeddedPdfSignature, doc_ts_revisions: list[int], has_dss_after: bool) -> str:
    unsigned = es.signer_info["unsigned_attrs"]
    # absent is Void; .native would convert the whole timestamp token, 2% of a document
    has_ts = not isinstance(unsigned, asn1_core.Void) and any(
        a["type"].native == "signature_time_stamp_token" for a in unsigned
    )
    if not has_ts:
        return "B-B"
    if any(rev > es.signed_revision for rev in doc_ts_revisions) and has_dss_after:
        return "B-LTA"
    return "B-LT" if has_dss_after else "B-T"


def _raw(d: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    """A dictionary entry as stored (a reference stays a reference), or None."""
    return d.raw_get(key) if key in d else None


def _validate(
    es: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo | None
) -> AdESWithTimeValidationResult:
    """ETSI EN 319 102-1 validation of one signature.

    At the current time a signature that validates with its timestamp and today's revocation
    data needs no long-term proofs, and that check is three times cheaper; only when it does not
    pass, or at another time (--at), does the long-term process weigh the proofs in the file.
    """
    signature_spec = spec.signature_validation_spec
    if timing is None and not isinstance(es.signer_info["unsigned_attrs"], asn1_core.Void):
        digest = es.compute_digest()
        now = run_validation(
            signature_spec,
            lambda s: ades_with_time_validation(es.signed_data, s, raw_digest=digest),
        )
        if now.ades_subindic.status.name == "PASSED" and _chain_valid_at_signing(now):
            return now
    return run_validation(
        signature_spec,
        lambda s: ades_lta_validation(
            es, dataclasses.replace(spec, signature_validation_spec=s), timing_info=timing
        ),
    )


def _chain_valid_at_signing(result: AdESWithTimeValidationResult) -> bool:
    """Was every certificate of the chain valid when the signature timestamp proves it was made?

    pyHanko's with-time validation checks only the start of each certificate's validity against
    that time; a certificate already expired then must not pass on the fast path (the long-term
    process judges it).
    """
    status = result.api_status
    timestamp = getattr(status, "timestamp_validity", None)
    path = getattr(status, "validation_path", None)
    when = getattr(timestamp, "timestamp", None)
    if when is None or path is None:
        return False
    return all(c.not_valid_before <= when <= c.not_valid_after for c in path.iter_certs(True))


def _judge_timestamp(
    es: EmbeddedPdfSignature, dss: DocumentSecurityStore | None, trust: TrustConfig
) -> DocumentTimestampStatus:
    """A document timestamp judged like a signature timestamp: intact, and its TSA's chain
    trusted and valid at the time it states, with the revocation data the file carries."""
    tst = es.signed_data["encap_content_info"]["content"].parsed
    kwargs: dict[str, object] = {"allow_fetching": False, "moment": tst["gen_time"].native}
    if trust.anchors:  # built once for the batch, not again for every timestamp
        kwargs["trust_manager"] = cache.trust_manager(trust.anchors)
    else:
        kwargs["trust_roots"] = None
    if dss is not None:  # pyHanko's dss.as_validation_context, parsing once per worker
        kwargs["other_certs"] = [cache.certificate(_dss_data(r)) for r in dss.certs.values()]
        kwargs["crls"] = [cache.crl(_dss_data(r)) for r in dss.crls]
        kwargs["ocsps"] = [o for r in dss.ocsps for o in cache.ocsp(_dss_data(r))]
    vc = ValidationContext(**kwargs)  # type: ignore[arg-type]
    return validate_pdf_timestamp(es, validation_context=vc, skip_diff=True)


def _dss_data(ref: generic.IndirectObject) -> bytes:
    stream = ref.get_object()
    if not isinstance(stream, generic.StreamObject):
        raise TypeError(f"the DSS names {ref.reference}, which is not a stream")
    return stream.data


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
        if not isinstance(dss, generic.IndirectObject) or (dss.idnum, dss.generation) in written:
            out.append(rev)
    return out


def _qpdf_problems(ev: Evidence, syntax: bool = True) -> list[str]:
    """A second, independent parser (qpdf): any disagreement is a parser differential. First
    the bounds (:mod:`signer.verify.bounds`): past them nothing more is read. ``syntax=False``:
    the bounds only."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(ev.data), attempt_recovery=False) as pdf:
            if too_large := oversized_streams(pdf):  # qpdf's check would inflate them all
                ev.beyond_bounds = too_large
                return too_large
            if not syntax:
                return []
            problems = list(pdf.check_pdf_syntax())
            return problems + [str(w) for w in pdf.get_warnings()]
    except MemoryError:
        raise
    except Exception as e:
        return [f"qpdf cannot open it: {str(e)[:200]}"]


# What one stream of an agreement may decode to: its pages, fonts, logo and XMP are each far
# below it; a stream past it is a decompression bomb, refused where it is read (pyHanko's own
# default, 256 MB per stream, costs more than a verification may use).
DECODE_LIMITS = DecodeLimits(per_stream=StreamDecodeLimits(max_output_size=MAX_STREAM_BYTES))


def gather(path: str, data: bytes, options: VerifyOptions, structure: bool = True) -> Evidence:
    """Everything the checks judge. ``structure=False`` leaves qpdf's syntax check out (the
    bounds stay): for a file kinerja has just written and reads back only for its content."""
    ev = Evidence(path, data)
    ev.beyond_bounds = too_many_objects(data)
    ev.second_parser = ev.beyond_bounds or _qpdf_problems(ev, structure)
    if ev.beyond_bounds:  # not an agreement: reading it further would only cost
        ev.parse_error = f"beyond what an agreement can be: {'; '.join(ev.beyond_bounds)}"
        return ev
    try:
        ev.reader = PdfFileReader(io.BytesIO(data), strict=True, decode_limits=DECODE_LIMITS)
        _ = ev.reader.root
        sigs = list(ev.reader.embedded_signatures)
    except MemoryError:
        raise
    except Exception as e:  # any parser failure is a format failure, never a pass
        ev.parse_error = f"{e.__class__.__name__}: {str(e)[:200]}"
        ev.reader = None
        return ev
    reader = ev.reader
    dss_revs = _dss_revisions(reader)  # once: the proofs and the levels both need them
    spec = _spec(
        options.trust,
        options.at,
        _earlier_proofs(reader, reader.xrefs.total_revisions - 1, dss_revs),
    )
    timing = (
        ValidationTimingInfo(
            validation_time=options.at,
            best_signature_time=options.at,
            point_in_time_validation=True,
        )
        if options.at
        else None
    )
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    for es in sigs:
        if es.sig_object.get("/Type") == "/DocTimeStamp":
            try:
                status = _judge_timestamp(es, dss, options.trust)
            except MemoryError:
                raise
            except Exception as e:
                ev.timestamps.append((es, e))
            else:
                ev.timestamps.append((es, status))
    # the level a signature reaches counts only the document timestamps that prove something
    doc_ts_revisions = [
        es.signed_revision
        for es, status in ev.timestamps
        if isinstance(status, DocumentTimestampStatus)
        and status.intact
        and status.valid
        and status.trusted
    ]
    for es in sigs:
        if es.sig_object.get("/Type") == "/DocTimeStamp":
            continue
        item = SignatureEvidence(es, None, es.signed_revision)
        item.level = _level(es, doc_ts_revisions, any(rev > es.signed_revision for rev in dss_revs))
        try:
            item.intact = _intact(es)
            if item.intact:  # a changed signature is INVALID already; skip the costly rest
                es.compute_integrity_info(DEFAULT_DIFF_POLICY)
                found = es.summarise_integrity_info()
                item.integrity = Integrity(
                    found["coverage"], found["diff_result"], found["docmdp_ok"]
                )
                item.ades = _validate(es, spec, timing)
            else:
                item.ades_error = "the signed bytes were changed"
        except MemoryError:
            raise
        except Exception as e:
            item.ades_error = f"{e.__class__.__name__}: {str(e)[:200]}"
        if item.ades is not None and item.ades.api_status is not None:
            ts = getattr(item.ades.api_status, "timestamp_validity", None)
            item.timestamp_time = getattr(ts, "timestamp", None)
        ev.signatures.append(item)
    ev.signatures.sort(key=lambda s: s.revision)
    _proofs_of_existence(ev)
    _gather_agreement(ev, options)
    bind_roles(ev)  # by order, once the agreement says which roles its kind has
    return ev


def _proofs_of_existence(ev: Evidence) -> None:
    """Each signature's earliest proof of existence, from the timestamps that are trusted."""
    proven = [
        (es.signed_revision, status.timestamp)
        for es, status in ev.timestamps
        if isinstance(status, DocumentTimestampStatus)
        and status.intact
        and status.valid
        and status.trusted
    ]
    for s in ev.signatures:
        times = [t for rev, t in proven if rev > s.revision]
        if s.timestamp_time is not None:
            times.append(s.timestamp_time)
        s.proof_of_existence = min(times, default=None)


def _gather_agreement(ev: Evidence, options: VerifyOptions) -> None:
    """The agreement and page text of the last signed revision; of the file as it is only
    when nothing is expected to be signed yet (a document about to be signed)."""
    reader = ev.reader
    assert reader is not None
    if ev.signatures:
        last = ev.signatures[-1]
        root = reader.get_historical_root(last.revision)
        br = [int(v) for v in last.es.byte_range]
        content = ev.data[: br[2] + br[3]]  # exactly the bytes the last signature covers
    elif not options.expect:
        root, content = reader.root, ev.data
    else:
        ev.embedded_error = "no signature: nothing signed to read the agreement from"
        return
    try:
        ev.embedded = read_embedded(root)
    except NewerSchema as e:
        ev.embedded_error, ev.embedded_newer = str(e), True
        return
    except (NotPrepared, InputError) as e:
        ev.embedded_error = str(e)
        return
    except MemoryError:
        raise
    except Exception as e:
        ev.embedded_error = f"unreadable ({e.__class__.__name__})"
        return
    # qpdf's view of the signed revision, opened once for its bounds and its fonts
    try:
        signed: pikepdf.Pdf | None = pikepdf.open(io.BytesIO(content), attempt_recovery=False)
    except pikepdf.PdfError:
        signed = None  # its own parse errors are the second parser's findings
    try:
        # PDFium inflates whatever the signed revision holds: measure it first (the file as it
        # is was measured with qpdf's check)
        if content is not ev.data and signed is not None and (too := _oversized(signed)):
            ev.text_error = f"the signed revision is not read: {'; '.join(too)}"
            return
        read_pages(ev, content, signed)
    finally:
        if signed is not None:
            signed.close()


def _oversized(signed: pikepdf.Pdf) -> list[str]:
    try:
        return oversized_streams(signed)
    except pikepdf.PdfError:
        return []  # an object qpdf cannot parse: its check reports it


def read_pages(ev: Evidence, pdf: bytes, signed: pikepdf.Pdf | None) -> None:
    """The pages, and the QR codes on them, as PDFium (Chrome's PDF engine) draws them: a
    second parser, independent of pyHanko's, reading what viewers show. ``signed``: the same
    bytes opened with qpdf, for the fonts (opened here, recovering what it can, when None)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as e:
        ev.text_error = f"PDFium cannot open the signed revision ({e})"
        return
    try:
        doc.init_forms()  # before any page loads: PDFium draws widgets only through it
        ev.signed_pages, ev.signed_qr = [], []
        for index in range(len(doc)):
            page = doc[index]  # loaded once for both readings
            try:
                ev.signed_qr += page_qr_codes(doc, page, index)
                ev.signed_pages.append(drawn_page(page, index))
            finally:
                page.close()
    except pdfium.PdfiumError as e:
        ev.text_error = f"PDFium cannot draw the signed revision ({e})"
    finally:
        doc.close()
    try:
        if signed is not None:
            ev.glyphs = glyph_problems(signed)
        else:
            with pikepdf.open(io.BytesIO(pdf)) as recovered:
                ev.glyphs = glyph_problems(recovered)
    except pikepdf.PdfError as e:
        ev.text_error = f"qpdf cannot read the signed revision's fonts ({e})"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
