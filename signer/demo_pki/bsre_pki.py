"""The BSrE emulator's own PKI, shaped like BSrE's (see ../shared/notes/domain.md section 4.2).

Root "Root CA Indonesia DS G1" over the intermediate "BSRE CA DS G1" (signed SHA-384, as the
real one is), a TSA "Timestamp Authority Badan Siber dan Sandi Negara", an OCSP responder, and a
certificate per account: RSA-2048, the plain name in the commonName (no gelar, no NIP), the email,
C=ID, valid two years. Every CA says DEMO in its organisation: nothing here is BSrE's.

Unlike :mod:`signer.demo_pki.pki` (whose services are answered in-process), the OCSP and CRL URLs
in these certificates are real ``http://127.0.0.1:PORT/...`` URLs answered by the emulator, so a
client that fetches revocation data over the network (``kinerja extend``) gets them. The whole
PKI is kept in a folder (keys chmod 600 in a chmod 700 folder) so that a restart serves the same
CAs and the same user certificates; the port the URLs name is kept with it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signer import fsio
from signer.demo_pki.pki import DemoPki, Issued, build_crl
from signer.demo_pki.pki import issue as _issue
from signer.demo_pki.responders import (
    CRL_VALIDITY_DAYS,
    good_or_revoked,
)
from signer.names import common_name

ROOT_CN = "Root CA Indonesia DS G1"
INTERMEDIATE_CN = "BSRE CA DS G1"
TSA_CN = "Timestamp Authority Badan Siber dan Sandi Negara"
OCSP_CN = "OCSP BSRE CA DS G1"
DEMO_OU = "Emulator BSrE kinerja, tidak sah"
ROOT_ORG = "Kementerian Komunikasi dan Informatika (DEMO)"
BSSN_ORG = "Badan Siber dan Sandi Negara (DEMO)"

# fixed ends, far enough for archives verified at --at 2036-01-01 (the real root ends 2038)
ROOT_UNTIL = dt.datetime(2045, 12, 31, tzinfo=dt.UTC)
CA_UNTIL = dt.datetime(2040, 12, 31, tzinfo=dt.UTC)
USER_DAYS = 730
CRL_DAYS = CRL_VALIDITY_DAYS  # long, as the demo PKI's: see responders.CRL_VALIDITY_DAYS

ROOT_CRL_PATH = "/crl/root-ca-indonesia-ds-g1.crl"
INTERMEDIATE_CRL_PATH = "/crl/bsre-ca-ds-g1.crl"
OCSP_PATH = "/ocsp"
TSA_PATH = "/tsa"
STATE = "emulator.json"

PEM = serialization.Encoding.PEM


def _subject(cn: str, org: str, ou: str | None = DEMO_OU) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID")]
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def user_subject(nama: str, email: str) -> x509.Name:
    """A holder's subject as BSrE issues it: the plain name, the email, C=ID; no NIP.

    The commonName is bounded at 64 characters (RFC 5280); a longer name is shortened to
    initials there and kept whole in givenName.
    """
    cn = common_name(nama, 64)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID")]
    if cn != nama:
        attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, nama))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


@dataclass(frozen=True)
class Urls:
    """Where the emulator answers for its PKI: plain HTTP on loopback."""

    base: str  # http://127.0.0.1:PORT

    @property
    def root_crl(self) -> str:
        return self.base + ROOT_CRL_PATH

    @property
    def intermediate_crl(self) -> str:
        return self.base + INTERMEDIATE_CRL_PATH

    @property
    def ocsp(self) -> str:
        return self.base + OCSP_PATH

    @property
    def tsa(self) -> str:
        return self.base + TSA_PATH


def _rsa(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _write(folder: Path, label: str, issued: Issued) -> None:
    fsio.write_bytes(folder / f"{label}.crt", issued.cert.public_bytes(PEM))
    key = issued.key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fsio.write_bytes(folder / f"{label}.key", key, mode=0o600)


def _read(folder: Path, label: str) -> Issued | None:
    crt, key_file = folder / f"{label}.crt", folder / f"{label}.key"
    if not (crt.is_file() and key_file.is_file()):
        return None
    cert = x509.load_pem_x509_certificate(crt.read_bytes())
    key = serialization.load_pem_private_key(
        key_file.read_bytes(), None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey))
    return Issued(cert, key)


@dataclass
class BsrePki:
    """The emulator's CAs, TSA, OCSP responder, TLS server certificate and user certificates."""

    folder: Path
    urls: Urls
    root: Issued
    intermediate: Issued
    tsa: Issued
    ocsp: Issued
    tls_ca: Issued
    tls_server: Issued
    revoked: dict[int, dt.datetime] = field(default_factory=dict)
    _users: dict[str, Issued] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root_path(self) -> Path:
        return self.folder / "ca" / "root.crt"

    @property
    def tls_ca_path(self) -> Path:
        return self.folder / "tls" / "tls-ca.crt"

    @property
    def chain(self) -> list[x509.Certificate]:
        """Above a user certificate: the intermediate, then the root."""
        return [self.intermediate.cert, self.root.cert]

    def as_demo_pki(self) -> DemoPki:
        """The shape :class:`signer.demo_pki.responders.DemoTimeStamper` signs with."""
        return DemoPki(self.root, self.intermediate, self.tsa, self.ocsp, {}, self.revoked)

    def user(self, nik: str, nama: str, email: str) -> Issued:
        """The account's certificate and key: the one kept in the folder, or a new one.

        One certificate per NIK; a name or email that no longer matches the kept certificate
        (the account was changed) gets a new one, as a re-registration would.
        """
        with self._lock:
            issued = self._users.get(nik)
            if issued is None:
                issued = _read(self.folder / "users", nik)
            if issued is None or issued.cert.subject != user_subject(nama, email):
                now = dt.datetime.now(dt.UTC)
                issued = _issue(
                    user_subject(nama, email),
                    _rsa(2048),
                    self.intermediate,
                    start=now - dt.timedelta(minutes=10),
                    until=now + dt.timedelta(days=USER_DAYS),
                    crl_url=self.urls.intermediate_crl,
                    ocsp_url=self.urls.ocsp,
                )
                _write(self.folder / "users", nik, issued)
            self._users[nik] = issued
            return issued

    def issued_by_intermediate(self) -> dict[int, x509.Certificate]:
        """Every certificate the intermediate issued that the emulator knows, by serial."""
        known = [self.tsa.cert, self.ocsp.cert]
        known += [i.cert for i in self._users.values()]
        return {c.serial_number: c for c in known}

    def crl(self, path: str) -> bytes | None:
        """The DER CRL served at ``path`` (made fresh), or None for an unknown path."""
        now = dt.datetime.now(dt.UTC)
        inter_serial = self.intermediate.cert.serial_number
        if path == ROOT_CRL_PATH:
            ca, revoked = self.root, [(s, w) for s, w in self.revoked.items() if s == inter_serial]
        elif path == INTERMEDIATE_CRL_PATH:
            ca = self.intermediate
            revoked = [(s, w) for s, w in self.revoked.items() if s != inter_serial]
        else:
            return None
        # build_crl backdates thisUpdate by five minutes; its CRL number rises with the time
        made = build_crl(ca, revoked, now=now, days=CRL_DAYS, number=int(now.timestamp()))
        return made.public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der: bytes) -> bytes:
        """The DER OCSP response to a DER request (RFC 6960), signed by the responder."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        issuer_spki = self.intermediate.cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashes.Hash(request.hash_algorithm)
        # the key hash covers the subjectPublicKey BIT STRING's bytes, not the whole SPKI
        digest.update(_subject_public_key_bits(issuer_spki))
        cert = self.issued_by_intermediate().get(request.serial_number)
        if digest.finalize() != request.issuer_key_hash or cert is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = dt.datetime.now(dt.UTC)
        revoked_at = self.revoked.get(cert.serial_number)
        nonces = [e.value for e in request.extensions if isinstance(e.value, x509.OCSPNonce)]
        response = good_or_revoked(
            cert, self.intermediate.cert, self.ocsp, revoked_at, now, request.hash_algorithm, nonces
        )
        return response.public_bytes(serialization.Encoding.DER)


def _subject_public_key_bits(spki_der: bytes) -> bytes:
    info = asn1_keys.PublicKeyInfo.load(spki_der)
    return bytes(info["public_key"].contents[1:])  # the BIT STRING without its unused-bits byte


def kept_port(folder: Path) -> int | None:
    """The port the PKI kept in ``folder`` names in its certificates, if there is one."""
    try:
        state = json.loads((folder / STATE).read_text())
        port = state["pki_port"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return port if isinstance(port, int) and 0 < port < 65536 else None


def load_or_create(folder: Path, port: int) -> BsrePki:
    """The PKI kept in ``folder``, or a new one whose URLs name ``http://127.0.0.1:port``."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for sub in ("ca", "users", "tls"):
        (folder / sub).mkdir(exist_ok=True)
        (folder / sub).chmod(0o700)
    kept = kept_port(folder)
    if kept is not None and kept != port:
        raise ValueError(f"{folder}: its certificates name port {kept}, not {port}")
    urls = Urls(f"http://127.0.0.1:{port}")
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(hours=1)
    ca_dir, tls_dir = folder / "ca", folder / "tls"

    def kept_or(label: str, where: Path, make: object) -> Issued:
        issued = _read(where, label)
        if issued is None:
            assert callable(make)
            issued = make()
            assert isinstance(issued, Issued)
            _write(where, label, issued)
        return issued

    root = kept_or(
        "root",
        ca_dir,
        lambda: _issue(
            _subject(ROOT_CN, ROOT_ORG),
            _rsa(3072),
            None,
            start=start,
            until=ROOT_UNTIL,
            ca=True,
            path_length=1,
        ),
    )
    inter = kept_or(
        "intermediate",
        ca_dir,
        lambda: _issue(
            _subject(INTERMEDIATE_CN, BSSN_ORG),
            _rsa(3072),
            root,
            start=start,
            until=CA_UNTIL,
            ca=True,
            path_length=0,
            crl_url=urls.root_crl,
            digest=hashes.SHA384(),
        ),
    )
    tsa = kept_or(
        "tsa",
        ca_dir,
        lambda: _issue(
            _subject(TSA_CN, BSSN_ORG),
            _rsa(2048),
            inter,
            start=start,
            until=CA_UNTIL,
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            crl_url=urls.intermediate_crl,
        ),
    )
    responder = kept_or(
        "ocsp",
        ca_dir,
        lambda: _issue(
            _subject(OCSP_CN, BSSN_ORG),
            ec.generate_private_key(ec.SECP256R1()),
            inter,
            start=start,
            until=CA_UNTIL,
            eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
            ocsp_nocheck=True,
        ),
    )
    tls_ca = kept_or(
        "tls-ca",
        tls_dir,
        lambda: _issue(
            _subject("TLS CA Emulator BSrE kinerja (DEMO)", "kinerja (DEMO)"),
            ec.generate_private_key(ec.SECP256R1()),
            None,
            start=start,
            until=CA_UNTIL,
            ca=True,
            path_length=0,
        ),
    )
    tls_server = kept_or(
        "tls-server",
        tls_dir,
        lambda: _issue(
            _subject("127.0.0.1", "kinerja (DEMO)"),
            ec.generate_private_key(ec.SECP256R1()),
            tls_ca,
            start=start,
            until=now + dt.timedelta(days=825),
            eku=[ExtendedKeyUsageOID.SERVER_AUTH],
            san=[
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
                x509.DNSName("localhost"),
            ],
        ),
    )
    if kept is None:
        state = {
            "kind": "kinerja BSrE emulator PKI",
            "warning": "for demonstrations and tests only; these certificates prove nothing",
            "pki_port": port,
        }
        fsio.write_bytes(folder / STATE, json.dumps(state, indent=1).encode())
    pki = BsrePki(folder, urls, root, inter, tsa, responder, tls_ca, tls_server)
    for crt in sorted((folder / "users").glob("*.crt")):
        # the certificates of earlier runs: OCSP answers for them whoever signs this time
        kept_user = _read(folder / "users", crt.stem)
        if kept_user is not None:
            pki._users[crt.stem] = kept_user
    return pki
