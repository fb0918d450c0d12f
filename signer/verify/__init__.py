"""The verify stage: a fail-closed verdict on an archived agreement.

Evidence is gathered once per file (:mod:`.evidence`); a policy of named checks (:mod:`.policy`,
the checks in :mod:`.checks`) judges it; the verdict is VALID only if every check passes,
INDETERMINATE where proof is missing (no trust anchor, no revocation data, expired without
long-term proofs), INVALID otherwise (:mod:`.result`). Parsing is strict; data is read from the
signed revision, never a later one.
"""

from signer.verify.evidence import VerifyOptions
from signer.verify.policy import DEFAULT_POLICY, Policy, every_check, policy_for
from signer.verify.report import Report, SignatureSummary, envelope
from signer.verify.result import CheckResult, Verdict
from signer.verify.run import SigningAudit, verify_bytes, verify_file, verify_iter, verify_paths

__all__ = [
    "DEFAULT_POLICY",
    "CheckResult",
    "Policy",
    "Report",
    "SignatureSummary",
    "SigningAudit",
    "Verdict",
    "VerifyOptions",
    "envelope",
    "every_check",
    "policy_for",
    "verify_bytes",
    "verify_file",
    "verify_iter",
    "verify_paths",
]
