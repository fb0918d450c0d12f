"""Local key sources: a key store folder, a PKCS#12 file, a PKCS#11 token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509

from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.sign.keys import Credential
from signer.sign.services import Services
from signer.trust import load_trust


@dataclass(frozen=True)
class KeySource:
    """The user's choice of key material (exactly one of the three)."""

    keys: Path | None = None  # a key store folder: the PKCS#12 of each document's party
    p12: Path | None = None
    pkcs11_module: str | None = None
    token_label: str | None = None
    key_label: str | None = None

    def __post_init__(self) -> None:
        chosen = [x for x in (self.keys, self.p12, self.pkcs11_module) if x is not None]
        if len(chosen) != 1:
            raise InputError(
                "choose one key source: --keys DIR, --p12 FILE, or "
                "--pkcs11-module LIB with --token-label"
            )
        if self.pkcs11_module and not self.token_label:
            raise InputError("--pkcs11-module needs --token-label")


@dataclass
class SigningSetup:
    credential_for: Callable[[Agreement, Peran], Credential]
    services: Services
    single_threaded: bool  # a token session is not shared between threads
    close: Callable[[], None] = lambda: None


def setup(
    source: KeySource,
    *,
    secret: Callable[[str, str], bytes],
    tsa_url: str | None,
    trust: Sequence[Path] = (),
) -> SigningSetup:
    """Credentials and services for a key source; ``secret(env, what)`` supplies passphrases."""
    from signer.demo_pki import pki
    from signer.sign.keys import KeyStore, load_pkcs12, open_pkcs11

    roots = load_trust(trust)
    if source.keys is not None:
        demo = pki.is_demo_store(source.keys)
        passphrase = (
            secret(pki.PASSPHRASE_ENV, "key store passphrase")
            if not demo
            else pki.passphrase_from_env()
        )
        store = KeyStore(source.keys, passphrase)
        if demo and not tsa_url:
            from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context

            authority = pki.load_demo_pki(source.keys, passphrase)
            services = Services(
                DemoTimeStamper(authority),
                lambda: demo_validation_context(authority),
                roots or [_asn1(authority.root.cert)],
            )
        else:
            services = Services.online(tsa_url, roots)
        return SigningSetup(lambda a, role: store.for_party(a.pihak(role)), services, False)
    if source.p12 is not None:
        credential = load_pkcs12(source.p12, secret(pki.PASSPHRASE_ENV, "PKCS#12 passphrase"))
        return SigningSetup(lambda a, role: credential, Services.online(tsa_url, roots), False)
    from signer.sign.keys import PIN_ENV

    assert source.pkcs11_module and source.token_label
    context = open_pkcs11(
        source.pkcs11_module, source.token_label, secret(PIN_ENV, "token PIN"), source.key_label
    )
    credential = context.__enter__()
    return SigningSetup(
        lambda a, role: credential,
        Services.online(tsa_url, roots),
        True,
        close=lambda: context.__exit__(None, None, None),
    )


def _asn1(cert: object) -> asn1_x509.Certificate:
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))  # type: ignore[attr-defined]

