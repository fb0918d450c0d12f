"""`kinerja demo --bsre`: the ceremony signed through the BSrE emulator, extended, verified now
and in 2036 (apart from test_demo.py, so that the two long demos run side by side)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


def test_demo_through_bsre_signs_extends_and_verifies_in_2036(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run_kinerja("demo", "--bsre", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "88 signed at PAdES B-T through the BSrE emulator" in out
    assert "44 signer(s)" in out  # each kepala their own agreements
    assert "2 signer(s)" in out  # the wali kota (and the Sekda for the Bagian)
    assert "88 to PAdES B-LTA" in out
    assert "88 of 88 VALID against the BSrE emulator's root, offline" in out
    assert "88 of 88 VALID as of 2036-01-01" in out
    pdf = sorted((folder / "keluaran").glob("pk-*.pdf"))[0]
    report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
    assert report.count("Signature is Valid.") == 2
    assert report.count("Signature Field Name: esc_") == 2
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
