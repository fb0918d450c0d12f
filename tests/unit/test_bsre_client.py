"""kinerja's client of BSrE's eSign API, against the emulator over real HTTP(S)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from signer.demo_pki.bsre_accounts import Pengguna, demo_totp_secret
from signer.demo_pki.bsre_emulator import BsreEmulator
from signer.errors import InputError
from signer.remote.bsre import BsreClient, BsreRefused, UserStatus
from signer.remote.http import RemoteError, checked_url
from signer.sign.backend import Level, SignatureField, SignRequest
from signer.sign.bsre import MAX_REQUEST_FILES, batches

SITI = Pengguna(
    "3371015203800001",
    "198003122005012001@kotacontoh.go.id",
    "Siti Nurhaliza",
    "demo",
    demo_totp_secret("3371015203800001"),
)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BsreEmulator]:
    with BsreEmulator.start(tmp_path_factory.mktemp("bsre"), [SITI], tls=True) as emu:
        yield emu


@pytest.mark.parametrize(
    "url",
    ["http://esign.example.go.id", "ftp://127.0.0.1", "https://user:pw@esign.example.go.id", "x"],
)
def test_remote_urls_are_https_except_loopback(url: str) -> None:
    with pytest.raises(InputError):
        checked_url(url, "--bsre")


@pytest.mark.parametrize(
    "url",
    ["https://esign.example.go.id/", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost"],
)
def test_https_and_loopback_are_accepted(url: str) -> None:
    assert checked_url(url, "--bsre") == url.rstrip("/")


def test_tls_needs_the_servers_ca(tls: BsreEmulator) -> None:
    user, password = tls.client
    assert tls.url.startswith("https://")
    with pytest.raises(RemoteError, match=r"not trusted.*--bsre-ca"):
        BsreClient(tls.url, user, password).user_status(SITI.nik)
    client = BsreClient(tls.url, user, password, tls.tls_ca_path)
    assert client.user_status(SITI.nik).status is UserStatus.ISSUE
    chain = client.certificate_chain(SITI.email)
    assert chain[0].subject.native["common_name"] == SITI.nama
    assert len(chain) == 3


def test_answers_are_read_as_documented(tls: BsreEmulator) -> None:
    user, password = tls.client
    client = BsreClient(tls.url, user, password, tls.tls_ca_path, timeout=10)
    status = client.user_status("3371015203809999")
    assert status.status is UserStatus.NOT_REGISTERED and status.code == 2011
    with pytest.raises(BsreRefused, match="KINERJA_BSRE_USER") as refused:
        BsreClient(tls.url, user, "salah", tls.tls_ca_path).user_status(SITI.nik)
    assert refused.value.http_status == 401
    with pytest.raises(BsreRefused, match="2011"):
        client.request_totp("3371015203809999", 1)


def _request(size: int) -> SignRequest:
    from typing import Any, cast

    return SignRequest(
        b"x" * size,
        "f.pdf",
        cast(Any, None),
        cast(Any, None),
        SignatureField("pihak-pertama", False, (0, 0, 1, 1)),
        Level.B_T,
        dt.datetime.now(dt.UTC),
    )


def test_requests_are_bounded_in_files_and_bytes() -> None:
    many = batches([_request(10) for _ in range(2 * MAX_REQUEST_FILES + 1)])
    assert [len(b) for b in many] == [MAX_REQUEST_FILES, MAX_REQUEST_FILES, 1]
    big = batches([_request(12 * 2**20) for _ in range(3)])
    assert [len(b) for b in big] == [1, 1, 1]
    huge = batches([_request(30 * 2**20)])
    assert [len(b) for b in huge] == [1]  # a document over the bound goes alone
