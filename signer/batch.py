"""Running one stage over many files: parallel workers, a progress bar, a result per file.

One mechanism for every command (generate, sign, verify, evaluate). A file that fails does not
stop the others; an interrupted batch leaves every finished file complete (writes are atomic)
and the stage itself decides what to skip when it runs again.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from signer.errors import KinerjaError

T = TypeVar("T")


class Status(StrEnum):
    DONE = "done"  # written now
    SKIPPED = "skipped"  # already done by an earlier run, nothing to do
    KEPT = "kept"  # left alone on purpose (e.g. already signed)
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    name: str
    status: Status
    detail: str = ""
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# The work of a process batch: inherited by the forked workers, never pickled (it may hold keys,
# open services and closures). One process batch runs at a time.
_FORKED_WORK: Callable[[Any], Outcome] | None = None


def _forked_call(item: Any) -> Outcome:
    assert _FORKED_WORK is not None
    return _FORKED_WORK(item)


def _nothing() -> None:
    return None


@dataclass
class Batch(Generic[T]):
    """Run ``work`` over items with ``jobs`` workers, showing progress on stderr.

    Threads by default; ``processes=True`` forks workers that inherit everything already loaded
    (keys, services), for CPU-bound Python work such as signing that threads cannot spread.
    """

    label: str
    work: Callable[[T], Outcome]
    name: Callable[[T], str]
    jobs: int = field(default_factory=default_jobs)
    progress: bool = True
    processes: bool = False

    def _pool(self) -> tuple[Executor, Callable[[T], Future[Outcome]]]:
        jobs = max(1, self.jobs)
        if not self.processes or jobs == 1:
            threads = ThreadPoolExecutor(jobs)
            return threads, lambda item: threads.submit(self._one, item)
        global _FORKED_WORK
        _FORKED_WORK = self._one
        # objects inherited from the parent are never garbage; keep the collector off them
        gc.freeze()
        forks = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        forks.submit(_nothing).result()  # fork every worker now, before the progress thread
        return forks, lambda item: forks.submit(_forked_call, item)

    def run(self, items: Sequence[T] | Iterable[T]) -> list[Outcome]:
        items = list(items)
        results: dict[int, Outcome] = {}
        show = self.progress and sys.stderr.isatty() and len(items) > 1
        console = Console(stderr=True)
        pool, submit = self._pool()
        with (
            pool,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=not show,
                transient=False,
            ) as bar,
        ):
            task = bar.add_task(self.label, total=len(items))
            pending: dict[Future[Outcome], int] = {}
            queue = list(enumerate(items))
            try:
                while queue or pending:
                    # keep a bounded window in flight so an interrupt stops quickly
                    while queue and len(pending) < 2 * max(1, self.jobs):
                        index, item = queue.pop(0)
                        pending[submit(item)] = index
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        results[pending.pop(future)] = future.result()
                        bar.advance(task)
            except KeyboardInterrupt:
                for future in pending:
                    future.cancel()
                raise
        return [results[i] for i in sorted(results)]

    def _one(self, item: T) -> Outcome:
        start = time.perf_counter()
        name = self.name(item)
        try:
            outcome = self.work(item)
        except KinerjaError as e:
            return Outcome(name, Status.FAILED, str(e), time.perf_counter() - start)
        except Exception as e:
            last = traceback.extract_tb(e.__traceback__)[-1]
            where = f"{os.path.basename(last.filename)}:{last.lineno}"
            return Outcome(
                name, Status.FAILED, f"internal error: {e!r} ({where})", time.perf_counter() - start
            )
        if not outcome.seconds:
            outcome = Outcome(
                outcome.name,
                outcome.status,
                outcome.detail,
                time.perf_counter() - start,
                outcome.extra,
            )
        return outcome


def summary(outcomes: Sequence[Outcome]) -> dict[Status, int]:
    counts = {s: 0 for s in Status}
    for o in outcomes:
        counts[o.status] += 1
    return counts


def pdf_paths(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(p.rglob("*.pdf"))
        else:
            found.append(p)
    return found

