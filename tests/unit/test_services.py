"""The in-process TSA, OCSP responder and CRLs of the demo PKI, proven with pyHanko itself.

A two-party ceremony is signed at PAdES B-LTA with :mod:`signer.services` answering every
time-stamp, OCSP and CRL request, and validated with pyHanko's AdES long-term validation from
what the file carries alone. No socket is opened: connecting or resolving a name fails the test.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import socket
import time
from collections.abc import Iterator

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import (
    ades_lta_validation,
    simulate_future_ades_lta_validation,
)
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.authority import AuthorityWithCert
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError, PathBuildingError
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleCertificateStore, SimpleTrustManager

from signer.demo_pki.pki import (
    INTERMEDIATE_CRL_URL,
    OCSP_URL,
    ROOT_CRL_URL,
    DemoPki,
    build_demo_pki,
)
from signer.demo_pki.responders import (
    DemoCertificateFetcher,
    DemoCRLFetcher,
    DemoFetcherBackend,
    DemoOCSPFetcher,
    DemoTimeStamper,
    demo_fetchers,
    demo_validation_context,
    to_asn1_cert,
    to_asn1_key,
)
from signer.model import Nip, Pihak

RINA = Pihak(
    "dr. Rina Kartikasari, M.Kes.",
    "Kepala Dinas Kesehatan Kota Contoh",
    Nip("197405122001122003"),
    "IV/c",
)
ARIF = Pihak("H. Arif Wicaksono, S.E., M.Si.", "Wali Kota Contoh")
FIVE_YEARS = dt.timedelta(days=5 * 365)


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module", autouse=True)
def no_network() -> Iterator[None]:
    """Any attempt to connect a socket or resolve a host name fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse)
        mp.setattr(socket, "getaddrinfo", refuse)
        mp.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def pki(no_network: None) -> DemoPki:
    return build_demo_pki([RINA, ARIF], "Pemerintah Kota Contoh")


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    """A one-page A4 PDF with an empty page, made with pyHanko's own writer."""
    w = PdfFileWriter()
    content = w.add_object(generic.StreamObject(stream_data=b""))
    w.insert_page(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
                generic.pdf_name("/Contents"): content,
            }
        )
    )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def party_signer(pki: DemoPki, pihak: Pihak) -> signers.SimpleSigner:
    issued = pki.issued_for(pihak)
    return signers.SimpleSigner(
        signing_cert=to_asn1_cert(issued.cert),
        signing_key=to_asn1_key(issued.key),
        cert_registry=SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in pki.chain]),
    )


