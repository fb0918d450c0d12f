"""Shared fixtures: the example workspace, and a way to run the real `kinerja` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

KINERJA = str(Path(sys.executable).with_name("kinerja"))


@pytest.fixture(scope="session")
def example_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace written by `kinerja init`, shared read-only by the tests."""
    from signer.example.workspace import write_workspace

    folder = tmp_path_factory.mktemp("example")
    write_workspace(folder)
    return folder


@pytest.fixture(scope="session")
def demo_store(example_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo key store for the example's parties, shared read-only by the tests."""
    from signer.demo import make_demo_store

    folder = tmp_path_factory.mktemp("store") / "keys"
    make_demo_store(folder, example_workspace / "kinerja.xlsx")
    return folder


@pytest.fixture()
def workspace(example_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the example workspace that a test may change."""
    target = tmp_path / "ws"
    shutil.copytree(example_workspace, target)
    return target


def edit_workbook(
    path: Path,
    edits: dict[tuple[str, str], Any] | None = None,
    change: Callable[[Any], None] | None = None,
) -> Path:
    """Change cells of a workbook in place: {(sheet, "B3"): value}, or any change(workbook)."""
    wb = load_workbook(path)
    for (sheet, ref), value in (edits or {}).items():
        wb[sheet][ref] = value
    if change:
        change(wb)
    wb.save(path)
    return path


def run_kinerja(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kinerja` command as a user would."""
    return subprocess.run(
        [KINERJA, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )
