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
    """What one check found, for the document or for one signature of it."""

    name: str
    """The check's name (a check fills it in for every result it gives)."""
    passed: bool
    reason: str
    """Why it passed or failed, in plain words."""
    verdict: Verdict = Verdict.INVALID
    """What a failure means: INVALID, or INDETERMINATE where proof is missing."""
    subject: str | None = None
    """The signature field a per-signature result is about; None for the document."""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "passed": self.passed,
            "reason": self.reason,
            "verdict": self.verdict.value if not self.passed else None,
        }

    def __str__(self) -> str:
        return f"{self.name}: {self.subject + ': ' if self.subject else ''}{self.reason}"


def ok(reason: str) -> CheckResult:
    """A pass; the check that returns it gives it its name."""
    return CheckResult("", True, reason)


def fail(reason: str, verdict: Verdict = Verdict.INVALID) -> CheckResult:
    """A failure; the check that returns it gives it its name."""
    return CheckResult("", False, reason, verdict)


def verdict_of(results: Sequence[CheckResult]) -> Verdict:
    """VALID only if there are results and all pass; no results at all is INVALID."""
    if not results:
        return Verdict.INVALID
    failed = [r for r in results if not r.passed]
    if not failed:
        return Verdict.VALID
    if any(r.verdict is Verdict.INVALID for r in failed):
        return Verdict.INVALID
    return Verdict.INDETERMINATE
