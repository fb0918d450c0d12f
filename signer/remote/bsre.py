"""A client of BSrE's eSign API v2 (BSSN): the calls kinerja makes, as integrators document them.

HTTP Basic with the instansi's client credentials; JSON bodies, PDFs in standard base64. A
business error is ``{"error": ..., "status_code": ...}`` (HTTP 400); a bad login is 401. Answers
are read leniently where integrators report variants (``status_code`` as a number or a string,
``time`` as milliseconds or text, extra keys), strictly where kinerja depends on them (one signed
file per file sent, in order). ``sign/pdf`` is never retried: BSrE counts failed passphrases and
TOTPs and locks the account.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from signer.remote.http import Answer, JsonHttp, RemoteError, checked_url
from signer.secret import BSRE_PASSWORD_ENV as PASSWORD_ENV
from signer.secret import BSRE_USER_ENV as USER_ENV

# BSrE's documented codes, and what each means for the person at the keyboard
NOT_REGISTERED = 2011
NO_CERTIFICATE = 2021
WRONG_PASSPHRASE = 2031
MEANING = {
    NOT_REGISTERED: "is not registered with BSrE",
    NO_CERTIFICATE: "is registered but has no active certificate",
    WRONG_PASSPHRASE: "wrong passphrase",
}


class BsreRefused(RemoteError):
    """BSrE answered, and refused; ``code`` is its status_code (None when it gave none)."""

    def __init__(self, message: str, code: int | None, http_status: int):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class Origin(StrEnum):
    """Where BSrE's originX/originY count from (the documented examples: lower-left)."""

    LOWER_LEFT = "lower-left"
    UPPER_LEFT = "upper-left"


@dataclass(frozen=True)
class Placement:
    """A visible signature: the image and where it goes, in kinerja's terms."""

    image_png: bytes
    page: int
    """0-based, as pyHanko counts; BSrE counts from 1."""
    box: tuple[float, float, float, float]
    """x1, y1, x2, y2 in PDF points from the page's lower-left corner."""
    page_height: float


@dataclass(frozen=True)
class SignatureProperties:
    """One entry of ``signatureProperties``."""

    placement: Placement | None
    reason: str
    location: str
    contact_info: str | None = None

    def as_json(self, origin: Origin) -> dict[str, Any]:
        out: dict[str, Any] = {"tampilan": "INVISIBLE"}
        if self.placement is not None:
            p = self.placement
            x1, y1, x2, y2 = p.box
            y = y1 if origin is Origin.LOWER_LEFT else p.page_height - y2
            out = {
                "tampilan": "VISIBLE",
                "imageBase64": base64.b64encode(p.image_png).decode("ascii"),
                "page": p.page + 1,
                "originX": round(x1, 2),
                "originY": round(y, 2),
                "width": round(x2 - x1, 2),
                "height": round(y2 - y1, 2),
            }
        out["reason"] = self.reason
        out["location"] = self.location
        if self.contact_info:
            out["contactInfo"] = self.contact_info
        return out


class UserStatus(StrEnum):
    ISSUE = "ISSUE"
    NOT_REGISTERED = "NOT_REGISTERED"
    NO_CERTIFICATE = "NO_CERTIFICATE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class StatusAnswer:
    status: UserStatus
    raw_status: str
    code: int | None
    message: str


