"""`make demo` runs `kinerja demo`: the ceremony on the example, every stage that exists."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_kinerja


def test_demo_runs_the_ceremony(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run_kinerja("demo", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    for step in ("init:", "read:", "generate:"):
        assert step in result.stdout
    pdfs = sorted((folder / "keluaran").glob("*.pdf"))
    assert len(pdfs) == 88
    again = run_kinerja("demo", "-o", str(folder))
    assert again.returncode == 0, again.stderr
    assert "88 already up to date" in again.stdout
