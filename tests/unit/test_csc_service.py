"""The loopback CSC API v2 service (signer.demo_pki.csc_service) and kinerja's client of it
(signer.sign.csc): the spec's errors, the SAD's bounds, the signatures, pyHanko's own client, and
the client's rules (HTTPS, timeouts, one clear line, a refused PIN never sent twice)."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import http.client
import ipaddress
import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    PrefetchedSADAuthorizationManager,
    fetch_certs_in_csc_credential,
)

from signer.demo_pki.csc_service import (
    PIN_ATTEMPTS,
    CscApi,
    CscCredential,
    CscError,
    CscService,
)
from signer.errors import InputError
from signer.secret import CSC_TOKEN_ENV, PIN_ENV
from signer.sign.csc import (
    CscClient,
    CscFailed,
    RemoteKeys,
    UnusableCredential,
    open_csc,
    service_url,
)

SHA256 = "2.16.840.1.101.3.4.2.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
RSA_SHA256 = "1.2.840.113549.1.1.11"
TOKEN = "token-uji"


def _credential(
    credential_id: str, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, pin: str, scal: int = 1
) -> CscCredential:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rina Kartikasari")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return CscCredential(credential_id, key, [cert], pin, scal)


@pytest.fixture(scope="module")
def keys() -> dict[str, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]:
    return {
        "rina": ec.generate_private_key(ec.SECP256R1()),
        "arif": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture()
def api(keys: dict[str, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]) -> CscApi:
    return CscApi(
        {
            "rina": _credential("rina", keys["rina"], "135790"),
            "arif": _credential("arif", keys["arif"], "246810", scal=2),
        },
        TOKEN,
    )


def _digest(text: bytes = b"isi dokumen") -> str:
    return base64.b64encode(hashlib.sha256(text).digest()).decode()


def _authorize(api: CscApi, credential: str, pin: str, **more: object) -> dict[str, object]:
    body = {
        "credentialID": credential,
        "numSignatures": 1,
        "authData": [{"id": "PIN", "value": pin}],
    }
    return api.call("credentials/authorize", {**body, **more})


def _error(call: object) -> CscError:
    assert isinstance(call, CscError)
    return call


def test_wrong_pin_is_invalid_pin_and_locks_the_credential(api: CscApi) -> None:
    for _ in range(PIN_ATTEMPTS):
        with pytest.raises(CscError) as wrong:
            _authorize(api, "rina", "000000")
        assert (wrong.value.status, wrong.value.error) == (400, "invalid_pin")
    with pytest.raises(CscError) as locked:
        _authorize(api, "rina", "135790")  # the right PIN, too late
    assert locked.value.error == "invalid_request" and "locked" in locked.value.description


def test_unknown_credential_and_missing_parameters_are_invalid_request(api: CscApi) -> None:
    with pytest.raises(CscError, match="Invalid parameter credentialID"):
        api.call("credentials/info", {"credentialID": "tidak-ada"})
    with pytest.raises(CscError, match="credentialID"):
        api.call("credentials/authorize", {"numSignatures": 1})
    with pytest.raises(CscError, match="numSignatures"):
        api.call("credentials/authorize", {"credentialID": "rina", "numSignatures": 0})
    with pytest.raises(CscError, match="PIN"):
        api.call("credentials/authorize", {"credentialID": "rina", "numSignatures": 1})
    with pytest.raises(CscError, match="hashes"):  # SCAL 2: a SAD must name its hashes
        _authorize(api, "arif", "246810")


def test_a_sad_signs_only_its_credential_its_hashes_and_its_count(api: CscApi) -> None:
    digest = _digest()
    sad = _authorize(api, "arif", "246810", hashes=[digest], hashAlgorithmOID=SHA256)["SAD"]
    request = {"SAD": sad, "hashes": [digest], "hashAlgorithmOID": SHA256, "signAlgo": RSA_SHA256}
    with pytest.raises(CscError, match="SAD"):  # another credential's SAD
        api.call(
            "signatures/signHash", {**request, "credentialID": "rina", "signAlgo": ECDSA_SHA256}
        )
    with pytest.raises(CscError, match="SAD"):  # a hash the SAD was not given for
        api.call(
            "signatures/signHash", {**request, "credentialID": "arif", "hashes": [_digest(b"x")]}
        )
    answer = api.call("signatures/signHash", {**request, "credentialID": "arif"})
    signature = base64.b64decode(answer["signatures"][0])
    public = api.credentials["arif"].chain[0].public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, b"isi dokumen", PKCS1v15(), hashes.SHA256())
    with pytest.raises(CscError, match="SAD"):  # used up
        api.call("signatures/signHash", {**request, "credentialID": "arif"})


def test_sign_hash_takes_the_v1_names_pyhanko_sends(api: CscApi) -> None:
    sad = api.call(
        "credentials/authorize", {"credentialID": "rina", "numSignatures": 2, "PIN": "135790"}
    )
    answer = api.call(
        "signatures/signHash",
        {
            "credentialID": "rina",
            "SAD": sad["SAD"],
            "hash": [_digest(), _digest(b"lain")],
            "hashAlgo": SHA256,
            "signAlgo": ECDSA_SHA256,
        },
    )
    public = api.credentials["rina"].chain[0].public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    for text, signature in zip((b"isi dokumen", b"lain"), answer["signatures"], strict=True):
        public.verify(base64.b64decode(signature), text, ec.ECDSA(hashes.SHA256()))


def test_a_digest_of_another_algorithm_or_length_is_refused(api: CscApi) -> None:
    sad = _authorize(api, "rina", "135790")["SAD"]
    base = {"credentialID": "rina", "SAD": sad, "hashes": [_digest()]}
    with pytest.raises(CscError, match="signAlgo"):
        api.call("signatures/signHash", {**base, "signAlgo": RSA_SHA256})  # not an RSA key
    with pytest.raises(CscError, match="hashAlgorithmOID"):
        api.call(
            "signatures/signHash",
            {**base, "signAlgo": ECDSA_SHA256, "hashAlgorithmOID": "2.16.840.1.101.3.4.2.3"},
        )
    short = base64.b64encode(b"pendek").decode()
    with pytest.raises(CscError, match="length"):
        api.call("signatures/signHash", {**base, "hashes": [short], "signAlgo": ECDSA_SHA256})


def test_credential_info_gives_the_chain_key_and_auth_mode(api: CscApi) -> None:
    info = api.call("credentials/info", {"credentialID": "rina", "certificates": "chain"})
    assert info["key"]["algo"] and info["key"]["len"] == 256
    assert info["authMode"] == "explicit" and info["SCAL"] == "1"
    assert len(info["cert"]["certificates"]) == 1
    listed = api.call("credentials/list", {})
    assert listed == {"credentialIDs": ["arif", "rina"]}


@pytest.fixture()
def service(api: CscApi) -> Iterator[CscService]:
    with CscService(api) as running:
        yield running


def _post(
    service: CscService, path: str, body: bytes, token: str | None
) -> tuple[int, dict[str, str], dict[str, object]]:
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(service.url.rsplit(":", 1)[1]), timeout=5
    )
    headers = {
        "Content-Type": "application/json",
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }
    connection.request("POST", path, body, headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, dict(response.getheaders()), answer


def test_over_http_a_bad_token_is_401_invalid_token(service: CscService) -> None:
    status, headers, answer = _post(service, "/csc/v2/credentials/list", b"{}", "salah")
    assert status == 401 and answer["error"] == "invalid_token"
    assert "invalid_token" in headers["WWW-Authenticate"]
    assert _post(service, "/csc/v2/info", b"{}", None)[0] == 200  # info needs no token
    status, _, answer = _post(service, "/csc/v2/credentials/list", b"{bukan json", TOKEN)
    assert (status, answer["error"]) == (400, "invalid_request")
    assert _post(service, "/csc/v2/credentials/hapus", b"{}", TOKEN)[0] == 404


def test_pyhankos_own_csc_client_signs_through_the_service(
    service: CscService, api: CscApi
) -> None:
    """The calls pyHanko's CSCSigner makes, as it makes them (API v1 field names)."""

    async def sign() -> bytes:
        import aiohttp

        info = CSCServiceSessionInfo(service.url, "rina", oauth_token=TOKEN, api_ver="v2")
        async with aiohttp.ClientSession() as session:
            credential = await fetch_certs_in_csc_credential(session, info)
            sad = api.call(
                "credentials/authorize",
                {"credentialID": "rina", "numSignatures": 1, "PIN": "135790"},
            )
            manager = PrefetchedSADAuthorizationManager(
                info, credential, CSCAuthorizationInfo(sad["SAD"])
            )
            return await CSCSigner(session, manager).async_sign_raw(b"isi dokumen", "sha256")

    signature = asyncio.run(sign())
    public = api.credentials["rina"].chain[0].public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, b"isi dokumen", ec.ECDSA(hashes.SHA256()))
    assert service.calls["signatures/signHash"] == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://csc.example.id/", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://[::1]:8080", True),
        ("http://csc.example.id", False),
        ("http://10.0.0.5", False),
        ("ftp://csc.example.id", False),
        ("https://user:rahasia@csc.example.id", False),
        ("https://csc.example.id/?token=x", False),
    ],
)
def test_only_https_or_loopback(url: str, allowed: bool) -> None:
    if allowed:
        assert service_url(url) == url.rstrip("/")
    else:
        with pytest.raises(InputError):
            service_url(url)


