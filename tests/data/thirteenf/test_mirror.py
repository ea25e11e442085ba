"""The 13F holdings mirror: `StoreHoldings.all` maps one Arrow file that equals the Parquet batches."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf import storage
from hedgeclone.data.thirteenf.storage import MIRROR, PREFIX, StoreHoldings, _read_batches
from hedgeclone.errors import CorruptFileError

from .test_store_speedpath import random_holdings


def batches_read(db: StoreHoldings) -> pd.DataFrame:
    return _read_batches(db.paths())


@pytest.fixture
def db(tmp_path) -> StoreHoldings:
    db = StoreHoldings(Store(tmp_path / "store"))
    h = random_holdings(3)
    db.write_batch("one", h[h["cik"] <= 6])
    db.write_batch("two", h[h["cik"] > 6])
    return db


def test_every_import_switches_in_a_mirror_equal_to_its_batches(db):
    entry = db.store.manifest()[MIRROR]
    assert entry["file"].endswith(".arrow") and entry["rows"] == len(batches_read(db))
    pd.testing.assert_frame_equal(db.all(), batches_read(db), check_exact=True)
    assert db.store.check().clean
    db.store.delete(PREFIX + "one")  # the hook rebuilds it in the same commit
    pd.testing.assert_frame_equal(db.all(), batches_read(db), check_exact=True)
    assert db.store.manifest()[MIRROR]["rows"] == len(batches_read(db))


def test_a_store_without_the_mirror_builds_it_on_first_read(db):
    with db.store.transaction():
        db.store.delete(MIRROR)
    assert MIRROR not in db.store.manifest()
    pd.testing.assert_frame_equal(StoreHoldings(db.store).all(), batches_read(db), check_exact=True)
    assert MIRROR in db.store.manifest()


def test_a_mirror_that_cannot_be_had_leaves_the_batches_to_be_read(db, monkeypatch):
    monkeypatch.setattr(storage, "MIRROR_MAX_ROWS", 10)
    db.store.delete(PREFIX + "one")  # the rebuild now finds too many rows: no mirror
    assert MIRROR not in db.store.manifest()
    pd.testing.assert_frame_equal(db.all(), batches_read(db), check_exact=True)
    assert MIRROR not in db.store.manifest()


def test_a_changed_mirror_is_reported_never_used_and_repair_rebuilds_it(db):
    path = db.store.root / db.store.manifest()[MIRROR]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, new bytes: the stamp differs, the hash catches it
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="checksum"):
        db.all()
    assert not db.store.check().clean
    db.store.repair()  # drops it (no intact copy): the next read builds it again
    pd.testing.assert_frame_equal(StoreHoldings(db.store).all(), batches_read(db), check_exact=True)


def test_a_manifest_rebuilt_from_disk_keeps_the_mirror(db):
    entry = db.store.manifest()[MIRROR]
    os.remove(db.store.root / "manifest.json")
    db.store.repair()
    rebuilt = db.store.manifest()[MIRROR]
    assert {k: rebuilt[k] for k in ("file", "sha256", "bytes", "rows", "columns")} == \
        {k: entry[k] for k in ("file", "sha256", "bytes", "rows", "columns")}
    pd.testing.assert_frame_equal(db.all(), batches_read(db), check_exact=True)