def sign(pki: DemoPki, pdf: bytes, pihak: Pihak, field: str, *, lta: bool = True) -> bytes:
    """Sign at PAdES B-LTA (or B-T with ``lta=False``: no revocation info, no DSS)."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=lta,
        use_pades_lta=lta,
        validation_context=demo_validation_context(pki) if lta else None,
    )
    signer = signers.PdfSigner(meta, party_signer(pki, pihak), timestamper=DemoTimeStamper(pki))
    out = signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return out.getvalue()


@pytest.fixture(scope="module")
def signed(pki: DemoPki, blank_pdf: bytes) -> bytes:
    """The ceremony: pihak pertama signs, then the Wali Kota, both at PAdES B-LTA."""
    start = time.perf_counter()
    first = sign(pki, blank_pdf, RINA, "Sig_PihakPertama")
    both = sign(pki, first, ARIF, "Sig_PihakKedua")
    print(f"\nB-LTA signing, two signatures: {time.perf_counter() - start:.3f} s")
    return both


def ades_spec(
    pki: DemoPki, backend: DemoFetcherBackend | None = None
) -> PdfSignatureValidationSpec:
    """AdES validation trusting the demo root, revocation info required.

    Nothing is fetched, unless a ``backend`` is given: then current revocation info comes from it
    (as a verifier would fetch it at the time, from the demo services).
    """
    if backend is None:
        gathering = RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
        )
    else:
        gathering = RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH,
            fetcher_backend=backend,
        )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=[to_asn1_cert(pki.root.cert)]),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=gathering,
        )
    )


def lta_results(
    pki: DemoPki, pdf: bytes, when: dt.datetime, *, fetch: bool = False
) -> dict[str, object]:
    """AdES LTA validation of every signature, as done at ``when``: field -> result.

    Point-in-time validation from the file alone; with ``fetch``, a validation "live" at
    ``when`` that may fetch current revocation info from the demo services.
    """
    timing = ValidationTimingInfo(
        validation_time=when, best_signature_time=when, point_in_time_validation=not fetch
    )
    reader = PdfFileReader(io.BytesIO(pdf))
    spec = ades_spec(pki, DemoFetcherBackend(pki, at=when) if fetch else None)

    async def run() -> dict[str, object]:
        return {
            sig.field_name: await ades_lta_validation(sig, spec, timing_info=timing)
            for sig in reader.embedded_regular_signatures
        }

    return asyncio.run(run())


def foreign_cert(
    issuer_name: x509.Name, *, crl_url: str, ocsp_url: str, ca_issuers: str | None = None
) -> x509.Certificate:
    """A certificate signed by a throwaway key, whatever issuer name it claims."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    access = [
        x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
    ]
    if ca_issuers:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers)
            )
        )
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Orang Luar")]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(crl_url)], None, None, None
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(x509.AuthorityInformationAccess(access), critical=False)
        .sign(key, hashes.SHA256())
    )


# ---------------------------------------------------------------------------------------------
# Long-term validation of a B-LTA ceremony


def test_lta_signatures_pass_ades_validation(pki: DemoPki, signed: bytes) -> None:
    results = lta_results(pki, signed, dt.datetime.now(dt.UTC))
    assert set(results) == {"Sig_PihakPertama", "Sig_PihakKedua"}
    for field, res in results.items():
        assert res.ades_subindic.status.name == "PASSED", (field, res.ades_subindic)
        assert res.api_status.bottom_line, field
        assert res.oldest_evidence_record_timestamp is not None  # the document time stamp


def test_dss_holds_ocsp_responses_and_crls(pki: DemoPki, signed: bytes) -> None:
    dss = PdfFileReader(io.BytesIO(signed)).root["/DSS"]
    ocsps = [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss["/OCSPs"]]
    crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss["/CRLs"]]
    assert len(dss["/Certs"]) >= 5  # parties, intermediate, root, TSA, OCSP responder
    assert len(dss["/VRI"]) >= 2

    # one OCSP answer per party, GOOD, signed by the demo responder (which it carries)
    party_serials = {issued.cert.serial_number for issued in pki.parties.values()}
    answered = set()
    for resp in ocsps:
        assert resp["response_status"].native == "successful"
        basic = resp.basic_ocsp_response
        single = basic["tbs_response_data"]["responses"][0]
        assert single["cert_status"].name == "good"
        assert basic["certs"][0].dump() == to_asn1_cert(pki.ocsp.cert).dump()
        answered.add(single["cert_id"]["serial_number"].native)
    assert answered == party_serials

    # a CRL from the root (for the intermediate) and from the intermediate (for the rest)
    issuers = {c.issuer.dump() for c in crls}
    assert to_asn1_cert(pki.root.cert).subject.dump() in issuers
    assert to_asn1_cert(pki.intermediate.cert).subject.dump() in issuers


