"""Verifying an uploaded PDF in a forked worker bounded in time and memory, a few at a time.

A hostile upload (a decompression bomb, a parser trap) costs its own worker only: the worker
dies past its limit and the server goes on. At most ``workers`` verifications run at once;
an upload beyond that is refused at once (503) rather than queued behind a slow one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from signer.batch import die_with_parent
from signer.errors import InputError
from signer.verify import VerifyOptions, policy_for, verify_bytes

UPLOAD_NAME = "unggahan.pdf"
"""The name an upload goes by in messages: never the client's file name (logs, reports)."""


@dataclass(frozen=True)
class CheckLimits:
    workers: int = 2
    """Verifications at once; a 2-core server keeps one core for the pages."""
    seconds: int = 60
    """Wall time of one verification; a real agreement takes one to three seconds."""
    memory_mb: int = 768
    """Heap of one verification's worker (a real agreement needs about 150 MB)."""


class Busy(Exception):
    """Every worker is taken: try again in a few seconds."""


@dataclass(frozen=True)
class Checked:
    """The verdict on an upload as the report's dict, or why the file could not be verified."""

    report: dict[str, Any] | None
    unusable: str | None = None
    agreement_json: bytes | None = None
    """The embedded data as read from the signed revision (what the archive stores)."""


class Checker:
    """Runs :func:`signer.verify.verify_bytes` with the server's trust in bounded workers."""

    def __init__(self, options: VerifyOptions, limits: CheckLimits = CheckLimits()) -> None:
        self.options = options
        self.limits = limits
        self.policy = policy_for(options.trust)
        self._slots = threading.BoundedSemaphore(limits.workers)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the workers, or raise :class:`Busy` at once: taken before an upload is
        even read, so a flood of uploads costs the server no reading and no parsing."""
        if not self._slots.acquire(blocking=False):
            raise Busy
        try:
            yield
        finally:
            self._slots.release()

    def check(self, data: bytes) -> Checked:
        """Verify ``data`` in a worker of its own (blocking: call it from a thread)."""
        with self.slot():
            return self.run(data)

    def run(self, data: bytes) -> Checked:
        """Verify ``data`` in a worker of its own, in a slot already held."""
        return self._in_worker(data)

    def _in_worker(self, data: bytes) -> Checked:
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        parent = os.getpid()
        worker = context.Process(target=self._work, args=(send, data, parent), daemon=True)
        worker.start()
        send.close()
        try:
            # the worker's alarm ends it past the limit; the margin covers a stuck fork
            if not receive.poll(self.limits.seconds + 5):
                worker.kill()
                return Checked(None, self._died(-signal.SIGALRM))
            answer: Checked = receive.recv()
            return answer
        except EOFError:  # it died before answering
            worker.join(5)
            return Checked(None, self._died(worker.exitcode))
        finally:
            receive.close()
            worker.join(5)
            if worker.is_alive():
                worker.kill()
                worker.join()

    def _work(self, send: Connection, data: bytes, parent: int) -> None:
        die_with_parent(parent)
        os.nice(19)  # the pages come first: a verification takes what CPU they leave
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # no handler: past the time it ends
        limit = self.limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        signal.alarm(self.limits.seconds)
        try:
            report = verify_bytes(data, UPLOAD_NAME, self.options, self.policy)
            answer = Checked(report.as_dict(), agreement_json=report.agreement_json)
        except InputError as e:
            answer = Checked(None, str(e))
        send.send(answer)
        send.close()

    def _died(self, exitcode: int | None) -> str:
        if exitcode == -signal.SIGALRM:
            return f"{UPLOAD_NAME}: took longer than {self.limits.seconds} s and was stopped"
        if exitcode == -signal.SIGKILL:
            return f"{UPLOAD_NAME}: needed more memory than a verification may use"
        return f"{UPLOAD_NAME}: could not be taken apart (the verifier ended, exit {exitcode})"
