"""A remote key through the Cloud Signature Consortium API v2: ``kinerja sign --csc URL``.

CSC is hash signing: pyHanko builds the PAdES signature here and the service signs only its
digest (``signatures/signHash``), so this is the local PAdES backend
(:class:`signer.sign.pades.PadesSigner`: certification by pihak pertama, the stamp, every level)
with the key somewhere else. The certificate is known before anything is signed
(``credentials/info``), so the sign stage checks its holder and validity first, as for a local
key; a credential is chosen with ``--csc-credential ID`` or by the party's name among the
credentials of the access token, the way a key store chooses a PKCS#12
(:func:`signer.sign.keys.pick_credential`).

The access token comes from ``$KINERJA_CSC_TOKEN``, the credential's PIN from ``$KINERJA_PIN``,
or a prompt; neither ever reaches argv, a log or a message. The PIN is sent once per credential
before the first document is signed where the service allows it (SCAL 1: a SAD that is not
bound to a hash), so a wrong PIN refuses the batch with nothing signed. A service that refused
the token or the PIN, or failed, is not asked again in the same run: services lock a credential
after a few wrong PINs, and running again carries on where this run stopped.

HTTPS only, with certificate verification (``--csc-ca`` for a private CA), except for a
service on the loopback interface; every call has a timeout; no redirect is followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import aiohttp
import tzlocal
from asn1crypto import algos
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.timestamps import HTTPTimeStamper

from signer.errors import InputError
from signer.model import Agreement, Peran
from signer.names import PartyPin
from signer.remote.http import checked_url
from signer.secret import CSC_TOKEN_ENV, PIN_ENV
from signer.sign.backend import Concurrency
from signer.sign.keys import Credential, pick_credential, strong_credential
from signer.sign.pades import PadesSigner
from signer.sign.services import Services
from signer.trust import load_trust

Secret = Callable[[str, str], bytes]

TIMEOUT = 30.0
"""Seconds for one call to the service (connect and answer)."""
MAX_ANSWER = 8 << 20
"""The most bytes of an answer read (a certificate chain is a few kilobytes)."""


class CscFailed(InputError):
    """The CSC service refused or failed a call; nothing was signed by it."""


class UnusableCredential(InputError):
    """A credential whose info cannot be read, or whose key verification would reject."""


def service_url(url: str) -> str:
    """The base URL of a CSC service, if it may be used: HTTPS, or HTTP on the loopback
    interface only (a test or a local service); bad input otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.query or parts.fragment:
        raise InputError(f"--csc {url}: give the service's base URL, without query or login")
    return checked_url(url, "--csc")


def _safe(text: object, most: int = 200) -> str:
    """Text from the service, fit for one line of a message: printable, bounded."""
    shown = re.sub(r"[^\x20-\x7e]", "?", str(text))
    return shown if len(shown) <= most else shown[:most] + "..."


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an error answer: the token must not follow it anywhere


