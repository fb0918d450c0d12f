"""Writing files without ever leaving a half-written one: temporary file, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files 0600; finished files get the usual mode under the user's umask
_DEFAULT_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success fsync it and rename it over ``target``.

    On any error the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _DEFAULT_MODE)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    # the rename is durable only once the folder's entry is on disk
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes(target: Path, data: bytes, mode: int | None = None) -> None:
    """Atomically write ``data`` to ``target`` (optionally with file mode ``mode``)."""
    with atomic_path(target) as tmp:
        if mode is not None:
            os.chmod(tmp, mode)  # before the bytes land, so a key is never readable by others
        tmp.write_bytes(data)


def write_with(target: Path, writer: Callable[[Path], object]) -> None:
    """Atomically write ``target`` with a function that writes to a path (e.g. openpyxl's save)."""
    with atomic_path(target) as tmp:
        writer(tmp)


class ReadRefused(Exception):
    """Why :func:`read_bounded` read nothing: ``kind`` is ``missing``, ``folder``, ``special``
    (a pipe, a device), ``large`` (``size`` bytes, or unknown when it grew while read) or
    ``unreadable`` (``detail`` says why). Callers word it for their file."""

    def __init__(self, kind: str, detail: str = "", size: int | None = None):
        super().__init__(kind)
        self.kind, self.detail, self.size = kind, detail, size


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. Anything else is refused before
    it is read (:class:`ReadRefused`), so a pipe, a device or a huge file can neither hang nor
    flood the reader."""
    import stat

    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ReadRefused("missing") from None
    except OSError as e:
        raise ReadRefused("unreadable", e.strerror or str(e)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)  # fdopen refuses a folder, so the checks come before it
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused("folder" if stat.S_ISDIR(info.st_mode) else "special")
        raise ReadRefused("large", size=info.st_size)
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise ReadRefused("unreadable", e.strerror or str(e)) from None
    if len(data) > limit:  # it grew while being read
        raise ReadRefused("large")
    return data
