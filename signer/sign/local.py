"""Local key sources: a key store folder, a PKCS#12 file, a PKCS#11 token.

Each gives a :class:`signer.sign.pades.PadesSigner`. Passphrases and PINs come through
``secret(env, what)``: an environment variable or a prompt, never the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from signer.demo_pki import pki
from signer.errors import InputError
from signer.names import PartyPin
from signer.secret import PASSPHRASE_ENV, PIN_ENV
from signer.sign.backend import Concurrency
from signer.sign.keys import KeyStore, load_pkcs12, open_pkcs11
from signer.sign.pades import PadesSigner
from signer.sign.services import Services
from signer.trust import load_trust

Secret = Callable[[str, str], bytes]


@dataclass(frozen=True)
class KeySource:
    """The user's choice of key material (exactly one of the four)."""

    keys: Path | None = None
    """A key store folder: the PKCS#12 of each document's party, found by name."""
    p12: Path | None = None
    pkcs11_module: str | None = None
    token_label: str | None = None
    key_label: str | None = None
    csc: str | None = None
    """The base URL of a CSC remote signing service (:mod:`signer.sign.csc`)."""
    csc_credential: str | None = None
    csc_ca: Path | None = None

    def __post_init__(self) -> None:
        chosen = [x for x in (self.keys, self.p12, self.pkcs11_module, self.csc) if x is not None]
        if len(chosen) != 1:
            raise InputError(
                "choose one key source: --keys DIR, --p12 FILE, "
                "--pkcs11-module LIB with --token-label, or --csc URL"
            )
        if self.pkcs11_module and not self.token_label:
            raise InputError("--pkcs11-module needs --token-label")
        if (self.csc_credential or self.csc_ca) and not self.csc:
            raise InputError("--csc-credential and --csc-ca go with --csc URL")


def open_local(
    source: KeySource,
    *,
    secret: Secret,
    tsa_url: str | None,
    trust: Sequence[Path] = (),
    pins: tuple[PartyPin, ...] = (),
) -> PadesSigner:
    """The PAdES backend for a key source, with its TSA and revocation services; a key store
    (or a CSC service) picks each party's certificate by name, or by ``pins``."""
    if source.csc is not None:
        from signer.sign.csc import open_csc

        return open_csc(
            source.csc,
            source.csc_credential,
            secret=secret,
            tsa_url=tsa_url,
            trust=trust,
            pins=pins,
            ca_file=source.csc_ca,
        )
    roots = load_trust(trust)
    if source.keys is not None:
        demo = pki.is_demo_store(source.keys)
        passphrase = (
            pki.passphrase_from_env() if demo else secret(PASSPHRASE_ENV, "key store passphrase")
        )
        store = KeyStore(source.keys, passphrase, pins)
        if demo and not tsa_url:
            services = Services.demo(pki.load_demo_pki(source.keys, passphrase), roots)
        else:
            services = Services.online(tsa_url, roots)
        return PadesSigner(lambda a, role: store.for_party(a.pihak(role), role), services)
    if source.p12 is not None:
        credential = load_pkcs12(source.p12, secret(PASSPHRASE_ENV, "PKCS#12 passphrase"))
        return PadesSigner(lambda a, role: credential, Services.online(tsa_url, roots))
    assert source.pkcs11_module and source.token_label
    context = open_pkcs11(
        source.pkcs11_module, source.token_label, secret(PIN_ENV, "token PIN"), source.key_label
    )
    token = context.__enter__()

    def log_out() -> None:
        context.__exit__(None, None, None)

    return PadesSigner(
        lambda a, role: token,
        Services.online(tsa_url, roots),
        Concurrency.SINGLE,  # a token session is not shared between threads or processes
        close=log_out,
    )
