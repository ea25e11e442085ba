"""The local store: Parquet tables under one directory, checksummed, locked, committed atomically.

Layout: ``ROOT/manifest.json`` maps each table name (``prices/daily/A``) to its entry: the file
that holds it (``prices/daily/A.<first 16 hex of its SHA-256>.parquet``), its SHA-256, size,
rows and columns. Readers only ever follow the manifest; a file whose bytes no longer match
it is corrupt: reading it raises `CorruptFileError`, it is never used.

Commits (`Store.transaction`, and every lone `write`/`delete`, which is a transaction of one):

1. every writer holds an exclusive ``fcntl.flock`` on ``ROOT/.lock`` from the start of its
   transaction (before it reads what it will merge) to the end of the commit, so two processes
   importing at once are serialised and neither loses the other's rows; a second writer waits
   up to `Store.lock_timeout` seconds ($HEDGECLONE_LOCK_TIMEOUT, default 300), then fails with
   a message naming the store;
2. new tables are written into ``ROOT/.staging-*/`` and, at commit, moved to new file names
   (content-addressed, so they never overwrite a file the manifest points at);
3. ``manifest.json`` is switched to the new entries in one ``os.replace`` -- the single moment
   the commit happens;
4. the files the old manifest pointed at and the new one does not are deleted, then staging.

A crash (kill, power loss, exception) at any point leaves the store exactly in the old state
(before step 3) or the new one (after it); what it may leave behind is unreferenced files,
which `check` reports and `repair` (and the next writer) removes. Inside a transaction the
writer reads its own staged tables. A lost or empty manifest beside table files on disk is an
error (never "an empty store"): `repair` rebuilds the manifest from the files. A new store gets
its empty manifest before its first table file, so a valid manifest, even ``{}``, is the truth.

Fault injection (tests only): `Store.fault_hook`, if set, is called as ``hook(op, path)`` after
each file system step of a commit -- ``op`` is ``"replace"`` (a table file or the manifest moved
into place), ``"unlink"`` (a superseded file deleted) or ``"cleanup"`` (staging removed) -- so a
test can raise or ``os._exit`` after the k-th step for every k.

Arrays (`write_array`, `open_array`): a table may also be one NumPy ``.npy`` array (the price
panels of `data.prices.panel`), content-named and committed like a Parquet table. Its entry also
records the file's stat stamp (size, mtime, ctime, inode) taken as the commit moved it into place:
`open_array` memory-maps it after checking the stamp, and hashes the whole file only when the
stamp differs (then `restamp` records the new one once the hash matched); `check` always hashes.
Arrow files (`write_arrow`, `open_arrow`): a table may also be one uncompressed Arrow IPC file (the
13F holdings mirror of `data.thirteenf.storage`), stamped and opened by memory map as arrays are:
reading it decodes nothing and allocates nothing, where a Parquet read decodes into fresh memory.

Pre-commit hooks (`PRECOMMIT_HOOKS`): a transaction that writes or deletes a table under a
hook's prefix calls the hook inside the same transaction before committing, so derived tables
(the price panels, rebuilt from ``prices/daily/*``) are switched in by the same manifest switch.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_cache_dir

from hedgeclone.atomic import atomic_write_bytes, atomic_write_text, file_lock, sha256_file
from hedgeclone.errors import CorruptFileError, DataError, InputError

STORE_ENV = "HEDGECLONE_STORE"
LOCK_TIMEOUT_ENV = "HEDGECLONE_LOCK_TIMEOUT"
MANIFEST = "manifest.json"
LOCK = ".lock"
QUARANTINE = ".quarantine"
_STAGING_PREFIX = ".staging-"
# Staging folders of transactions open in this process (a nested transaction of another Store
# object on the same root holds the re-entrant lock too, and must not take them for leftovers).
_ACTIVE_STAGING: set[Path] = set()
_FILE_RE = re.compile(r"^(?P<name>.+)\.(?P<tag>[0-9a-f]{16})\.(?P<ext>parquet|npy|arrow)$")
_EXTS = (".parquet", ".npy", ".arrow")  # the file kinds a store manages
#: Derived tables rebuilt inside the transaction that changes their sources: table-name prefix ->
#: "module:function" called as ``function(store)`` before the commit (imported on first use).
PRECOMMIT_HOOKS: dict[str, str] = {"prices/daily/": "hedgeclone.data.prices.panel:stage_panel",
                                   "13f/holdings/": "hedgeclone.data.thirteenf.storage:stage_mirror"}

__all__ = [
    "STORE_ENV", "Store", "StoreCheck", "default_store_dir", "atomic_write_bytes", "atomic_write_text",
]


def default_store_dir() -> Path:
    """The store directory: $HEDGECLONE_STORE if set, else the user cache directory."""
    env = os.environ.get(STORE_ENV)
    if env is not None:
        if not env.strip():
            raise InputError(f"${STORE_ENV} is set but empty: unset it or name a directory")
        return Path(env).expanduser()
    return Path(user_cache_dir("hedgeclone")) / "store"


def _read_npy_header(fh) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran order, dtype) of the ``.npy`` file open at its start; leaves it at the data."""
    major, _minor = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(fh)
    return tuple(shape), bool(fortran), dtype


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    with open(path, "rb") as fh:
        shape, _fortran, dtype = _read_npy_header(fh)
    return shape, dtype


