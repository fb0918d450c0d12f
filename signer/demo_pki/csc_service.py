"""A loopback remote signing service speaking the Cloud Signature Consortium API v2, over the
keys of a demo key store: the stand-in for a certification authority's CSC service in the tests,
the benchmark and trials of ``kinerja sign --csc``.

CSC is hash signing: the client builds the PDF signature and sends only the digest to sign, so
the service holds keys and PINs and nothing of the document. Each party's PKCS#12 of the store is
one credential (credentialID = the key file's name without ``.p12``, the holder id), with the
certificate chain of the file. Calls (all ``POST`` with a JSON body, CSC API v2.0):

- ``/csc/v2/info``: the service, its methods and auth type (no token needed);
- ``/csc/v2/credentials/list``: the credential ids (and, with ``credentialInfo``, their info);
- ``/csc/v2/credentials/info``: certificates (``single`` or ``chain``), key algorithms and
  length, ``authMode`` explicit with a PIN, ``SCAL`` and ``multisign``;
- ``/csc/v2/credentials/authorize``: the PIN (``authData`` ``[{"id": "PIN", "value": ...}]``,
  or the v1 field ``PIN``) gives a SAD for ``numSignatures`` signatures, bound to ``hashes``
  when given (and always with SCAL 2);
- ``/csc/v2/signatures/signHash``: ``hashes`` with ``hashAlgorithmOID`` and ``signAlgo`` (the
  v1 names ``hash`` and ``hashAlgo``, which pyHanko's client sends, are read too); the
  signatures, DER-encoded for ECDSA.

Every other call needs ``Authorization: Bearer <token>`` (401 ``invalid_token`` otherwise).
Errors are the spec's: HTTP 400 with ``{"error": "invalid_request", "error_description":
...}``, ``invalid_pin`` for a wrong PIN, and a credential whose PIN was wrong
:data:`PIN_ATTEMPTS` times is locked (as real services lock it). The service counts the calls
it answered (:attr:`CscService.calls`), so tests can show what a client sent.
"""

from __future__ import annotations

import base64
import hmac
import http.server
import json
import secrets
import ssl
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12

from signer.errors import InputError

API = "/csc/v2/"
PIN_ATTEMPTS = 3
"""Wrong PINs in a row after which a credential is locked."""
SAD_SECONDS = 300
MAX_BODY = 1 << 20
MULTISIGN = 10
"""The most hashes one signHash (and one SAD) may carry."""

DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
# signature algorithm OID -> its digest OID (the algorithms with the digest in them)
RSA_SIGN = {
    "1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",
    "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
    "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
}
ECDSA_SIGN = {
    "1.2.840.10045.4.3.2": "2.16.840.1.101.3.4.2.1",
    "1.2.840.10045.4.3.3": "2.16.840.1.101.3.4.2.2",
    "1.2.840.10045.4.3.4": "2.16.840.1.101.3.4.2.3",
}