def test_client_errors_are_one_line(service: CscService) -> None:
    with pytest.raises(CscFailed, match=r"refused the access token \(\$KINERJA_CSC_TOKEN\)$"):
        CscClient(service.url, "salah").post("credentials/list", {})
    with pytest.raises(CscFailed, match="has no credential 'x'"):
        CscClient(service.url, TOKEN).post(
            "credentials/info", {"credentialID": "tidak"}, what="credential 'x'"
        )
    with pytest.raises(CscFailed, match="cannot be reached"):
        CscClient("http://127.0.0.1:9", TOKEN).post("credentials/list", {})


def test_a_service_that_does_not_answer_is_a_timeout(api: CscApi) -> None:
    with (
        CscService(api, stall=2.0) as slow,
        pytest.raises(CscFailed, match=r"credentials/list did not answer within 0.3 s"),
    ):
        CscClient(slow.url, TOKEN, timeout=0.3).post("credentials/list", {})


def test_a_refused_pin_is_never_sent_again(service: CscService) -> None:
    remote = RemoteKeys(CscClient(service.url, TOKEN), lambda: b"000000")
    remote.load("rina")
    entry = remote.entries[0]
    with pytest.raises(CscFailed, match=r"wrong PIN for credential 'rina' \(\$KINERJA_PIN\)"):
        remote.ready(entry)
    with pytest.raises(CscFailed, match="not asked again"):
        remote.authorize(entry, [_digest()], SHA256)
    assert service.calls["credentials/authorize"] == 1
    assert not service.api.credentials["rina"].locked


