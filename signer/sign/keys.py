"""Signing keys: PKCS#12 files, PKCS#11 tokens, and key store folders.

A :class:`Credential` is a pyHanko signer with its certificate; it is what the sign stage uses,
whatever the key lives in. Passphrases and PINs come from an environment variable or a prompt,
never from argv, and never appear in a message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash  # type: ignore[attr-defined]
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signer.algorithms import certificate_weakness
from signer.errors import InputError
from signer.model import Peran, Pihak
from signer.names import (
    NameMatch,
    PartyPin,
    certificate_nip,
    holder_names,
    match_name,
    pins_for,
)


class KeyMaterialError(InputError):
    """Key material that cannot be used: unreadable, wrong passphrase, no matching party."""


class CachedKeySigner(signers.SimpleSigner):
    """SimpleSigner that parses its private key once, not at every signature (RSA 3072: ~0.1 s)."""

    @cached_property
    def _pyca_key(self) -> object:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._pyca_key
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class Credential:
    """A signer and the certificate it signs with."""

    signer: signers.Signer
    source: str  # where it came from, for messages: a file name or a token label

    @property
    def certificate(self) -> asn1_x509.Certificate:
        cert = self.signer.signing_cert
        assert cert is not None
        return cert

    @property
    def holder(self) -> str:
        """The holder's name as the certificate gives it (its fullest form)."""
        names = self.names
        return names[0] if names else ""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the certificate gives its holder (givenName and surname, commonName)."""
        return holder_names(self.certificate.subject.native)

    @property
    def nip(self) -> str | None:
        """The holder's NIP, if the certificate carries one (serialNumber ``NIP.<digits>``)."""
        return certificate_nip(self.certificate.subject.native)

    @cached_property
    def sha256(self) -> str:
        """The certificate's SHA-256 fingerprint (lowercase hex), what ``--certificate`` names."""
        return hashlib.sha256(self.certificate.dump()).hexdigest()

    @property
    def not_before(self) -> dt.datetime:
        when: dt.datetime = self.certificate.not_valid_before
        return when

    @property
    def not_after(self) -> dt.datetime:
        when: dt.datetime = self.certificate.not_valid_after
        return when


def load_pkcs12(path: Path, passphrase: bytes) -> Credential:
    """Load a PKCS#12 file; a wrong passphrase or a broken file is one clear message."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise KeyMaterialError(f"{path}: cannot read ({e.strerror})") from None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise KeyMaterialError(f"{path}: wrong passphrase, or not a PKCS#12 file") from None
    if key is None or cert is None:
        raise KeyMaterialError(f"{path}: holds no private key with its certificate")

    def asn1(c: object) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]

    from asn1crypto import keys as asn1_keys

    signer = CachedKeySigner(
        signing_cert=asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in others]),
    )
    return strong_credential(Credential(signer, Path(path).name), str(path))


def strong_credential(credential: Credential, where: str) -> Credential:
    """The credential, if verification would accept what it signs (key size, algorithms);
    refused before anything is signed otherwise."""
    if weak := certificate_weakness(credential.certificate):
        raise KeyMaterialError(
            f"{where}: {weak}; verification would reject its signatures, so it does not sign"
        )
    return credential


@contextlib.contextmanager
def open_pkcs11(
    module: str, token_label: str, pin: bytes, key_label: str | None = None
) -> Iterator[Credential]:
    """A credential on a PKCS#11 token (the same code path for SoftHSM2 and a real token)."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as p11

    if not Path(module).exists():
        raise KeyMaterialError(f"{module}: no such PKCS#11 module")
    try:
        session = p11.open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=token_label), user_pin=pin.decode()
        )
    except Exception as e:  # python-pkcs11 raises its own types: PinIncorrect, NoSuchToken, ...
        reason = e.__class__.__name__
        if "Pin" in reason:
            raise KeyMaterialError(f"token {token_label!r}: wrong PIN ({reason})") from None
        raise KeyMaterialError(
            f"token {token_label!r}: cannot open a session ({reason}: {e})"
        ) from None
    try:
        label = key_label or _only_key_label(session)
        # raw ECDSA (hash in software): tokens like SoftHSM2 lack combined ECDSA-SHA256;
        # other_certs_to_pull=None brings the token's CA certificates into the signature
        signer = p11.PKCS11Signer(
            session,
            key_label=label,
            cert_label=label,
            other_certs_to_pull=None,
            use_raw_mechanism=True,
        )
        try:
            _ = signer.signing_cert
        except Exception as e:
            raise KeyMaterialError(
                f"token {token_label!r}: no key and certificate labelled {label!r} "
                f"({e.__class__.__name__})"
            ) from None
        yield strong_credential(
            Credential(signer, f"token {token_label}"), f"token {token_label!r} key {label!r}"
        )
    finally:
        session.close()


