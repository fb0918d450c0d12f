"""The offline demo PKI: a root CA, an intermediate, a TSA, an OCSP responder, CRLs, and one
certificate per party of a ceremony, each in a passphrase-protected PKCS#12 file.

It stands in for BSrE (BSSN) in the demo and the tests, with the same shape as the real thing:
the subject carries the holder's plain name, without gelar, as BSrE's does: in givenName whole,
and in the commonName, which RFC 5280 bounds at 64 characters, shortened to initials where it
is longer (:func:`signer.names.common_name`), never cut. Unlike BSrE's it also carries the
holder's NIP (serialNumber ``NIP.<18 digits>``), so two officials with one name are two
holders, each with a key file of its own (:func:`holder_id`), and neither can sign as the
other; key usage
digitalSignature and nonRepudiation, CRL distribution points and an OCSP URL. The URLs use the
reserved ``.example`` domain and are answered in-process (see :mod:`signer.services`), never
over a network. The CA keys are kept (encrypted) so fresh CRLs and OCSP answers can be made at
signing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from signer import fsio
from signer.errors import InputError
from signer.model import Pihak
from signer.names import common_name, name_key, plain_name
from signer.secret import PASSPHRASE_ENV, secret_from_env

MANIFEST = "demo-pki.json"


BASE_URL = "http://pki.kotacontoh.example"


ROOT_CRL_URL = f"{BASE_URL}/crl/root.crl"


INTERMEDIATE_CRL_URL = f"{BASE_URL}/crl/intermediate.crl"


OCSP_URL = f"{BASE_URL}/ocsp"


TSA_URL = f"{BASE_URL}/tsa"


DEMO_PASSPHRASE = "demo"

# upper bounds of RFC 5280 Appendix A (cryptography refuses a longer commonName)
UB_COMMON_NAME = 64
UB_TITLE = 64


PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _name(cn: str, org: str, title: str | None = None) -> x509.Name:
    """A CA's subject: its name fits the commonName."""
    if len(cn) > UB_COMMON_NAME:
        raise ValueError(f"a CA name of at most {UB_COMMON_NAME} characters, got {cn!r}")
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ]
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title[:UB_TITLE]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def holder_subject(pihak: Pihak, org: str) -> x509.Name:
    """A party's subject as a PSrE issues it: the plain name (no gelar, no NIP), whole in
    givenName (ub-name 32768, the registered name per ETSI EN 319 412-2) and in the commonName
    as far as its 64 characters allow (RFC 5280 ub-common-name)."""
    plain = plain_name(pihak.nama)
    if not plain:
        raise InputError(f"'{pihak.nama}': no name is left without gelar; no certificate for it")
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.TITLE, pihak.jabatan[:UB_TITLE]),
        x509.NameAttribute(NameOID.GIVEN_NAME, plain),
    ]
    if pihak.nip is not None:  # who the holder is, where a name is shared
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"NIP.{pihak.nip.digits}"))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name(plain, UB_COMMON_NAME)))
    return x509.Name(attrs)


def holder_id(pihak: Pihak) -> str:
    """The demo store's name for the person ``pihak`` is: the stem of their key file.

    One person, one certificate: the same plain name and NIP (or, without a NIP, the same plain
    name) written with other gelar or punctuation is the same holder. Different people never
    share a name here: the id ends in a digest of exactly what makes the person (a slug alone
    makes "Ahmad Fauzi, S.T." and "Ahmad Fauzi ST" one file), and the NIP is in it to be read.
    """
    who = f"{name_key(pihak.nama)}\0{pihak.nip.digits if pihak.nip else ''}"
    digest = hashlib.sha256(who.encode()).hexdigest()[:12]
    readable = slug(plain_name(pihak.nama))[:48].strip("-") or "pihak"
    return "-".join(x for x in (readable, pihak.nip.digits if pihak.nip else None, digest) if x)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey


def _issue(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issued | None,
    *,
    now: dt.datetime,
    days: int,
    **extensions: Any,
) -> Issued:
    """:func:`issue`, valid from an hour before ``now`` (clocks differ) for ``days`` days."""
    start, until = now - dt.timedelta(hours=1), now + dt.timedelta(days=days)
    return issue(subject, key, issuer, start=start, until=until, **extensions)


