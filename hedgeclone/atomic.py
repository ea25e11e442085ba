"""Atomic file and folder writes, checksums and an inter-process lock: the one home of each.

- `atomic_write_bytes` / `atomic_write_text`: readers see the old file or the whole new one,
  never half of one (temporary sibling, fsync, `os.replace`).
- `write_directory`: a whole folder (run directory, comparison, tune output) built beside its
  target and swapped in atomically; `check_output_dir` is its guard, `remove_leftovers` clears
  what killed writers left.
- `sha256_file`: the SHA-256 of a file's bytes, read in blocks (the store and run directories
  record it; a file whose bytes no longer match is corrupt).
- `file_lock`: an exclusive `fcntl.flock` on a lock file, re-entrant within a process, waiting
  up to a timeout for another process to release it, then raising `LockTimeout` with a message
  saying what is locked and by which process.

Part of the ground floor: imports nothing of hedgeclone but its errors.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from hedgeclone.errors import DataError, InputError

__all__ = [
    "LockTimeout",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_dir",
    "file_lock",
    "remove_leftovers",
    "sha256_file",
    "umask",
    "write_directory",
]


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Text variant of `atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def umask() -> int:
    """The process umask (read by setting and restoring it: not thread-safe, call from one thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- whole directories ---------------------------------------------------------------------
_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths atomically (Linux >= 3.15)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directories `a` and `b` in one atomic step where the OS can; False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Clear what writers of `target` left behind when they were killed: their temporary siblings
    (``.NAME.tmp-PID-*``, ``.NAME.old-PID-*``) are removed, except those of a live process; and
    where `target` itself is missing because a writer died between stepping the old folder aside
    and moving the new one in (only without an atomic swap), the old folder is put back first.
    Returns the paths removed."""
    siblings = []
    for path in target.parent.glob(f".{target.name}.*-*"):
        kind, _, rest = path.name[len(target.name) + 2 :].partition("-")
        pid = rest.split("-", 1)[0]
        if kind in ("tmp", "old") and pid.isdigit():
            siblings.append((kind, int(pid), path))
    if not target.exists():
        olds = sorted((p for kind, _, p in siblings if kind == "old"), key=lambda p: p.stat().st_mtime)
        if olds:
            os.rename(olds[-1], target)
    removed = []
    for _, pid, path in siblings:
        if path.exists() and not _pid_alive(pid):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def check_output_dir(target: Path, marker: str, what: str, option: str = "--out") -> None:
    """Refuse `target` as an output folder unless it is absent, empty, or holds `marker` (a
    previous output of the same kind, which will be replaced); the error names `option`."""
    if target.exists() and not target.is_dir():
        raise InputError(f"{option} {target} exists and is a file; choose a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).exists():
        raise InputError(f"{option} {target} exists and is not a {what} (no {marker}); choose another "
                         f"{option} or empty it")


def write_directory(target: str | os.PathLike[str], build: Callable[[Path], None], *, marker: str,
                    what: str, option: str = "--out") -> Path:
    """Write a whole folder at `target`: `build(tmp)` fills a temporary sibling, which then
    replaces `target` in one atomic swap, so that readers and a killed writer leave the old folder
    or the new one, never half of one and never none.

    `target` must be absent, empty or an earlier folder of the same kind (holding `marker`, which
    `build` must write); anything else is refused naming `option`. Files are flushed to disk
    before the swap; leftovers of killed writers are removed.
    """
    target = Path(target)
    check_output_dir(target, marker, what, option)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-{os.getpid()}-"))
    try:
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it private; the output is an ordinary folder
        build(tmp)
        if not (tmp / marker).exists():
            raise RuntimeError(f"writing {target} left out its {marker}")
        for path in tmp.rglob("*"):
            if path.is_file():
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
        if target.is_dir() and _exchange(tmp, target):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous folder
        elif target.is_dir():
            # Without an atomic swap, the old folder steps aside under a name `remove_leftovers` knows.
            old = target.parent / f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.exists():
                target.rmdir()  # an empty folder
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of the bytes of `path`, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LockTimeout(DataError):
    """Another process held a lock for longer than the caller was willing to wait."""


# Per lock file: (open descriptor, depth, owner thread). One process holds each flock once;
# nested `file_lock` calls of the same thread only count depth (flock is per open file, so a
# second descriptor of our own would wait for ourselves forever).
_held: dict[str, list] = {}
_guard = threading.Lock()
_thread_locks: dict[str, threading.RLock] = {}


@contextlib.contextmanager
def file_lock(path: str | os.PathLike[str], *, timeout: float, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if absent) for the block.

    Waits up to `timeout` seconds for another process; then raises `LockTimeout` naming
    `what` and the pid recorded by the holder. Re-entrant for the thread that holds it; other
    threads of the process wait on an in-process lock first.
    """
    key = os.path.abspath(path)
    with _guard:
        tlock = _thread_locks.setdefault(key, threading.RLock())
    if not tlock.acquire(timeout=timeout if timeout >= 0 else -1):
        raise LockTimeout(f"{what} is locked by another thread of this process (waited {timeout:g}s)")
    try:
        if key in _held:  # this thread already holds it
            _held[key][1] += 1
            try:
                yield
            finally:
                _held[key][1] -= 1
            return
        fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            delay = 0.01
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = _holder(fd)
                        raise LockTimeout(
                            f"{what} is locked by another hedgeclone process{holder}; waited {timeout:g}s. "
                            "Wait for it to finish, or raise the wait with $HEDGECLONE_LOCK_TIMEOUT"
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            _held[key] = [fd, 1]
            try:
                yield
            finally:
                del _held[key]
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        tlock.release()


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode().strip())
        return f" (pid {pid})"
    return ""
