"""The demo PKI's TSA, OCSP responder and CRL distribution, answered in-process: no socket,
no network.

pyHanko reaches revocation information through :class:`pyhanko_certvalidator.fetchers.Fetchers`
and time stamps through a :class:`pyhanko.sign.timestamps.TimeStamper`. The classes here
implement those interfaces with the CA keys of a :class:`signer.pki.DemoPki`: an OCSP answer or a
CRL is made on request, signed, and logged the way pyHanko's own (HTTP) fetchers log what they
fetch, so that signing at PAdES B-LT/B-LTA puts every answer into the document's DSS.

Anything that does not belong to the demo PKI (a URL outside :data:`signer.pki.BASE_URL`, a
certificate the demo CAs did not issue) is refused with a fetch error naming it; nothing here
ever falls back to the network.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncGenerator, Iterable

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, issuer_serial

from signer.demo_pki.pki import (
    INTERMEDIATE_CRL_URL,
    OCSP_URL,
    ROOT_CRL_URL,
    DemoPki,
    Issued,
    PrivateKey,
    build_crl,
)

__all__ = [
    "OCSP_VALIDITY",
    "REVINFO_BACKDATE",
    "DemoCRLFetcher",
    "DemoCertificateFetcher",
    "DemoFetcherBackend",
    "DemoOCSPFetcher",
    "DemoTimeStamper",
    "demo_fetchers",
    "demo_validation_context",
    "to_asn1_cert",
    "to_asn1_key",
]

logger = logging.getLogger(__name__)

DER = serialization.Encoding.DER

OCSP_VALIDITY = dt.timedelta(days=7)
"""nextUpdate of an OCSP answer, counted from its thisUpdate."""

CRL_VALIDITY_DAYS = 3650
"""nextUpdate of a CRL, in days (what :func:`signer.pki.build_crl` takes).

Long on purpose, like the CRLs of an offline root: the newest archive timestamp of a B-LTA
document is judged at verification time, which needs revocation data for its TSA chain that is
still current then. With week-long CRLs an offline verification would turn INDETERMINATE after a
week unless `kinerja extend` ran; real PKIs with short CRLs need exactly that (or verifying online).
"""

REVINFO_BACKDATE = dt.timedelta(minutes=5)
"""How far thisUpdate of an OCSP answer lies before the moment it is made.

