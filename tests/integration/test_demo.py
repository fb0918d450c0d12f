"""`make demo` runs `kinerja demo`: the ceremony on the example, every stage that exists."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signer.demo import DEMO_VERIFY_URL
from signer.embedded import read_embedded
from signer.verify.qr import drawn_qr_codes
from tests.conftest import run_kinerja

pytestmark = [pytest.mark.slow, pytest.mark.office]


def test_demo_runs_the_ceremony(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run_kinerja("demo", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    for step in (
        "init:",
        "read:",
        "generate:",
        "sign pihak-pertama:",
        "sign pihak-kedua:",
        "verify:",
        "archive:",
    ):
        assert step in result.stdout
    assert "88 signed at PAdES B-LTA" in result.stdout
    assert "88 of 88 VALID" in result.stdout
    for name in ("evaluasi.json", "evaluasi.xlsx", "evaluasi.pdf"):
        assert (folder / "evaluasi" / name).stat().st_size > 0
    pdfs = sorted((folder / "keluaran").glob("*.pdf"))
    assert len(pdfs) == 88
    report = subprocess.run(["pdfsig", str(pdfs[0])], capture_output=True, text=True).stdout
    assert report.count("Signature is Valid.") == 2
    # the demo's QR codes open the local portal (`kinerja serve demo`) at the document's code
    data = pdfs[0].read_bytes()
    sha256 = read_embedded(PdfFileReader(io.BytesIO(data)).root).sha256
    assert f"{DEMO_VERIFY_URL}{sha256}" in {c.payload for c in drawn_qr_codes(data, [0])}
    # the archive `kinerja serve` publishes: every agreement, VALID, and the evaluation
    from signer.archive import default_url, open_registry

    with open_registry(default_url(folder)) as registry:
        archived = registry.agreements()
        assert len(archived) == 88 and {a.verdict for a in archived} == {"VALID"}
        pk = next(a for a in archived if a.id.startswith("pk-"))
        assert registry.latest_evaluation(pk.code) is not None
    again = run_kinerja("demo", "-o", str(folder))
    assert again.returncode == 0, again.stderr
    assert "88 signed and kept" in again.stdout and "88 already signed" in again.stdout
    with open_registry(default_url(folder)) as registry:
        assert len(registry.codes()) == 88  # running again archives nothing twice
