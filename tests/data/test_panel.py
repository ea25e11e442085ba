"""The price panel: `load_market("store")` from memory-mapped panels equals the long-table path,
for every window; stale, old, corrupt and repaired stores; `data verify` knows the panel files."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.market import _store, load_market
from hedgeclone.data.prices.coverage import delisting_dates, ended_tickers
from hedgeclone.data.prices.load import import_price_files, load_prices
from hedgeclone.data.prices.panel import PANEL_PREFIX, load_panel, panel_is_fresh, read_window
from hedgeclone.data.schemas import PRICE_FIELDS
from hedgeclone.data.store import Store
from hedgeclone.errors import CorruptFileError

BENCH = ("sp500",)


def _prices_file(path: Path, seed: int = 3) -> Path:
    """Long rows over 4 partitions with late starts, early ends, gaps, and closes missing on rows
    that have other fields (a row without a valid close)."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2020-01-01", "2021-12-31")
    rows = []
    spans = {"AAA": (0, None), "ABC": (40, 300), "BBB": (0, 120), "BGAP": (10, None), "1ST": (200, None),
             "^ODD": (5, 60), "SPY": (0, None), "LATE": (480, None), "ZED": (0, 30)}
    for ticker, (lo, hi) in spans.items():
        for i, d in enumerate(days[lo:hi]):
            if ticker == "BGAP" and 100 <= i < 250:
                continue  # a gap: no rows at all
            close = "" if ticker == "ABC" and i % 17 == 0 else f"{10 + rng.random() * 5:.4f}"
            raw = f"{9 + rng.random():.4f}" if ticker in ("ABC", "BBB") else ""
            vol = str(int(rng.integers(1, 10**6))) if ticker != "ZED" else ""
            rows.append(f"{ticker},{d.date()},{close},{raw},{vol},{10 + rng.random():.3f}\n")
    path.write_text("ticker,date,close,raw_close,volume,open\n" + "".join(rows))
    return path


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "store")
    import_price_files(s, [_prices_file(tmp_path / "prices.csv")])
    return s


WINDOWS = [(None, None), ("2020-03-01", None), (None, "2021-06-30"), ("2020-06-01", "2020-12-31"),
           ("2021-01-04", "2021-01-08"), ("2020-06-10", "2020-12-15"), ("2020-05-20", "2020-10-15"), ("2019-01-01", "2019-06-30")]


def _equal(a, b) -> None:
    for f in ("close", "raw_close", "volume", "benchmarks"):
        pd.testing.assert_frame_equal(getattr(a, f), getattr(b, f), check_exact=True)
    pd.testing.assert_series_equal(a.delisting_returns, b.delisting_returns, check_exact=True)
    assert a.caveats == b.caveats


@pytest.mark.parametrize("start,end", WINDOWS[:-1])
def test_the_panel_market_equals_the_long_table_market(store, start, end):
    assert panel_is_fresh(store)  # the import built it, in the same commit
    new = _store(store, BENCH, start, end, panel=True)
    old = _store(store, BENCH, start, end, panel=False)
    _equal(new, old)
    assert new.close.shape[1] >= 3


def test_windows_that_drop_tickers_and_see_a_gap_give_the_long_path_columns_and_delistings(store):
    panel = load_panel(store, PRICE_FIELDS, build=False)
    assert panel is not None
    for (start, end), prefetch in itertools.product(WINDOWS, [(), ("close", "volume")]):
        window = read_window(panel, PRICE_FIELDS, start, end, prefetch=prefetch)  # copies on a thread, or not
        want = load_prices(store, None, start, end, fields=PRICE_FIELDS)
        for f in PRICE_FIELDS:
            pd.testing.assert_frame_equal(window.frames[f](), want[f], check_exact=True)
        pd.testing.assert_series_equal(window.delistings, delisting_dates(want["close"]), check_exact=True)
        pd.testing.assert_index_equal(window.tickers, want["close"].columns)
    cols = read_window(panel, ["close"], "2020-06-10", "2020-12-15").frames["close"]().columns
    assert "LATE" not in cols and "ZED" not in cols and "BGAP" not in cols and "AAA" in cols


def test_a_copy_made_on_a_thread_raises_its_error_in_the_caller():
    from hedgeclone.data.prices.panel import _Copying

    with pytest.raises(IndexError):
        _Copying(np.zeros((2, 3)), np.array([0, 5]), 0, 3).result()


def test_a_whole_window_frame_is_a_view_of_the_memory_map(store):
    panel = load_panel(store, ["close"], build=False)
    frame = read_window(panel, ["close"]).frames["close"]()
    assert np.shares_memory(frame.to_numpy(), panel.array("close"))
    frame.iloc[0, 0] = -1.0  # copy-on-write: the process's own pages, never the stored file
    assert load_prices(store, fields=("close",))["close"].iloc[0, 0] != -1.0
    assert store.check().clean