@dataclass
class BsreClient:
    """BSrE's eSign API at ``url`` with the instansi's client credentials."""

    url: str
    user: str
    password: str
    ca_file: Path | None = None
    timeout: float = 120.0
    http: JsonHttp = field(init=False)

    def __post_init__(self) -> None:
        self.url = checked_url(self.url, "--bsre")
        basic = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        self.http = JsonHttp(
            self.url,
            f"BSrE at {self.url}",
            {"Authorization": f"Basic {basic}"},
            self.ca_file,
            self.timeout,
        )

    # -- calls ---------------------------------------------------------------------------------

    def user_status(self, signer_id: str) -> StatusAnswer:
        answer = self.http.call("POST", "/api/v2/user/check/status", _identity(signer_id))
        body = self._ok(answer, "the status check")
        raw = str(body.get("status") or "")
        status = UserStatus(raw) if raw in UserStatus.__members__ else UserStatus.OTHER
        return StatusAnswer(status, raw, _code(body), str(body.get("message") or ""))

    def certificate_chain(self, signer_id: str) -> list[asn1_x509.Certificate]:
        """The signer's certificate first, then its issuers (BSrE does not publish the order:
        sorted here by who issued whom)."""
        from urllib.parse import quote

        answer = self.http.call(
            "GET", f"/api/v2/user/certificate/chain/{quote(signer_id, safe='@')}"
        )
        body = self._ok(answer, "the certificate chain")
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise RemoteError(f"{self.http.name}: the certificate chain answer has no data")
        return _ordered([_certificate(item) for item in data])

    def request_totp(self, signer_id: str, files: int) -> None:
        answer = self.http.call(
            "POST", "/api/v2/sign/get/totp", {**_identity(signer_id), "data": files}
        )
        self._ok(answer, "the TOTP request")

    def sign_pdf(
        self,
        signer_id: str,
        *,
        passphrase: str | None,
        totp: str | None,
        properties: Sequence[SignatureProperties],
        files: Sequence[bytes],
        origin: Origin,
    ) -> list[bytes]:
        """The signed files, one per file sent, in order (a different count is refused)."""
        credential = {"passphrase": passphrase} if totp is None else {"totp": totp}
        body = {
            **_identity(signer_id),
            **credential,
            "signatureProperties": [p.as_json(origin) for p in properties],
            "file": [base64.b64encode(f).decode("ascii") for f in files],
        }
        answer = self.http.call("POST", "/api/v2/sign/pdf", body)
        reply = self._ok(answer, "signing")
        signed = reply.get("file")
        if not isinstance(signed, list) or len(signed) != len(files):
            got = len(signed) if isinstance(signed, list) else "no"
            raise RemoteError(
                f"{self.http.name} returned {got} file(s) for the {len(files)} sent; nothing "
                "was written"
            )
        try:
            return [base64.b64decode(s, validate=True) for s in signed]
        except (binascii.Error, TypeError, ValueError):
            raise RemoteError(
                f"{self.http.name} returned a file that is not base64; nothing was written"
            ) from None

    def verify_pdf(self, data: bytes) -> dict[str, Any]:
        answer = self.http.call(
            "POST", "/api/v2/verify/pdf", {"file": base64.b64encode(data).decode("ascii")}
        )
        return self._ok(answer, "verification")

    # -- answers -------------------------------------------------------------------------------

    def _ok(self, answer: Answer, what: str) -> dict[str, Any]:
        body = answer.json()
        if answer.status == 401:
            raise BsreRefused(
                f"{self.http.name} refused the client credentials ({USER_ENV}, {PASSWORD_ENV}) "
                f"for {what}",
                None,
                401,
            )
        if answer.status >= 500:
            raise BsreRefused(
                f"{self.http.name} failed on {what} (HTTP {answer.status}"
                f"{_said(body)}); nothing was signed by this request, run again later",
                _code(body) if isinstance(body, dict) else None,
                answer.status,
            )
        if answer.status >= 400 or not isinstance(body, dict):
            code = _code(body) if isinstance(body, dict) else None
            meaning = MEANING.get(code, "") if code is not None else ""
            said = _said(body)
            detail = f"{code} {meaning}".strip() if code is not None else f"HTTP {answer.status}"
            raise BsreRefused(
                f"{self.http.name} refused {what}: {detail}{said}", code, answer.status
            )
        return body


def _identity(signer_id: str) -> dict[str, str]:
    """BSrE takes a NIK (16 digits) or an email."""
    return {"email": signer_id} if "@" in signer_id else {"nik": signer_id}


def _code(body: dict[str, Any]) -> int | None:
    value = body.get("status_code")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _said(body: object) -> str:
    if not isinstance(body, dict):
        return ""
    text = body.get("error") or body.get("message")
    if not isinstance(text, str) or not text.strip():
        return ""
    return f" ({' '.join(text.split())[:200]})"


def _certificate(item: object) -> asn1_x509.Certificate:
    """A chain element: base64 DER or PEM, as a string or under a key of an object."""
    if isinstance(item, dict):
        item = next((v for v in item.values() if isinstance(v, str) and len(v) > 100), None)
    if not isinstance(item, str):
        raise RemoteError("BSrE's certificate chain holds something that is not a certificate")
    raw = item.encode()
    try:
        der = pem.unarmor(raw)[2] if pem.detect(raw) else base64.b64decode(raw, validate=True)
        cert = asn1_x509.Certificate.load(der)
        cert.native  # noqa: B018 (parse it all now, not at first use)
    except Exception:
        raise RemoteError(
            "BSrE's certificate chain holds something that is not a certificate"
        ) from None
    return cert


def _ordered(certs: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """The end-entity certificate (the one that issued nothing in the chain) first."""
    issuers = {c.issuer.dump() for c in certs if c.subject != c.issuer}
    leaves = [c for c in certs if c.subject.dump() not in issuers and not c.ca]
    if len(leaves) != 1:
        raise RemoteError(
            f"BSrE's certificate chain has {len(leaves)} end-entity certificates, not one"
        )
    return [leaves[0], *[c for c in certs if c is not leaves[0]]]
