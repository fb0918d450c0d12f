"""What signing needs beyond the key: a timestamp authority, revocation data, trust."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator import ValidationContext

from signer.demo_pki.pki import DemoPki
from signer.demo_pki.responders import DemoTimeStamper, demo_validation_context, to_asn1_cert


@dataclass
class Services:
    """A TSA, revocation data, and the trust anchors of the signatures in the file."""

    timestamper: TimeStamper | None = None
    validation_context: Callable[[], ValidationContext] | None = None
    """A fresh validation context per signature (revocation data for B-LT and B-LTA)."""
    trust_roots: list[asn1_x509.Certificate] = field(default_factory=list)

    @classmethod
    def online(
        cls, tsa_url: str | None, trust_roots: Sequence[asn1_x509.Certificate] = ()
    ) -> Services:
        """Real services: an RFC 3161 TSA by URL; OCSP and CRLs fetched from the certificates."""
        roots = list(trust_roots)
        return cls(
            HTTPTimeStamper(tsa_url) if tsa_url else None,
            lambda: ValidationContext(trust_roots=roots or None, allow_fetching=True),
            roots,
        )

    @classmethod
    def demo(
        cls, authority: DemoPki, trust_roots: Sequence[asn1_x509.Certificate] = ()
    ) -> Services:
        """The demo PKI's TSA and revocation answers, made in-process (no network)."""
        return cls(
            DemoTimeStamper(authority),
            lambda: demo_validation_context(authority),
            list(trust_roots) or [to_asn1_cert(authority.root.cert)],
        )