def test_vectorized_delisting_dates_equal_the_per_column_scan():
    rng = np.random.default_rng(0)
    values = rng.random((60, 12))
    values[rng.random((60, 12)) < 0.3] = np.nan
    values[40:, :5] = np.nan
    values[:, 7] = np.nan
    close = pd.DataFrame(values, index=pd.bdate_range("2024-01-01", periods=60, name="date"),
                         columns=pd.Index([f"T{i}" for i in range(12)], name="ticker"))
    last = pd.to_datetime(close.apply(lambda s: s.last_valid_index()).dropna())
    pd.testing.assert_series_equal(delisting_dates(close), last[ended_tickers(last, close.index)])
    assert delisting_dates(close.iloc[:, :0]).empty


def _drop_panel(store: Store) -> None:
    """Make `store` look written before the panel existed."""
    manifest = json.loads((store.root / "manifest.json").read_text())
    for name in [n for n in manifest if n.startswith(PANEL_PREFIX)]:
        (store.root / manifest.pop(name)["file"]).unlink()
    (store.root / "manifest.json").write_text(json.dumps(manifest))


def test_a_store_without_a_panel_builds_it_on_first_load(store):
    want = _store(store, BENCH, None, None, panel=False)
    _drop_panel(store)
    assert store.check().clean and not panel_is_fresh(store)
    _equal(load_market("store", store=store, benchmarks=BENCH), want)
    assert panel_is_fresh(store) and store.check().clean


def test_a_stale_panel_that_cannot_be_rebuilt_falls_back_to_the_long_tables_and_says_so(store, monkeypatch):
    want = _store(store, BENCH, None, None, panel=False)
    _drop_panel(store)
    monkeypatch.setattr(Store, "transaction", lambda self: (_ for _ in ()).throw(PermissionError("read-only")))
    got = load_market("store", store=store, benchmarks=BENCH)
    assert "long tables" in got.caveats[0]
    pd.testing.assert_frame_equal(got.close, want.close, check_exact=True)


def test_a_changed_panel_file_is_reported_and_never_used(store):
    entry = store.manifest()[PANEL_PREFIX + "close"]
    path = store.root / entry["file"]
    with open(path, "r+b") as fh:
        fh.seek(entry["bytes"] - 8)
        fh.write(np.float64(123.0).tobytes())
    with pytest.raises(CorruptFileError, match="checksum"):
        load_market("store", store=store, benchmarks=BENCH)
    check = store.check()
    assert check.tables[PANEL_PREFIX + "close"] == "corrupt"
    store.repair()  # drops it; the next load rebuilds the panel from the partitions
    assert not panel_is_fresh(store)
    _equal(load_market("store", store=store, benchmarks=BENCH), _store(store, BENCH, None, None, panel=False))
    assert store.check().clean


def test_verify_knows_every_panel_file_and_a_moved_file_is_hashed_then_restamped(store):
    check = store.check()
    panel = [n for n in check.tables if n.startswith(PANEL_PREFIX)]
    assert len(panel) == 3 + len(PRICE_FIELDS) and check.clean
    entry = store.manifest()[PANEL_PREFIX + "close"]
    path = store.root / entry["file"]
    os.rename(path, path.with_suffix(".x"))
    os.rename(path.with_suffix(".x"), path)  # same bytes, new ctime: the stamp no longer matches
    assert store.manifest()[PANEL_PREFIX + "close"]["stamp"] == entry["stamp"]
    store.open_array(PANEL_PREFIX + "close")
    assert store.manifest()[PANEL_PREFIX + "close"]["stamp"] != entry["stamp"]


def test_a_repair_that_drops_a_partition_makes_the_panel_stale_and_the_next_load_rebuilds_it(store):
    entry = store.manifest()["prices/daily/A"]
    (store.root / entry["file"]).write_bytes(b"garbage")
    store.repair()
    assert "prices/daily/A" not in store.manifest() and not panel_is_fresh(store)
    market = load_market("store", store=store, benchmarks=BENCH)
    assert "AAA" not in market.close.columns
    _equal(market, _store(store, BENCH, None, None, panel=False))


def test_a_manifest_rebuilt_from_disk_keeps_the_panel_files(store):
    (store.root / "manifest.json").unlink()
    store.repair()
    names = store.names(PANEL_PREFIX)
    assert len(names) == 3 + len(PRICE_FIELDS) and store.check().clean
    _equal(load_market("store", store=store, benchmarks=BENCH), _store(store, BENCH, None, None, panel=False))


REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "prices"


@pytest.mark.slow
@pytest.mark.skipif(not (REAL / "us_stocks_adjclose_2014_2026.csv.gz").exists(), reason="needs ../shared/data")
def test_the_panel_market_equals_the_long_table_market_on_the_real_store(tmp_path):
    from benchmarks.loading import real_store

    store = real_store(Path(os.environ.get("HEDGECLONE_REAL_STORE", tmp_path / "real")))
    for start, end in [(None, None), ("2015-01-02", "2025-12-31")]:
        new = _store(store, ("sp500", "russell-microcap"), start, end, panel=True)
        old = _store(store, ("sp500", "russell-microcap"), start, end, panel=False)
        _equal(new, old)
        pd.testing.assert_frame_equal(new.holdings, old.holdings)
