"""The report of one verified file: verdict, every check, who signed and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as default

from signer.errors import InputError
from signer.names import NotIdentified
from signer.verify.checks.certificates import holder, identification, subject_attributes
from signer.verify.evidence import Evidence, SignatureEvidence, VerifyOptions
from signer.verify.result import CheckResult, Verdict, verdict_of

REPORT_SCHEMA = "kinerja.verify/1"


@dataclass(frozen=True)
class SignatureSummary:
    """Who signed, when, and at which level (from the evidence, as plain strings)."""

    role: str | None
    field: str
    signer: str
    issuer: str
    signing_time: str | None  # from the signature timestamp, else the claimed time
    time_source: str  # "timestamp" or "claimed"
    level: str | None
    subject: dict[str, str] = default(default_factory=dict)
    """The certificate's subject attributes that say who signed (CN, O, OU, title, email)."""
    identity: dict[str, str] | None = None
    """How the certificate was found to be the party's (``match``: exact, plain or pinned;
    ``certificate_name``, ``party``, ``plain_name``, ``certificate_sha256``); None if it was not."""

    def as_dict(self, checks: list[CheckResult]) -> dict[str, object]:
        return {
            "role": self.role,
            "field": self.field,
            "signer": self.signer,
            "issuer": self.issuer,
            "signing_time": self.signing_time,
            "time_source": self.time_source,
            "level": self.level,
            "subject": self.subject,
            "identity": self.identity,
            "checks": [c.as_dict() for c in checks],
        }


@dataclass(frozen=True)
class Report:
    """The verdict on one file, with every check's result."""

    file: str
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    signatures: tuple[SignatureSummary, ...]
    agreement_id: str | None
    sha256: str | None
    agreement_json: bytes | None = None  # the embedded data as read from the signed revision

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    def as_dict(self) -> dict[str, object]:
        doc_checks = [c for c in self.checks if c.subject is None]
        return {
            "file": self.file,
            "verdict": self.verdict.value,
            "agreement": (
                {"id": self.agreement_id, "sha256": self.sha256} if self.agreement_id else None
            ),
            "signatures": [
                s.as_dict([c for c in self.checks if c.subject == s.field]) for s in self.signatures
            ],
            "checks": [c.as_dict() for c in doc_checks],
        }


def summarise(
    ev: Evidence, results: Sequence[CheckResult], options: VerifyOptions | None = None
) -> Report:
    """The report of the evidence and the policy's results."""
    sigs = []
    for s in ev.signatures:
        try:
            sigs.append(_summary(ev, s, options or VerifyOptions()))
        except Exception:  # a signature too broken to describe is still judged by the checks
            continue
    return Report(
        ev.path,
        verdict_of(results),
        tuple(results),
        tuple(sigs),
        ev.agreement.id if ev.agreement else None,
        ev.embedded.sha256 if ev.embedded else None,
        ev.embedded.data if ev.embedded else None,
    )


def envelope(
    reports: Sequence[Report], unusable: Sequence[InputError], at: dt.datetime | None
) -> dict[str, object]:
    """The ``kinerja.verify/1`` JSON document of one run (``kinerja verify --json``)."""
    return {
        "schema": REPORT_SCHEMA,
        "at": at.isoformat() if at else None,
        "documents": [r.as_dict() for r in reports],
        "unusable": [str(e) for e in unusable],
    }


def _summary(ev: Evidence, s: SignatureEvidence, options: VerifyOptions) -> SignatureSummary:
    cert = s.es.signer_cert
    try:
        identity: dict[str, str] | None = identification(ev, options, s).as_dict()
    except NotIdentified:
        identity = None
    when, source = s.timestamp_time, "timestamp"
    if when is None:
        when, source = s.es.self_reported_timestamp, "claimed"
    # plain str: pyHanko's text objects carry their reader along, which would be pickled whole
    return SignatureSummary(
        str(s.role) if s.role else None,
        s.field,
        holder(cert),
        str(cert.issuer.native.get("common_name", "")),
        when.isoformat() if when else None,
        source,
        s.level,
        subject_attributes(cert),
        identity,
    )
