"""A BSrE eSign Client API v2 emulator on loopback, for the tests and the demo.

BSrE itself cannot be reached from here, and a real account must never be used in a test. This
is a real HTTP server (stdlib, in threads) answering the documented calls the way public
integrators see them (../shared/notes/domain.md 4.3, refined in bsre_api.md):

- every API call needs the client's HTTP Basic credentials; a wrong or missing one gets 401 with
  a Spring-Boot body ``{timestamp, status, error, path}``;
- ``POST /api/v2/sign/pdf`` ``{nik|email, passphrase|totp, signatureProperties[], file[]}`` ->
  ``{"time": <ms>, "file": [base64...]}`` in the order sent; business errors are 400
  ``{"error": <message>, "status_code": <code>}``: 2011 not registered, 2021 no certificate,
  2031 wrong passphrase (also no credential at all), 2032 TOTP wrong, expired or not requested
  for that many files (no public sample; BSrE's code is unknown), 4001 bad
  signatureProperties; a file that is not base64 of a PDF gets 500 (as BSrE answers). One bad
  file refuses the request: nothing is signed;
- ``POST /api/v2/sign/get/totp`` ``{nik|email, data: <number of files>}`` -> ``{"success": true,
  "message"}``; the code is the account's RFC 6238 TOTP (the BeSign app's), valid for those
  files during five minutes;
- ``POST /api/v2/user/check/status`` -> always 200 ``{status_code, message, status}``: ISSUE
  (1111, the v1 code), NOT_REGISTERED (2011), NO_CERTIFICATE (2021); ``status_code`` an int;
- ``GET /api/v2/user/certificate/chain/<nik|email>`` -> ``{"success": true, "data": [leaf,
  intermediate, root]}`` as base64 DER; an unknown id gets 400 whose body is not JSON;
- ``POST /api/v2/verify/pdf`` ``{file[, password]}`` -> :mod:`.bsre_verify`.

Plus, without authentication, the PKI's own services named in its certificates: CRLs
(``GET /crl/...``), OCSP (``POST /ocsp``, or GET with the request in the path) and an RFC 3161
TSA (``POST /tsa``). Tests can set :attr:`BsreEmulator.fault` and read
:attr:`BsreEmulator.requests` (never a passphrase or a TOTP).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization

from signer.demo_pki.bsre_accounts import Pengguna, totp, totp_matches
from signer.demo_pki.bsre_http import Answer, Handler, Permintaan, business, spring, value
from signer.demo_pki.bsre_pdf import (
    BadFile,
    BadProperties,
    Fault,
    Origin,
    Signing,
    decode_file,
    read_properties,
    sign_one,
)
from signer.demo_pki.bsre_pki import (
    BsrePki,
    kept_port,
    load_or_create,
)
from signer.demo_pki.bsre_verify import report
from signer.demo_pki.responders import DemoTimeStamper, to_asn1_cert, to_asn1_key

MAX_FILES = 100
TOTP_GRANT = dt.timedelta(minutes=5)
ISSUE_CODE = 1111
NOT_REGISTERED = (2011, "Penandatangan tidak terdaftar")
NO_CERTIFICATE = (2021, "Penandatangan belum memiliki sertifikat elektronik yang aktif")
WRONG_PASSPHRASE = (2031, "Passphrase anda salah")
NO_CREDENTIAL = (2031, "Passphrase atau TOTP wajib diisi")
WRONG_TOTP = (2032, "TOTP tidak valid atau sudah kedaluwarsa")
BAD_PROPERTIES = 4001

OTHER_SIGNER = Pengguna(
    nik="3371991507690001",
    email="orang.lain@emulator.example",
    nama="Bambang Sutrisno",
    passphrase="-",
    totp_secret="AAAAAAAAAAAAAAAA",
)
"""Whose certificate the wrong-signer fault signs with when there is no other account."""


@dataclass
class _Grant:
    until: dt.datetime
    files: int


class BsreEmulator:
    """A running emulator. Start with :meth:`start`; stop with :meth:`stop` (or ``with``)."""

    def __init__(
        self,
        pki: BsrePki,
        users: Sequence[Pengguna],
        client: tuple[str, str],
        servers: list[ThreadingHTTPServer],
        url: str,
        origin: Origin,
    ) -> None:
        self.pki = pki
        self.users = list(users)
        self.client = client
        self._servers = servers
        self.url = url
        self.origin = origin
        self.fault: Fault | None = None
        self.requests: list[Permintaan] = []
        self._lock = threading.Lock()
        self._grants: dict[str, list[_Grant]] = {}
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._timestamper = DemoTimeStamper(pki.as_demo_pki())

    # -- starting and stopping ------------------------------------------------------------

    @classmethod
    def start(
        cls,
        folder: Path,
        users: Sequence[Pengguna],
        *,
        client: tuple[str, str] = ("kinerja", "rahasia-demo"),
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        origin: Origin = Origin.LOWER_LEFT,
    ) -> BsreEmulator:
        """Serve the API on ``host:port`` (0: any free port; a kept folder prefers its own).

        The PKI kept in ``folder`` (made on the first start) names its OCSP, CRL and TSA URLs
        on plain HTTP at 127.0.0.1 and the port it was made with; when the API is on another
        port, or on HTTPS, a second plain listener answers there.
        """
        seen: set[str] = set()
        for u in users:
            for key in (u.nik, u.email.lower()):
                if key in seen:
                    raise ValueError(f"two accounts with {key}")
                seen.add(key)
        kept = kept_port(folder)
        if port == 0 and kept is not None and not tls:
            port = kept
        api = ThreadingHTTPServer((host, port), Handler)
        servers = [api]
        try:
            api_port = int(api.server_address[1])
            if not tls and kept in (None, api_port):
                pki_port = api_port
            else:
                plain = ThreadingHTTPServer(("127.0.0.1", kept or 0), Handler)
                servers.append(plain)
                pki_port = int(plain.server_address[1])
            pki = load_or_create(folder, pki_port)
            if tls:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(
                    pki.folder / "tls" / "tls-server.crt", pki.folder / "tls" / "tls-server.key"
                )
                api.socket = context.wrap_socket(api.socket, server_side=True)
        except BaseException:
            for s in servers:
                s.server_close()
            raise
        scheme = "https" if tls else "http"
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        emulator = cls(pki, users, client, servers, f"{scheme}://{shown}:{api_port}", origin)
        for s in servers:
            s.daemon_threads = True
            s.emulator = emulator  # type: ignore[attr-defined]
            t = threading.Thread(target=s.serve_forever, name="bsre-emulator", daemon=True)
            t.start()
            emulator._threads.append(t)
        return emulator

    def stop(self) -> None:
        """Stop serving; a request held by the hang fault is let go unanswered."""
        self._stopping.set()
        for s in self._servers:
            s.shutdown()
            s.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> BsreEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests and the demo read -----------------------------------------------------

    @property
    def root_path(self) -> Path:
        """PEM of the demo "Root CA Indonesia DS G1": the trust anchor to verify against."""
        return self.pki.root_path

    @property
    def tls_ca_path(self) -> Path:
        """PEM of the demo TLS CA that issued the HTTPS server's certificate."""
        return self.pki.tls_ca_path

    @property
    def tsa_url(self) -> str:
        return self.pki.urls.tsa

    def totp_now(self, pengguna: Pengguna) -> str:
        """What the account's BeSign app shows now."""
        return totp(pengguna.totp_secret, time.time())

    def set_fault(self, fault: Fault | str | None) -> None:
        self.fault = Fault(fault) if fault is not None else None

    # -- accounts -------------------------------------------------------------------------

    def _find(self, body: dict[str, Any]) -> Pengguna | None:
        nik, email = value(body, "nik"), value(body, "email")
        for u in self.users:
            if (nik is not None and u.nik == nik.strip()) or (
                nik is None and email is not None and u.email.lower() == email.strip().lower()
            ):
                return u
        return None

    def _account(self, body: dict[str, Any]) -> Pengguna:
        """The account asked for, able to sign (else the documented 2011 or 2021)."""
        user = self._find(body)
        if user is None:
            raise business(NOT_REGISTERED)
        if not user.certificate:
            raise business(NO_CERTIFICATE)
        return user

    def signing_for(self, user: Pengguna) -> Signing:
        issued = self.pki.user(user.nik, user.nama, user.email)
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        signer = signers.SimpleSigner(
            signing_cert=to_asn1_cert(issued.cert),
            signing_key=to_asn1_key(issued.key),
            cert_registry=SimpleCertificateStore.from_certs(
                [to_asn1_cert(c) for c in self.pki.chain]
            ),
        )
        return Signing(signer, self._timestamper, self.origin)

    # -- the calls ------------------------------------------------------------------------

    def _check_credential(self, user: Pengguna, body: dict[str, Any], files: int) -> None:
        passphrase, code = value(body, "passphrase"), value(body, "totp")
        if passphrase is not None:
            if not hmac.compare_digest(passphrase.encode(), user.passphrase.encode()):
                raise business(WRONG_PASSPHRASE)
            return
        if code is None:
            raise business(NO_CREDENTIAL)
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            grants = [g for g in self._grants.get(user.nik, []) if g.until > now and g.files > 0]
            self._grants[user.nik] = grants
            if sum(g.files for g in grants) < files or not totp_matches(
                user.totp_secret, code.strip(), time.time()
            ):
                raise business(WRONG_TOTP)

    def _use_totp(self, user: Pengguna, files: int) -> None:
        with self._lock:
            for g in self._grants.get(user.nik, []):
                used = min(g.files, files)
                g.files -= used
                files -= used

    def sign(self, body: dict[str, Any], path: str) -> dict[str, Any]:
        started = time.monotonic()
        fault = self.fault
        if fault is Fault.SERVER_ERROR:
            raise spring(500, "Internal Server Error", path, "emulated server error")
        if fault is Fault.HANG:
            self._stopping.wait()
            raise ConnectionAbortedError("released unanswered at stop")
        user = self._account(body)
        raw_files = body.get("file")
        if isinstance(raw_files, str):
            raw_files = [raw_files]
        if not isinstance(raw_files, list) or not raw_files:
            raise spring(500, "Internal Server Error", path, "file kosong")
        if len(raw_files) > MAX_FILES:
            raise spring(413, "Payload Too Large", path, f"lebih dari {MAX_FILES} file")
        self._check_credential(user, body, len(raw_files))
        try:
            pdfs = [decode_file(f, i) for i, f in enumerate(raw_files)]
        except BadFile as e:
            raise spring(500, "Internal Server Error", path, str(e)) from None
        try:
            props = read_properties(body.get("signatureProperties"), len(pdfs))
        except BadProperties as e:
            raise Answer(400, {"error": str(e), "status_code": BAD_PROPERTIES}) from None
        signer = user
        if fault is Fault.WRONG_SIGNER:
            signer = next(
                (u for u in self.users if u.nik != user.nik and u.certificate), OTHER_SIGNER
            )
        how = self.signing_for(signer)
        signed: list[str] = []
        for i, (pdf, t) in enumerate(zip(pdfs, props, strict=True)):
            try:
                out = sign_one(pdf, t, how, fault)
            except BadFile as e:
                raise spring(500, "Internal Server Error", path, f"file[{i}]: {e}") from None
            except BadProperties as e:
                raise Answer(
                    400, {"error": f"file[{i}]: {e}", "status_code": BAD_PROPERTIES}
                ) from None
            signed.append(base64.b64encode(out).decode())
        if value(body, "passphrase") is None:
            self._use_totp(user, len(pdfs))
        return {"time": int((time.monotonic() - started) * 1000), "file": signed}

    def get_totp(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._account(body)
        data = body.get("data", 1)
        if data is None or data == "":
            data = 1
        try:
            files = int(data)
        except (TypeError, ValueError):
            files = 0
        if not 1 <= files <= MAX_FILES:
            raise Answer(
                400,
                {"error": f"data harus jumlah file 1 sampai {MAX_FILES}", "status_code": 4002},
            )
        with self._lock:
            grant = _Grant(dt.datetime.now(dt.UTC) + TOTP_GRANT, files)
            self._grants.setdefault(user.nik, []).append(grant)
        return {"success": True, "message": "TOTP telah dibuat, lihat aplikasi BeSign"}

    def user_status(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self._find(body)
        if user is None:
            code, message = NOT_REGISTERED
            return {"status_code": code, "message": message, "status": "NOT_REGISTERED"}
        if not user.certificate:
            code, message = NO_CERTIFICATE
            return {"status_code": code, "message": message, "status": "NO_CERTIFICATE"}
        message = "Sertifikat elektronik aktif"
        return {"status_code": ISSUE_CODE, "message": message, "status": "ISSUE"}

    def chain(self, ident: str) -> dict[str, Any]:
        key = "email" if "@" in ident else "nik"
        user = self._find({key: ident})
        if user is None or not user.certificate:
            # BSrE answers an unknown id with 400 and a body that is not JSON
            raise Answer(400, b"Invalid identity", "application/json")
        issued = self.pki.user(user.nik, user.nama, user.email)
        der = serialization.Encoding.DER
        data = [
            base64.b64encode(c.public_bytes(der)).decode() for c in [issued.cert, *self.pki.chain]
        ]
        return {"success": True, "data": data}

    def verify(self, body: dict[str, Any], path: str) -> dict[str, Any]:
        raw = body.get("file")
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        try:
            pdf = decode_file(raw, 0)
            return report(pdf, self.pki)
        except BadFile as e:
            raise spring(500, "Internal Server Error", path, str(e)) from None

    def timestamp(self, query: bytes) -> bytes:
        try:
            request = tsp.TimeStampReq.load(query)
            request.native  # noqa: B018 - parse it all now: a bad query is refused here
        except ValueError:
            raise Answer(400, b"bad timestamp query", "text/plain") from None
        response = self._timestamper.request_tsa_response(request)
        return bytes(response.dump())

    def log(self, entry: Permintaan) -> int:
        with self._lock:
            self.requests.append(entry)
            return len(self.requests) - 1

    def logged(self, index: int, status: int) -> None:
        with self._lock:
            old = self.requests[index]
            self.requests[index] = Permintaan(
                old.endpoint, old.identity, old.files, old.size, old.at, status
            )