def _only_key_label(session: object) -> str:
    from pkcs11 import Attribute, ObjectClass

    labels = [
        o[Attribute.LABEL]
        for o in session.get_objects(  # type: ignore[attr-defined]
            {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
        )
    ]
    if len(labels) != 1:
        raise KeyMaterialError(
            f"the token holds {len(labels)} private keys; choose one with --key-label"
        )
    return str(labels[0])


class KeyStore:
    """A folder of PKCS#12 files, one per party; picks the one whose holder is a given party.

    The holder is found by the name without gelar (a BSrE certificate carries the plain name)
    and, where the certificate carries a NIP, by the NIP too: a namesake's certificate (same
    name, another NIP) is never the party's. Or by the certificate pinned for the party; two
    certificates that still match the same party are refused rather than guessed between.
    """

    def __init__(self, folder: Path, passphrase: bytes, pins: tuple[PartyPin, ...] = ()):
        self.folder = Path(folder)
        self.pins = pins
        if not self.folder.is_dir():
            raise KeyMaterialError(f"{folder}: no such key store folder")
        files = sorted(p for p in self.folder.rglob("*") if p.suffix.lower() in (".p12", ".pfx"))
        if not files:
            raise KeyMaterialError(
                f"{folder}: no PKCS#12 files (.p12) in the key store; "
                "`kinerja keys demo` makes a demo one"
            )
        self._by_sha256: dict[str, Credential] = {}
        for path in files:
            cred = load_pkcs12(path, passphrase)
            self._by_sha256.setdefault(cred.sha256, cred)

    def for_party(self, pihak: Pihak, role: Peran | None = None) -> Credential:
        """The credential of ``pihak``: the pinned one if a pin names the party, else the one
        certificate whose holder is the party by name; a clear refusal otherwise."""
        return pick_credential(self.credentials, pihak, role, self.pins, str(self.folder))

    def __len__(self) -> int:
        return len(self._by_sha256)

    @property
    def credentials(self) -> list[Credential]:
        return list(self._by_sha256.values())


def pick_credential(
    credentials: list[Credential],
    pihak: Pihak,
    role: Peran | None,
    pins: tuple[PartyPin, ...],
    where: str,
) -> Credential:
    """The one credential among ``credentials`` (a key store's, a remote service's) whose
    holder is ``pihak``: the pinned one if a pin names the party, else by name (and NIP where
    the certificate carries one); a clear refusal naming ``where`` otherwise."""
    who = f"{role.value.replace('-', ' ')} '{pihak.nama}'" if role else f"'{pihak.nama}'"
    pinned = pins_for(pins, role, pihak)
    if pinned:
        found = [c for c in credentials if c.sha256 in pinned]
        if not found:
            raise KeyMaterialError(
                f"{who}: no certificate in {where} with the pinned SHA-256 "
                f"({', '.join(sorted(f[:16] + '...' for f in pinned))})"
            )
        return found[0]
    matches = [(c, m) for c in credentials if (m := _match(c, pihak))]
    if pihak.nip is not None:
        # a certificate for another NIP is a namesake's; one for this NIP is the party's
        matches = [(c, m) for c, m in matches if c.nip in (None, pihak.nip.digits)]
        if any(c.nip for c, _ in matches):
            matches = [(c, m) for c, m in matches if c.nip]
    exact = [c for c, m in matches if m is NameMatch.EXACT]
    if len(matches) == 1 or len(exact) == 1:
        return exact[0] if exact else matches[0][0]
    if not matches:
        raise KeyMaterialError(
            f"{who}: no certificate in {where} whose holder matches "
            f"(certificates: {_listing(credentials)})"
        )
    raise KeyMaterialError(
        f"{who}: {len(matches)} certificates in {where} match the name, and a name "
        f"cannot choose between them ({_listing([c for c, _ in matches], sha=True)}); "
        "pin one with --certificate NIP=SHA256"
    )


def _match(cred: Credential, pihak: Pihak) -> NameMatch | None:
    found = [m for n in cred.names if (m := match_name(n, pihak.nama)) is not None]
    return NameMatch.EXACT if NameMatch.EXACT in found else (found[0] if found else None)


def _listing(creds: list[Credential], *, sha: bool = False, most: int = 8) -> str:
    shown = [
        f"'{c.holder}' in {c.source}" + (f" SHA-256 {c.sha256}" if sha else "")
        for c in creds[:most]
    ]
    more = f" and {len(creds) - most} more" if len(creds) > most else ""
    return "; ".join(shown) + more if shown else "none"
