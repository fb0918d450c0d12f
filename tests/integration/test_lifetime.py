"""Children die with kinerja, and secrets stay in it.

`kinerja generate` and `kinerja sign` are killed with SIGKILL in the middle of a batch: within a
few seconds no process they started is left (the signing workers held every party's decrypted
key; a LibreOffice converting at that moment once ran on at 5 GB), the files written are whole,
and the same command carries on. LibreOffice never sees the passphrase or the PIN.

Processes are found by a marker variable in their environment, which every child inherits
(LibreOffice included): no process of a run can hide from the scan by being re-parented.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from signer.secret import SECRET_ENVS
from signer.sign.rules import read_prepared, read_strict, signature_fields
from tests.conftest import KINERJA, run_kinerja

MARKER = "LIFETIME_MARKER"
SECRETS = {"KINERJA_PASSPHRASE": "demo", "KINERJA_PIN": "246810"}


def _environ(pid: int) -> dict[bytes, bytes]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or a zombie
        return {}
    pairs = (entry.partition(b"=") for entry in raw.split(b"\0") if entry)
    return {k: v for k, _, v in pairs}


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def marked(marker: str) -> dict[int, str]:
    """Every live process carrying ``marker`` in its environment: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if _environ(pid).get(MARKER.encode()) == marker.encode():
                found[pid] = _command(pid)
    return found


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def start(marker: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, MARKER: marker, **SECRETS}
    return subprocess.Popen(
        [KINERJA, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill_and_expect_no_child(process: subprocess.Popen[bytes], marker: str) -> None:
    """SIGKILL the kinerja process; every process of its run must be gone within 5 s."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    try:
        wait_for(lambda: not marked(marker), 5, "every child of the killed kinerja ended")
    except AssertionError:
        left = marked(marker)
        for pid in left:  # leave nothing behind for the other tests
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"still running after kinerja was killed: {left}") from None


@pytest.mark.slow
@pytest.mark.office
def test_generate_killed_mid_batch_leaves_no_libreoffice_and_carries_on(
    workspace: Path, tmp_path: Path
) -> None:
    book, out = workspace / "kinerja.xlsx", tmp_path / "keluaran"
    units = ("DINKES", "SETDA", "INSPEKTORAT", "DISDIK", "DISHUB", "BPBD")
    only = [arg for u in units for arg in ("--only", u)]
    marker = uuid.uuid4().hex
    run = start(marker, "generate", str(book), "-o", str(out), "--jobs", "2", *only)
    try:
        soffice = wait_for(
            lambda: [p for p, cmd in marked(marker).items() if "soffice.bin" in cmd],
            120,
            "LibreOffice started",
        )
        # LibreOffice runs with our environment, but without a secret
        assert isinstance(soffice, list)
        for pid in soffice:
            env = _environ(pid)
            assert env.get(MARKER.encode()) == marker.encode()
            assert not {s.encode() for s in SECRET_ENVS} & set(env), _command(pid)
        wait_for(lambda: list(out.glob("*.pdf")), 120, "a first agreement generated")
    finally:
        kill_and_expect_no_child(run, marker)
    written = sorted(out.glob("*.pdf"))
    assert written
    for pdf in written:  # whole files only: each is a prepared agreement
        read_prepared(read_strict(pdf.read_bytes(), pdf.name), pdf.name)
    again = run_kinerja("generate", str(book), "-o", str(out), "--jobs", "2", *only)
    assert again.returncode == 0, again.stderr
    assert len(list(out.glob("*.pdf"))) == 2 * len(units)


@pytest.mark.slow
@pytest.mark.office
def test_sign_killed_mid_batch_leaves_no_worker_and_carries_on(
    prepared_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "berkas"
    for copy in range(3):  # enough documents to be in the middle of the batch
        shutil.copytree(prepared_example, folder / f"salinan{copy}")
    files = sorted(folder.rglob("*.pdf"))
    marker = uuid.uuid4().hex
    args = ("sign", str(folder), "--role", "pihak-pertama", "--keys", str(demo_store))
    run = start(marker, *args, "--jobs", "2")
    try:
        # the workers fork once every document passed the rules: then the keys are in them
        wait_for(
            lambda: len([p for p in marked(marker) if p != run.pid]) >= 2,
            120,
            "signing workers forked",
        )
        assert run.poll() is None, "the batch ended before it could be killed"
    finally:
        kill_and_expect_no_child(run, marker)

    def signed(pdf: Path) -> bool:
        return signature_fields(read_strict(pdf.read_bytes(), pdf.name))["pihak-pertama"].signed

    before = {pdf: signed(pdf) for pdf in files}  # each whole: signed or still to sign
    assert not all(before.values())
    again = run_kinerja(*args, "--jobs", "2", env={**os.environ, **SECRETS})
    assert again.returncode == 0, again.stderr
    assert all(signed(pdf) for pdf in files)


HUNG_CONVERSION = """
import os, signal, sys, threading
from pathlib import Path
from signer.office.convert import OfficeWorker

worker = OfficeWorker(Path(sys.argv[1]), timeout=600)
# started by a thread that ends at once, as the pool's boot threads do: a parent-death signal
# tied to that thread would kill LibreOffice now, and none tied to it would outlive us
boot = threading.Thread(target=worker.start)
boot.start()
boot.join()
group = worker.process.pid
office = [
    int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
    and os.getpgid(int(p.name)) == group
    and b"soffice.bin" in (p / "cmdline").read_bytes()
]
for pid in office:
    os.kill(pid, signal.SIGSTOP)  # LibreOffice stuck, as in the 5 GB conversion
print(" ".join(map(str, office)), flush=True)
worker.convert(Path(sys.argv[2]), Path(sys.argv[3]))  # never answers
"""


@pytest.mark.slow
@pytest.mark.office
def test_libreoffice_stuck_in_a_conversion_dies_with_kinerja(tmp_path: Path) -> None:
    from docx import Document

    docx = tmp_path / "surat.docx"
    document = Document()
    document.add_paragraph("Perjanjian Kinerja Tahun 2026")
    document.save(str(docx))
    marker = uuid.uuid4().hex
    run = subprocess.Popen(
        [str(Path(KINERJA).with_name("python")), "-c", HUNG_CONVERSION, str(tmp_path / "office"),
         str(docx), str(tmp_path / "surat.pdf")],
        env={**os.environ, MARKER: marker},
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert run.stdout is not None
        stopped = run.stdout.readline().split()
        assert stopped, "no soffice.bin found in the worker's process group"
        time.sleep(1)  # the request is in LibreOffice's hands
        assert run.poll() is None
        assert all(Path(f"/proc/{int(pid)}").exists() for pid in stopped)
    finally:
        kill_and_expect_no_child(run, marker)
