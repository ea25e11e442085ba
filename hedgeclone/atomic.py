"""Atomic file writes and checksums: readers see the old file or the whole new one, never half of one.

Part of the ground floor: imports nothing of hedgeclone but its errors.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from hedgeclone.errors import InputError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_dir",
    "remove_leftovers",
    "sha256_file",
    "umask",
    "write_directory",
]


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that readers see the old file or the whole new one."""
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


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file at `path`, read in chunks: the one checksum of store and run files."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
