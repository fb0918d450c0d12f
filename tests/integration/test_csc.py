"""Signing through a CSC API v2 remote signing service (`kinerja sign --csc`), for real: the
loopback CSC service over the demo key store, the prepared example agreements, B-T and B-LTA
with the demo TSA over HTTP, `kinerja verify` VALID; and every refusal one line, exit 2, the
files untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.demo_pki import pki
from signer.demo_pki.csc_service import (
    CscApi,
    CscError,
    CscService,
    demo_csc_service,
    load_credentials,
)
from signer.demo_pki.responders import DemoTimeStamper
from signer.model import Agreement
from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import run_kinerja
from tests.helpers import loopback_tsa

pytestmark = [pytest.mark.slow, pytest.mark.office]

TOKEN = "token-csc-uji"
PIN = "246810"
RINA_PIN = "135790"
"""Rina Kartikasari (kepala Dinas Kesehatan) has a PIN of her own; every other credential PIN."""


@pytest.fixture(scope="module")
def dinkes(example_workspace: Path) -> Agreement:
    ceremony = read_workbook(example_workspace / "kinerja.xlsx")
    return next(a for a in ceremony.agreements if a.id == "pk-2026-dinkes")


@pytest.fixture(scope="module")
def csc(demo_store: Path, dinkes: Agreement) -> Iterator[CscService]:
    """The loopback CSC service over the demo store: one credential per party, each its PIN."""
    credentials = load_credentials(demo_store, b"demo", PIN)
    credentials[pki.holder_id(dinkes.pihak_pertama)].pin = RINA_PIN
    with CscService(CscApi(credentials, TOKEN)) as service:
        yield service


@pytest.fixture(scope="module")
def tsa(demo_store: Path) -> Iterator[str]:
    with loopback_tsa(DemoTimeStamper(pki.load_demo_pki(demo_store, b"demo"))) as url:
        yield url


@pytest.fixture()
def docs(prepared_example: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared example agreements."""
    target = tmp_path / "docs"
    shutil.copytree(prepared_example, target)
    return target


