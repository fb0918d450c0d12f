"""Key material verification would reject, made for real with cryptography (for the tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)
from cryptography.x509.oid import NameOID

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | dsa.DSAPrivateKey


def certificate(
    key: Key, name: str, digest: hashes.HashAlgorithm | None = None
) -> x509.Certificate:
    """A self-issued signing certificate for ``name`` (the plain name, as BSrE issues it)."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.GIVEN_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    made = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    if digest is None or isinstance(digest, hashes.SHA256):
        return made
    return _resigned(made, key, digest)


def _resigned(cert: x509.Certificate, key: Key, digest: hashes.HashAlgorithm) -> x509.Certificate:
    """``cert`` signed again with ``digest`` (RSA): OpenSSL 3 no longer issues SHA-1
    certificates, but CAs did, and such a certificate still turns up in a key store."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

    assert isinstance(key, rsa.RSAPrivateKey)
    algorithm = {"algorithm": f"{digest.name}_rsa"}
    tbs = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))["tbs_certificate"]
    tbs["signature"] = algorithm
    signature = key.sign(tbs.dump(force=True), PKCS1v15(), digest)
    again = asn1_x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": algorithm, "signature_value": signature}
    )
    return x509.load_der_x509_certificate(again.dump())


def write_p12(path: Path, key: Key, name: str, digest: hashes.HashAlgorithm | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"uji", key, certificate(key, name, digest), None, BestAvailableEncryption(b"demo")
        )
    )
    return path


def rsa_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)