:func:`signer.pki.build_crl` backdates a CRL's thisUpdate by the same five minutes. pyHanko
judges revocation information "too new" when its thisUpdate is later than the validation time
of the context (fixed when the context is made) plus one second, so an answer made "now" for a
context that has lived a few seconds would be unusable."""


# ---------------------------------------------------------------------------------------------
# Conversions between cryptography and asn1crypto (the types pyHanko works with)


def good_or_revoked(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    responder: Issued,
    revoked_at: dt.datetime | None,
    now: dt.datetime,
    algorithm: hashes.HashAlgorithm | None = None,
    extensions: Iterable[x509.ExtensionType] = (),
) -> ocsp.OCSPResponse:
    """A demo OCSP responder's signed answer for ``cert``: GOOD, or REVOKED at ``revoked_at``,
    valid for :data:`OCSP_VALIDITY` from a little before ``now``."""
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert,
        issuer=issuer,
        algorithm=algorithm or hashes.SHA256(),
        cert_status=ocsp.OCSPCertStatus.GOOD if revoked_at is None else ocsp.OCSPCertStatus.REVOKED,
        this_update=now - REVINFO_BACKDATE,
        next_update=now - REVINFO_BACKDATE + OCSP_VALIDITY,
        revocation_time=revoked_at,
        revocation_reason=None,
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return (
        builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
        .certificates([responder.cert])
        .sign(responder.key, hashes.SHA256())
    )


def to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    """A cryptography certificate as the asn1crypto certificate pyHanko expects."""
    return asn1_x509.Certificate.load(cert.public_bytes(DER))


def to_asn1_key(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    """A cryptography private key as an (unencrypted) asn1crypto PKCS#8 PrivateKeyInfo."""
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _from_asn1_cert(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _subject(cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2) -> str:
    if isinstance(cert, asn1_x509.Certificate):
        return str(cert.subject.human_friendly)
    return "an attribute certificate"


def _extension_urls(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    """Every URI of the cert's CRL distribution points, and of its AIA OCSP entries."""
    crl_urls: list[str] = []
    ocsp_urls: list[str] = []
    try:
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        pass
    else:
        for dp in dps:
            for name in dp.full_name or ():
                if isinstance(name, x509.UniformResourceIdentifier):
                    crl_urls.append(name.value)
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        pass
    else:
        for desc in aia:
            if desc.access_method == AuthorityInformationAccessOID.OCSP and isinstance(
                desc.access_location, x509.UniformResourceIdentifier
            ):
                ocsp_urls.append(desc.access_location.value)
    return crl_urls, ocsp_urls


def _issued_by(cert: x509.Certificate, ca: Issued) -> bool:
    """Whether ``ca`` issued ``cert``: issuer name and signature both check out."""
    try:
        cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class _Clock:
    """The time the services answer at: fixed, or the current time at each request."""

    def __init__(self, at: dt.datetime | None) -> None:
        if at is not None and at.utcoffset() is None:
            raise ValueError("the time to answer at must be timezone-aware")
        self.at = at

    def now(self) -> dt.datetime:
        return self.at or dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------
# Time stamps


class DemoTimeStamper(DummyTimeStamper):
    """An RFC 3161 TSA in-process, signing with the demo PKI's TSA certificate and (RSA) key.

    pyHanko's :class:`~pyhanko.sign.timestamps.DummyTimeStamper` turns its PKCS#8 key into a
    cryptography key on every request, which for RSA-3072 costs over 0.1 s (the key is checked
    each time it is loaded). This one signs with the already-loaded key of the
    :class:`~signer.pki.DemoPki`. Tokens carry the TSA certificate and its chain (intermediate,
    root). ``fixed_dt`` pins the time in the tokens (for tests); by default it is the current
    time.
    """

    def __init__(
        self, pki: DemoPki, *, fixed_dt: dt.datetime | None = None, include_nonce: bool = True
    ) -> None:
        key = pki.tsa.key
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("the demo TSA signs with RSA (PKCS#1 v1.5) only")
        super().__init__(
            tsa_cert=to_asn1_cert(pki.tsa.cert),
            tsa_key=to_asn1_key(key),
            certs_to_embed=[to_asn1_cert(c) for c in pki.chain],  # type: ignore[arg-type]
            fixed_dt=fixed_dt,
            include_nonce=include_nonce,
        )
        self._rsa_key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, when: dt.datetime
    ) -> tuple[bytes, asn1_cms.CMSAttributes]:
        # The same signed attributes as DummyTimeStamper._sign_tst_info, without re-loading
        # the key from self.tsa_key.
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = asn1_cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute(
                    "signing_time", asn1_cms.Time({"utc_time": asn1_core.UTCTime(when)})
                ),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", md.finalize()),
            ]
        )
        signature = self._rsa_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


# ---------------------------------------------------------------------------------------------
# OCSP