def _tls_for_loopback(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a self-signed certificate for 127.0.0.1, and that certificate's
    file (the private CA a client is given with --csc-ca)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csc.kotacontoh.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "csc.crt", folder / "csc.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_https_is_verified_and_a_private_ca_is_given_with_csc_ca(
    api: CscApi, tmp_path: Path
) -> None:
    context, ca = _tls_for_loopback(tmp_path)
    with CscService(api, tls=context) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        with pytest.raises(CscFailed, match=r"cannot be reached .*CERTIFICATE_VERIFY_FAILED"):
            CscClient(secure.url, TOKEN).post("credentials/list", {})
        assert secure.calls["credentials/list"] == 0  # the token never left
        listed = CscClient(secure.url, TOKEN, ca_file=ca).post("credentials/list", {})
    assert listed["credentialIDs"] == ["arif", "rina"]


def test_open_csc_refuses_a_service_that_does_not_answer(api: CscApi) -> None:
    secret = {CSC_TOKEN_ENV: TOKEN.encode(), PIN_ENV: b"135790"}
    with CscService(api, stall=2.0) as slow, pytest.raises(CscFailed, match=r"within 0\.3 s"):
        open_csc(slow.url, "rina", secret=lambda env, what: secret[env], tsa_url=None, timeout=0.3)


class FailingApi(CscApi):
    """A service whose signHash fails (HTTP 503)."""

    def sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        raise CscError(503, "server_error", "signing module unavailable")


def test_a_failing_service_is_one_line_and_not_asked_again(api: CscApi) -> None:
    failing = FailingApi(api.credentials, TOKEN)
    with CscService(failing) as service:
        remote = RemoteKeys(CscClient(service.url, TOKEN), lambda: b"135790")
        remote.load("rina")
        body = {"credentialID": "rina", "SAD": "x", "hashes": [_digest()], "signAlgo": ECDSA_SHA256}
        with pytest.raises(
            CscFailed, match=r"signatures/signHash failed \(HTTP 503\); run again later$"
        ):
            remote.call("signatures/signHash", body)
        with pytest.raises(CscFailed, match="not asked again"):
            remote.call("credentials/list", {})
        assert service.calls["signatures/signHash"] == 1 and service.calls["credentials/list"] == 1


def test_a_weak_credential_is_left_out_by_name_and_refused_by_id(
    api: CscApi, keys: dict[str, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]
) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    credentials = {**api.credentials, "lemah": _credential("lemah", weak, "111111")}
    with CscService(CscApi(credentials, TOKEN)) as service:
        by_name = RemoteKeys(CscClient(service.url, TOKEN), lambda: b"")
        by_name.load(None)
        assert [e.credential_id for e in by_name.entries] == ["arif", "rina"]
        by_id = RemoteKeys(CscClient(service.url, TOKEN), lambda: b"")
        with pytest.raises(UnusableCredential, match=r"'lemah'.*RSA key of 1024 bits"):
            by_id.load("lemah")


class BrokenApi(CscApi):
    def list(self, body: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("bug")


def test_a_bug_in_the_service_is_a_500_answer(api: CscApi) -> None:
    with CscService(BrokenApi(api.credentials, TOKEN)) as broken:
        status, _, answer = _post(broken, "/csc/v2/credentials/list", b"{}", TOKEN)
        assert (status, answer["error"]) == (500, "server_error")
        with pytest.raises(CscFailed, match=r"credentials/list failed \(HTTP 500\)"):
            CscClient(broken.url, TOKEN).post("credentials/list", {})
