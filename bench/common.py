"""What the benchmarks share: the example ceremony generated in a scratch folder, with a demo
key store, and the command-line options every benchmark takes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
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


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ppid, pages = int(fields[1]), int(fields[21])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