class DemoOCSPFetcher(OCSPFetcher):
    """OCSP answers from the demo responder, made in-process with cryptography.

    Only certificates issued by the demo intermediate CA whose AIA names :data:`OCSP_URL` are
    answered: GOOD, or REVOKED (with its time) when the serial is in ``pki.revoked`` with a
    revocation time not after the answer. Answers are signed by the OCSP responder certificate
    (included, responder ID by key hash), thisUpdate is the answer time less
    :data:`REVINFO_BACKDATE`, nextUpdate :data:`OCSP_VALIDITY` later.

    Like pyHanko's aiohttp fetcher, answers are cached and logged per certificate (issuer and
    serial) and authority; ``at`` fixes the time answered at (default: the time of each request).
    """

    def __init__(self, pki: DemoPki, *, at: dt.datetime | None = None) -> None:
        self.pki = pki
        self._clock = _Clock(at)
        self._issuer_spki = pki.intermediate.cert.public_key().public_bytes(
            DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._log: dict[tuple[bytes, object], asn1_ocsp.OCSPResponse] = {}

    async def fetch(
        self,
        cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2,
        authority: Authority,
    ) -> asn1_ocsp.OCSPResponse:
        tag = (issuer_serial(cert), authority.hashable)
        try:
            return self._log[tag]
        except KeyError:
            pass
        response = self.respond(cert, authority)
        self._log[tag] = response
        return response

    def respond(
        self,
        cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2,
        authority: Authority | None = None,
    ) -> asn1_ocsp.OCSPResponse:
        """Answer for one certificate, without logging (raises OCSPFetchError if refused)."""
        target = _subject(cert)
        if not isinstance(cert, asn1_x509.Certificate):
            raise OCSPFetchError(f"demo OCSP responder: no answers for {target}")
        crypto_cert = _from_asn1_cert(cert)
        _, urls = _extension_urls(crypto_cert)
        foreign = [u for u in urls if u != OCSP_URL]
        if foreign:
            raise OCSPFetchError(
                f"OCSP for {target}: {', '.join(foreign)} is outside the demo PKI "
                "(no network requests are made)"
            )
        if not urls:
            raise OCSPFetchError(f"OCSP for {target}: the certificate names no OCSP responder")
        if not _issued_by(crypto_cert, self.pki.intermediate):
            raise OCSPFetchError(f"OCSP for {target}: not issued by the demo PKI's intermediate CA")
        if authority is not None and authority.public_key.dump() != self._issuer_spki:
            raise OCSPFetchError(
                f"OCSP for {target}: the issuing authority is not the demo intermediate CA"
            )

        now = self._clock.now()
        revoked_at = self.pki.revoked.get(crypto_cert.serial_number)
        if revoked_at is not None and revoked_at > now:
            revoked_at = None  # not revoked yet at the time answered at
        response = good_or_revoked(
            crypto_cert, self.pki.intermediate.cert, self.pki.ocsp, revoked_at, now
        )
        logger.debug("demo OCSP: %s is %s", target, "REVOKED" if revoked_at else "GOOD")
        return asn1_ocsp.OCSPResponse.load(response.public_bytes(DER))

    def fetched_responses(self) -> Iterable[asn1_ocsp.OCSPResponse]:
        return list(self._log.values())

    def fetched_responses_for_cert(
        self, cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2
    ) -> Iterable[asn1_ocsp.OCSPResponse]:
        target = issuer_serial(cert)
        return [resp for (subject, _), resp in self._log.items() if subject == target]


# ---------------------------------------------------------------------------------------------
# CRLs


class DemoCRLFetcher(CRLFetcher):
    """Fresh CRLs of the demo CAs, made in-process with :func:`signer.pki.build_crl`.

    The root's CRL (:data:`ROOT_CRL_URL`) answers for the intermediate; the intermediate's
    (:data:`INTERMEDIATE_CRL_URL`) for every certificate it issued (parties, TSA, OCSP
    responder). The root itself gets no CRL. Each CRL lists the entries of ``pki.revoked``
    of its CA (the intermediate's serial on the root's CRL, every other serial on the
    intermediate's) revoked by the time it is made. Its CRL number is its thisUpdate in
    seconds since the epoch, so later CRLs have higher numbers.

    As in pyHanko's own fetchers, each CA's CRL is made once per fetcher and the answer per
    certificate is logged: :meth:`fetched_crls_for_cert` raises KeyError for a certificate not
    fetched yet, which is what makes pyHanko call :meth:`fetch` (and put the CRL in the DSS).
    """

    def __init__(self, pki: DemoPki, *, at: dt.datetime | None = None) -> None:
        self.pki = pki
        self._clock = _Clock(at)
        self._crls: dict[str, asn1_crl.CertificateList] = {}  # URL -> CRL
        self._by_cert: dict[bytes, list[asn1_crl.CertificateList]] = {}

    def _ca_for(self, cert: x509.Certificate, target: str) -> tuple[str, Issued] | None:
        pki = self.pki
        crl_urls, _ = _extension_urls(cert)
        foreign = [u for u in crl_urls if u not in (ROOT_CRL_URL, INTERMEDIATE_CRL_URL)]
        if foreign:
            raise CRLFetchError(
                f"CRL for {target}: {', '.join(foreign)} is outside the demo PKI "
                "(no network requests are made)"
            )
        if cert == pki.root.cert:
            return None  # the trust anchor: no CRL speaks for it
        for url, ca in ((ROOT_CRL_URL, pki.root), (INTERMEDIATE_CRL_URL, pki.intermediate)):
            if _issued_by(cert, ca):
                if crl_urls and crl_urls != [url]:
                    raise CRLFetchError(
                        f"CRL for {target}: issued by {ca.cert.subject.rfc4514_string()}, "
                        f"whose CRL is {url}, but the certificate names {', '.join(crl_urls)}"
                    )
                return url, ca
        raise CRLFetchError(f"CRL for {target}: not issued by the demo PKI")

    def _crl(self, url: str, ca: Issued) -> asn1_crl.CertificateList:
        try:
            return self._crls[url]
        except KeyError:
            pass
        now = self._clock.now()
        inter_serial = self.pki.intermediate.cert.serial_number
        revoked = [
            (serial, when)
            for serial, when in self.pki.revoked.items()
            if when <= now and (serial == inter_serial) == (ca is self.pki.root)
        ]
        made = build_crl(ca, revoked, now=now, days=CRL_VALIDITY_DAYS, number=int(now.timestamp()))
        result = self._crls[url] = asn1_crl.CertificateList.load(made.public_bytes(DER))
        logger.debug("demo CRL: made %s (%d revoked)", url, len(revoked))
        return result

    async def fetch(
        self,
        cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2,
        *,
        use_deltas: bool | None = None,
    ) -> Iterable[asn1_crl.CertificateList]:
        key = issuer_serial(cert)
        try:
            return self._by_cert[key]
        except KeyError:
            pass
        target = _subject(cert)
        if not isinstance(cert, asn1_x509.Certificate):
            raise CRLFetchError(f"demo CRLs: no CRL for {target}")
        found = self._ca_for(_from_asn1_cert(cert), target)
        result = [] if found is None else [self._crl(*found)]
        self._by_cert[key] = result
        return result

    def fetched_crls(self) -> Iterable[asn1_crl.CertificateList]:
        return list(self._crls.values())

    def fetched_crls_for_cert(
        self, cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2
    ) -> Iterable[asn1_crl.CertificateList]:
        return self._by_cert[issuer_serial(cert)]  # KeyError if not fetched: part of the API


# ---------------------------------------------------------------------------------------------
# Certificates


class DemoCertificateFetcher(CertificateFetcher):
    """Fetches no certificates: the demo PKI's chain is handed to the context up front.

    Issuer URLs (AIA caIssuers) are never followed, so a certificate from elsewhere simply finds
    no issuer (and no path to the demo root).
    """

    async def _nothing(
        self, what: str, urls: Iterable[str]
    ) -> AsyncGenerator[asn1_x509.Certificate, None]:
        urls = list(urls)
        if urls:
            logger.warning("not fetching issuer certificates of %s from %s", what, ", ".join(urls))
        nothing: tuple[asn1_x509.Certificate, ...] = ()
        for cert in nothing:  # an async generator that yields nothing
            yield cert

    def fetch_cert_issuers(
        self, cert: asn1_x509.Certificate | asn1_cms.AttributeCertificateV2
    ) -> AsyncGenerator[asn1_x509.Certificate, None]:
        urls: list[str] = []
        if isinstance(cert, asn1_x509.Certificate):
            for entry in cert.authority_information_access_value or ():
                if entry["access_method"].native == "ca_issuers":
                    urls.append(str(entry["access_location"].native))
        return self._nothing(_subject(cert), urls)

    def fetch_crl_issuers(
        self, certificate_list: asn1_crl.CertificateList
    ) -> AsyncGenerator[asn1_x509.Certificate, None]:
        return self._nothing("a CRL", certificate_list.issuer_cert_urls)

    def fetched_certs(self) -> Iterable[asn1_x509.Certificate]:
        return []


# ---------------------------------------------------------------------------------------------
# Putting it together


def demo_fetchers(pki: DemoPki, *, at: dt.datetime | None = None) -> Fetchers:
    """Fresh in-process fetchers (empty logs) for the demo PKI; ``at`` fixes their time."""
    return Fetchers(
        ocsp_fetcher=DemoOCSPFetcher(pki, at=at),
        crl_fetcher=DemoCRLFetcher(pki, at=at),
        cert_fetcher=DemoCertificateFetcher(),
    )


class DemoFetcherBackend(FetcherBackend):
    """The demo fetchers behind pyHanko's backend interface, for where pyHanko wants a backend.

    Validation specs take one (``RevocationInfoGatheringSpec(fetcher_backend=...)``): with it,
    a validation that may fetch gets fresh demo answers (as of ``at``, when given) instead of
    going to the network. Each :meth:`get_fetchers` call gives fresh fetchers; there is nothing
    to close.
    """

    def __init__(self, pki: DemoPki, *, at: dt.datetime | None = None) -> None:
        self.pki = pki
        self.at = at

    def get_fetchers(self) -> Fetchers:
        return demo_fetchers(self.pki, at=self.at)


def demo_validation_context(
    pki: DemoPki, *, moment: dt.datetime | None = None, allow_fetching: bool = True
) -> ValidationContext:
    """A validation context that trusts the demo root and revocation-checks in hard-fail mode.

    With ``allow_fetching`` (the default) revocation information comes from fresh demo fetchers,
    which answer as of ``moment`` when one is given; this is what signing at PAdES B-LT/B-LTA
    needs. Without it the context holds no revocation information of its own (as when
    validating with what a document carries).
    """
    kwargs: dict[str, object] = {}
    if allow_fetching:
        kwargs["fetchers"] = demo_fetchers(pki, at=moment)
    else:
        kwargs.update(crls=[], ocsps=[])  # hard-fail needs some source; it is the caller's
    return ValidationContext(
        trust_roots=[to_asn1_cert(pki.root.cert)],
        other_certs=[to_asn1_cert(pki.intermediate.cert)],
        moment=moment,
        allow_fetching=allow_fetching,
        revocation_mode="hard-fail",
        **kwargs,  # type: ignore[arg-type]
    )
