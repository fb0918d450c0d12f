"""Fuzzing the verifier: a fixed sample of the signed-PDF fuzz campaign (tools/fuzz_pdfs.py).

Mutants of a Perjanjian Kinerja and a Pakta Integritas signed at B-LTA by both parties (byte
flips, truncation, spliced revisions, hostile incremental updates: bombs, deep nesting, forged
lengths, reference and xref loops, self-containing object streams, long names, many objects)
each go through the verifier in a child process under 1 GB of address space and a timeout.
None may be VALID unless it is the signed file itself (or differs only in bytes no reader
interprets), none may end in a traceback, a hang or past the memory cap. The unmutated files
are the control: they must stay VALID, so the fuzzing is not merely feeding a verifier that
rejects everything. `python tools/fuzz_pdfs.py` runs the whole campaign (10,000 cases).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from signer.trust import load_trust_config
from signer.verify.evidence import VerifyOptions
from signer.verify.result import Verdict
from signer.verify.run import verify_bytes

pytestmark = [pytest.mark.slow, pytest.mark.office]

CASES = int(os.environ.get("KINERJA_FUZZ_CASES", "600"))  # about 40 s on 2 cores
FIRST = 20_000  # the sample's seeds: fixed, so a failure is replayed with the same seed


def _fuzz() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "tools" / "fuzz_pdfs.py"
    spec = importlib.util.spec_from_file_location("fuzz_pdfs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_pdfs"] = module  # its dataclass and the workers look it up
    spec.loader.exec_module(module)
    return module


def test_mutations_never_pass_and_never_crash(signed_example: Path, demo_store: Path) -> None:
    fuzz = _fuzz()
    originals = [(signed_example / name).read_bytes() for name in fuzz.FILES]
    options = VerifyOptions(load_trust_config([demo_store]))
    for data in originals:  # the control
        assert verify_bytes(data, "control.pdf", options).verdict is Verdict.VALID
    jobs = len(os.sched_getaffinity(0))
    results = fuzz.campaign(originals, options, range(FIRST, FIRST + CASES), jobs)
    counts = Counter(r.outcome for r in results)
    bad = [
        (r.seed, r.kind, r.outcome, r.detail[-400:])
        for r in results
        if r.outcome in fuzz.MUST_BE_ZERO
    ]
    assert not bad, bad[:5]
    assert counts["invalid"] + counts["unusable"] > CASES * 3 // 4, counts
    # every kind of mutation was tried
    assert {r.kind for r in results} == set(fuzz.KINDS)
