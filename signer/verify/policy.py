"""The verify policy: the named checks, in order."""

from __future__ import annotations

from collections.abc import Callable

from signer.verify.checks.changes import check_changes_after_signing
from signer.verify.checks.content import (
    check_embedded_agreement,
    check_verification_code,
    check_visible_content,
)
from signer.verify.checks.document import (
    check_document_profile,
    check_structure,
    check_trust_anchor,
)
from signer.verify.checks.signatures import check_expected_signatures, check_signatures
from signer.verify.evidence import Evidence, VerifyOptions
from signer.verify.result import CheckResult

Check = Callable[[Evidence, VerifyOptions], list[CheckResult]]


DEFAULT_POLICY: tuple[Check, ...] = (
    check_trust_anchor,
    check_structure,
    check_expected_signatures,
    check_signatures,
    check_changes_after_signing,
    check_embedded_agreement,
    check_verification_code,
    check_visible_content,
    check_document_profile,
)

