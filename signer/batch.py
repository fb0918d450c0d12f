"""Running one stage over many files: parallel workers, a progress bar, a result per file.

One mechanism for every command (generate, sign, verify, evaluate). A file that fails does not
stop the others; an interrupted batch leaves every finished file complete (writes are atomic)
and the stage itself decides what to skip when it runs again.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from signer.display import shown
from signer.errors import InputError, KinerjaError

T = TypeVar("T")  # an item of work
R = TypeVar("R")  # what the work makes of it


class Status(StrEnum):
    DONE = "done"  # written now
    SKIPPED = "skipped"  # already done by an earlier run, nothing to do
    KEPT = "kept"  # left alone on purpose (e.g. already signed)
    FAILED = "failed"
    REFUSED = "refused"  # made, but not written: it would not pass verification (exit 1)


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
    warnings: tuple[str, ...] = ()
    """What the user should know although the item succeeded, a line each."""


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Limits:
    """What one item may cost in a forked worker. Past a limit the worker dies or the item
    fails, and the batch goes on: one hostile file cannot take the others down."""

    memory_mb: int | None = None
    """Heap of each worker (RLIMIT_DATA); an item that needs more fails with MemoryError."""
    seconds: int | None = None
    """Wall time per item; the kernel ends the worker past it (SIGALRM, not caught)."""


# The work of a process batch: inherited by the forked workers, never pickled (it may hold keys,
# open services and closures). One process batch runs at a time.
_FORKED_WORK: Callable[[Any], Outcome[Any]] | None = None
_FORKED_LIMITS = Limits()
_FORKED_BY = 0  # the pid of the kinerja process that forks the workers

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """In a forked child: be killed (SIGKILL) the moment ``parent`` is gone, whatever ended it.

    A worker holds every party's decrypted key and must not outlive kinerja (kill -9 included),
    nor wait forever on an empty queue. The kernel sends the signal when the *thread* that
    forked the child ends, so workers are forked by the thread that runs the batch, which
    outlives them (the pool is shut down before :meth:`Batch.run` returns). If ``parent`` died
    between the fork and the prctl, the child already belongs to another process: it ends now.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(70)  # cannot promise to die with kinerja: do not hold keys at all
    if os.getppid() != parent:
        os._exit(70)


def _forked_call(item: Any) -> Outcome[Any]:
    assert _FORKED_WORK is not None
    if _FORKED_LIMITS.seconds:
        signal.alarm(_FORKED_LIMITS.seconds)  # no handler: the worker ends, whatever it runs
    try:
        return _FORKED_WORK(item)
    finally:
        signal.alarm(0)


def _start_worker() -> None:
    """In each forked worker: death with kinerja, the memory limit, and SIGALRM's default
    action (to end it)."""
    die_with_parent(_FORKED_BY)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    if _FORKED_LIMITS.memory_mb:
        limit = _FORKED_LIMITS.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _nothing() -> None:
    return None


def _died(exitcode: int | None, limits: Limits) -> str:
    """Why a worker ended without an answer, in words."""
    if exitcode == -signal.SIGALRM:
        return f"took longer than {limits.seconds} s and was stopped"
    if exitcode == -signal.SIGKILL:
        return "was killed (out of memory?)"
    return f"made its worker end unexpectedly (exit {exitcode})"


V = TypeVar("V")


def in_order(indexed: Iterable[tuple[int, V]]) -> list[V]:
    """Values that came with their index, in any order, put in the order of the indexes."""
    found = dict(indexed)
    return [found[i] for i in sorted(found)]


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
    limits: Limits | None = None
    """With ``processes``: what each item may cost; every item then runs in a forked worker,
    even with one job, and a worker that dies costs its item only."""

    def _pool(self, items: int) -> tuple[Executor, Callable[[T], Future[Outcome[R]]]]:
        # never more workers than items: forking a worker for one document costs more than the
        # document (its first steps copy much of the parent's memory)
        jobs = max(1, min(self.jobs, items))
        if not (self.processes and (jobs > 1 or self.limits is not None)):
            threads = ThreadPoolExecutor(jobs)
            return threads, lambda item: threads.submit(self._one, item)
        global _FORKED_WORK, _FORKED_LIMITS, _FORKED_BY
        _FORKED_WORK = self._one
        _FORKED_LIMITS = self.limits or Limits()
        _FORKED_BY = os.getpid()
        # objects inherited from the parent are never garbage; keep the collector off them
        gc.freeze()
        forks = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
        )
        forks.submit(_nothing).result()  # fork every worker now, before the progress thread
        return forks, lambda item: forks.submit(_forked_call, item)

    def _alone(self, item: T) -> Outcome[R]:
        """One item in a worker of its own: its outcome, or why the worker died."""
        global _FORKED_BY
        _FORKED_BY = os.getpid()
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)

        def child() -> None:
            _start_worker()
            send.send(_forked_call(item))

        worker = context.Process(target=child)
        worker.start()
        send.close()
        try:
            outcome: Outcome[R] = receive.recv()
        except EOFError:  # it died before answering
            worker.join()
            limits = self.limits or Limits()
            reason = _died(worker.exitcode, limits)
            return Outcome(
                self.name(item),
                Status.FAILED,
                f"{self.name(item)}: {reason}",
            )
        worker.join()
        return outcome

    def run(self, items: Sequence[T] | Iterable[T]) -> list[Outcome[R]]:
        """Every item's outcome, in the items' order."""
        return in_order(self.stream(items))

    def stream(self, items: Sequence[T] | Iterable[T]) -> Iterator[tuple[int, Outcome[R]]]:
        """Each item's index and outcome as it completes, so that a caller need not hold every
        outcome of a large batch (an archive) at once."""
        items = list(items)
        show = self.progress and sys.stderr.isatty() and len(items) > 1
        console = Console(stderr=True)
        pool, submit = self._pool(len(items))
        with (
            pool,
            Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=not show,
                transient=False,
            ) as bar,
        ):
            task = bar.add_task(shown(self.label), total=len(items))
            pending: dict[Future[Outcome[R]], int] = {}
            queue = deque(enumerate(items))
            try:
                while queue or pending:
                    # keep a bounded window in flight so an interrupt stops quickly
                    while queue and len(pending) < 2 * max(1, self.jobs):
                        index, item = queue.popleft()
                        pending[submit(item)] = index
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    finished: list[tuple[int, Outcome[R]]] = []
                    suspects: list[int] = []  # in flight when a worker died
                    for future in done:
                        index = pending.pop(future)
                        try:
                            finished.append((index, future.result()))
                        except BrokenProcessPool:
                            suspects.append(index)
                            continue
                        bar.advance(task)
                    if suspects:  # the pool is gone: the rest in flight is suspect too
                        suspects += pending.values()
                        pending.clear()
                        pool.shutdown(wait=True, cancel_futures=True)
                        pool, submit = self._pool(len(items))
                    yield from sorted(finished, key=lambda f: f[0])
                    # each suspect again, alone, now: an outcome is never held back to the end
                    # (a caller that keeps the items' order would have to hold every later one)
                    for index in sorted(suspects):
                        outcome = self._alone(items[index])
                        bar.advance(task)
                        yield index, outcome
            except KeyboardInterrupt:
                for future in pending:
                    future.cancel()
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

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
