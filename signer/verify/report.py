"""The report of one verified file: verdict, every check, who signed and when."""

from __future__ import annotations

from dataclasses import dataclass

from signer.verify.checks.signatures import holder
from signer.verify.evidence import SignatureEvidence
from signer.verify.result import CheckResult, Verdict


@dataclass(frozen=True)
class SignatureSummary:
    role: str | None
    field: str
    signer: str
    issuer: str
    signing_time: str | None  # from the signature timestamp, else the claimed time
    time_source: str  # "timestamp" or "claimed"
    level: str | None

    def as_dict(self, checks: list[CheckResult]) -> dict[str, object]:
        return {
            "role": self.role,
            "field": self.field,
            "signer": self.signer,
            "issuer": self.issuer,
            "signing_time": self.signing_time,
            "time_source": self.time_source,
            "level": self.level,
            "checks": [c.as_dict() for c in checks],
        }


@dataclass(frozen=True)
class Report:
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


def _summary(s: SignatureEvidence) -> SignatureSummary:
    cert = s.es.signer_cert
    when, source = s.timestamp_time, "timestamp"
    if when is None:
        when, source = s.es.self_reported_timestamp, "claimed"
    # plain str: pyHanko's text objects carry their reader along, which would be pickled whole
    return SignatureSummary(
        str(s.role) if s.role else None,
        str(s.es.field_name),
        holder(cert),
        str(cert.issuer.native.get("common_name", "")),
        when.isoformat() if when else None,
        source,
        s.level,
    )

