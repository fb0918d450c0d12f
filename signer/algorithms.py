"""Which keys and algorithms a signature may rest on: one definition for both ends.

Verification rejects a weak key or digest (the signature-algorithms check, and pyHanko's own
algorithm policy when it validates the chain); signing refuses the same key before anything is
written, rather than making a document that turns INVALID at verify. Both call this module.
"""

from __future__ import annotations

from asn1crypto import algos, keys
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.utils import DEFAULT_ALGORITHM_USAGE_POLICY

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
WEAK_DIGESTS = frozenset({"md2", "md5", "sha1", "sha224"})
"""Digests a signature must not use (the signature's own digest, and its mechanism's)."""

CHAIN_POLICY = DEFAULT_ALGORITHM_USAGE_POLICY
"""What pyHanko accepts in a certificate's signature when it validates the chain (verify uses
its default; the key sizes it also judges are at most as strict as :func:`key_weakness`)."""

# the mechanism each key type signs with, to ask pyHanko's policy about a key of another type
_MECHANISM = {"dsa": "sha256_dsa", "ed25519": "ed25519", "ed448": "ed448"}


def key_weakness(key: keys.PublicKeyInfo) -> str | None:
    """Why a signer's public key is too weak to sign with, or None if it is not."""
    kind = key.algorithm
    if kind in ("rsa", "rsassa_pss"):
        bits = key.bit_size
        return (
            f"RSA key of {bits} bits (at least {MIN_RSA_BITS} required)"
            if bits < MIN_RSA_BITS
            else None
        )
    if kind == "ec":
        bits = key.bit_size
        return (
            f"EC key of {bits} bits (at least {MIN_EC_BITS} required)"
            if bits < MIN_EC_BITS
            else None
        )
    mechanism = _MECHANISM.get(kind)
    if mechanism is None:  # pyHanko judges what it can sign with when it validates
        return None
    verdict = CHAIN_POLICY.signature_algorithm_allowed(
        algos.SignedDigestAlgorithm({"algorithm": mechanism}), None, key
    )
    if not verdict.allowed:
        return f"{kind.upper()} key of {key.bit_size} bits ({verdict.failure_reason})"
    return None


def digest_weakness(digest: str, mechanism: str = "") -> str | None:
    """Why a signature's digest (``sha1``) or mechanism (``sha1_rsa``) is too weak, or None."""
    if digest in WEAK_DIGESTS:
        return f"weak digest algorithm {digest}"
    if set(mechanism.split("_")) & WEAK_DIGESTS:
        return f"weak signature algorithm {mechanism}"
    return None


def certificate_weakness(cert: asn1_x509.Certificate) -> str | None:
    """Why a signing certificate cannot make a signature that verifies: its key, or the weak
    algorithm its issuer signed it with; None if neither."""
    if weak := key_weakness(cert.public_key):
        return weak
    signed_with = cert["signature_algorithm"]
    name = signed_with["algorithm"].native
    verdict = CHAIN_POLICY.signature_algorithm_allowed(signed_with, None, None)
    if not verdict.allowed:
        return f"the certificate is signed with {name} ({verdict.failure_reason})"
    try:
        digest = signed_with.hash_algo
    except ValueError:  # a mechanism with no separate digest (Ed25519)
        return None
    allowed = CHAIN_POLICY.digest_algorithm_allowed(
        algos.DigestAlgorithm({"algorithm": digest}), None
    )
    if not allowed.allowed:
        return f"the certificate is signed with {name} (weak digest {digest})"
    return None
