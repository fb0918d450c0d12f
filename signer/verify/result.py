"""Check results and the verdict they add up to: VALID, INVALID or INDETERMINATE."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    INDETERMINATE = "INDETERMINATE"


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    reason: str
    verdict: Verdict = Verdict.INVALID  # what a failure means: INVALID or INDETERMINATE
    subject: str | None = None  # the signature field a per-signature check is about

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "passed": self.passed,
            "reason": self.reason,
            "verdict": self.verdict.value if not self.passed else None,
        }

    def __str__(self) -> str:
        return f"{self.name}: {self.subject + ': ' if self.subject else ''}{self.reason}"


def ok(name: str, reason: str) -> CheckResult:
    return CheckResult(name, True, reason)


def fail(name: str, reason: str, verdict: Verdict = Verdict.INVALID) -> CheckResult:
    return CheckResult(name, False, reason, verdict)


def verdict_of(results: Sequence[CheckResult]) -> Verdict:
    """VALID only if there are results and all pass; an empty policy fails."""
    if not results:
        return Verdict.INVALID
    failed = [r for r in results if not r.passed]
    if not failed:
        return Verdict.VALID
    if any(r.verdict is Verdict.INVALID for r in failed):
        return Verdict.INVALID
    return Verdict.INDETERMINATE

