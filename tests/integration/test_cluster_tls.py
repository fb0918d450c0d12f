"""`--dask tls://` against a scheduler and workers started as an operator would (`dask scheduler`
and `dask worker` with a CA of their own): the documents and the trust travel encrypted, the
verdicts are the local ones, and a client without the right certificate is told so in a line."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]

DASK = str(Path(sys.executable).with_name("dask"))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _tls_material(folder: Path, holders: tuple[str, ...]) -> None:
    """A CA (``ca.pem``) and, for each holder, a certificate and key it issued (``HOLDER.pem``,
    ``HOLDER.key``) good for both ends of a TLS connection on 127.0.0.1."""
    folder.mkdir(parents=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())

    def issue(subject: x509.Name, key: ec.EllipticCurvePrivateKey, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(_name(f"CA Klaster Uji {folder.name}"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            ).add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
        return builder.sign(ca_key, hashes.SHA256())

    ca = issue(_name(f"CA Klaster Uji {folder.name}"), ca_key, ca=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for holder in holders:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue(_name(holder), key, ca=False)
        (folder / f"{holder}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (folder / f"{holder}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _tls_flags(folder: Path, holder: str) -> list[str]:
    return [
        f"--tls-ca-file={folder / 'ca.pem'}",
        f"--tls-cert={folder / f'{holder}.pem'}",
        f"--tls-key={folder / f'{holder}.key'}",
    ]


def _client_env(folder: Path, holder: str, ca: Path | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(ca or folder / "ca.pem"),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(folder / f"{holder}.pem"),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(folder / f"{holder}.key"),
    }


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scheduler and 2 single-threaded workers over TLS (each a process of its own), and the
    folder of its CA and certificates (``node``: the cluster's, ``klien``: the client's)."""
    folder = tmp_path_factory.mktemp("dask-tls") / "pki"
    _tls_material(folder, ("node", "klien"))
    scheduler_file = folder.parent / "scheduler.json"
    logs = (folder.parent / "scheduler.log").open("w"), (folder.parent / "worker.log").open("w")
    common = ["--scheduler-file", str(scheduler_file), "--no-dashboard"]
    common += _tls_flags(folder, "node")
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0", *common],
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    workers = subprocess.Popen(
        [DASK, "worker", "--nthreads", "1", "--nworkers", "2", "--host", "127.0.0.1", *common],
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        address = _wait_for_workers(scheduler_file, folder, 2)
        yield address, folder
    finally:
        for process in (workers, scheduler):
            process.terminate()
        for process in (workers, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def _wait_for_workers(scheduler_file: Path, folder: Path, count: int) -> str:
    from distributed import Client, Security

    deadline = time.monotonic() + 90
    while not scheduler_file.exists():
        assert time.monotonic() < deadline, "the TLS scheduler did not start"
        time.sleep(0.2)
    address = str(json.loads(scheduler_file.read_text())["address"])
    assert address.startswith("tls://127.0.0.1:")
    security = Security(
        tls_ca_file=str(folder / "ca.pem"),
        tls_client_cert=str(folder / "klien.pem"),
        tls_client_key=str(folder / "klien.key"),
        require_encryption=True,
    )
    with Client(address, security=security, timeout=30) as client:
        client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
    return address


def test_verify_over_tls_gives_the_local_verdicts(
    tls_cluster: tuple[str, Path], signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    address, pki = tls_cluster
    folder = tmp_path / "signed"
    folder.mkdir()
    for pdf in sorted(signed_example.glob("*.pdf"))[:4]:
        shutil.copy(pdf, folder)
    trust = ("--trust", str(demo_store))
    local = run_kinerja("verify", str(folder), *trust, "--json")
    assert local.returncode == 0, local.stderr
    there = run_kinerja(
        "verify", str(folder), *trust, "--json", "--dask", address, env=_client_env(pki, "klien")
    )
    assert there.returncode == 0, there.stderr
    assert "Traceback" not in there.stderr
    documents = json.loads(there.stdout)["documents"]
    assert len(documents) == 4 and {d["verdict"] for d in documents} == {"VALID"}
    by_file = {d["file"]: d for d in documents}
    assert by_file == {d["file"]: d for d in json.loads(local.stdout)["documents"]}


def test_a_client_the_tls_scheduler_does_not_accept_is_told_in_one_line(
    tls_cluster: tuple[str, Path], signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    address, pki = tls_cluster
    stranger = tmp_path / "lain"  # another CA: its client certificate, and its CA as the check
    _tls_material(stranger, ("klien",))
    no_tls = {k: v for k, v in os.environ.items() if not k.startswith("DASK_DISTRIBUTED__COMM")}
    attempts = {
        "no TLS settings": (address, no_tls, "a TLS scheduler needs"),
        "plain TCP": (address.replace("tls://", "tcp://"), no_tls, "reached at tls://"),
        "a certificate of another CA": (
            address,
            _client_env(stranger, "klien", ca=pki / "ca.pem"),
            "the scheduler refused this client's certificate",
        ),
        "the scheduler checked against another CA": (
            address,
            _client_env(pki, "klien", ca=stranger / "ca.pem"),
            "TLS handshake with the scheduler failed",
        ),
        "a key file that is not there": (
            address,
            {**_client_env(pki, "klien"), "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": "/nope"},
            "cannot read a file of",
        ),
    }
    for what, (target, env, says) in attempts.items():
        done = run_kinerja(
            "verify", str(signed_example), "--trust", str(demo_store), "--dask", target, env=env
        )
        assert done.returncode == 2, (what, done.stderr)
        assert done.stdout == "", what
        assert done.stderr.count("\n") == 1, (what, done.stderr)
        assert done.stderr.startswith(f"error: --dask {target}: "), (what, done.stderr)
        assert says in done.stderr, (what, done.stderr)
