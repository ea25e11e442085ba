"""Atomic file writes, checksums and an inter-process lock: the one home of each.

- `atomic_write_bytes` / `atomic_write_text`: readers see the old file or the whole new one,
  never half of one (temporary sibling, fsync, `os.replace`).
- `sha256_file`: the SHA-256 of a file's bytes, read in blocks (the store and run directories
  record it; a file whose bytes no longer match is corrupt).
- `file_lock`: an exclusive `fcntl.flock` on a lock file, re-entrant within a process, waiting
  up to a timeout for another process to release it, then raising `LockTimeout` with a message
  saying what is locked and by which process.

Kept free of other hedgeclone imports (beside `hedgeclone.errors`) so that any module can use it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from hedgeclone.errors import DataError

__all__ = ["atomic_write_bytes", "atomic_write_text", "sha256_file", "file_lock", "LockTimeout"]


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