class CscError(Exception):
    """An error answer of the API: the HTTP status, the spec's error code, its description."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description


def _invalid(description: str) -> CscError:
    return CscError(400, "invalid_request", description)


@dataclass
class CscCredential:
    """One key with its certificate chain (the signer's certificate first) and its PIN."""

    credential_id: str
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: list[x509.Certificate]
    pin: str
    scal: int = 1
    wrong_pins: int = 0

    @property
    def locked(self) -> bool:
        return self.wrong_pins >= PIN_ATTEMPTS

    @property
    def algorithms(self) -> dict[str, str]:
        """The signature algorithms the key signs with, each with its digest."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return RSA_SIGN
        return ECDSA_SIGN

    def info(self, certificates: str = "chain", cert_info: bool = False) -> dict[str, Any]:
        cert = self.chain[0]
        shown = {"none": [], "single": self.chain[:1], "chain": self.chain}.get(certificates)
        if shown is None:
            raise _invalid("Invalid parameter certificates")
        key: dict[str, Any] = {
            "status": "enabled",
            "algo": [*self.algorithms, *([RSA_ENCRYPTION] if self.rsa else [])],
            "len": self.key.key_size,
        }
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            key["curve"] = {"secp256r1": "1.2.840.10045.3.1.7"}.get(self.key.curve.name, "")
        info: dict[str, Any] = {
            "description": "kinerja demo credential (not valid for real signatures)",
            "key": key,
            "cert": {
                "status": "valid",
                "certificates": [
                    base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                    for c in shown
                ],
            },
            "authMode": "explicit",
            "auth": {
                "mode": "explicit",
                "objects": [{"type": "Password", "id": "PIN", "format": "N", "label": "PIN"}],
            },
            "PIN": {"presence": "true", "format": "N", "label": "PIN"},
            "SCAL": str(self.scal),
            "multisign": MULTISIGN,
            "lang": "id-ID",
        }
        if cert_info:
            info["cert"].update(
                {
                    "issuerDN": cert.issuer.rfc4514_string(),
                    "serialNumber": format(cert.serial_number, "x"),
                    "subjectDN": cert.subject.rfc4514_string(),
                    "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                    "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
                }
            )
        return info

    @property
    def rsa(self) -> bool:
        return isinstance(self.key, rsa.RSAPrivateKey)

    def sign(self, digest: bytes, digest_oid: str) -> bytes:
        algorithm = utils.Prehashed(DIGESTS[digest_oid])
        if len(digest) != algorithm.digest_size:
            raise _invalid("Invalid parameter hashes: a digest of the wrong length")
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(digest, PKCS1v15(), algorithm)
        return self.key.sign(digest, ec.ECDSA(algorithm))


@dataclass
class _Sad:
    credential_id: str
    left: int
    expires: float
    hashes: frozenset[str] | None


def load_credentials(
    store: Path, passphrase: bytes, pins: Mapping[str, str] | str, scal: int = 1
) -> dict[str, CscCredential]:
    """One credential per PKCS#12 of a demo key store's ``pihak`` folder; ``pins`` is the PIN of
    every credential, or a PIN per credential id."""
    found: dict[str, CscCredential] = {}
    for path in sorted((Path(store) / "pihak").glob("*.p12")):
        try:
            key, cert, others = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
        except ValueError:
            raise InputError(f"{path}: wrong passphrase, or not a PKCS#12 file") from None
        if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)) or cert is None:
            raise InputError(f"{path}: holds no RSA or EC key with its certificate")
        pin = pins if isinstance(pins, str) else pins.get(path.stem)
        if pin is None:
            continue  # a credential without a PIN is not offered
        found[path.stem] = CscCredential(path.stem, key, [cert, *others], pin, scal)
    if not found:
        raise InputError(f"{store}: no PKCS#12 files in pihak/ to offer as CSC credentials")
    return found


@dataclass
class CscApi:
    """The API's logic, apart from HTTP: one method per call, a JSON answer or a CscError."""

    credentials: dict[str, CscCredential]
    token: str
    sads: dict[str, _Sad] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def authorized(self, header: str | None) -> bool:
        given = (header or "").removeprefix("Bearer ").strip()
        return bool(header and header.startswith("Bearer ")) and hmac.compare_digest(
            given.encode(), self.token.encode()
        )

    def call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        handler = {
            "info": self.info,
            "credentials/list": self.list,
            "credentials/info": self.credential_info,
            "credentials/authorize": self.authorize,
            "signatures/signHash": self.sign_hash,
        }.get(method)
        if handler is None:
            raise CscError(404, "invalid_request", f"Unknown method {method}")
        with self.lock:
            return handler(body)

    def info(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "specs": "2.0.0.2",
            "name": "kinerja demo CSC service",
            "logo": "",
            "region": "ID",
            "lang": "id-ID",
            "description": "A loopback CSC service over a kinerja demo key store (not valid)",
            "authType": ["oauth2client"],
            "methods": [
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
        }

    def _credential(self, body: dict[str, Any]) -> CscCredential:
        wanted = body.get("credentialID")
        if not isinstance(wanted, str) or not wanted:
            raise _invalid("Missing (or invalid type) string parameter credentialID")
        found = self.credentials.get(wanted)
        if found is None:
            raise _invalid("Invalid parameter credentialID")
        return found

    def list(self, body: dict[str, Any]) -> dict[str, Any]:
        ids = sorted(self.credentials)
        answer: dict[str, Any] = {"credentialIDs": ids}
        if body.get("credentialInfo") is True:
            certificates = body.get("certificates", "single")
            answer["credentialInfos"] = [
                {"credentialID": i, **self.credentials[i].info(str(certificates))} for i in ids
            ]
        return answer

    def credential_info(self, body: dict[str, Any]) -> dict[str, Any]:
        credential = self._credential(body)
        return credential.info(
            str(body.get("certificates", "single")), body.get("certInfo") is True
        )

    def authorize(self, body: dict[str, Any]) -> dict[str, Any]:
        credential = self._credential(body)
        count = body.get("numSignatures")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise _invalid("Missing (or invalid type) integer parameter numSignatures")
        if count > MULTISIGN:
            raise _invalid("Invalid parameter numSignatures")
        digests = body.get("hashes", body.get("hash"))
        if digests is not None and not _strings(digests):
            raise _invalid("Invalid parameter hashes")
        if credential.scal == 2 and not digests:
            raise _invalid("Missing (or invalid type) array parameter hashes")
        if digests is not None and len(digests) != count:
            raise _invalid("Invalid parameter numSignatures: not the number of hashes")
        pin = _pin(body)
        if pin is None:
            raise _invalid("Missing (or invalid type) string parameter PIN")
        if credential.locked:
            raise _invalid("PIN locked")
        if not hmac.compare_digest(pin.encode(), credential.pin.encode()):
            credential.wrong_pins += 1
            raise CscError(400, "invalid_pin", "The PIN is invalid")
        credential.wrong_pins = 0
        sad = secrets.token_urlsafe(24)
        self.sads[sad] = _Sad(
            credential.credential_id,
            count,
            time.monotonic() + SAD_SECONDS,
            frozenset(digests) if digests else None,
        )
        return {"SAD": sad, "expiresIn": SAD_SECONDS}

    def sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        credential = self._credential(body)
        digests = body.get("hashes", body.get("hash"))
        if not _strings(digests) or not digests:
            raise _invalid("Missing (or invalid type) array parameter hashes")
        sign_algo = body.get("signAlgo")
        if not isinstance(sign_algo, str):
            raise _invalid("Missing (or invalid type) string parameter signAlgo")
        digest_oid = body.get("hashAlgorithmOID", body.get("hashAlgo"))
        implied = credential.algorithms.get(sign_algo)
        if sign_algo == RSA_ENCRYPTION and credential.rsa:
            implied = digest_oid if isinstance(digest_oid, str) else None
        if implied is None or implied not in DIGESTS:
            raise _invalid("Invalid parameter signAlgo")
        if digest_oid is not None and digest_oid != implied:
            raise _invalid("Invalid parameter hashAlgorithmOID")
        sad = self.sads.get(str(body.get("SAD")))
        if sad is None or sad.credential_id != credential.credential_id:
            raise _invalid("Invalid parameter SAD")
        if sad.expires < time.monotonic():
            del self.sads[str(body.get("SAD"))]
            raise _invalid("SAD expired")
        if len(digests) > sad.left or (sad.hashes is not None and not set(digests) <= sad.hashes):
            raise _invalid("Invalid parameter SAD: not authorized for these hashes")
        try:
            raw = [base64.b64decode(d, validate=True) for d in digests]
        except ValueError:
            raise _invalid("Invalid parameter hashes: not Base64") from None
        signatures = [credential.sign(d, implied) for d in raw]
        sad.left -= len(digests)
        if sad.left == 0:
            del self.sads[str(body.get("SAD"))]
        return {"signatures": [base64.b64encode(s).decode() for s in signatures]}


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _pin(body: dict[str, Any]) -> str | None:
    """The PIN of an authorize request: v2 ``authData`` ``[{"id": "PIN", "value": ...}]``, or
    the v1 field ``PIN``."""
    for item in body.get("authData") or []:
        if (
            isinstance(item, dict)
            and item.get("id") == "PIN"
            and isinstance(item.get("value"), str)
        ):
            return str(item["value"])
    pin = body.get("PIN")
    return pin if isinstance(pin, str) else None


class CscService:
    """:class:`CscApi` served over HTTP on 127.0.0.1 in a thread; a context manager.

    ``stall`` (seconds) delays every answer, to show a client's timeout; ``tls`` (an SSL
    context with the server's certificate) serves HTTPS, to show a client's verification."""

    def __init__(self, api: CscApi, *, stall: float = 0.0, tls: ssl.SSLContext | None = None):
        self.api = api
        self.stall = stall
        self.tls = tls
        self.calls: Counter[str] = Counter()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                method = self.path.removeprefix(API) if self.path.startswith(API) else ""
                try:
                    answer = service._answer(method, self)
                    status = 200
                except Exception as e:  # an error answer, never a traceback on stderr
                    error = e if isinstance(e, CscError) else CscError(500, "server_error", "")
                    status = error.status
                    answer = {"error": error.error, "error_description": error.description}
                if service.stall:
                    time.sleep(service.stall)
                data = json.dumps(answer).encode()
                self.send_response(status)
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None  # requests carry PINs and SADs: never logged

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _answer(self, method: str, request: http.server.BaseHTTPRequestHandler) -> dict[str, Any]:
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            raise _invalid("Invalid Content-Length") from None
        if length < 0 or length > MAX_BODY:
            raise _invalid("Request too large")
        raw = request.rfile.read(length) if length else b"{}"
        self.calls[method] += 1
        if method != "info" and not self.api.authorized(request.headers.get("Authorization")):
            raise CscError(401, "invalid_token", "The access token is not valid")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise _invalid("Malformed JSON") from None
        if not isinstance(body, dict):
            raise _invalid("Malformed JSON")
        return self.api.call(method, body)

    @property
    def url(self) -> str:
        """The base URL (what precedes ``/csc/v2/``)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CscService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def demo_csc_service(
    store: Path,
    passphrase: bytes,
    *,
    token: str,
    pins: Mapping[str, str] | str,
    scal: int = 1,
    stall: float = 0.0,
) -> CscService:
    """A CSC service over the parties' keys of a demo key store (not started: use ``with``)."""
    return CscService(CscApi(load_credentials(store, passphrase, pins, scal), token), stall=stall)
