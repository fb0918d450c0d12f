"""Running one stage over many files: parallel workers, a progress bar, a result per file.

One mechanism for every command (generate, sign, verify, evaluate). A file that fails does not
stop the others; an interrupted batch leaves every finished file complete (writes are atomic)
and the stage itself decides what to skip when it runs again.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .errors import KinerjaError

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


@dataclass
class Batch(Generic[T]):
    """Run ``work`` over items with ``jobs`` threads, showing progress on stderr."""

    label: str
    work: Callable[[T], Outcome]
    name: Callable[[T], str]
    jobs: int = field(default_factory=default_jobs)
    progress: bool = True
    executor: Callable[[int], Executor] = ThreadPoolExecutor

    def run(self, items: Sequence[T] | Iterable[T]) -> list[Outcome]:
        items = list(items)
        results: dict[int, Outcome] = {}
        show = self.progress and sys.stderr.isatty() and len(items) > 1
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=False,
        ) as bar:
            task = bar.add_task(self.label, total=len(items))
            with self.executor(max(1, self.jobs)) as pool:
                pending: dict[Future[Outcome], int] = {}
                queue = list(enumerate(items))
                try:
                    while queue or pending:
                        # keep a bounded window in flight so an interrupt stops quickly
                        while queue and len(pending) < 2 * max(1, self.jobs):
                            index, item = queue.pop(0)
                            pending[pool.submit(self._one, item)] = index
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