def issue(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issued | None,
    *,
    start: dt.datetime,
    until: dt.datetime,
    ca: bool = False,
    path_length: int | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    crl_url: str | None = None,
    ocsp_url: str | None = None,
    ocsp_nocheck: bool = False,
    san: list[x509.GeneralName] | None = None,
    digest: hashes.SHA256 | hashes.SHA384 | None = None,
) -> Issued:
    """A certificate for ``key`` by ``issuer`` (self-signed when None): a CA, a signer (key
    usage non-repudiation unless ``eku`` says otherwise), a TSA or OCSP responder, or a TLS
    server (``san``); with CRL and OCSP URLs when given."""
    issuer_key = issuer.key if issuer else key
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and eku is None,
                key_encipherment=bool(san),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        b = b.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        b = b.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if ocsp_nocheck:
        b = b.add_extension(x509.OCSPNoCheck(), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return Issued(b.sign(issuer_key, digest or hashes.SHA256()), key)


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def build_crl(
    issuer: Issued,
    revoked: Iterable[tuple[int, dt.datetime]] = (),
    *,
    now: dt.datetime | None = None,
    days: int = 3650,
    number: int = 1,
) -> x509.CertificateRevocationList:
    now = now or dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for serial, when in revoked:
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return b.sign(issuer.key, hashes.SHA256())


@dataclass(frozen=True)
class DemoPki:
    """A demo PKI in memory: what the in-process TSA, OCSP responder and CRLs need."""

    root: Issued
    intermediate: Issued
    tsa: Issued
    ocsp: Issued
    parties: dict[str, Issued]  # holder_id -> certificate and key, one per person
    revoked: dict[int, dt.datetime]  # serial -> revocation time (for tests)

    def issued_for(self, pihak: Pihak) -> Issued:
        """The certificate and key of the person ``pihak`` is."""
        return self.parties[holder_id(pihak)]

    @property
    def trust_roots(self) -> list[x509.Certificate]:
        return [self.root.cert]

    @property
    def chain(self) -> list[x509.Certificate]:
        return [self.intermediate.cert, self.root.cert]


def build_demo_pki(
    parties: Iterable[Pihak],
    org: str,
    *,
    now: dt.datetime | None = None,
    party_days: int = 730,
    expired: Iterable[str] = (),
) -> DemoPki:
    """Make a demo PKI with one certificate per party (``expired``: names given lapsed certs)."""
    now = now or dt.datetime.now(dt.UTC)
    demo_org = f"{org} (PKI demo kinerja, tidak sah)"
    root = _issue(
        _name("Root CA Demo kinerja", demo_org),
        _rsa(),
        None,
        now=now,
        days=7300,
        ca=True,
        path_length=1,
    )
    inter = _issue(
        _name("CA Penandatangan Demo kinerja", demo_org),
        _rsa(),
        root,
        now=now,
        days=5475,
        ca=True,
        path_length=0,
        crl_url=ROOT_CRL_URL,
    )
    tsa = _issue(
        _name("TSA Demo kinerja", demo_org),
        _rsa(),
        inter,
        now=now,
        days=3650,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        crl_url=INTERMEDIATE_CRL_URL,
    )
    ocsp = _issue(
        _name("OCSP Demo kinerja", demo_org),
        _ec(),
        inter,
        now=now,
        days=3650,
        eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
        ocsp_nocheck=True,
    )
    expired = set(expired)
    # one certificate per person (holder_id): a real PSrE issues one per identity, not per
    # spelling, and never one for two people
    issued: dict[str, Issued] = {}
    for p in parties:
        who = holder_id(p)
        if who in issued:
            continue
        start = now - dt.timedelta(days=party_days + 30) if p.nama in expired else now
        issued[who] = _issue(
            holder_subject(p, org),
            _ec(),
            inter,
            now=start,
            days=party_days,
            crl_url=INTERMEDIATE_CRL_URL,
            ocsp_url=OCSP_URL,
        )
    return DemoPki(root, inter, tsa, ocsp, issued, {})


def passphrase_from_env() -> bytes:
    """The demo key store's passphrase: $KINERJA_PASSPHRASE, else the demo's default."""
    return secret_from_env(PASSPHRASE_ENV, "passphrase", default=DEMO_PASSPHRASE)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def _p12(name: str, issued: Issued, chain: list[x509.Certificate], passphrase: bytes) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(),
        issued.key,
        issued.cert,
        chain,
        serialization.BestAvailableEncryption(passphrase),
    )


