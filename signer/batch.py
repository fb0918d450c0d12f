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
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from signer.errors import InputError, KinerjaError

T = TypeVar("T")  # an item of work
R = TypeVar("R")  # what the work makes of it


class Status(StrEnum):
    DONE = "done"  # written now
    SKIPPED = "skipped"  # already done by an earlier run, nothing to do
    KEPT = "kept"  # left alone on purpose (e.g. already signed)
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of one item of a batch; never an exception."""

    name: str
    """The item's name in messages (a file name)."""
    status: Status
    detail: str = ""
    """Why it failed, or what was done, in a line."""
    seconds: float = 0.0
    value: R | None = None
    """What the work made of it (a verify report, the id and digest of a generated PDF)."""


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# The work of a process batch: inherited by the forked workers, never pickled (it may hold keys,
# open services and closures). One process batch runs at a time.
_FORKED_WORK: Callable[[Any], Outcome[Any]] | None = None


def _forked_call(item: Any) -> Outcome[Any]:
    assert _FORKED_WORK is not None
    return _FORKED_WORK(item)


def _nothing() -> None:
    return None


@dataclass
class Batch(Generic[T, R]):
    """Run ``work`` over items with ``jobs`` workers, showing progress on stderr.

    Threads by default; ``processes=True`` forks workers that inherit everything already loaded
    (keys, services), for CPU-bound Python work such as signing that threads cannot spread.
    """

    label: str
    work: Callable[[T], Outcome[R]]
    name: Callable[[T], str]
    jobs: int = field(default_factory=default_jobs)
    progress: bool = True
    processes: bool = False

    def _pool(self) -> tuple[Executor, Callable[[T], Future[Outcome[R]]]]:
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

    def run(self, items: Sequence[T] | Iterable[T]) -> list[Outcome[R]]:
        items = list(items)
        results: dict[int, Outcome[R]] = {}
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
            pending: dict[Future[Outcome[R]], int] = {}
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

    def _one(self, item: T) -> Outcome[R]:
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
            outcome = replace(outcome, seconds=time.perf_counter() - start)
        return outcome


def summary(outcomes: Sequence[Outcome[Any]]) -> dict[Status, int]:
    counts = {s: 0 for s in Status}
    for o in outcomes:
        counts[o.status] += 1
    return counts


@dataclass(frozen=True)
class InputFile:
    """A file a command works on, and where it sits under the folder it was found in."""

    path: Path
    relative: Path
    """Its path under the folder given (just its name when the file itself was given): where
    a copy goes under ``--out``."""


def expand_inputs(paths: Sequence[Path], suffix: str = ".pdf") -> list[InputFile]:
    """The files of ``FILE|DIR...`` arguments, the same way for every command.

    A file is taken as given; a folder gives every ``*.pdf`` under it, subfolders included,
    in name order, without hidden files and folders (temporary files, kinerja's own). A path
    that does not exist is kept, so the stage reports it beside the others; a folder with no
    such file is bad input.
    """
    found: list[InputFile] = []
    for p in paths:
        if p.is_dir():
            for inside in sorted(p.rglob("*")):
                rel = inside.relative_to(p)
                if (
                    inside.suffix.lower() == suffix
                    and inside.is_file()
                    and not any(part.startswith(".") for part in rel.parts)
                ):
                    found.append(InputFile(inside, rel))
        else:  # a file, or a path that is not there: the stage reports it with its name
            found.append(InputFile(p, Path(p.name)))
    empty = [p for p in paths if p.is_dir() and not any(f.path.is_relative_to(p) for f in found)]
    if empty or not found:
        where = ", ".join(map(str, empty or paths))
        raise InputError(f"no {suffix.lstrip('.').upper()} files in {where}")
    seen: set[Path] = set()
    unique = []
    for item in found:  # a file given twice (as itself and inside its folder) counts once
        key = item.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