def _check_relpath(relpath: str) -> str:
    parts = Path(relpath).parts if isinstance(relpath, str) else ()
    if not parts or Path(relpath).is_absolute() or any(p in ("..", ".", "") or p.startswith(".") for p in parts):
        raise InputError(f"store path {relpath!r} must be a relative path without '..' or hidden parts")
    if _FILE_RE.match(Path(relpath).name + ".parquet"):
        raise InputError(f"store path {relpath!r} must not end in '.<16 hex digits>'")
    return Path(relpath).as_posix()


def _lock_timeout() -> float:
    text = os.environ.get(LOCK_TIMEOUT_ENV, "300")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"${LOCK_TIMEOUT_ENV} = {text!r} is not a number of seconds") from None
    if not value >= 0:
        raise InputError(f"${LOCK_TIMEOUT_ENV} = {text!r} must be >= 0 seconds")
    return value


def _stamp(path: Path | int) -> list[int]:
    """What changes whenever a file's bytes are written: size, mtime, ctime (ns), inode, device."""
    st = os.fstat(path) if isinstance(path, int) else os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class _HashingWriter:
    """A write-only file wrapper that hashes what passes through (so a big array is read once)."""

    def __init__(self, fh) -> None:
        self.fh, self.digest, self.size = fh, __import__("hashlib").sha256(), 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.digest.update(view)
        self.size += len(view)
        return self.fh.write(view)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class StoreCheck:
    """What `Store.check` found: tables by status, and problems one line each."""

    root: Path
    tables: dict[str, str] = field(default_factory=dict)  # name -> "ok" | "missing" | "corrupt"
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