def test_lta_survives_party_cert_expiry(pki: DemoPki, signed: bytes) -> None:
    later = dt.datetime.now(dt.UTC) + FIVE_YEARS
    assert pki.issued_for(RINA).cert.not_valid_after_utc < later  # 2-year certificates
    spec = ades_spec(pki)
    reader = PdfFileReader(io.BytesIO(signed))

    # the DSS holds everything a future validation needs, given archive time stamps kept up
    async def simulate() -> list[object]:
        return [
            await simulate_future_ades_lta_validation(sig, spec, future_validation_time=later)
            for sig in reader.embedded_regular_signatures
        ]

    for res in asyncio.run(simulate()):
        assert res.ades_subindic.status.name == "PASSED", res.ades_subindic

    # As the file stands, five years on, the file alone suffices: the demo CRLs in its DSS run
    # for ten years (services.CRL_VALIDITY_DAYS), long enough to judge the newest timestamp.
    for field, res in lta_results(pki, signed, later).items():
        assert res.ades_subindic.status.name == "PASSED", (field, res.ades_subindic)
    # Eleven years on the TSA certificate has expired and nothing proves the timestamps then.
    eleven = dt.datetime.now(dt.UTC) + dt.timedelta(days=11 * 365)
    for res in lta_results(pki, signed, eleven).values():
        assert res.ades_subindic.status.name != "PASSED"
    # A verifier may also fetch current revocation info for it (here: from the demo services)...
    for field, res in lta_results(pki, signed, later, fetch=True).items():
        assert res.ades_subindic.status.name == "PASSED", (field, res.ades_subindic)

    # ...or the archive time stamp was renewed in time (the demo TSA and CRLs answering as of
    # then), which carries the proof over: five years on, with the party certificates expired,
    # both signatures validate from the file alone.
    renewal = later - dt.timedelta(days=1)
    renewed = io.BytesIO()
    PdfTimeStamper(DemoTimeStamper(pki, fixed_dt=renewal)).update_archival_timestamp_chain(
        PdfFileReader(io.BytesIO(signed)),
        demo_validation_context(pki, moment=renewal),
        in_place=False,
        output=renewed,
    )
    for field, res in lta_results(pki, renewed.getvalue(), later).items():
        assert res.ades_subindic.status.name == "PASSED", (field, res.ades_subindic)
        assert res.api_status.bottom_line, field


# ---------------------------------------------------------------------------------------------
# Revocation


def test_revoked_party_certificate(
    pki: DemoPki, blank_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_bt = sign(pki, blank_pdf, ARIF, "Sig_PihakKedua", lta=False)
    serial = pki.issued_for(ARIF).cert.serial_number
    revoked_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=2)
    monkeypatch.setitem(pki.revoked, serial, revoked_at)

    sig = PdfFileReader(io.BytesIO(signed_bt)).embedded_signatures[0]
    status = validate_pdf_signature(
        sig, demo_validation_context(pki), ts_validation_context=demo_validation_context(pki)
    )
    assert status.intact and status.valid
    assert status.revoked
    assert not status.bottom_line
    assert "REVOKED" in status.summary()

    # what the responder and the intermediate's CRL said
    fetchers = demo_fetchers(pki)
    asn1_party = to_asn1_cert(pki.issued_for(ARIF).cert)
    authority = AuthorityWithCert(to_asn1_cert(pki.intermediate.cert))
    answer = asyncio.run(fetchers.ocsp_fetcher.fetch(asn1_party, authority))
    single = answer.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "revoked"
    assert single["cert_status"].chosen["revocation_time"].native == revoked_at
    (crl,) = asyncio.run(fetchers.crl_fetcher.fetch(asn1_party))
    assert [e["user_certificate"].native for e in crl["tbs_cert_list"]["revoked_certificates"]] == [
        serial
    ]

    # and signing with the revoked certificate at B-LTA is refused
    with pytest.raises(SigningError):
        sign(pki, blank_pdf, ARIF, "Sig_PihakKedua")


# ---------------------------------------------------------------------------------------------
# The key-caching TSA


