"""`kinerja bsre emulator`: the emulator in the foreground for people driving it with their own
client. It prints what they need (URL, client credentials, trust anchor, accounts) and answers
for those accounts; Ctrl-C or SIGTERM stops it cleanly, and a restart serves the same PKI."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import KINERJA, run_kinerja


def start(folder: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start it and read its output up to the line that says how to stop it."""
    proc = subprocess.Popen(
        [KINERJA, "bsre", "emulator", "--folder", str(folder), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            break
    else:
        raise AssertionError(f"it stopped: {proc.stderr.read() if proc.stderr else ''}")
    return proc, lines


def status(url: str, user: str, password: str, nik: str) -> dict[str, object]:
    request = urllib.request.Request(
        url + "/api/v2/user/check/status",
        data=json.dumps({"nik": nik}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


@pytest.mark.slow
def test_the_emulator_command_serves_the_example_accounts(tmp_path: Path) -> None:
    folder = tmp_path / "bsre"
    proc, lines = start(folder)
    try:
        text = "\n".join(lines)
        url = re.search(r"at (http://127\.0\.0\.1:\d+)", text)
        client = re.search(r"client \(HTTP Basic\): (\S+) / (\S+)", text)
        assert url and client, text
        assert f"trust anchor (--trust): {folder / 'ca' / 'root.crt'}" in text
        accounts = [line.split() for line in lines if re.match(r"\d{16} ", line)]
        assert len(accounts) > 10, text  # every party of the example ceremony
        assert all(a[-2] == "demo" for a in accounts)
        nik = accounts[0][0]
        answer = status(url.group(1), client.group(1), client.group(2), nik)
        assert answer["status"] == "ISSUE"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err

    again, lines = start(folder)
    try:
        assert f"at {url.group(1)}" in "\n".join(lines), "the same port: the URLs in its PKI"
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
    assert again.returncode == 0


def test_a_bad_listen_address_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_kinerja("bsre", "emulator", "--folder", str(tmp_path / "b"), "--listen", "x")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --listen x") and "Traceback" not in result.stderr
