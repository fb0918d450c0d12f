"""Folder locks: one kinerja command at a time writes a folder.

Two commands writing one folder at once (``generate`` and ``sign``, or two ``sign``) each read a
file, work on it and write it back, and the later write drops what the earlier added (a
signature). A command that writes a folder therefore takes an exclusive ``flock`` on
``FOLDER/.kinerja.lock`` for its whole life; a second one waits a short while, then refuses with
who holds it. Reading commands (check, verify) take no lock.

Why ``flock``: the kernel releases the lock when the process that holds it dies, however it dies
(kill -9 included), so a lock file left behind never blocks anyone; what is written in it (pid,
command, time) is only for the message. A command that ends removes its lock file (while it
still holds it; one waiting on that file then takes the lock afresh on a new one).

A lock is a property of the open file description, and a forked child (a signing worker) shares
it: it would keep the folder locked after its parent died. Every forked child therefore closes
its copies of the lock files at once (``os.register_at_fork``); the parent's own descriptor keeps
the lock. Programs started with exec never see the descriptor (Python opens it non-inheritable).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from signer.errors import InputError

LOCK_NAME = ".kinerja.lock"
WAIT_ENV = "KINERJA_LOCK_WAIT"
DEFAULT_WAIT = 10.0
"""Seconds a command waits for a folder another command is writing, before it refuses."""

# folder (resolved) -> the descriptor holding its lock, in this process
_HELD: dict[Path, int] = {}
# folder -> the folders taking its lock created (deepest first), removed again if left empty
_CREATED: dict[Path, list[Path]] = {}


class FolderBusy(InputError):
    """Another command is writing the folder: run again when it has finished."""


def _close_inherited() -> None:
    """In a forked child: drop the copies of the parent's lock descriptors (not LOCK_UN, which
    would release the parent's lock too), so that only the parent holds them."""
    for fd in _HELD.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()
    _CREATED.clear()


os.register_at_fork(after_in_child=_close_inherited)


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return wait
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def _holder(fd: int) -> str:
    """Who holds the lock, from what it wrote in the file: "`kinerja sign` (pid 1234) since
    10:02", or a plain description when it has not written it yet."""
    try:
        raw = os.pread(fd, 4096, 0)
        info = json.loads(raw.decode("utf-8"))
        since = dt.datetime.fromisoformat(info["since"]).astimezone().strftime("%H:%M")
        return f"`{info['command']}` (pid {int(info['pid'])}) since {since}"
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "another kinerja command"


def _missing(folder: Path) -> list[Path]:
    """The folders that creating ``folder`` creates, deepest first."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _acquire(folder: Path, command: str, wait: float) -> tuple[int, list[Path]]:
    """The descriptor holding ``folder``'s lock, and the folders created for it."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    path = folder / LOCK_NAME
    deadline = time.monotonic() + wait
    created: list[Path] = []
    while True:
        try:
            created = created or _missing(folder)
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"{folder}: cannot create the folder ({e.strerror})") from None
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as e:
            raise InputError(f"{folder}: cannot take its lock {path} ({e.strerror})") from None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise InputError(f"{folder}: cannot lock {path} ({e.strerror})") from None
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    os.close(fd)
                    raise FolderBusy(
                        f"{folder} is being written by {holder}; run again when it has finished"
                    ) from None
                time.sleep(0.2)
        # the holder before may have removed the file (a folder it had made and left empty):
        # a lock on a file no longer there locks nothing, so start again with the file that is
        try:
            now = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            now = None
        mine = os.fstat(fd)
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)
    info = {
        "pid": os.getpid(),
        "command": command,
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    # written in place, not renamed: the lock belongs to this very file
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return fd, created


def hold(folders: Iterable[Path], command: str, wait: float | None = None) -> None:
    """Lock every folder in ``folders`` (created if missing) for ``command`` until
    :func:`release_all` or the end of the process; a folder this process already holds is
    fine. Raises :class:`FolderBusy` when another command keeps one locked past ``wait``
    seconds (default: $KINERJA_LOCK_WAIT, else 10), holding none of them then."""
    seconds = _wait_seconds(wait)
    # in one order everywhere, so two commands that want the same folders never wait on each
    # other in a circle
    wanted = sorted({Path(os.path.abspath(f)) for f in folders})
    taken: list[Path] = []
    try:
        for folder in wanted:
            key = folder.resolve() if folder.exists() else folder
            if key in _HELD:
                continue
            fd, created = _acquire(folder, command, seconds)
            _HELD[folder.resolve()] = fd
            _CREATED[folder.resolve()] = created
            taken.append(folder.resolve())
    except BaseException:
        for key in taken:
            _release(key)
        raise


def _release(key: Path) -> None:
    fd = _HELD.pop(key, None)
    created = _CREATED.pop(key, [])
    if fd is None:
        return
    # the lock file goes while still held (a command waiting on it then sees it gone and
    # takes a new one), so a folder holds only what the command wrote; one the lock made and
    # nothing was written into goes too ("nothing written")
    with contextlib.suppress(OSError):
        (key / LOCK_NAME).unlink()
    with contextlib.suppress(OSError):
        os.close(fd)  # closing the last descriptor releases the flock
    for folder in created:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty


def release_all() -> None:
    """Release every folder lock this process holds."""
    for key in list(_HELD):
        _release(key)


@contextlib.contextmanager
def locked(folders: Iterable[Path], command: str, wait: float | None = None) -> Iterator[None]:
    """Hold the folders' locks for a block (the library's way; the command line holds them for
    the command's life)."""
    before = set(_HELD)
    hold(folders, command, wait)
    try:
        yield
    finally:
        for key in set(_HELD) - before:
            _release(key)
