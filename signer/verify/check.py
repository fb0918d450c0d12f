"""Checks as named objects: what a policy is made of.

A check looks at the evidence gathered once from a file and returns at least one result. A
document check judges the whole file; a signature check judges each signature on its own, and its
results name the signature. Each check carries its name and a one-line description, so the
policy, the README's table and the tests list the same checks, and a check that crashes reports
its own name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.result import CheckResult, fail, ok


class Check(Protocol):
    """One named check of a policy."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def run(self, ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
        """At least one result, each named after the check."""
        ...


DocumentFn = Callable[[Evidence, VerifyOptions], CheckResult | list[CheckResult]]
SignatureFn = Callable[[Evidence, VerifyOptions, SignatureEvidence], CheckResult]


@dataclass(frozen=True)
class DocumentCheck:
    """A check of the whole document."""

    name: str
    description: str
    fn: DocumentFn

    def run(self, ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
        out = self.fn(ev, options)
        results = [out] if isinstance(out, CheckResult) else list(out)
        if not results:  # a check that says nothing has not passed
            results = [fail("the check gave no result")]
        return [replace(r, name=self.name) for r in results]


@dataclass(frozen=True)
class SignatureCheck:
    """A check made once per signature; each result names its signature's field."""

    name: str
    description: str
    fn: SignatureFn

    def run(self, ev: Evidence, options: VerifyOptions) -> list[CheckResult]:
        if not ev.signatures:
            results = [ok("nothing signed yet") if not options.expect else fail("no signature")]
            return [replace(r, name=self.name) for r in results]
        return [
            replace(self.fn(ev, options, s), name=self.name, subject=s.field) for s in ev.signatures
        ]


def document_check(name: str, description: str) -> Callable[[DocumentFn], DocumentCheck]:
    """Make a function ``(evidence, options) -> result(s)`` the document check ``name``."""
    return lambda fn: DocumentCheck(name, description, fn)


def signature_check(name: str, description: str) -> Callable[[SignatureFn], SignatureCheck]:
    """Make a function ``(evidence, options, signature) -> result`` the signature check
    ``name``, run once per signature."""
    return lambda fn: SignatureCheck(name, description, fn)
