"""Writes never damage a user's file: temporary file in the same folder, fsync, rename."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from signer import fsio


def test_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    fsio.write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_failure_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "kinerja.xlsx"
    target.write_bytes(b"precious")

    def half_write(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fsio.write_with(target, half_write)
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["kinerja.xlsx"]


def test_modes(tmp_path: Path) -> None:
    secret = tmp_path / "pihak.p12"
    fsio.write_bytes(secret, b"key", mode=0o600)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    normal = tmp_path / "out.pdf"
    fsio.write_bytes(normal, b"pdf")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(normal.stat().st_mode) == 0o666 & ~mask
