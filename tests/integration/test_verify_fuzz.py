"""Fuzzing the verifier: thousands of mutated, truncated and random files.

Each must come back as a verdict that is not VALID, or as a clean "unusable input" error;
never a traceback, never VALID. The unmutated file is the control: it must stay VALID, so the
fuzzing is not merely feeding a verifier that rejects everything.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from pathlib import Path

import pytest

from signer.errors import InputError
from signer.trust import load_trust_config
from signer.verify.evidence import VerifyOptions
from signer.verify.result import Verdict
from signer.verify.run import verify_bytes

pytestmark = [pytest.mark.slow, pytest.mark.office]

CASES = int(os.environ.get("KINERJA_FUZZ_CASES", "2000"))

_GOOD: bytes = b""
_OPTIONS: VerifyOptions | None = None


def _mutate(seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(_GOOD)
    kind = seed % 6
    if kind == 0:  # a few random bytes changed anywhere
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:  # truncated
        del data[rng.randrange(16, len(data)) :]
    elif kind == 2:  # a chunk duplicated or moved
        start = rng.randrange(len(data))
        chunk = data[start : start + rng.randint(1, 4096)]
        at = rng.randrange(len(data))
        data[at:at] = chunk
    elif kind == 3:  # bytes in the structural tail (xref, trailer, signature dictionaries)
        tail = max(0, len(data) - 6000)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(tail, len(data))] = rng.choice(b"0123456789 /<>[]RobjxefEO%")
    elif kind == 4:  # junk appended
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 2048)))
    else:  # random bytes after a PDF header
        data = bytearray(
            b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 4096)))
        )
    return bytes(data)


def _run(seed: int) -> tuple[int, str]:
    assert _OPTIONS is not None
    data = _mutate(seed)
    if data == _GOOD:
        return seed, "same"
    try:
        report = verify_bytes(data, f"fuzz-{seed}.pdf", _OPTIONS)
    except InputError:
        return seed, "unusable"
    except BaseException as e:  # the thing this test exists to catch
        return seed, f"TRACEBACK {e.__class__.__name__}: {e}"
    return seed, report.verdict.value


@pytest.fixture(scope="module")
def good(signed_example: Path, demo_store: Path) -> bytes:
    """A Pakta Integritas signed by both parties at B-LTA (one page: quick to mutate)."""
    global _GOOD, _OPTIONS
    data = (signed_example / "pi-2026-dinkes.pdf").read_bytes()
    _GOOD = data
    _OPTIONS = VerifyOptions(load_trust_config([demo_store]))
    return data


def test_control_is_valid(good: bytes) -> None:
    assert _OPTIONS is not None
    assert verify_bytes(good, "control.pdf", _OPTIONS).verdict is Verdict.VALID


def test_mutations_never_pass_and_never_crash(good: bytes) -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(os.cpu_count() or 1) as pool:
        results = pool.map(_run, range(CASES), chunksize=16)
    crashes = [(seed, r) for seed, r in results if r.startswith("TRACEBACK")]
    assert not crashes, crashes[:5]
    valid = [seed for seed, r in results if r == Verdict.VALID.value]
    # a mutation may land in bytes no reader looks at (padding of /Contents, whitespace);
    # the file must then still be the signed one, byte for byte where it matters
    for seed in valid:
        data = _mutate(seed)
        assert len(data) == len(good) and _differs_only_in_ignored_bytes(good, data), seed
    outcomes = [r for _, r in results]
    assert outcomes.count("INVALID") > CASES // 2, sorted(set(outcomes))


def _differs_only_in_ignored_bytes(a: bytes, b: bytes) -> bool:
    """True when every differing byte lies where the PDF has no meaning (whitespace)."""
    return all(
        x == y or (chr(x) in " \r\n\t" and chr(y) in " \r\n\t") for x, y in zip(a, b, strict=True)
    )
