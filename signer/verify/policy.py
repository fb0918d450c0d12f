"""The verify policy: the named checks, in order, composed as sigstore-python composes its
policies, but keeping every result (auditors need each failed check, and INDETERMINATE apart
from INVALID).

An empty policy is refused where it is built; a check that crashes fails closed under its own
name; ``--pin`` adds the ``pinned-signers`` check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from signer.trust import TrustConfig
from signer.verify.check import Check
from signer.verify.checks.certificates import (
    claimed_signing_time,
    pinned_signers,
    signature_algorithms,
    signature_trust,
    signer_identity,
    signer_key_usage,
)
from signer.verify.checks.changes import changes_after_signing
from signer.verify.checks.content import (
    drawn_glyphs,
    embedded_agreement,
    printed_agreement,
    verification_code,
)
from signer.verify.checks.document import pdf_structure, trust_anchor
from signer.verify.checks.profile import document_profile
from signer.verify.checks.roles import expected_signatures
from signer.verify.checks.signatures import (
    modifications,
    signature_integrity,
    timestamp_trust,
)
from signer.verify.evidence import Evidence, VerifyOptions
from signer.verify.result import CheckResult, fail


@dataclass(frozen=True)
class Policy:
    """Checks run in order over the same evidence; every result kept."""

    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        # an empty policy would pass anything: refuse it here, not only at the verdict
        if not self.checks:
            raise ValueError("a verify policy needs at least one check")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"a verify policy names each check once: {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def with_checks(self, *extra: Check) -> Policy:
        """This policy and ``extra`` after it."""
        return Policy((*self.checks, *extra))

    def without(self, *names: str) -> Policy:
        """This policy without the named checks (refused if nothing is left)."""
        return Policy(tuple(c for c in self.checks if c.name not in names))

    def run(self, ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
        results: list[CheckResult] = []
        for check in self.checks:
            try:
                results += check.run(ev, options)
            except MemoryError:
                raise
            except Exception as e:  # a check that cannot decide fails closed, under its name
                failed = fail(f"could not be evaluated ({e.__class__.__name__}: {e})")
                results.append(CheckResult(check.name, False, failed.reason))
        return results


DEFAULT_POLICY = Policy(
    (
        trust_anchor,
        pdf_structure,
        expected_signatures,
        signature_integrity,
        timestamp_trust,
        signature_trust,
        signature_algorithms,
        signer_key_usage,
        claimed_signing_time,
        signer_identity,
        modifications,
        changes_after_signing,
        embedded_agreement,
        verification_code,
        printed_agreement,
        drawn_glyphs,
        document_profile,
    )
)


def policy_for(trust: TrustConfig, base: Policy = DEFAULT_POLICY) -> Policy:
    """The policy that the user's options ask for: ``--pin`` adds ``pinned-signers``."""
    return base.with_checks(pinned_signers(trust.pinned)) if trust.pinned else base


def every_check() -> tuple[Check, ...]:
    """Every check kinerja knows, the optional ones included (for listings and the README)."""
    return (*DEFAULT_POLICY.checks, pinned_signers(()))
