"""The demo PKI: a root and an intermediate CA, a TSA, an OCSP responder, CRLs and a PKCS#12 per
party (:mod:`.pki`), with their timestamps and revocation answers made in-process
(:mod:`.responders`), so the demo and the tests sign and verify with no network. Never for real
agreements.
"""
