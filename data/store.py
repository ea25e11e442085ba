"""The local store: Parquet files under one directory, checksummed, written atomically.

Layout: ``ROOT/<relpath>.parquet`` files plus ``ROOT/manifest.json`` which records, for each
file, its SHA-256, size and row count. A file whose bytes no longer match the manifest is
corrupt: reading it raises `CorruptFileError` (the caller refetches), it is never used.

Writes go to a temporary file in the same directory and are moved into place with
`os.replace`, so a crash leaves either the old file or the new one, never half of one.
`Store.transaction()` stages several writes and publishes them together, so an import that
fails part-way leaves the store exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_cache_dir

from hedgeclone.atomic import atomic_write_bytes, atomic_write_text
from hedgeclone.errors import CorruptFileError, DataError, InputError

STORE_ENV = "HEDGECLONE_STORE"
MANIFEST = "manifest.json"

__all__ = ["STORE_ENV", "Store", "default_store_dir", "atomic_write_bytes", "atomic_write_text"]


def default_store_dir() -> Path:
    """The store directory: $HEDGECLONE_STORE if set, else the user cache directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(user_cache_dir("hedgeclone")) / "store"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_relpath(relpath: str) -> str:
    parts = Path(relpath).parts
    if not parts or Path(relpath).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise InputError(f"store path {relpath!r} must be a relative path without '..'")
    return Path(relpath).as_posix()


class Store:
    """A directory of checksummed Parquet tables addressed by relative names like ``prices/close``."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_store_dir()
        self._lock = threading.Lock()
        self._staging: dict[str, tuple[Path, dict]] | None = None
        self._staging_dir: Path | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- manifest ---------------------------------------------------------------------------
    def _manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict[str, dict]:
        """Entries by relative name: sha256, bytes, rows and columns of each stored table."""
        path = self._manifest_path()
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise CorruptFileError(f"{path}: store manifest is not valid JSON ({exc})") from exc

    def _write_manifest(self, manifest: dict[str, dict]) -> None:
        atomic_write_text(self._manifest_path(), json.dumps(manifest, indent=1, sort_keys=True))

    # -- paths ------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Where the table `name` lives (whether or not it exists)."""
        return self.root / f"{_check_relpath(name)}.parquet"

    def names(self, prefix: str = "") -> list[str]:
        """Names of the stored tables, optionally only those under `prefix`."""
        return sorted(n for n in self.manifest() if n.startswith(prefix))

    def exists(self, name: str) -> bool:
        return _check_relpath(name) in self.manifest() and self.path(name).exists()

    # -- writing ----------------------------------------------------------------------------
    def write(self, name: str, frame: pd.DataFrame | pa.Table) -> Path:
        """Store `frame` as table `name`, atomically; inside a transaction it is only staged."""
        name = _check_relpath(name)
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        if self._staging is not None:
            assert self._staging_dir is not None
            tmp = self._staging_dir / f"{uuid.uuid4().hex}.parquet"
            pq.write_table(table, tmp)
            self._staging[name] = (tmp, self._entry(tmp, table))
            return self.path(name)
        dest = self.path(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            pq.write_table(table, tmp)
            entry = self._entry(tmp, table)
            with self._lock:
                os.replace(tmp, dest)
                manifest = self.manifest()
                manifest[name] = entry
                self._write_manifest(manifest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        return dest

    @staticmethod
    def _entry(path: Path, table: pa.Table) -> dict:
        return {
            "sha256": _sha256(path),
            "bytes": path.stat().st_size,
            "rows": table.num_rows,
            "columns": table.column_names,
        }

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Stage every `write` inside the block; publish all on success, none on error."""
        if self._staging is not None:
            yield self
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._staging_dir = Path(tempfile.mkdtemp(dir=self.root, prefix=".staging-"))
        self._staging = {}
        try:
            yield self
            staged = self._staging
            with self._lock:
                manifest = self.manifest()
                for name, (tmp, entry) in staged.items():
                    dest = self.path(name)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp, dest)
                    manifest[name] = entry
                self._write_manifest(manifest)
        finally:
            shutil.rmtree(self._staging_dir, ignore_errors=True)
            self._staging = None
            self._staging_dir = None

    def delete(self, name: str) -> None:
        """Remove table `name` from the store (no error if it is absent)."""
        name = _check_relpath(name)
        with self._lock:
            manifest = self.manifest()
            manifest.pop(name, None)
            self._write_manifest(manifest)
            with contextlib.suppress(FileNotFoundError):
                self.path(name).unlink()

    # -- reading ----------------------------------------------------------------------------
    def verify(self, name: str) -> Path:
        """The path of table `name` after checking its bytes against the manifest."""
        name = _check_relpath(name)
        entry = self.manifest().get(name)
        path = self.path(name)
        if entry is None or not path.exists():
            raise DataError(f"store {self.root}: no table {name!r} (have: {', '.join(self.names()) or 'none'})")
        if path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise CorruptFileError(f"{path}: checksum does not match the store manifest; refetch or re-import it")
        return path

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Table `name` as a DataFrame; raises `CorruptFileError` if its bytes changed."""
        path = self.verify(name)
        return pq.read_table(path, columns=columns).to_pandas()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run DuckDB SQL in which ``{name}`` placeholders stand for verified stored tables.

        Example: ``store.query("select count(*) from {13f/holdings}")``.
        """
        import re

        def _sub(match: re.Match[str]) -> str:
            path = self.verify(match.group(1))
            return "read_parquet('" + str(path).replace("'", "''") + "')"

        resolved = re.sub(r"\{([A-Za-z0-9_./-]+)\}", _sub, sql)
        with duckdb.connect() as con:
            return con.execute(resolved, params or []).df()
