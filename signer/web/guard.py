"""What makes the portal safe to put on the internet: security headers, a rate limit per
client, and an access log without personal data."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kinerja.portal")

# The pages need nothing from elsewhere and no inline script or style.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``burst`` requests at once, refilled at ``per_second``."""

    per_second: float
    burst: int


class Buckets:
    """Token buckets per client address, in memory; the least recently seen are forgotten."""

    def __init__(self, rate: Rate, clients: int = 10_000) -> None:
        self.rate = rate
        self.clients = clients
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the client may go on now, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, seen = self._state.pop(client, (float(self.rate.burst), now))
            tokens = min(self.rate.burst, tokens + (now - seen) * self.rate.per_second)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate.per_second
            self._state[client] = (tokens, now)
            if len(self._state) > self.clients:
                self._state.popitem(last=False)
            return wait


class Guard:
    """ASGI middleware: rate limits (uploads stricter than pages), the security headers on every
    answer, and one log line per request (method, path, status, time; no address, no names)."""

    def __init__(self, app: ASGIApp, pages: Rate, uploads: Rate, upload_paths: set[str]) -> None:
        self.app = app
        self.pages = Buckets(pages)
        self.uploads = Buckets(uploads)
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        path: str = scope["path"]
        client = scope["client"][0] if scope.get("client") else "-"
        upload = scope["method"] == "POST" and path in self.upload_paths
        wait = (self.uploads if upload else self.pages).take(client)
        status = 0

        async def send_guarded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        if wait:
            await too_many(send_guarded, math.ceil(wait), close=upload)
        else:
            await self.app(scope, receive, send_guarded)
        ms = (time.perf_counter() - start) * 1000
        log.info("%s %s %d %.0f ms", scope["method"], path, status, ms)


async def too_many(send: Send, retry_after: int, *, close: bool) -> None:
    """429; for an upload, whose body is left unread, the connection ends with it."""
    body = b'{"detail": "too many requests"}'
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(retry_after).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
