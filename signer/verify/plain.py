"""ETSI EN 319 102-1 sub-indications in plain words, for auditors."""

from __future__ import annotations

# ETSI EN 319 102-1 sub-indications in plain words
PLAIN = {
    "NO_POE": "nothing in the file proves the signature existed while its certificates were "
    "valid and unrevoked (no archive timestamp reaching the validation time)",
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain from the signer's certificate to a trusted anchor",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "the certificate chain cannot be validated (not "
    "trusted, expired, or without revocation data)",
    "OUT_OF_BOUNDS_NO_POE": "a certificate is expired or not yet valid at the validation time "
    "and nothing proves the signature is older",
    "OUT_OF_BOUNDS_NOT_REVOKED": "a certificate is outside its validity at the validation time",
    "REVOKED_NO_POE": "a certificate was revoked and nothing proves the signature predates it",
    "REVOKED_CA_NO_POE": "a CA certificate was revoked and nothing proves the signature "
    "predates it",
    "REVOKED": "the signer's certificate is revoked",
    "TRY_LATER": "revocation data for the validation time is not available",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "the revocation data cannot be placed in time",
    "HASH_FAILURE": "the signed bytes were changed",
    "SIG_CRYPTO_FAILURE": "the signature value does not verify",
    "FORMAT_FAILURE": "the signature is malformed",
    "EXPIRED": "the certificate had expired when the signature was made",
    "NOT_YET_VALID": "the certificate was not yet valid when the signature was made",
    "CRYPTO_CONSTRAINTS_FAILURE": "an algorithm or key size is not acceptable",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "an algorithm or key size is no longer acceptable and "
    "nothing proves the signature is older",
    "CHAIN_CONSTRAINTS_FAILURE": "the certificate chain breaks a constraint",
    "SIG_CONSTRAINTS_FAILURE": "the signature breaks a validation constraint",
}
