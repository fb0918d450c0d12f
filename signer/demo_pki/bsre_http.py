"""The BSrE emulator's HTTP side: routing, HTTP Basic, the request log, the answer shapes.

The calls themselves are :class:`signer.demo_pki.bsre_emulator.BsreEmulator`'s; this module
turns requests into those calls and their results (or refusals) into BSrE's answers.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import logging
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from signer.demo_pki.bsre_pki import INTERMEDIATE_CRL_PATH, OCSP_PATH, ROOT_CRL_PATH, TSA_PATH

if TYPE_CHECKING:
    from signer.demo_pki.bsre_emulator import BsreEmulator

logger = logging.getLogger(__name__)

MAX_BODY = 50 * 1024 * 1024
"""The largest request body taken (413 beyond): 100 agreements of a few hundred kB in base64."""


@dataclass(frozen=True)
class Permintaan:
    """One request received, as tests see it: never a passphrase or a TOTP."""

    endpoint: str
    identity: str | None  # the nik or email sent
    files: int
    size: int  # bytes of the body
    at: dt.datetime
    status: int = 0  # the HTTP status answered (0 while it runs or if it never answered)


class Answer(Exception):
    """Answer the request with ``status`` and ``body`` (JSON, or bytes as they are)."""

    def __init__(self, status: int, body: object, content_type: str = "application/json"):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


def spring(status: int, error: str, path: str, message: str | None = None) -> Answer:
    body: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00",
        "status": status,
        "error": error,
    }
    if message:
        body["message"] = message
    body["path"] = path
    return Answer(status, body)


def business(code_message: tuple[int, str], detail: str | None = None) -> Answer:
    code, message = code_message
    return Answer(
        400, {"error": f"{message}: {detail}" if detail else message, "status_code": code}
    )


def value(body: dict[str, Any], key: str) -> str | None:
    """A string field, with null, "" and a missing key alike (clients send all three)."""
    found = body.get(key)
    if found is None or found == "":
        return None
    return str(found)


API_POST = {
    "/api/v2/sign/pdf": "sign",
    "/api/v2/sign/get/totp": "totp",
    "/api/v2/user/check/status": "status",
    "/api/v2/user/check-status": "status",
    "/api/v2/verify/pdf": "verify",
}
CHAIN_PREFIXES = ("/api/v2/user/certificate/chain/", "/api/user/certificate/chain/")


class Handler(BaseHTTPRequestHandler):
    server_version = "eSignClient-emulator"
    protocol_version = "HTTP/1.1"

    @property
    def emulator(self) -> BsreEmulator:
        return self.server.emulator  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is BsreEmulator.requests; nothing secret reaches stderr

    def _send(self, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            data = answer.body
        else:
            data = json.dumps(answer.body, ensure_ascii=False).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(data)))
        if answer.status >= 400:  # a refused body may be unread: never reuse the connection
            self.send_header("Connection", "close")
            self.close_connection = True
        if answer.status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="eSign Client"')
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, ValueError):
            return False
        want_user, want_password = self.emulator.client
        return hmac.compare_digest(user.encode(), want_user.encode()) & hmac.compare_digest(
            password.encode(), want_password.encode()
        )

    def _body(self, path: str) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise spring(411, "Length Required", path)
        if int(length) > MAX_BODY:
            raise spring(413, "Payload Too Large", path, f"batas {MAX_BODY} byte")
        return self.rfile.read(int(length))

    def _pki(self, path: str, method: str) -> Answer | None:
        e = self.emulator
        if method == "GET" and path in (ROOT_CRL_PATH, INTERMEDIATE_CRL_PATH):
            return Answer(200, e.pki.crl(path), "application/pkix-crl")
        if path == OCSP_PATH and method == "POST":
            return Answer(200, e.pki.ocsp_response(self._body(path)), "application/ocsp-response")
        if path.startswith(OCSP_PATH + "/") and method == "GET":
            try:
                der = base64.b64decode(urllib.parse.unquote(path[len(OCSP_PATH) + 1 :]))
            except (binascii.Error, ValueError):
                der = b""
            return Answer(200, e.pki.ocsp_response(der), "application/ocsp-response")
        if path == TSA_PATH and method == "POST":
            return Answer(200, e.timestamp(self._body(path)), "application/timestamp-reply")
        return None

    def _handle(self, method: str) -> None:
        e = self.emulator
        path = urllib.parse.urlsplit(self.path).path
        index: int | None = None
        answer: Answer
        try:
            pki_answer = self._pki(path, method)
            if pki_answer is not None:
                self._send(pki_answer)
                return
            endpoint = API_POST.get(path.rstrip("/")) if method == "POST" else None
            chain_id = next((path[len(p) :] for p in CHAIN_PREFIXES if path.startswith(p)), None)
            if endpoint is None and not (method == "GET" and chain_id):
                raise spring(404, "Not Found", path)
            if not self._authorised():
                index = e.log(Permintaan(path, None, 0, 0, dt.datetime.now(dt.UTC)))
                raise spring(401, "Unauthorized", path)
            if chain_id:
                ident = urllib.parse.unquote(chain_id)
                index = e.log(Permintaan(path, ident, 0, 0, dt.datetime.now(dt.UTC)))
                answer = Answer(200, e.chain(ident))
            else:
                raw = self._body(path)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    index = e.log(Permintaan(path, None, 0, len(raw), dt.datetime.now(dt.UTC)))
                    raise spring(400, "Bad Request", path, "badan permintaan bukan objek JSON")
                who = value(body, "nik") or value(body, "email")
                files = body.get("file")
                count = len(files) if isinstance(files, list) else int(files is not None)
                index = e.log(Permintaan(path, who, count, len(raw), dt.datetime.now(dt.UTC)))
                if endpoint == "sign":
                    answer = Answer(200, e.sign(body, path))
                elif endpoint == "totp":
                    answer = Answer(200, e.get_totp(body))
                elif endpoint == "status":
                    answer = Answer(200, e.user_status(body))
                else:
                    answer = Answer(200, e.verify(body, path))
        except Answer as refused:
            answer = refused
        except ConnectionAbortedError:
            self.close_connection = True
            return
        except Exception as error:  # the emulator answers 500 rather than drop the client
            logger.exception("BSrE emulator: %s %s failed", method, path)
            answer = spring(500, "Internal Server Error", path, type(error).__name__)
        if index is not None:
            e.logged(index, answer.status)
        try:
            self._send(answer)
        except OSError:
            self.close_connection = True

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")