def sign(*args: str, token: str = TOKEN, pin: str = PIN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KINERJA_CSC_TOKEN": token, "KINERJA_PIN": pin}
    return run_kinerja("sign", *args, env=env)


def verify(*args: str) -> dict[str, Any]:
    result = run_kinerja("verify", "--json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_each_party_signs_with_its_own_credential_b_t_then_b_lta(
    docs: Path, demo_store: Path, csc: CscService, tsa: str, dinkes: Agreement
) -> None:
    picked = [docs / "pk-2026-dinkes.pdf", docs / "pi-2026-dinkes.pdf"]
    before = dict(csc.calls)
    rina = pki.holder_id(dinkes.pihak_pertama)
    common = ["--csc", csc.url, "--trust", str(demo_store), "--tsa-url", tsa]
    first = sign(
        *map(str, picked), "--role", "pihak-pertama", "--csc-credential", rina,
        "--level", "B-T", *common, pin=RINA_PIN,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    # pihak kedua (the wali kota) by name among the token's credentials
    second = sign(*map(str, picked), "--role", "pihak-kedua", "--level", "B-LTA", *common)
    assert second.returncode == 0, second.stderr
    assert csc.calls["signatures/signHash"] - before.get("signatures/signHash", 0) == 4

    report = verify(*map(str, picked), "--trust", str(demo_store))
    assert [d["verdict"] for d in report["documents"]] == ["VALID", "VALID"]
    for doc in report["documents"]:
        levels = [(s["role"], s["signer"], s["level"]) for s in doc["signatures"]]
        assert levels == [
            # pihak pertama's B-T is carried to B-LTA by the DSS and document timestamp
            ("pihak-pertama", "Rina Kartikasari", "B-LTA"),
            ("pihak-kedua", "Arif Wicaksono", "B-LTA"),
        ]
    for pdf in picked:
        reader = PdfFileReader(pdf.open("rb"))
        pertama, kedua = reader.embedded_regular_signatures
        assert (pertama.field_name, kedua.field_name) == ("pihak-pertama", "pihak-kedua")
        assert pertama.docmdp_level is not None  # pihak pertama certifies, as with a local key
        assert pertama.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        unsigned = pertama.signer_info["unsigned_attrs"].native or []
        assert any(a["type"] == "signature_time_stamp_token" for a in unsigned)  # B-T
        assert reader.embedded_timestamp_signatures  # B-LTA: a document timestamp
        holder = pertama.signer_cert.subject.native["common_name"]
        assert holder == "Rina Kartikasari"


def test_a_folder_is_signed_by_name_each_party_its_credential(
    docs: Path, demo_store: Path, csc: CscService
) -> None:
    """Every party found by name among the credentials (the demo TSA in process, as --keys)."""
    others = docs.parent / "lain"
    others.mkdir()
    for pdf in docs.glob("*-dinkes.pdf"):  # Rina's PIN is another: her documents wait
        pdf.rename(others / pdf.name)
    folder = [str(docs), "--csc", csc.url, "--trust", str(demo_store), "--level", "B-T"]
    for role in ("pihak-pertama", "pihak-kedua"):
        result = sign(*folder[:1], "--role", role, *folder[1:])
        assert result.returncode == 0, result.stderr
        assert "6 done" in result.stdout, result.stdout
    report = verify(str(docs), "--trust", str(demo_store))
    assert [d["verdict"] for d in report["documents"]] == ["VALID"] * 6


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong PIN", r"wrong PIN for credential '.*' \(\$KINERJA_PIN\)"),
        ("unknown credential", r"has no credential 'bukan-kredensial' for this access token"),
        ("server down", r"cannot be reached \(.*Connection refused\)"),
        ("bad token", r"refused the access token \(\$KINERJA_CSC_TOKEN\)"),
        ("plain http", r"must be reached over HTTPS"),
    ],
)
def test_a_refusal_is_one_line_exit_2_files_untouched(
    docs: Path, demo_store: Path, csc: CscService, dinkes: Agreement, case: str, message: str
) -> None:
    rina = pki.holder_id(dinkes.pihak_pertama)
    url, credential, token, pin = csc.url, rina, TOKEN, RINA_PIN
    if case == "wrong PIN":
        pin = "000000"
    elif case == "unknown credential":
        credential = "bukan-kredensial"
    elif case == "server down":
        with CscService(CscApi({}, TOKEN)) as gone:
            url = gone.url  # stopped when the block ends: nothing listens there any more
    elif case == "bad token":
        token = "salah"
    elif case == "plain http":
        url = "http://csc.kotacontoh.example"
    before = contents(docs)
    authorized = csc.calls["credentials/authorize"]
    result = sign(
        str(docs / "pk-2026-dinkes.pdf"), "--role", "pihak-pertama", "--csc", url,
        "--csc-credential", credential, "--trust", str(demo_store), "--level", "B-B",
        token=token, pin=pin,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in result.stderr and token not in result.stderr and pin not in lines[0]
    assert contents(docs) == before
    # a wrong PIN was sent once, and never again in the run (services lock credentials)
    expected = 1 if case == "wrong PIN" else 0
    assert csc.calls["credentials/authorize"] - authorized == expected
    assert not csc.api.credentials[rina].locked


def test_a_wrong_pin_in_a_folder_signs_nothing_and_is_sent_once(
    docs: Path, demo_store: Path, csc: CscService
) -> None:
    before = contents(docs)
    authorized = csc.calls["credentials/authorize"]
    result = sign(
        str(docs), "--role", "pihak-pertama", "--csc", csc.url, "--trust", str(demo_store),
        "--level", "B-B", pin="999999",
    )  # fmt: skip
    assert result.returncode == 2
    assert "nothing was signed" in result.stderr and "wrong PIN" in result.stderr
    assert "not asked again" in result.stderr
    assert csc.calls["credentials/authorize"] - authorized == 1
    assert contents(docs) == before


class ForgingApi(CscApi):
    """A service that signs with another credential's key than the one asked for."""

    def sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        other = next(i for i in self.credentials if i != body.get("credentialID"))
        sad = body.get("SAD")
        self.sads[str(sad)].credential_id = other
        return super().sign_hash({**body, "credentialID": other})


def test_a_service_whose_signature_does_not_verify_writes_nothing(
    docs: Path, demo_store: Path, dinkes: Agreement
) -> None:
    rina = pki.holder_id(dinkes.pihak_pertama)
    before = contents(docs)
    with CscService(ForgingApi(load_credentials(demo_store, b"demo", PIN), TOKEN)) as forging:
        result = sign(
            str(docs / "pk-2026-dinkes.pdf"), "--role", "pihak-pertama", "--csc", forging.url,
            "--csc-credential", rina, "--trust", str(demo_store), "--level", "B-B",
        )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the signed result does not verify, nothing was written" in result.stderr
    assert contents(docs) == before


def test_the_demo_service_offers_every_party_of_the_store(demo_store: Path) -> None:
    with demo_csc_service(demo_store, b"demo", token=TOKEN, pins=PIN) as service:
        listed = service.api.call("credentials/list", {})["credentialIDs"]
    assert sorted(listed) == sorted(p.stem for p in (demo_store / "pihak").glob("*.p12"))


class FailingApi(CscApi):
    """A service whose signHash fails (HTTP 503) after everything else worked."""

    def sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        raise CscError(503, "server_error", "signing module unavailable")


def test_a_service_failing_at_sign_hash_writes_nothing(
    docs: Path, demo_store: Path, dinkes: Agreement
) -> None:
    rina = pki.holder_id(dinkes.pihak_pertama)
    picked = [docs / "pk-2026-dinkes.pdf", docs / "pi-2026-dinkes.pdf"]
    before = contents(docs)
    with CscService(FailingApi(load_credentials(demo_store, b"demo", PIN), TOKEN)) as failing:
        result = sign(
            *map(str, picked), "--role", "pihak-pertama", "--csc", failing.url,
            "--csc-credential", rina, "--trust", str(demo_store), "--level", "B-B",
        )  # fmt: skip
        assert failing.calls["signatures/signHash"] == 1  # the second document is not sent
    assert result.returncode == 2, result.stdout + result.stderr
    assert "signatures/signHash failed (HTTP 503); run again later" in result.stderr
    assert "not asked again" in result.stderr and "Traceback" not in result.stderr
    assert contents(docs) == before


def test_a_scal_2_service_binds_each_sad_to_its_hash(
    docs: Path, demo_store: Path, dinkes: Agreement
) -> None:
    """With SCAL 2 a SAD must name the hash it signs: the PIN goes with each signature's hash
    (nothing to check before the batch), and the document verifies."""
    rina = pki.holder_id(dinkes.pihak_pertama)
    pdf = docs / "pk-2026-dinkes.pdf"
    credentials = load_credentials(demo_store, b"demo", PIN, scal=2)
    with CscService(CscApi(credentials, TOKEN)) as service:
        for role, credential in (
            ("pihak-pertama", ["--csc-credential", rina]),
            ("pihak-kedua", []),
        ):
            result = sign(
                str(pdf), "--role", role, "--csc", service.url, *credential,
                "--trust", str(demo_store), "--level", "B-B",
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
        assert service.calls["credentials/authorize"] == service.calls["signatures/signHash"] == 2
    assert [d["verdict"] for d in verify(str(pdf), "--trust", str(demo_store))["documents"]] == [
        "VALID"
    ]
