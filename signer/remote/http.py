"""JSON over HTTP for remote services: HTTPS with certificate verification (loopback excepted),
a timeout on every call, one clear line for every way a call can fail, and never a retry (a
signing request that failed may still have been counted against the account)."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signer.errors import InputError

MAX_ANSWER = 256 * 1024 * 1024
"""The largest answer read (a batch of signed documents, base64); more is refused unread."""


class RemoteError(InputError):
    """A remote service could not be used: unreachable, timed out, refused, or answered nonsense."""


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def checked_url(url: str, what: str) -> str:
    """``url`` without a trailing slash, if it is HTTPS, or HTTP on this machine's loopback."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} {url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise InputError(f"{what}: give no credentials in the URL (they would show in logs)")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(
            f"{what} {url}: a remote signing service must be reached over HTTPS (plain HTTP "
            "only on the loopback interface)"
        )
    return url.rstrip("/")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None


@dataclass
class JsonHttp:
    """One service at ``base`` (checked by :func:`checked_url`)."""

    base: str
    name: str
    """How messages call the service ("BSrE at https://...")."""
    headers: dict[str, str]
    ca_file: Path | None = None
    timeout: float = 60.0

    def __post_init__(self) -> None:
        self._context = ssl.create_default_context(
            cafile=str(self.ca_file) if self.ca_file else None
        )
        if self.ca_file is not None and not self.ca_file.is_file():
            raise InputError(f"--bsre-ca {self.ca_file}: no such file")

    def call(self, method: str, path: str, body: object | None = None) -> Answer:
        """One request; an answer whatever its HTTP status, or a :class:`RemoteError` when none
        came (unreachable, timeout, TLS)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self._context
            ) as response:
                return Answer(response.status, _read(response))
        except urllib.error.HTTPError as e:
            return Answer(e.code, _read(e))
        except urllib.error.URLError as e:
            raise RemoteError(f"{self.name} cannot be reached ({_reason(e.reason)})") from None
        except TimeoutError:
            raise RemoteError(
                f"{self.name} did not answer {method} {path} within {self.timeout:g} s"
            ) from None
        except (ConnectionError, ssl.SSLError, OSError) as e:
            raise RemoteError(f"{self.name}: the connection failed ({_reason(e)})") from None


def _read(response: Any) -> bytes:
    body = response.read(MAX_ANSWER + 1)
    if len(body) > MAX_ANSWER:
        raise RemoteError(f"the answer is larger than {MAX_ANSWER // 2**20} MB; refused")
    return bytes(body)


def _reason(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted: {reason.verify_message}; give --bsre-ca"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused: is the service running?"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(getattr(reason, "strerror", None) or reason)
