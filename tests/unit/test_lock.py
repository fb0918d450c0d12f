"""Folder locks, with real processes: a second command on a folder being written waits, then
refuses with who holds it; a lock dies with its process (kill -9 included), also while forked
workers it started live on; reading commands take none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from signer.errors import InputError
from signer.lock import LOCK_NAME, FolderBusy, hold, locked, release_all
from tests.conftest import run_kinerja

HOLDER = """
import sys, time
from signer.lock import hold
hold([sys.argv[1]], "kinerja sign")
print("held", flush=True)
time.sleep(120)
"""

# holds the lock, then forks two pool workers (as signing does) that outlive it
HOLDER_WITH_WORKERS = """
import os, sys, time
from signer.batch import Batch, Outcome, Status
from signer.lock import hold

hold([sys.argv[1]], "kinerja sign")

def work(i):
    with open(os.path.join(sys.argv[2], f"worker-{os.getpid()}"), "w") as f:
        f.write("")
    time.sleep(120)
    return Outcome(str(i), Status.DONE)

Batch("sign", work, str, jobs=2, progress=False, processes=True).run([1, 2])
"""


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait(timeout=10)


def test_a_second_command_waits_then_refuses_with_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "keluaran"
    holder = _start(HOLDER, str(folder))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(FolderBusy) as info:
            hold([folder], "kinerja generate", wait=1.0)
        assert time.monotonic() - start >= 1.0, "it waits a while first"
        message = str(info.value)
        assert message.startswith(f"{folder} is being written by `kinerja sign` (pid {holder.pid})")
        assert message.endswith("run again when it has finished")
        # the command line: one line, exit 2
        (folder / "pk-2026-dinkes.pdf").write_bytes(b"%PDF-1.7\n")
        env = {**os.environ, "KINERJA_LOCK_WAIT": "0.5"}
        result = run_kinerja("sign", str(folder), "--role", "pihak-pertama", env=env)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [f"error: {message}"]
        # reading commands take no lock
        verify = run_kinerja("verify", str(folder), env=env)
        assert "being written" not in verify.stderr + verify.stdout
    finally:
        _kill(holder)


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path) -> None:
    holder = _start(HOLDER, str(tmp_path))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert (tmp_path / LOCK_NAME).exists(), "the file stays; the lock does not"
    with locked([tmp_path], "kinerja sign", wait=0):
        assert str(os.getpid()) in (tmp_path / LOCK_NAME).read_text()


def test_forked_workers_do_not_keep_the_lock_after_their_parent_died(tmp_path: Path) -> None:
    folder, pids = tmp_path / "keluaran", tmp_path / "pids"
    pids.mkdir()
    holder = _start(HOLDER_WITH_WORKERS, str(folder), str(pids))
    workers: list[int] = []
    try:
        for _ in range(100):  # both workers at work
            workers = [int(p.name.split("-")[1]) for p in pids.iterdir()]
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        with pytest.raises(FolderBusy):
            hold([folder], "kinerja generate", wait=0)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        # free at once, although the workers (forked while it was held) may live on: until
        # they die with their parent, they must not keep it
        with locked([folder], "kinerja generate", wait=2):
            pass
    finally:
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if holder.poll() is None:
            _kill(holder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_one_process_may_lock_a_folder_twice_and_release_frees_it(tmp_path: Path) -> None:
    try:
        hold([tmp_path], "kinerja init")
        hold([tmp_path, tmp_path / "keys"], "kinerja keys demo")  # already ours: fine
        probe = subprocess.run(
            [sys.executable, "-c", HOLDER.replace("time.sleep(120)", ""), str(tmp_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "KINERJA_LOCK_WAIT": "0"},
        )
        assert "FolderBusy" in probe.stderr
    finally:
        release_all()
    probe = subprocess.run(
        [sys.executable, "-c", HOLDER.replace("time.sleep(120)", ""), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "held", probe.stderr


def test_a_file_where_a_folder_belongs_is_one_clear_line(tmp_path: Path) -> None:
    target = tmp_path / "keluaran"
    target.write_text("x")
    with pytest.raises(InputError, match="keluaran: exists and is not a folder"):
        hold([target], "kinerja generate", wait=0)
    with pytest.raises(InputError, match="cannot create the folder"):
        hold([target / "sub"], "kinerja generate", wait=0)


def test_a_folder_made_for_the_lock_and_left_empty_goes_again(tmp_path: Path) -> None:
    out = tmp_path / "evaluasi" / "2026"
    with locked([out], "kinerja evaluate", wait=0):
        assert (out / LOCK_NAME).is_file()
    assert not (tmp_path / "evaluasi").exists(), "nothing written, nothing left"
    with locked([out], "kinerja evaluate", wait=0):
        (out / "evaluasi.json").write_text("{}")
    assert [p.name for p in out.iterdir()] == ["evaluasi.json"], "no lock file left either"


def test_a_command_waiting_on_a_removed_lock_file_takes_a_new_one(tmp_path: Path) -> None:
    """The holder ends and removes its lock file while a second command waits on it: the second
    must lock the file that is there now, or a third could take the folder beside it."""
    ends = "time.sleep(1.5)\nfrom signer.lock import release_all\nrelease_all()"
    holder = _start(HOLDER.replace("time.sleep(120)", ends), str(tmp_path))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with locked([tmp_path], "kinerja generate", wait=20):
        assert holder.wait(timeout=10) == 0
        assert (tmp_path / LOCK_NAME).is_file()
        assert str(os.getpid()) in (tmp_path / LOCK_NAME).read_text()
        with pytest.raises(FolderBusy):
            _third(tmp_path)


def _third(folder: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", HOLDER.replace("time.sleep(120)", ""), str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "KINERJA_LOCK_WAIT": "0"},
    )
    if "FolderBusy" in probe.stderr:
        raise FolderBusy(probe.stderr)
