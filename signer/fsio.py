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
