"""Trust: the anchors a signature must chain to, and where current revocation data comes from.

Nothing is trusted implicitly. Anchors come from certificate files or folders given by the user
(``--trust``, ``$KINERJA_TRUST``); a demo key store contributes its root and its in-process
revocation answers, so the demo verifies with no network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from signer.demo_pki import pki
from signer.demo_pki.responders import DemoFetcherBackend, to_asn1_cert
from signer.errors import InputError
from signer.names import PartyPin

TRUST_ENV = "KINERJA_TRUST"


@dataclass(frozen=True)
class TrustConfig:
    """Trust anchors and where current revocation data may come from."""

    anchors: tuple[asn1_x509.Certificate, ...] = ()
    """The certificates a signer's chain must end in; none means nothing can be trusted."""
    fetcher_backend: FetcherBackend | None = None
    """Where current revocation data comes from: the demo PKI's in-process services, or None
    for the real network."""
    online: bool = True
    """May current revocation data be fetched for the newest proofs?"""
    pinned: tuple[asn1_x509.Certificate, ...] = ()
    """If given, every signer must hold one of exactly these certificates."""
    party_pins: tuple[PartyPin, ...] = ()
    """Certificates named for parties (``--certificate WHO=CERT|SHA256``): a party a pin names must
    have signed with that certificate; where a name cannot tell two parties apart, only a pin
    makes a signature VALID."""


def load_trust(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    """Trust anchors from PEM/DER certificate files or folders of them."""
    from pyhanko.keys import load_certs_from_pemder

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(
                f for f in p.iterdir() if f.suffix.lower() in (".pem", ".crt", ".cer", ".der")
            )
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"--trust {p}: no such file or folder")
    try:
        return list(load_certs_from_pemder([str(f) for f in files]))
    except Exception as e:
        raise InputError(f"--trust: not a certificate ({e.__class__.__name__})") from None


def load_party_pins(specs: Sequence[str]) -> tuple[PartyPin, ...]:
    """``--certificate WHO=SHA256`` or ``WHO=CERT`` (a PEM or DER certificate file) per party.

    WHO is ``pihak-pertama`` or ``pihak-kedua`` (that role in every document), a NIP, or a name
    as the workbook writes it. A fingerprint is 64 hex digits, colons or spaces allowed.
    """
    pins = []
    for spec in specs:
        who, sep, value = spec.partition("=")
        who, value = who.strip(), value.strip()
        if not sep or not who or not value:
            raise InputError(
                f"--certificate {spec}: expected WHO=SHA256 or WHO=CERT, where WHO is "
                "pihak-pertama, pihak-kedua, a NIP or a name as the workbook writes it"
            )
        digits = re.sub(r"[\s:]", "", value).lower()
        if re.fullmatch(r"[0-9a-f]{64}", digits):
            pins.append(PartyPin(who, digits))
            continue
        path = Path(value)
        if not path.is_file():
            raise InputError(
                f"--certificate {spec}: {value} is neither a SHA-256 fingerprint (64 hex "
                "digits) nor a certificate file"
            )
        certs = load_trust([path])
        if len(certs) != 1:
            raise InputError(
                f"--certificate {spec}: {value} holds {len(certs)} certificates, not one"
            )
        pins.append(PartyPin(who, certs[0].sha256.hex()))
    return tuple(pins)


def trust_paths(paths: Sequence[Path]) -> list[Path]:
    """``--trust`` paths and those of ``$KINERJA_TRUST``, in that order."""
    return list(paths) + [Path(p) for p in os.environ.get(TRUST_ENV, "").split(os.pathsep) if p]


def load_trust_config(
    paths: Sequence[Path],
    *,
    online: bool = True,
    pinned: Sequence[Path] = (),
    party_pins: Sequence[str] = (),
    from_env: bool = True,
) -> TrustConfig:
    """Trust anchors from certificate files or folders, and ``$KINERJA_TRUST``.

    A folder that is a demo key store contributes its root and its in-process revocation
    services (so the demo verifies with no network); any other folder contributes the
    certificates in it. Nothing is trusted implicitly. ``from_env=False`` leaves
    ``$KINERJA_TRUST`` out (a cluster worker loads exactly what the client resolved).
    """
    all_paths = trust_paths(paths) if from_env else list(paths)
    anchors: list[asn1_x509.Certificate] = []
    backend: FetcherBackend | None = None
    plain: list[Path] = []
    for p in all_paths:
        if p.is_dir() and pki.is_demo_store(p):
            anchors.append(to_asn1_cert(pki.load_certificate(p / "ca" / "root.crt")))
            try:
                backend = DemoFetcherBackend(pki.load_demo_pki(p, pki.passphrase_from_env()))
            except InputError:
                backend = None  # trusted, but current revocation data cannot be made
        else:
            plain.append(p)
    anchors += load_trust(plain) if plain else []
    pins = tuple(load_trust(list(pinned))) if pinned else ()
    return TrustConfig(tuple(anchors), backend, online, pins, load_party_pins(party_pins))
