"""The command line as a user meets it: commands listed, clear errors, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from signer.workbooks.ceremony_read import read_workbook
from tests.conftest import KINERJA, run_kinerja

COMMANDS = ("init", "generate", "sign", "verify", "evaluate", "demo", "keys")


def test_help_lists_the_ceremony_commands() -> None:
    result = run_kinerja("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout


@pytest.mark.parametrize("name", ["generate", "sign", "verify", "evaluate", "keys"])
def test_commands_take_consistent_options(name: str) -> None:
    result = run_kinerja(name, "--help")
    assert result.returncode == 0
    if name in ("generate", "sign", "evaluate"):
        assert "-o, --out" in result.stdout
    if name != "keys":
        assert "--json" in result.stdout
        assert "--jobs" in result.stdout


def test_init_writes_a_workspace_that_reads(tmp_path: Path) -> None:
    folder = tmp_path / "upacara"
    result = run_kinerja("init", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in folder.iterdir()} >= {"kinerja.xlsx", "realisasi.xlsx", "logo.png"}
    ceremony = read_workbook(folder / "kinerja.xlsx")
    assert len([a for a in ceremony.agreements if a.jenis.has_targets]) >= 40
    assert not list(folder.glob(".*.part")), "no temporary files left"


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run_kinerja("init", str(tmp_path)).returncode == 0
    before = (tmp_path / "kinerja.xlsx").read_bytes()
    result = run_kinerja("init", str(tmp_path))
    assert result.returncode == 2
    assert "already holds" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "kinerja.xlsx").read_bytes() == before
    assert run_kinerja("init", "--force", str(tmp_path)).returncode == 0


def test_init_into_a_file_is_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = run_kinerja("init", str(target))
    assert result.returncode == 2
    assert "not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_usage_error() -> None:
    result = run_kinerja("tandatangan")
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_init_prints_next_steps_that_run_as_printed(tmp_path: Path) -> None:
    # a newcomer has not activated the venv: `kinerja` alone is not on PATH
    venv_bin = Path(KINERJA).parent
    env = {**os.environ, "PATH": os.pathsep.join(["/usr/bin", "/bin"])}
    env.pop("KINERJA_PASSPHRASE", None)
    folder = tmp_path / "upacara baru"
    result = run_kinerja("init", str(folder), cwd=venv_bin.parent.parent, env=env)
    assert result.returncode == 0, result.stderr
    steps = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert [s.split()[1] for s in steps if not s.startswith("KINERJA")] == [
        "check",
        "generate",
        "verify",
        "evaluate",
    ]
    assert all(" --keys " not in s or s.startswith("KINERJA_PASSPHRASE=demo ") for s in steps)
    assert not steps[0].startswith("kinerja "), "kinerja is not on PATH; the path is printed"
    assert "source " in result.stdout and "activate" in result.stdout
    check = subprocess.run(
        steps[0], shell=True, cwd=venv_bin.parent.parent, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