def write_demo_pki(
    pki: DemoPki, folder: Path, parties: Iterable[Pihak], passphrase: bytes
) -> dict[str, object]:
    """Write the key store: certificates (PEM), encrypted CA keys, one PKCS#12 per party."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    secret = 0o600
    for sub in ("ca", "pihak", "crl"):
        (folder / sub).mkdir(exist_ok=True)
    files: dict[str, str] = {}
    for label, issued in (
        ("root", pki.root),
        ("intermediate", pki.intermediate),
        ("tsa", pki.tsa),
        ("ocsp", pki.ocsp),
    ):
        fsio.write_bytes(folder / "ca" / f"{label}.crt", _pem(issued.cert))
        fsio.write_bytes(
            folder / "ca" / f"{label}.key", _key_pem(issued.key, passphrase), mode=secret
        )
        files[label] = f"ca/{label}.crt"
    fsio.write_bytes(
        folder / "crl" / "root.crl", build_crl(pki.root).public_bytes(serialization.Encoding.DER)
    )
    fsio.write_bytes(
        folder / "crl" / "intermediate.crl",
        build_crl(pki.intermediate).public_bytes(serialization.Encoding.DER),
    )
    entries = []
    holders = {holder_id(p): p for p in reversed(list(parties))}  # the first spelling seen
    for who, issued in pki.parties.items():
        p = holders.get(who)
        nama = p.nama if p else who
        fsio.write_bytes(
            folder / "pihak" / f"{who}.p12", _p12(nama, issued, pki.chain, passphrase), mode=secret
        )
        entries.append(
            {
                "nama": nama,
                "nip": str(p.nip) if p and p.nip else None,
                "jabatan": p.jabatan if p else None,
                "p12": f"pihak/{who}.p12",
                "not_after": issued.cert.not_valid_after_utc.isoformat(),
            }
        )
    manifest: dict[str, object] = {
        "kind": "kinerja demo PKI",
        "warning": "for demonstrations and tests only; these certificates prove nothing",
        "trust_anchor": files["root"],
        "certificates": files,
        "urls": {"tsa": TSA_URL, "ocsp": OCSP_URL, "crl": [ROOT_CRL_URL, INTERMEDIATE_CRL_URL]},
        "parties": entries,
    }
    fsio.write_bytes(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
    return manifest


def is_demo_store(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def load_certificate(path: Path) -> x509.Certificate:
    """A PEM certificate of the key store."""
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_demo_pki(folder: Path, passphrase: bytes) -> DemoPki:
    """Read the CA side of a demo key store (for the in-process TSA, OCSP and CRL answers)."""
    if not is_demo_store(folder):
        raise InputError(f"{folder}: not a demo key store (no {MANIFEST})")

    def issued(label: str) -> Issued:
        cert = load_certificate(folder / "ca" / f"{label}.crt")
        try:
            # the store's own keys, written when it was made: OpenSSL's RSA consistency check
            # (130 ms per 3072-bit key, 0.4 s per `kinerja verify --trust STORE`) is skipped; a
            # damaged key signs answers that then fail to verify, reported as such
            key = serialization.load_pem_private_key(
                (folder / "ca" / f"{label}.key").read_bytes(),
                passphrase,
                unsafe_skip_rsa_key_validation=True,
            )
        except ValueError:
            raise InputError(
                f"{folder / 'ca' / (label + '.key')}: wrong passphrase (set {PASSPHRASE_ENV})"
            ) from None
        assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey))
        return Issued(cert, key)

    revoked: dict[int, dt.datetime] = {}
    for crl_file in sorted((folder / "crl").glob("*.crl")):
        # revocations written into the store's CRLs are what its services answer from now on
        try:
            crl = x509.load_der_x509_crl(crl_file.read_bytes())
        except ValueError:
            raise InputError(f"{crl_file}: not a DER CRL") from None
        for entry in crl:
            revoked[entry.serial_number] = entry.revocation_date_utc
    return DemoPki(
        issued("root"), issued("intermediate"), issued("tsa"), issued("ocsp"), {}, revoked
    )