def test_cached_tsa_is_faster_and_its_tokens_validate(pki: DemoPki) -> None:
    stock = DummyTimeStamper(
        tsa_cert=to_asn1_cert(pki.tsa.cert),
        tsa_key=to_asn1_key(pki.tsa.key),
        certs_to_embed=[to_asn1_cert(c) for c in pki.chain],
    )
    cached = DemoTimeStamper(pki)
    digest = hashlib.sha256(b"Perjanjian Kinerja 2025").digest()

    async def stamp(tsa: DummyTimeStamper, n: int) -> tuple[float, list[object]]:
        start = time.perf_counter()
        tokens = [await tsa.async_timestamp(digest, "sha256") for _ in range(n)]
        return time.perf_counter() - start, tokens

    stock_s, stock_tokens = asyncio.run(stamp(stock, 10))
    cached_s, cached_tokens = asyncio.run(stamp(cached, 10))
    print(f"\nper time stamp: stock {stock_s * 100:.1f} ms, cached key {cached_s * 100:.1f} ms")
    assert cached_s < stock_s

    async def check(token) -> TimestampSignatureStatus:
        kwargs = await validate_tst_signed_data(
            token["content"], demo_validation_context(pki), lambda _algo: digest
        )
        return TimestampSignatureStatus(**kwargs)

    for token in (stock_tokens[0], cached_tokens[0], cached_tokens[-1]):
        status = asyncio.run(check(token))
        assert status.intact and status.valid and status.trusted, status
    embedded = {c.chosen.dump() for c in cached_tokens[0]["content"]["certificates"]}
    assert embedded == {to_asn1_cert(c).dump() for c in (pki.tsa.cert, *pki.chain)}

    fixed = dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)
    token = asyncio.run(DemoTimeStamper(pki, fixed_dt=fixed).async_timestamp(digest, "sha256"))
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    assert tst_info["gen_time"].native == fixed


# ---------------------------------------------------------------------------------------------
# The fetchers: pyHanko's contract, and nothing outside the demo PKI


def test_fetchers_keep_logs_like_pyhanko(pki: DemoPki) -> None:
    fetchers = demo_fetchers(pki)
    party = to_asn1_cert(pki.issued_for(RINA).cert)
    inter = to_asn1_cert(pki.intermediate.cert)
    root = to_asn1_cert(pki.root.cert)
    tsa = to_asn1_cert(pki.tsa.cert)
    responder = to_asn1_cert(pki.ocsp.cert)
    crls, ocsps = fetchers.crl_fetcher, fetchers.ocsp_fetcher

    # nothing fetched yet: KeyError, which is what makes pyHanko call fetch()
    with pytest.raises(KeyError):
        crls.fetched_crls_for_cert(party)
    assert list(crls.fetched_crls()) == []
    assert list(ocsps.fetched_responses_for_cert(party)) == []

    (party_crl,) = asyncio.run(crls.fetch(party))
    assert party_crl.issuer == inter.subject
    assert party_crl["tbs_cert_list"]["revoked_certificates"].native in (None, [])
    assert list(crls.fetched_crls_for_cert(party)) == [party_crl]
    # one CRL per CA and fetcher, shared by everything the CA issued
    assert asyncio.run(crls.fetch(tsa)) == [party_crl]
    assert asyncio.run(crls.fetch(responder)) == [party_crl]
    (inter_crl,) = asyncio.run(crls.fetch(inter))
    assert inter_crl.issuer == root.subject
    assert asyncio.run(crls.fetch(root)) == []  # the trust anchor has no CRL
    assert {c.dump() for c in crls.fetched_crls()} == {party_crl.dump(), inter_crl.dump()}

    answer = asyncio.run(ocsps.fetch(party, AuthorityWithCert(inter)))
    assert list(ocsps.fetched_responses_for_cert(party)) == [answer]
    assert list(ocsps.fetched_responses()) == [answer]
    assert list(ocsps.fetched_responses_for_cert(tsa)) == []

    # the certificate fetcher has nothing to give and never goes looking
    async def issuers() -> list[object]:
        return [c async for c in fetchers.cert_fetcher.fetch_cert_issuers(party)]

    assert asyncio.run(issuers()) == []
    assert list(fetchers.cert_fetcher.fetched_certs()) == []


