"""The local store: atomic, checksummed, transactional."""

from __future__ import annotations

import pandas as pd
import pytest

from hedgeclone.data.store import STORE_ENV, Store, default_store_dir
from hedgeclone.errors import CorruptFileError, DataError, InputError


def frame(n: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"ticker": [f"T{i}" for i in range(n)], "value": [float(i) for i in range(n)]})


def test_round_trip_and_manifest(tmp_path):
    store = Store(tmp_path)
    store.write("prices/daily/a", frame())
    pd.testing.assert_frame_equal(store.read("prices/daily/a"), frame())
    entry = store.manifest()["prices/daily/a"]
    assert entry["rows"] == 5 and entry["columns"] == ["ticker", "value"] and len(entry["sha256"]) == 64
    assert store.names("prices/") == ["prices/daily/a"] and store.exists("prices/daily/a")
    assert store.query("select sum(value) as s from {prices/daily/a}")["s"].iloc[0] == 10.0


def test_a_changed_file_is_reported_corrupt_never_used(tmp_path):
    store = Store(tmp_path)
    path = store.write("t", frame())
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="checksum"):
        store.read("t")


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path):
    store = Store(tmp_path)
    store.write("keep", frame(2))
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError), store.transaction():
        store.write("keep", frame(9))
        store.write("new", frame(3))
        raise RuntimeError("interrupted")
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    with store.transaction():
        store.write("keep", frame(9))
        store.write("new", frame(3))
    assert len(store.read("keep")) == 9 and len(store.read("new")) == 3


def test_bad_names_and_missing_tables(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(InputError, match="relative path"):
        store.write("../escape", frame())
    with pytest.raises(DataError, match="no table 'absent'"):
        store.read("absent")


def test_default_directory_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "mine"))
    assert default_store_dir() == tmp_path / "mine" and Store().root == tmp_path / "mine"