class Store:
    """A directory of checksummed Parquet tables addressed by relative names like ``prices/daily/A``."""

    #: Test hook called as ``hook(op, path)`` after each file system step of a commit (see module doc).
    fault_hook: ClassVar[Callable[[str, Path], None] | None] = None

    def __init__(self, root: str | os.PathLike[str] | None = None, *, lock_timeout: float | None = None) -> None:
        if root is not None and not str(root).strip():
            raise InputError("--store '' names no directory: give a path, or leave the option out for the default store")
        self.root = Path(root).expanduser() if root is not None else default_store_dir()
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"--store {self.root}: is a file, not a store directory")
        self.lock_timeout = _lock_timeout() if lock_timeout is None else float(lock_timeout)
        self._staging: dict[str, tuple[Path, dict] | None] | None = None
        self._staging_dir: Path | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def require(self) -> Store:
        """This store, after checking that its directory exists (reading commands call it first)."""
        if not self.root.is_dir():
            raise DataError(f"store {self.root}: no such directory (a mistyped --store or ${STORE_ENV}, "
                            "or nothing imported yet)")
        self.manifest()  # a lost manifest beside table files is an error, not an empty store
        return self

    # -- manifest ---------------------------------------------------------------------------
    def _manifest_path(self) -> Path:
        return self.root / MANIFEST

    def _committed(self) -> dict[str, dict]:
        """The manifest on disk; refuses a missing, empty or unreadable one beside table files."""
        path = self._manifest_path()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = None
        except (OSError, UnicodeDecodeError) as exc:
            raise CorruptFileError(f"{path}: store manifest cannot be read ({exc}); run `hedgeclone data repair "
                                   f"--store {self.root}`") from exc
        if text is not None and text.strip():
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CorruptFileError(f"{path}: store manifest is not valid JSON ({exc}); run `hedgeclone data "
                                       f"repair --store {self.root}` to rebuild it from the table files") from exc
            if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
                raise CorruptFileError(f"{path}: store manifest is not a table of entries; run `hedgeclone data "
                                       f"repair --store {self.root}`")
            return doc  # a valid manifest, even {}, is authoritative: other files are leftovers
        files = self._table_files()
        if files:
            state = "empty" if text is not None else "missing"
            raise CorruptFileError(
                f"store {self.root}: {MANIFEST} is {state} but {len(files)} table file(s) are on disk "
                f"(e.g. {files[0].relative_to(self.root)}); run `hedgeclone data repair --store {self.root}` "
                "to rebuild the manifest from them")
        return {}

    def manifest(self) -> dict[str, dict]:
        """Entries by table name: file, sha256, bytes, rows, columns (inside a transaction: with staged writes)."""
        committed = self._committed() if self.root.is_dir() else {}
        if self._staging is None:
            return committed
        view = dict(committed)
        for name, staged in self._staging.items():
            if staged is None:
                view.pop(name, None)
            else:
                view[name] = staged[1]
        return view

    def _table_files(self) -> list[Path]:
        """Table files (Parquet, arrays) under the root, outside hidden folders (staging, quarantine)."""
        if not self.root.is_dir():
            return []
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(_EXTS) and not f.startswith("."))
        return out

    def _file_of(self, name: str, entry: dict) -> Path:
        return self.root / entry.get("file", f"{name}.parquet")  # stores written before v2 have no "file"

    # -- paths ------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """The file that holds table `name` now (its staged file inside a transaction)."""
        name = _check_relpath(name)
        if self._staging is not None and self._staging.get(name) is not None:
            return self._staging[name][0]
        entry = self.manifest().get(name)
        return self._file_of(name, entry) if entry is not None else self.root / f"{name}.parquet"

    def names(self, prefix: str = "") -> list[str]:
        """Names of the stored tables, optionally only those under `prefix`."""
        return sorted(n for n in self.manifest() if n.startswith(prefix))

    def exists(self, name: str) -> bool:
        name = _check_relpath(name)
        return name in self.manifest() and self.path(name).exists()

    # -- writing ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[Store]:
        """Hold the store's inter-process write lock for the block (re-entrant)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / LOCK, timeout=self.lock_timeout, what=f"store {self.root}"):
            yield self

    def write(self, name: str, frame: pd.DataFrame | pa.Table, *, meta: dict | None = None) -> Path:
        """Store `frame` as table `name`; inside a transaction it is staged, else committed at once.
        `meta` adds JSON-able keys to its manifest entry."""
        return self._write_table(name, frame, "parquet", lambda table, tmp: pq.write_table(table, tmp), meta)

    def write_array(self, name: str, array: np.ndarray, *, meta: dict | None = None) -> Path:
        """Store `array` as table `name`, one ``.npy`` file (hashed as it is written), staged like `write`."""
        name = _check_relpath(name)
        array = np.ascontiguousarray(array)
        with self.transaction():
            assert self._staging is not None and self._staging_dir is not None
            tmp = self._staging_dir / f"{uuid.uuid4().hex}.npy"
            with open(tmp, "wb") as fh:
                writer = _HashingWriter(fh)
                np.lib.format.write_array(writer, array, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
            digest = writer.digest.hexdigest()
            entry = {"file": f"{name}.{digest[:16]}.npy", "sha256": digest, "bytes": writer.size,
                     "rows": int(array.shape[0]) if array.ndim else 1, "columns": [],
                     "shape": list(array.shape), "dtype": array.dtype.str, "stamp": None}
            self._staging[name] = (tmp, {**entry, **(meta or {})})
        return self.path(name)

    def write_arrow(self, name: str, frame: pd.DataFrame | pa.Table, *, meta: dict | None = None) -> Path:
        """Store `frame` as table `name`, one uncompressed Arrow IPC file (`open_arrow` maps it), staged like `write`."""
        def dump(table: pa.Table, tmp: Path) -> None:
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)

        return self._write_table(name, frame, "arrow", dump, {"stamp": None, **(meta or {})})

    def _write_table(self, name: str, frame: pd.DataFrame | pa.Table, ext: str,
                     dump: Callable[[pa.Table, Path], None], meta: dict | None) -> Path:
        """Stage `frame` as table `name`: `dump` writes it to a file of kind `ext`, synced, then hashed."""
        name = _check_relpath(name)
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        with self.transaction():
            assert self._staging is not None and self._staging_dir is not None
            tmp = self._staging_dir / f"{uuid.uuid4().hex}.{ext}"
            dump(table, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            digest = sha256_file(tmp)
            entry = {"file": f"{name}.{digest[:16]}.{ext}", "sha256": digest, "bytes": tmp.stat().st_size,
                     "rows": table.num_rows, "columns": table.column_names}
            self._staging[name] = (tmp, {**entry, **(meta or {})})
        return self.path(name)

    def delete(self, name: str) -> None:
        """Remove table `name` from the store (no error if it is absent)."""
        name = _check_relpath(name)
        with self.transaction():
            assert self._staging is not None
            self._staging[name] = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Hold the write lock; stage every `write`/`delete` in the block; commit all on success, none on error."""
        if self._staging is not None:
            yield self
            return
        with self.lock():
            self._committed()  # refuse to write over a store whose manifest was lost
            if not self._manifest_path().exists():  # a new store: its (empty) manifest exists before any file
                atomic_write_text(self._manifest_path(), "{}")
            self._remove_leftovers()
            self._staging_dir = Path(tempfile.mkdtemp(dir=self.root, prefix=_STAGING_PREFIX))
            _ACTIVE_STAGING.add(self._staging_dir.resolve())
            self._staging = {}
            try:
                yield self
                self._run_hooks()
                self._commit(self._staging)
            finally:
                staging_dir = self._staging_dir
                _ACTIVE_STAGING.discard(staging_dir.resolve())
                self._staging = None
                self._staging_dir = None
                if staging_dir.exists():
                    shutil.rmtree(staging_dir, ignore_errors=True)

    def _run_hooks(self) -> None:
        """Call each `PRECOMMIT_HOOKS` hook whose prefix a staged write or delete falls under."""
        import importlib

        assert self._staging is not None
        for prefix, target in PRECOMMIT_HOOKS.items():
            if any(n.startswith(prefix) for n in self._staging):
                module, func = target.split(":")
                getattr(importlib.import_module(module), func)(self)

    def _step(self, op: str, path: Path) -> None:
        hook = type(self).fault_hook
        if hook is not None:
            hook(op, path)

    def _commit(self, staged: dict[str, tuple[Path, dict] | None]) -> None:
        if not staged:
            return
        old = self._committed()
        new = dict(old)
        for name in sorted(staged):
            item = staged[name]
            if item is None:
                new.pop(name, None)
                continue
            tmp, entry = item
            dest = self.root / entry["file"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, dest)
            if "stamp" in entry:  # an array: its stamp as it now sits in place (the move changed ctime)
                entry = {**entry, "stamp": _stamp(dest)}
            self._step("replace", dest)
            new[name] = entry
        _fsync_dir(self.root)
        manifest = self._manifest_path()
        atomic_write_bytes(manifest, json.dumps(new, indent=1, sort_keys=True).encode("utf-8"))
        _fsync_dir(self.root)
        self._step("replace", manifest)
        live = {self._file_of(n, e) for n, e in new.items()}
        for name, entry in sorted(old.items()):
            path = self._file_of(name, entry)
            if path not in live:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                self._step("unlink", path)
        if self._staging_dir is not None:
            shutil.rmtree(self._staging_dir, ignore_errors=True)
            self._step("cleanup", self._staging_dir)

    def _leftovers(self, manifest: dict[str, dict]) -> tuple[list[Path], list[Path], list[Path]]:
        """(staging folders, temporary files, unmanaged table files) under the root."""
        live = {self._file_of(n, e) for n, e in manifest.items()}
        staging = sorted(p for p in self.root.glob(f"{_STAGING_PREFIX}*")) if self.root.is_dir() else []
        temps, unmanaged = [], []
        for dirpath, dirnames, filenames in os.walk(self.root) if self.root.is_dir() else ():
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                p = Path(dirpath) / f
                if f.startswith(".") and f.endswith(".tmp"):
                    temps.append(p)
                elif f.endswith(_EXTS) and not f.startswith(".") and p not in live:
                    unmanaged.append(p)
        return staging, temps, unmanaged

    def _remove_leftovers(self) -> None:
        """Under the lock: remove what crashed commits left (staging, temporaries, generated orphans)."""
        staging, temps, unmanaged = self._leftovers(self._committed())
        for p in staging:
            if p.resolve() not in _ACTIVE_STAGING:  # another Store object of this process may be staging
                shutil.rmtree(p, ignore_errors=True)
        for p in temps + [p for p in unmanaged if _FILE_RE.match(p.name)]:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    # -- checking and repairing -------------------------------------------------------------
    def check(self) -> StoreCheck:
        """Every table's status and every problem: missing or corrupt tables, unmanaged files,
        leftover staging folders and temporary files, a lost manifest. Waits for writers."""
        report = StoreCheck(self.root)
        if not self.root.is_dir():
            report.problems.append(f"{self.root}: no such store directory")
            return report
        with self.lock():
            try:
                manifest = self._committed()
            except CorruptFileError as exc:
                report.problems.append(str(exc))
                manifest = {}
            for name, entry in sorted(manifest.items()):
                path = self._file_of(name, entry)
                if not path.exists():
                    report.tables[name] = "missing"
                    report.problems.append(f"{name}: file {path.relative_to(self.root)} is missing")
                elif path.stat().st_size != entry.get("bytes") or sha256_file(path) != entry.get("sha256"):
                    report.tables[name] = "corrupt"
                    report.problems.append(f"{name}: {path.relative_to(self.root)} does not match its checksum")
                else:
                    report.tables[name] = "ok"
            staging, temps, unmanaged = self._leftovers(manifest)
            for p in staging:
                report.problems.append(f"{p.relative_to(self.root)}: leftover staging folder of an interrupted commit")
            for p in temps:
                report.problems.append(f"{p.relative_to(self.root)}: leftover temporary file")
            if manifest or not report.problems:
                for p in unmanaged:
                    report.problems.append(f"{p.relative_to(self.root)}: unmanaged file (not in {MANIFEST})")
        return report

    def repair(self) -> list[str]:
        """Make the store clean: restore or drop corrupt and missing tables (corrupt files are moved
        to ``.quarantine/``), rebuild a lost manifest from the table files, remove leftovers.
        Returns one line per action."""
        if not self.root.is_dir():
            raise DataError(f"store {self.root}: no such directory")
        actions: list[str] = []
        with self.lock():
            quarantine = self.root / QUARANTINE / time.strftime("%Y%m%dT%H%M%S")
            try:
                manifest = self._committed()
                rebuild = False
            except CorruptFileError:
                manifest, rebuild = {}, True
            staging, temps, unmanaged = self._leftovers(manifest)
            # Files whose content may restore a table: unmanaged table files and staged files.
            spare: dict[str, Path] = {}
            for p in unmanaged + [f for d in staging for f in d.rglob("*") if f.suffix in _EXTS]:
                with contextlib.suppress(OSError):
                    spare.setdefault(sha256_file(p), p)

            def _quarantine(path: Path, why: str) -> None:
                dest = quarantine / path.relative_to(self.root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
                actions.append(f"{path.relative_to(self.root)}: {why}; moved to {dest.relative_to(self.root)}")

            new: dict[str, dict] = {}
            if rebuild:
                new = self._rebuild(unmanaged, _quarantine, actions)
            for name, entry in sorted(manifest.items()):
                path = self._file_of(name, entry)
                ok = path.exists() and path.stat().st_size == entry.get("bytes") and sha256_file(path) == entry.get("sha256")
                if ok:
                    new[name] = {**entry, "stamp": _stamp(path)} if "stamp" in entry else entry
                    continue
                if path.exists():
                    _quarantine(path, f"table {name} does not match its checksum")
                source = spare.pop(entry.get("sha256", ""), None)
                if source is not None and source.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, path)
                    new[name] = {**entry, "stamp": _stamp(path)} if "stamp" in entry else entry
                    actions.append(f"{name}: restored from {source.relative_to(self.root)}")
                else:
                    actions.append(f"{name}: dropped (no intact copy); import or fetch it again")
            atomic_write_text(self._manifest_path(), json.dumps(new, indent=1, sort_keys=True))
            if rebuild:
                actions.append(f"{MANIFEST}: rebuilt with {len(new)} table(s) found on disk")
            live = {self._file_of(n, e) for n, e in new.items()}
            for p in staging:
                shutil.rmtree(p, ignore_errors=True)
                actions.append(f"{p.relative_to(self.root)}: removed leftover staging folder")
            for p in temps:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                actions.append(f"{p.relative_to(self.root)}: removed leftover temporary file")
            for p in unmanaged:
                if p in live or not p.exists():
                    continue
                if _FILE_RE.match(p.name):
                    p.unlink()
                    actions.append(f"{p.relative_to(self.root)}: removed unmanaged file of an interrupted commit")
                else:
                    _quarantine(p, "unmanaged file")
        return actions

    def _rebuild(self, files: list[Path], quarantine: Callable[[Path, str], None], actions: list[str]) -> dict[str, dict]:
        """Manifest entries for table files found on disk (newest file per table wins)."""
        found: dict[str, list[tuple[float, Path, dict]]] = {}
        for path in files:
            rel = path.relative_to(self.root).as_posix()
            m = _FILE_RE.match(rel)
            name = m.group("name") if m else rel[: -len(path.suffix)]
            digest = sha256_file(path)
            if m and not digest.startswith(m.group("tag")):
                quarantine(path, "content does not match the checksum in its name")
                continue
            if path.suffix == ".npy":
                try:
                    shape, dtype = _npy_header(path)
                except (ValueError, OSError) as exc:
                    quarantine(path, f"not a readable NumPy array file ({exc})")
                    continue
                entry = {"file": rel, "sha256": digest, "bytes": path.stat().st_size,
                         "rows": shape[0] if shape else 1, "columns": [], "shape": list(shape),
                         "dtype": dtype.str, "stamp": _stamp(path)}
                found.setdefault(name, []).append((path.stat().st_mtime, path, entry))
                continue
            if path.suffix == ".arrow":
                try:
                    with pa.memory_map(str(path)) as source:
                        table = pa.ipc.open_file(source).read_all()
                except (pa.ArrowInvalid, OSError) as exc:
                    quarantine(path, f"not a readable Arrow file ({exc})")
                    continue
                entry = {"file": rel, "sha256": digest, "bytes": path.stat().st_size, "rows": table.num_rows,
                         "columns": table.column_names, "stamp": _stamp(path)}
                found.setdefault(name, []).append((path.stat().st_mtime, path, entry))
                continue
            try:
                meta = pq.ParquetFile(path).metadata
            except (pa.ArrowInvalid, OSError) as exc:
                quarantine(path, f"not a readable Parquet file ({exc})")
                continue
            entry = {"file": rel, "sha256": digest, "bytes": path.stat().st_size, "rows": meta.num_rows,
                     "columns": meta.schema.to_arrow_schema().names}
            found.setdefault(name, []).append((path.stat().st_mtime, path, entry))
        out = {}
        for name, versions in sorted(found.items()):
            versions.sort(key=lambda v: (v[0], str(v[1])))
            out[name] = versions[-1][2]
            for _, path, _ in versions[:-1]:
                quarantine(path, f"older copy of table {name}")
        return out

    # -- reading ----------------------------------------------------------------------------
    def verify(self, name: str) -> Path:
        """The path of table `name` after checking its bytes against the manifest."""
        name = _check_relpath(name)
        for attempt in range(2):
            entry = self.manifest().get(name)
            if entry is None:
                raise DataError(f"store {self.root}: no table {name!r} (have: {', '.join(self.names()) or 'none'})")
            path = self.path(name)
            try:
                size, digest = path.stat().st_size, sha256_file(path)
            except FileNotFoundError:
                if attempt == 0:
                    continue  # a writer committed and removed the old file meanwhile: follow the new manifest
                raise CorruptFileError(f"{path}: table {name} is missing; run `hedgeclone data repair "
                                       f"--store {self.root}`, then import or fetch it again") from None
            if size != entry["bytes"] or digest != entry["sha256"]:
                if attempt == 0 and self._staging is None and self.manifest().get(name) != entry:
                    continue
                raise CorruptFileError(f"{path}: checksum does not match the store manifest; run `hedgeclone data "
                                       f"repair --store {self.root}`, then import or fetch it again")
            return path
        raise AssertionError("unreachable")

    def _open_stamped(self, name: str, entry: dict | None, key: str, what: str):
        """(open binary file, its manifest entry) of stamped table `name` (one whose entry has `key`),
        its bytes trusted when the file's stat stamp equals the one the commit recorded, else hashed in
        full (`CorruptFileError` if they differ; `restamp` if they match). With `entry`, a file
        superseded meanwhile raises `FileNotFoundError` (the caller retries)."""
        name = _check_relpath(name)
        for attempt in range(2):
            snapshot = entry if entry is not None else self.manifest().get(name)
            if snapshot is None or key not in snapshot:
                raise DataError(f"store {self.root}: no {what} {name!r}")
            path = self._file_of(name, snapshot) if entry is not None else self.path(name)
            try:
                fh = open(path, "rb")
            except FileNotFoundError:
                if entry is not None:
                    raise
                if attempt == 0:
                    continue  # superseded meanwhile: follow the new manifest
                raise CorruptFileError(f"{path}: {what} {name} is missing; run `hedgeclone data repair "
                                       f"--store {self.root}`, then import or fetch again") from None
            stamp = _stamp(fh.fileno())
            if stamp != snapshot.get("stamp"):
                if stamp[0] != snapshot["bytes"] or sha256_file(path) != snapshot["sha256"]:
                    fh.close()
                    if entry is None and attempt == 0 and self._staging is None and self.manifest().get(name) != snapshot:
                        continue
                    raise CorruptFileError(f"{path}: checksum does not match the store manifest; run "
                                           f"`hedgeclone data repair --store {self.root}`, then import or fetch again")
                if self._staging is None:
                    self.restamp(name, snapshot, stamp)
            return fh, snapshot
        raise AssertionError("unreachable")

    def open_array(self, name: str, entry: dict | None = None) -> np.ndarray:
        """Array table `name` (as of the manifest `entry` if given), memory-mapped copy-on-write
        (writes stay private to this process); its bytes checked as `_open_stamped` says."""
        fh, snapshot = self._open_stamped(name, entry, "shape", "array")
        with fh:
            shape, fortran, dtype = _read_npy_header(fh)
            if list(shape) != snapshot["shape"] or fortran:
                raise CorruptFileError(f"{fh.name}: array header does not match the store manifest")
            if 0 in shape:
                return np.empty(shape, dtype=dtype)
            return np.memmap(fh, dtype=dtype, mode="c", shape=shape, offset=fh.tell()).view(np.ndarray)

    def open_arrow(self, name: str) -> pa.Table:
        """Arrow table `name` (`write_arrow`), its buffers memory-mapped read-only (nothing decoded or
        copied); its bytes checked as `_open_stamped` says."""
        import mmap

        fh, snapshot = self._open_stamped(name, None, "stamp", "Arrow table")
        with fh:
            try:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                table = pa.ipc.open_file(pa.py_buffer(mapped)).read_all()
            except (ValueError, OSError, pa.ArrowInvalid) as exc:
                raise CorruptFileError(f"{fh.name}: not a readable Arrow file ({exc})") from None
        if table.num_rows != snapshot["rows"] or table.column_names != snapshot["columns"]:
            raise CorruptFileError(f"{fh.name}: Arrow table does not match the store manifest")
        return table

    def restamp(self, name: str, entry: dict, stamp: list[int]) -> None:
        """Record `stamp` for array `name` (its bytes were just hashed and matched), if nothing else
        changed it meanwhile; best effort: a read-only store or a busy lock leaves it as it was."""
        with contextlib.suppress(OSError, DataError):
            with file_lock(self.root / LOCK, timeout=0, what=f"store {self.root}"):
                manifest = self._committed()
                if manifest.get(name) != entry or _stamp(self._file_of(name, entry)) != stamp:
                    return
                manifest[name] = {**entry, "stamp": stamp}
                atomic_write_text(self._manifest_path(), json.dumps(manifest, indent=1, sort_keys=True))

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Table `name` as a DataFrame; raises `CorruptFileError` if its bytes changed."""
        path = self.verify(name)
        return pq.read_table(path, columns=columns).to_pandas()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run DuckDB SQL in which ``{name}`` placeholders stand for verified stored tables.

        Example: ``store.query("select count(*) from {13f/holdings}")``.
        """

        def _sub(match: re.Match[str]) -> str:
            path = self.verify(match.group(1))
            return "read_parquet('" + str(path).replace("'", "''") + "')"

        import duckdb  # here, not at the top: loading a market runs no SQL

        resolved = re.sub(r"\{([A-Za-z0-9_./-]+)\}", _sub, sql)
        with duckdb.connect() as con:
            return con.execute(resolved, params or []).df()
