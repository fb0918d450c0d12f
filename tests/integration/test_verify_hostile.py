"""Hostile PDFs through `kinerja verify` within 1 GB of address space: each is INVALID or
unusable input (exit 1 or 2), said in a line, in seconds; never a traceback, a hang, or a
verification that takes the machine's memory."""

from __future__ import annotations

import importlib.util
import io
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pikepdf
import pytest

from tests.conftest import KINERJA

pytestmark = [pytest.mark.slow, pytest.mark.office]

ROOT = Path(__file__).resolve().parents[2]
ONE_GB = 1 << 30


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_pdfs", ROOT / "tools" / "fuzz_pdfs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_pdfs"] = module  # its dataclass and the fuzz test's workers look it up
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz()


def _numbers(good: bytes) -> tuple[int, int, int]:
    """The first page, its content stream and the embedded agreement's stream."""
    with pikepdf.open(io.BytesIO(good)) as pdf:
        page = pdf.pages[0].obj
        contents = page.Contents
        content = contents[0] if isinstance(contents, pikepdf.Array) else contents
        return page.objgen[0], content.objgen[0], pdf.Root.AF[0].EF.F.objgen[0]


def _bomb(good: bytes) -> bytes:
    return fuzz._stream(b"/Filter /FlateDecode", fuzz.flate_bomb())


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "bomb-as-page-content": lambda g: fuzz.append_update(g, {_numbers(g)[1]: _bomb(g)}),
    "bomb-as-embedded-agreement": lambda g: fuzz.append_update(
        g,
        {
            _numbers(g)[2]: fuzz._stream(
                b"/Type /EmbeddedFile /Subtype /application#2Fjson /Filter /FlateDecode",
                fuzz.flate_bomb(),
            )
        },
    ),
    "nested-array-10^6": lambda g: fuzz.append_update(
        g, {_numbers(g)[0]: b"[" * 1_000_000 + b"]" * 1_000_000}
    ),
    "length-2^40": lambda g: fuzz.append_update(
        g, {_numbers(g)[2]: fuzz._stream(b"/Type /EmbeddedFile", b"{}", 1 << 40)}
    ),
    "100000-objects": lambda g: fuzz.append_update(
        g,
        {
            **{100_000 + i: b"<</K %d>>" % i for i in range(100_000)},
            _numbers(g)[0]: b"<</Kids ["
            + b" ".join(b"%d 0 R" % (100_000 + i) for i in range(100_000))
            + b"]>>",
        },
    ),
}


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ONE_GB, ONE_GB))


def _verify(path: Path, store: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        [KINERJA, "verify", str(path), "--trust", str(store)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
    )
    return done, time.perf_counter() - start


def _judged_in_a_line(done: subprocess.CompletedProcess[str], seconds: float) -> None:
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    assert done.returncode in (1, 2), out
    if done.returncode == 2:
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), out
    else:
        assert done.stdout.startswith("INVALID "), out
    assert seconds < 60, seconds


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_pdf_is_refused_within_bounds(
    name: str, signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    good = (signed_example / "pk-2026-dinkes.pdf").read_bytes()
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(HOSTILE[name](good))
    done, seconds = _verify(path, demo_store)
    _judged_in_a_line(done, seconds)
    assert done.returncode == 1, done.stderr  # measured and judged, not merely cut off


def test_a_huge_file_a_pipe_and_a_device_are_not_read(
    signed_example: Path, demo_store: Path, tmp_path: Path
) -> None:
    sparse = tmp_path / "sparse.pdf"
    with sparse.open("wb") as f:
        f.write((signed_example / "pk-2026-dinkes.pdf").read_bytes())
        f.truncate(500 * 1024 * 1024)  # 500 MB, a hole on disk
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    for path in (sparse, pipe, Path("/dev/zero")):
        done, seconds = _verify(path, demo_store)
        _judged_in_a_line(done, seconds)
        assert done.returncode == 2
        assert seconds < 20, (path, seconds)
