"""A second opinion from BSrE's verify API (``kinerja verify --bsre URL``), shown beside the
local verdict and never in place of it: BSrE knows its own certificates, not kinerja's rules
(the roles, the embedded data, the pages), so its VALID never turns a local INVALID or
INDETERMINATE into VALID, and its "not valid" for a document signed with other certificates is
what it would say of any of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from signer.remote.bsre import BsreClient
from signer.remote.http import RemoteError


@dataclass(frozen=True)
class BsreSignature:
    field: str
    signer: str
    format: str
    integrity: bool | None
    trusted: bool | None


@dataclass(frozen=True)
class SecondOpinion:
    conclusion: str
    """VALID, NO_SIGNATURE, INVALID, ... as BSrE says it; ERROR when it could not be asked."""
    description: str
    signatures: list[BsreSignature] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        count = len(self.signatures)
        detail = ""
        if count:
            parts = [
                f"{s.signer or '?'} ({s.field or '?'}, {s.format or '?'}"
                f"{'' if s.integrity else ', integrity NOT valid'}"
                f"{'' if s.trusted else ', certificate not trusted'})"
                for s in self.signatures
            ]
            detail = f"; {count} signature{'s' if count != 1 else ''}: {'; '.join(parts)}"
        said = f" ({self.description})" if self.description else ""
        return f"BSrE's second opinion: {self.conclusion}{said}{detail}"


def ask_bsre(client: BsreClient, path: Path) -> SecondOpinion:
    """BSrE's opinion of one file, or why it could not be had (never an exception)."""
    try:
        answer = client.verify_pdf(path.read_bytes())
    except RemoteError as e:
        return SecondOpinion("ERROR", str(e))
    except OSError as e:
        return SecondOpinion("ERROR", f"{path}: cannot read ({e.strerror})")
    infos = answer.get("signatureInformations")
    signatures = [
        BsreSignature(
            _text(i.get("fieldName")),
            _text(i.get("signerName")),
            _text(i.get("signatureFormat")),
            i.get("integrityValid") if isinstance(i.get("integrityValid"), bool) else None,
            i.get("certificateTrusted") if isinstance(i.get("certificateTrusted"), bool) else None,
        )
        for i in (infos if isinstance(infos, list) else [])
        if isinstance(i, dict)
    ]
    return SecondOpinion(
        _text(answer.get("conclusion")) or "UNKNOWN", _text(answer.get("description")), signatures
    )


def _text(value: object) -> str:
    return " ".join(value.split())[:300] if isinstance(value, str) else ""
