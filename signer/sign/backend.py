"""The signing seam: what a signing backend is, whatever holds the key.

The sign stage (:mod:`signer.sign.stage`) applies every pre-signing rule, asks a backend for one
signature, and verifies the result before it is written. A backend only signs: local PAdES with a
PKCS#12 file or a PKCS#11 token (:mod:`signer.sign.pades`) is the first; a remote service (BSrE's
eSign API, CSC) is another module implementing :class:`DocumentSigner`. A backend declares its
own concurrency: a token session or an HTTP client may not be shared as a forked key can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from asn1crypto import x509 as asn1_x509

from signer.embedded import EmbeddedAgreement
from signer.model import Agreement, Peran


class Level(StrEnum):
    """PAdES baseline level."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def timestamped(self) -> bool:
        return self is not Level.B_B

    @property
    def long_term(self) -> bool:
        return self in (Level.B_LT, Level.B_LTA)


class Concurrency(StrEnum):
    """How a backend may be run over a batch."""

    PROCESSES = "processes"  # forked workers share the loaded key (pure-Python signing)
    THREADS = "threads"  # one process, several threads (network-bound backends)
    SINGLE = "single"  # one at a time (a token session)


@dataclass(frozen=True)
class SignatureField:
    """A signature field of a prepared document, filled or not."""

    name: str
    signed: bool
    box: tuple[float, float, float, float]
    """The field's rectangle in PDF points from the page's lower-left corner."""
    page: int = 0
    """The 0-based page the field's widget sits on."""
    page_height: float = 0.0
    """That page's height in points (a service counting from the top needs it)."""


@dataclass(frozen=True)
class SignRequest:
    """One signature to make: a document that passed every pre-signing rule."""

    data: bytes
    source: str
    """The file's name, for messages."""
    role: Peran
    embedded: EmbeddedAgreement
    field: SignatureField
    level: Level
    now: dt.datetime

    @property
    def agreement(self) -> Agreement:
        return self.embedded.agreement


class DocumentSigner(Protocol):
    """A signing backend: adds one signature for ``request.role`` and returns the new bytes."""

    @property
    def concurrency(self) -> Concurrency: ...

    def certificate_for(self, agreement: Agreement, role: Peran) -> asn1_x509.Certificate | None:
        """The certificate that will sign for ``role``, when known before signing (local keys:
        its holder and validity are checked first); None for a remote backend, whose signer is
        checked in the result."""
        ...

    def sign(self, request: SignRequest) -> bytes:
        """The document with the signature added as one incremental update; raises
        :class:`signer.sign.rules.SignRefused` (or another user-facing error) on failure."""
        ...

    def close(self) -> None:
        """Release the key (log out of a token, close a session)."""
        ...
