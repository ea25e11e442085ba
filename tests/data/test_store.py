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


def _partition_store(tmp_path):
    from hedgeclone.data.prices.load import import_price_file

    src = tmp_path / "p.csv"
    src.write_text("ticker,date,close\nAAA,2024-01-02,1\nBBB,2024-01-02,2\n")
    store = Store(tmp_path / "s")
    import_price_file(store, src)
    return store, src


@pytest.mark.parametrize("damage", ["delete", "empty"])
def test_a_lost_or_empty_manifest_is_an_error_never_an_empty_store(tmp_path, damage):
    from hedgeclone.data.prices import store as pstore

    store, src = _partition_store(tmp_path)
    before = pstore.read_long(store)
    manifest = store.root / "manifest.json"
    manifest.unlink() if damage == "delete" else manifest.write_text("")
    with pytest.raises(CorruptFileError, match="data repair"):
        pstore.read_long(store)
    with pytest.raises(CorruptFileError, match="data repair"):  # and no import writes over the files
        store.write("other", frame())
    actions = store.repair()
    assert any("rebuilt" in a for a in actions)
    pd.testing.assert_frame_equal(pstore.read_long(store), before)
    assert store.check().clean


def test_repair_drops_a_partition_replaced_without_its_manifest_and_reimport_works(tmp_path):
    """The old commit replaced partitions before the manifest: a kill between left a checksum
    mismatch that bricked `info`, `run` and re-import. Repair quarantines it; re-import works."""
    from hedgeclone.data.prices import store as pstore
    from hedgeclone.data.prices.load import import_price_file

    store, src = _partition_store(tmp_path)
    path = store.path("prices/daily/A")
    path.write_bytes(store.path("prices/daily/B").read_bytes())  # other valid bytes: a half-done commit
    check = store.check()
    assert check.tables["prices/daily/A"] == "corrupt" and not check.clean
    with pytest.raises(CorruptFileError, match="data repair"):
        import_price_file(store, src)
    actions = store.repair()
    assert any("prices/daily/A: dropped" in a for a in actions)
    assert list((store.root / ".quarantine").rglob("*.parquet"))
    assert store.check().clean and "AAA" not in set(pstore.read_long(store)["ticker"])
    import_price_file(store, src)
    assert sorted(pstore.read_long(store)["ticker"].astype(str)) == ["AAA", "BBB"]


def test_repair_restores_a_corrupt_table_from_an_intact_leftover_copy(tmp_path):
    store = Store(tmp_path)
    path = store.write("t", frame())
    spare = tmp_path / "t.0000000000000000.parquet"  # an unmanaged copy with the recorded content
    spare.write_bytes(path.read_bytes())
    path.write_bytes(b"garbage")
    actions = store.repair()
    assert any("t: restored" in a for a in actions)
    pd.testing.assert_frame_equal(store.read("t"), frame())
    assert store.check().clean


def test_a_second_writer_waits_then_fails_with_a_clear_message(tmp_path):
    from hedgeclone.atomic import LockTimeout

    holder = Store(tmp_path)
    waiter = Store(tmp_path, lock_timeout=0.2)
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from hedgeclone.data.store import Store\n"
        f"with Store({str(tmp_path)!r}).lock():\n    print('held', flush=True); time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout, match=rf"store {tmp_path} is locked by another hedgeclone process \(pid {proc.pid}\)"):
            waiter.write("t", frame())
    finally:
        proc.kill()
        proc.wait()
    holder.write("t", frame())  # released when its holder died
    assert len(holder.read("t")) == 5


def test_empty_store_path_and_file_path_are_refused(tmp_path):
    with pytest.raises(InputError, match="--store ''"):
        Store("")
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        Store(f)
    with pytest.raises(DataError, match="no such directory"):
        Store(tmp_path / "missing").require()


def test_a_store_written_before_content_named_files_still_reads_and_upgrades(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from hedgeclone.atomic import sha256_file

    legacy = tmp_path / "prices" / "t.parquet"  # the old layout: <name>.parquet, no "file" in the entry
    legacy.parent.mkdir()
    pq.write_table(pa.Table.from_pandas(frame(), preserve_index=False), legacy)
    entry = {"sha256": sha256_file(legacy), "bytes": legacy.stat().st_size, "rows": 5, "columns": ["ticker", "value"]}
    (tmp_path / "manifest.json").write_text(json.dumps({"prices/t": entry}))
    store = Store(tmp_path)
    pd.testing.assert_frame_equal(store.read("prices/t"), frame())
    assert store.check().clean
    store.write("prices/t", frame(2))
    assert not legacy.exists() and len(store.read("prices/t")) == 2 and store.check().clean


def test_nested_transactions_of_two_store_objects_on_one_root(tmp_path):
    outer, inner = Store(tmp_path), Store(tmp_path)
    with outer.transaction():
        outer.write("a", frame(1))
        inner.write("b", frame(2))  # re-enters the lock; must not remove outer's staging folder
        outer.write("c", frame(3))
    assert [len(outer.read(n)) for n in ("a", "b", "c")] == [1, 2, 3] and outer.check().clean