@dataclass
class CscClient:
    """Calls of one CSC service, synchronous, each with a timeout and one clear error."""

    url: str
    token: str
    ca_file: Path | None = None
    timeout: float = TIMEOUT
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.url = service_url(self.url)
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if self.url.startswith("https:"):
            try:
                context = ssl.create_default_context(
                    cafile=str(self.ca_file) if self.ca_file else None
                )
            except (OSError, ssl.SSLError) as e:
                raise InputError(f"--csc-ca {self.ca_file}: not a CA certificate ({e})") from None
            handlers.append(urllib.request.HTTPSHandler(context=context))
        else:
            handlers.append(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        self._opener = urllib.request.build_opener(*handlers)

    def endpoint(self, method: str) -> str:
        return f"{self.url}/csc/v2/{method}"

    def post(self, method: str, body: dict[str, Any], *, what: str = "") -> dict[str, Any]:
        """The JSON answer of ``method``; :class:`CscFailed` with one line otherwise."""
        request = urllib.request.Request(
            self.endpoint(method),
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        where = f"CSC service {self.url}"
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                data = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as e:
            raise self._refusal(method, e.code, _error_of(e), what) from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise self._timeout(method) from None
            raise CscFailed(f"{where} cannot be reached ({_safe(e.reason)})") from None
        except TimeoutError:
            raise self._timeout(method) from None
        except OSError as e:
            raise CscFailed(f"{where}: {method} failed ({_safe(e)})") from None
        if len(data) > MAX_ANSWER:
            raise CscFailed(f"{where}: {method} answered more than {MAX_ANSWER} bytes")
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise CscFailed(f"{where}: {method} did not answer a JSON object")
        return parsed

    def _timeout(self, method: str) -> CscFailed:
        return CscFailed(
            f"CSC service {self.url}: {method} did not answer within {self.timeout:g} s"
        )

    def _refusal(self, method: str, status: int, error: tuple[str, str], what: str) -> CscFailed:
        code, description = error
        where = f"CSC service {self.url}"
        if status == 401 or code in ("invalid_token", "invalid_client", "access_denied"):
            return CscFailed(f"{where} refused the access token (${CSC_TOKEN_ENV})")
        if code == "invalid_pin":
            return CscFailed(f"{where}: wrong PIN for {what or 'the credential'} (${PIN_ENV})")
        if code == "invalid_otp":
            return CscFailed(f"{where}: wrong OTP for {what or 'the credential'}")
        if "credentialID" in description and method != "credentials/list":
            return CscFailed(f"{where} has no {what or 'such credential'}")
        if status >= 500:
            return CscFailed(f"{where}: {method} failed (HTTP {status}); run again later")
        detail = f"{code}: {description}" if description else code or f"HTTP {status}"
        return CscFailed(f"{where}: {method} refused{' for ' + what if what else ''} ({detail})")


def _error_of(e: urllib.error.HTTPError) -> tuple[str, str]:
    """The spec's error code and description of an error answer, made safe."""
    try:
        body = json.loads(e.read(65536) or b"{}")
    except (ValueError, OSError):
        body = {}
    if not isinstance(body, dict):
        body = {}
    return _safe(body.get("error", ""), 60), _safe(body.get("error_description", ""))


class _Answer:
    def __init__(self, data: dict[str, Any]):
        self._data = data

    async def json(self) -> dict[str, Any]:
        return self._data


class _ClientSession:
    """What pyHanko's CSC code needs of an ``aiohttp.ClientSession`` (``post``), through
    :meth:`RemoteKeys.call`: pyHanko runs each signature in an event loop of its own
    (``asyncio.run``), which an aiohttp session cannot outlive, and its calls get the same
    timeouts, rules and error messages as ours, and are not made once the service refused."""

    def __init__(self, remote: RemoteKeys, what: str):
        self.remote, self.what = remote, what

    @contextlib.asynccontextmanager
    async def post(self, url: str, *, json: dict[str, Any], **_: Any) -> AsyncIterator[_Answer]:
        method = url.removeprefix(self.remote.client.endpoint(""))
        data = await asyncio.to_thread(self.remote.call, method, json, self.what)
        yield _Answer(data)


@dataclass
class CscCredential:
    """One credential of the service: its id, what ``credentials/info`` says, its state."""

    credential_id: str
    info: CSCCredentialInfo
    credential: Credential = field(init=False)
    """For choosing and checking it: its certificate (the signer is made per signature)."""
    sad: CSCAuthorizationInfo | None = None
    """A SAD fetched before the batch to check the PIN (SCAL 1), used by the first signature."""
    pin_checked: bool = False

    @property
    def what(self) -> str:
        return f"credential {self.credential_id!r}"


class KinerjaCscSigner(CSCSigner):
    """pyHanko's CSC signer speaking API v2: ``hashes`` and ``hashAlgorithmOID``."""

    async def format_csc_signing_req(
        self, tbs_hashes: list[str], digest_algorithm: str
    ) -> dict[str, Any]:
        manager = self.auth_manager
        if isinstance(manager, PinAuthorization):
            manager.digest_oid = algos.DigestAlgorithmId(digest_algorithm).dotted
        request: dict[str, Any] = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = request.pop("hashAlgo")
        return request


class PinAuthorization(CSCAuthorizationManager):
    """``credentials/authorize`` with the PIN, explicit authorization, one SAD per signature
    bound to its hash (the SAD fetched before the batch, if any, serves the first)."""

    def __init__(self, remote: RemoteKeys, entry: CscCredential):
        super().__init__(remote.session_info(entry.credential_id), entry.info)
        self.remote, self.entry = remote, entry
        self.digest_oid = algos.DigestAlgorithmId("sha256").dotted

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        return await asyncio.to_thread(
            self.remote.authorize, self.entry, hash_b64s, self.digest_oid
        )


@dataclass
class RemoteKeys:
    """The credentials of one access token at one CSC service, and the run's PIN."""

    client: CscClient
    pin: Callable[[], bytes]
    entries: list[CscCredential] = field(default_factory=list)
    failed: str | None = None
    """Why the service is not asked again in this run (a refused token or PIN, a failure)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def session_info(self, credential_id: str) -> CSCServiceSessionInfo:
        return CSCServiceSessionInfo(
            self.client.url, credential_id, oauth_token=self.client.token, api_ver="v2"
        )

    def call(self, method: str, body: dict[str, Any], what: str = "") -> dict[str, Any]:
        """A call, unless the service already refused or failed in this run."""
        if self.failed is not None:
            raise CscFailed(f"{self.failed} (not asked again in this run)")
        try:
            return self.client.post(method, body, what=what)
        except CscFailed as e:
            self.failed = str(e)
            raise

    def load(self, wanted: str | None) -> None:
        """Every credential of the token (``credentials/list``), or only ``wanted``, with its
        certificates (``credentials/info``, through pyHanko)."""
        listed = self.call("credentials/list", {"credentialInfo": False})
        ids = listed.get("credentialIDs")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise CscFailed(f"CSC service {self.client.url}: credentials/list gave no ids")
        if wanted is not None:
            if wanted not in ids:
                shown = ", ".join(_safe(i, 80) for i in ids[:8]) or "none"
                raise CscFailed(
                    f"CSC service {self.client.url} has no credential {wanted!r} for this "
                    f"access token (credentials: {shown}{' ...' if len(ids) > 8 else ''})"
                )
            ids = [wanted]
        left_out = []
        for credential_id in ids:
            try:
                self.entries.append(self._entry(credential_id))
            except UnusableCredential as e:
                if wanted is not None:
                    raise
                left_out.append(str(e))  # not the party's, maybe: only a party's must be usable
        if not self.entries:
            why = f" ({'; '.join(left_out[:3])})" if left_out else ""
            raise CscFailed(
                f"CSC service {self.client.url}: no usable credentials for this access token{why}"
            )

    def _entry(self, credential_id: str) -> CscCredential:
        what = f"credential {credential_id!r}"
        session = cast(aiohttp.ClientSession, _ClientSession(self, what))
        try:
            info = asyncio.run(
                fetch_certs_in_csc_credential(session, self.session_info(credential_id))
            )
        except CscFailed:
            raise
        except Exception as e:  # pyHanko's SigningError: an answer it cannot read
            raise UnusableCredential(
                f"CSC service {self.client.url}: {what}: unusable credentials/info ({_safe(e)})"
            ) from None
        entry = CscCredential(credential_id, info)
        where = f"CSC service {self.client.url} {what}"
        try:
            entry.credential = strong_credential(
                Credential(self.signer(entry), f"CSC {what}"), where
            )
        except InputError as e:
            raise UnusableCredential(str(e)) from None
        return entry

    def signer(self, entry: CscCredential) -> KinerjaCscSigner:
        """A signer for one signature: pyHanko's CSC signer keeps batch state bound to the
        event loop of the signature it serves, so signatures never share one."""
        session = cast(aiohttp.ClientSession, _ClientSession(self, entry.what))
        return KinerjaCscSigner(session, PinAuthorization(self, entry), batch_size=1)

    def ready(self, entry: CscCredential) -> None:
        """Before the batch: the PIN, checked by fetching the first signature's SAD where the
        service lets a SAD stand for any hash (SCAL 1); SCAL 2 checks it at the first one."""
        with self._lock:
            if entry.pin_checked or entry.info.hash_pinning_required:
                return
            entry.sad = self._authorize(entry, None, None)
            entry.pin_checked = True

    def authorize(
        self, entry: CscCredential, hashes: list[str], digest_oid: str
    ) -> CSCAuthorizationInfo:
        with self._lock:  # one PIN in flight at a time: a wrong one is never sent twice
            sad, entry.sad = entry.sad, None
            if sad is not None and (sad.expires_at is None or sad.expires_at > _now()):
                return sad
            return self._authorize(entry, hashes, digest_oid)

    def _authorize(
        self, entry: CscCredential, hashes: list[str] | None, digest_oid: str | None
    ) -> CSCAuthorizationInfo:
        body: dict[str, Any] = {
            "credentialID": entry.credential_id,
            "numSignatures": len(hashes) if hashes else 1,
            "authData": [{"id": "PIN", "value": self.pin().decode()}],
        }
        if hashes:
            body["hashes"] = hashes
            body["hashAlgorithmOID"] = digest_oid
        answer = self.call("credentials/authorize", body, entry.what)
        try:
            return CSCAuthorizationManager.parse_csc_auth_response(answer)
        except Exception as e:
            raise CscFailed(
                f"CSC service {self.client.url}: credentials/authorize gave no SAD ({_safe(e)})"
            ) from None

    def for_party(
        self, agreement: Agreement, role: Peran, pins: tuple[PartyPin, ...]
    ) -> Credential:
        """The credential of the party who signs ``agreement`` as ``role``, PIN checked, with a
        signer of its own."""
        credentials = [e.credential for e in self.entries]
        if len(self.entries) == 1:
            chosen = self.entries[0]  # the stage checks its holder (and pins) against the party
        else:
            found = pick_credential(
                credentials, agreement.pihak(role), role, pins, f"CSC service {self.client.url}"
            )
            chosen = self.entries[credentials.index(found)]
        self.ready(chosen)
        return Credential(self.signer(chosen), chosen.credential.source)


def _now() -> datetime:
    return datetime.now(tz=tzlocal.get_localzone())


def csc_services(tsa_url: str | None, trust: Sequence[Path]) -> Services:
    """The TSA and revocation data for signing with a remote key: a demo key store named with
    ``--trust`` gives its in-process revocation answers (and its TSA, unless ``--tsa-url``
    names one), as ``--keys`` does; otherwise ``--tsa-url`` and the certificates' own URLs."""
    from signer.demo_pki import pki

    roots = load_trust(trust)
    demo = next((p for p in trust if Path(p).is_dir() and pki.is_demo_store(Path(p))), None)
    if demo is None:
        return Services.online(tsa_url, roots)
    services = Services.demo(pki.load_demo_pki(Path(demo), pki.passphrase_from_env()), roots)
    if tsa_url:
        services.timestamper = HTTPTimeStamper(tsa_url)
    return services


def open_csc(
    url: str,
    credential_id: str | None,
    *,
    secret: Secret,
    tsa_url: str | None,
    trust: Sequence[Path] = (),
    pins: tuple[PartyPin, ...] = (),
    ca_file: Path | None = None,
    timeout: float = TIMEOUT,
) -> PadesSigner:
    """The PAdES backend with the keys of a CSC service: ``credential_id``'s, or each party's
    found by name among the token's credentials. Bad input (exit 2) before anything is signed
    when the service cannot be reached, refuses the token, or has no such credential."""
    base = service_url(url)
    token = secret(CSC_TOKEN_ENV, "CSC access token").decode()
    client = CscClient(base, token, ca_file, timeout)
    pin_value: list[bytes] = []
    pin_lock = threading.Lock()

    def pin() -> bytes:
        with pin_lock:  # asked once, when first needed
            if not pin_value:
                pin_value.append(secret(PIN_ENV, "CSC credential PIN"))
            return pin_value[0]

    remote = RemoteKeys(client, pin)
    remote.load(credential_id)
    if credential_id is not None:
        remote.ready(remote.entries[0])  # a wrong PIN refuses the run before any document
    services = csc_services(tsa_url, trust)
    return PadesSigner(
        lambda a, role: remote.for_party(a, role, pins),
        services,
        # one at a time: a forked child must not share the run's state (the PIN checked, a SAD,
        # a refusal), and threads would run the sign stage's audit, which reads the pages with
        # PDFium, concurrently: PDFium is not thread-safe (kinerja died of SIGSEGV and SIGTRAP)
        Concurrency.SINGLE,
    )
