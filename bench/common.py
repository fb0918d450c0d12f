"""What the benchmarks share: the example ceremony generated in a scratch folder, with a demo
key store, and the command-line options every benchmark takes."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from signer.batch import default_jobs
from signer.demo import make_demo_store
from signer.example.workspace import write_workspace
from signer.generate.stage import GenerateOptions, generate
from signer.model import Ceremony
from signer.workbooks.ceremony_read import read_workbook

# the benchmarks sign and serve a TSA with the tests' helpers (tests/helpers.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def arguments(naive_sample: int, naive_help: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--naive-sample", type=int, default=naive_sample, help=naive_help)
    logging.basicConfig(level=logging.CRITICAL)  # pyHanko logs what the benchmark ignores
    return parser.parse_args()


@dataclass(frozen=True)
class Example:
    ceremony: Ceremony
    prepared: Path  # the 88 ready-to-sign PDFs
    store: Path  # a demo key store for their parties


def example(work: Path) -> Example:
    """The example workspace in ``work``, every agreement generated, and its demo key store."""
    write_workspace(work)
    workbook = work / "kinerja.xlsx"
    ceremony = read_workbook(workbook)
    prepared = work / "prepared"
    generate(ceremony, workbook, GenerateOptions(out=prepared, progress=False))
    store = work / "keys"
    make_demo_store(store, workbook)
    return Example(ceremony, prepared, store)
