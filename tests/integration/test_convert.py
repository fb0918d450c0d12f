"""LibreOffice conversion for real: warm workers, checked output, hung workers restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from docx import Document

from signer.office.convert import ConversionError, OfficePool

pytestmark = [pytest.mark.slow, pytest.mark.office]


@pytest.fixture(scope="module")
def pool():  # type: ignore[no-untyped-def]
    with OfficePool(1, timeout=8) as p:
        yield p


def _docx(path: Path, text: str) -> Path:
    doc = Document()
    doc.add_paragraph(text)
    doc.save(path)
    return path


def _soffice_pids(root: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-s", str(os.getsid(root)), "soffice.bin"], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()]


def test_converts_to_pdfa3(pool: OfficePool, tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pool.convert(_docx(tmp_path / "a.docx", "Dinas P&K <Kota Contoh>"), pdf)
    import pikepdf

    with pikepdf.open(pdf) as p:
        meta = p.open_metadata()
        assert meta.pdfa_status == "3B"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Dinas P&K <Kota Contoh>" in text


def test_text_file_named_docx_is_refused(pool: OfficePool, tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_text("not a word document")
    with pytest.raises(ConversionError, match="could not convert"):
        pool.convert(bad, tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()


def test_dead_worker_is_restarted(pool: OfficePool, tmp_path: Path) -> None:
    worker = pool._workers[0]
    assert worker.process is not None
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    pool.convert(_docx(tmp_path / "b.docx", "setelah mati"), tmp_path / "b.pdf")
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF-")


def test_hung_worker_is_restarted_within_the_timeout(pool: OfficePool, tmp_path: Path) -> None:
    worker = pool._workers[0]
    assert worker.process is not None
    pids = _soffice_pids(worker.process.pid)
    assert pids, "a LibreOffice process runs behind the worker"
    restarts = pool.restarts
    # freeze LibreOffice mid-flight: the conversion can only finish through a restart
    threading.Timer(0.05, lambda: [os.kill(p, signal.SIGSTOP) for p in pids]).start()
    time.sleep(0.2)
    start = time.monotonic()
    pool.convert(_docx(tmp_path / "c.docx", "beku"), tmp_path / "c.pdf")
    assert time.monotonic() - start < 8 + 10 + 30
    assert pool.restarts == restarts + 1
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-")
    for p in pids:  # the frozen processes are gone
        assert not Path(f"/proc/{p}").exists() or "Z" in Path(f"/proc/{p}/stat").read_text()


def test_close_leaves_no_office_running(tmp_path: Path) -> None:
    with OfficePool(1, timeout=30) as p:
        p.convert(_docx(tmp_path / "d.docx", "selesai"), tmp_path / "d.pdf")
        session = os.getsid(p._workers[0].process.pid)  # type: ignore[union-attr]
    time.sleep(0.5)
    out = subprocess.run(
        ["ps", "-o", "stat=", "-s", str(session)], capture_output=True, text=True
    ).stdout.split()
    assert all(stat.startswith("Z") for stat in out), out