def test_fetchers_refuse_anything_outside_the_demo_pki(pki: DemoPki) -> None:
    crls = DemoCRLFetcher(pki)
    ocsps = DemoOCSPFetcher(pki)
    inter_authority = AuthorityWithCert(to_asn1_cert(pki.intermediate.cert))
    claimed_issuer = pki.intermediate.cert.subject

    # foreign URLs
    elsewhere = to_asn1_cert(
        foreign_cert(
            claimed_issuer,
            crl_url="http://crl.bsre.example.org/ca.crl",
            ocsp_url="http://ocsp.bsre.example.org/",
        )
    )
    with pytest.raises(CRLFetchError, match="outside the demo PKI"):
        asyncio.run(crls.fetch(elsewhere))
    with pytest.raises(OCSPFetchError, match="outside the demo PKI"):
        asyncio.run(ocsps.fetch(elsewhere, inter_authority))

    # the demo URLs and the demo intermediate's name, but not signed by it
    impostor = to_asn1_cert(
        foreign_cert(claimed_issuer, crl_url=INTERMEDIATE_CRL_URL, ocsp_url=OCSP_URL)
    )
    with pytest.raises(CRLFetchError, match="not issued by the demo PKI"):
        asyncio.run(crls.fetch(impostor))
    with pytest.raises(OCSPFetchError, match="not issued by"):
        asyncio.run(ocsps.fetch(impostor, inter_authority))

    # a demo certificate, asked about with the wrong URL for its issuer
    wrong_dp = to_asn1_cert(foreign_cert(claimed_issuer, crl_url=ROOT_CRL_URL, ocsp_url=OCSP_URL))
    with pytest.raises(CRLFetchError):
        asyncio.run(crls.fetch(wrong_dp))

    # the OCSP responder answers for the intermediate's certificates only
    with pytest.raises(OCSPFetchError):
        asyncio.run(
            ocsps.fetch(
                to_asn1_cert(pki.tsa.cert), inter_authority
            )  # the TSA certificate names no responder
        )
    party = to_asn1_cert(pki.issued_for(RINA).cert)
    with pytest.raises(OCSPFetchError, match="issuing authority"):
        asyncio.run(ocsps.fetch(party, AuthorityWithCert(to_asn1_cert(pki.root.cert))))

    # nothing was logged for the refusals
    assert list(crls.fetched_crls()) == []
    assert list(ocsps.fetched_responses()) == []

    # validating a stranger's certificate (with an AIA caIssuers URL) fetches nothing
    stranger = to_asn1_cert(
        foreign_cert(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA Lain")]),
            crl_url="http://crl.lain.example.org/ca.crl",
            ocsp_url="http://ocsp.lain.example.org/",
            ca_issuers="http://aia.lain.example.org/ca.cer",
        )
    )
    validator = CertificateValidator(stranger, validation_context=demo_validation_context(pki))
    with pytest.raises(PathBuildingError):
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    assert list(DemoCertificateFetcher().fetched_certs()) == []


def test_validation_context_settings(pki: DemoPki) -> None:
    vc = demo_validation_context(pki)
    assert vc.fetching_allowed
    offline = demo_validation_context(pki, allow_fetching=False)
    assert not offline.fetching_allowed
    moment = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    past = demo_validation_context(pki, moment=moment)
    assert past.timing_params.validation_time == moment
    # answers are made as of the context's moment
    party = to_asn1_cert(pki.issued_for(RINA).cert)
    (crl,) = asyncio.run(DemoCRLFetcher(pki, at=moment).fetch(party))
    assert crl["tbs_cert_list"]["this_update"].native == moment - dt.timedelta(minutes=5)
    with pytest.raises(ValueError):
        DemoOCSPFetcher(pki, at=dt.datetime(2027, 3, 1))  # naive
