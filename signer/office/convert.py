"""Convert Word documents to PDF/A-3b with warm LibreOffice workers.

Each worker is one LibreOffice kept running and driven over UNO by unoserver's converter, with
its own profile folder and port: two LibreOffice processes on one profile fail silently. UNO
needs LibreOffice's ``uno`` module, which only the system Python has, so the worker
(:mod:`signer.office.worker`) runs there and takes requests over a pipe. A conversion that hangs
past its timeout kills the worker's whole process group; it is restarted and tried once more.
LibreOffice can report success without writing anything, so every result is checked to exist
and to be a PDF.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from signer.errors import KinerjaError
from signer.office.probe import uno_python
from signer.secret import child_environment

PDF_FILTER = "writer_pdf_Export"
DOCX_FILTER = "MS Word 2007 XML"  # without it a text file named .docx converts "fine"
PDF_OPTIONS = (
    "SelectPdfVersion=3",  # PDF/A-3b: attachments (the agreement JSON) are allowed
    "ExportBookmarksToPDFDestination=true",  # Word bookmarks locate the signature blocks
    "UseLosslessCompression=true",
)
START_TIMEOUT = 90.0


class ConversionError(KinerjaError):
    """LibreOffice could not turn a document into a PDF."""


def _unoserver_path(folder: Path) -> str:
    """A folder holding only the unoserver package (pure Python) for the system interpreter."""
    dist = metadata.distribution("unoserver")
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "unoserver").exists():
        return str(folder)
    package = Path(str(dist.locate_file("unoserver")))
    (folder / "unoserver").symlink_to(package, target_is_directory=True)
    info = Path(str(dist._path))  # type: ignore[attr-defined]  # its dist-info, for its version
    (folder / info.name).symlink_to(info, target_is_directory=True)
    return str(folder)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WorkerDied(OSError):
    """The worker process is gone or stopped answering."""


@dataclass
class OfficeWorker:
    """One warm LibreOffice behind :mod:`signer.office.worker`, with its own profile and port."""

    folder: Path
    timeout: float = 60.0
    process: subprocess.Popen[bytes] | None = None
    conversions: int = 0
    restarts: int = 0

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # no passphrase or PIN: LibreOffice never signs
        env = child_environment(
            {"PYTHONPATH": _unoserver_path(self.folder / "python"), "HOME": str(self.folder)}
        )
        self.process = subprocess.Popen(
            [
                uno_python(),
                str(Path(__file__).with_name("worker.py")),
                str(_free_port()),
                (self.folder / "profile").as_uri(),
                DOCX_FILTER,
                str(os.getpid()),  # the worker and its LibreOffice die with this process
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            # its own process group: a hung soffice (and the soffice.bin that oosplash forks)
            # dies with it, by our hand or by the worker's watcher when we are gone
            start_new_session=True,
        )
        try:
            answer = self._read(START_TIMEOUT)
        except WorkerDied as e:
            self.stop()
            raise ConversionError(f"LibreOffice did not start: {e}") from None
        if not answer.get("ready"):
            self.stop()
            raise ConversionError(f"LibreOffice did not start: {answer.get('error')}")

    def _read(self, timeout: float) -> dict[str, object]:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise WorkerDied(f"no answer within {timeout:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            raise WorkerDied("the worker exited")
        answer = json.loads(line)
        if not isinstance(answer, dict):
            raise WorkerDied(f"the worker answered {line[:80]!r}")
        return answer

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]  # asks it to stop soffice
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(2)
        # whatever is left of the group (a frozen soffice, its oosplash parent) goes for good
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(5)
        with contextlib.suppress(OSError):
            self.process.stdout.close()  # type: ignore[union-attr]
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def convert(self, docx: Path, pdf: Path) -> None:
        """Convert ``docx`` to the PDF/A-3b file ``pdf``; raise ConversionError if it fails."""
        if self.process is None or self.process.poll() is not None:
            self.restart()
        assert self.process is not None and self.process.stdin is not None
        pdf.unlink(missing_ok=True)
        request = {
            "docx": str(docx.resolve()),
            "pdf": str(pdf.resolve()),
            "filter": PDF_FILTER,
            "options": list(PDF_OPTIONS),
        }
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise WorkerDied("the worker exited") from None
        answer = self._read(self.timeout)
        self.conversions += 1
        if "error" in answer:
            raise ConversionError(
                f"{docx.name}: LibreOffice could not convert it ({answer['error']})"
            )
        _check_pdf(docx, pdf)


def _check_pdf(docx: Path, pdf: Path) -> None:
    try:
        with open(pdf, "rb") as f:
            head = f.read(5)
    except FileNotFoundError:
        raise ConversionError(f"{docx.name}: LibreOffice wrote no PDF") from None
    if head != b"%PDF-":
        raise ConversionError(f"{docx.name}: LibreOffice wrote something that is not a PDF")


class OfficePool:
    """Warm LibreOffice workers, started on first use, one conversion at a time each."""

    def __init__(self, workers: int, timeout: float = 60.0, folder: Path | None = None):
        self.size = max(1, workers)
        self.timeout = timeout
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="kinerja-office-"))
        self._idle: queue.Queue[OfficeWorker] = queue.Queue()
        self._workers: list[OfficeWorker] = []
        self._lock = threading.Lock()
        self._started = False

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            uno_python()  # fail early and clearly if LibreOffice is missing
            self._workers = [
                OfficeWorker(self.folder / f"worker{i}", self.timeout) for i in range(self.size)
            ]
            errors: list[BaseException] = []

            def boot(w: OfficeWorker) -> None:
                try:
                    w.start()
                except BaseException as e:
                    errors.append(e)

            threads = [threading.Thread(target=boot, args=(w,)) for w in self._workers]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                self.close()
                raise errors[0]
            for w in self._workers:
                self._idle.put(w)
            self._started = True

    @contextlib.contextmanager
    def _worker(self) -> Iterator[OfficeWorker]:
        self._start()
        w = self._idle.get()
        try:
            yield w
        finally:
            self._idle.put(w)

    def convert(self, docx: Path, pdf: Path) -> None:
        """Convert one document; a worker that hangs or dies is restarted and tried once more."""
        with self._worker() as w:
            try:
                w.convert(docx, pdf)
            except ConversionError:
                raise
            except OSError:
                w.restart()  # hung past the timeout, or died: a fresh LibreOffice
                try:
                    w.convert(docx, pdf)
                except OSError:
                    raise ConversionError(
                        f"{docx.name}: LibreOffice hung or crashed twice "
                        f"(timeout {self.timeout:.0f} s)"
                    ) from None

    @property
    def restarts(self) -> int:
        return sum(w.restarts for w in self._workers)

    def close(self) -> None:
        for w in self._workers:
            w.stop()
        self._workers = []
        self._started = False
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> OfficePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
