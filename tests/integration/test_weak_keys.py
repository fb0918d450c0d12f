"""`kinerja sign` refuses a key verification would reject (RSA-1024 here) before anything is
signed: one line naming the key file or token and the reason, exit 2, the document untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import run_kinerja
from tests.weak_keys import certificate, rsa_key, write_p12

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.fixture()
def document(prepared_example: Path, example_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of Dinas Kesehatan's prepared PK."""
    pdf = tmp_path / "pk-2026-dinkes.pdf"
    shutil.copy(prepared_example / pdf.name, pdf)
    return pdf


def pihak_pertama(workspace: Path) -> str:
    """The plain name of Dinas Kesehatan's head, as a certificate carries it."""
    from signer.names import plain_name

    ceremony = read_workbook(workspace / "kinerja.xlsx")
    return plain_name(
        next(a for a in ceremony.agreements if a.unit.kode == "DINKES").pihak_pertama.nama
    )


def refused_in_one_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    text = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, text
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    for needle in needles:
        assert needle in text, text


@pytest.mark.slow
@pytest.mark.office
@pytest.mark.parametrize("given", ["--p12", "--keys"])
def test_an_rsa_1024_key_file_signs_nothing(
    document: Path, example_workspace: Path, tmp_path: Path, given: str
) -> None:
    p12 = write_p12(
        tmp_path / "kunci" / "lemah.p12", rsa_key(1024), pihak_pertama(example_workspace)
    )
    before = document.read_bytes()
    source = str(p12) if given == "--p12" else str(p12.parent)
    result = run_kinerja(
        "sign", str(document), "--role", "pihak-pertama", given, source, "--level", "B-B",
        env={**os.environ, "KINERJA_PASSPHRASE": "demo"},
    )  # fmt: skip
    refused_in_one_line(result, str(p12), "RSA key of 1024 bits")
    assert document.read_bytes() == before
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == [document.name]


@pytest.mark.slow
@pytest.mark.office
def test_an_rsa_1024_key_on_a_token_signs_nothing(
    document: Path, example_workspace: Path, tmp_path: Path
) -> None:
    conf = tmp_path / "softhsm2.conf"
    (tmp_path / "tokens").mkdir()
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def run(*args: str) -> None:
        subprocess.run(args, env=env, check=True, capture_output=True)

    run("softhsm2-util", "--init-token", "--free", "--label", "kinerja-lemah",
        "--pin", "4321", "--so-pin", "87654321")  # fmt: skip
    key = rsa_key(1024)
    pem, der = tmp_path / "key.pem", tmp_path / "cert.der"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    der.write_bytes(certificate(key, pihak_pertama(example_workspace)).public_bytes(Encoding.DER))
    run("softhsm2-util", "--import", str(pem), "--token", "kinerja-lemah", "--label", "rina",
        "--id", "01", "--pin", "4321")  # fmt: skip
    run("pkcs11-tool", "--module", SOFTHSM, "--token-label", "kinerja-lemah", "--login",
        "--pin", "4321", "--write-object", str(der), "--type", "cert", "--id", "01",
        "--label", "rina")  # fmt: skip
    pem.unlink()
    before = document.read_bytes()
    result = run_kinerja(
        "sign", str(document), "--role", "pihak-pertama", "--pkcs11-module", SOFTHSM,
        "--token-label", "kinerja-lemah", "--level", "B-B",
        env={**env, "KINERJA_PIN": "4321"},
    )  # fmt: skip
    refused_in_one_line(result, "token 'kinerja-lemah' key 'rina'", "RSA key of 1024 bits")
    assert "4321" not in result.stdout + result.stderr
    assert document.read_bytes() == before
