"""The price panel: wide (dates x tickers) float64 arrays the store keeps beside ``prices/daily/*``.

Tables (names inside `data.store.Store`), rebuilt by `stage_panel` in every transaction that
writes or deletes a ``prices/daily/*`` partition (a `data.store.PRECOMMIT_HOOKS` hook), so the
panel and its sources switch in the same manifest switch:

- ``prices/panel/<field>`` for each of `PRICE_FIELDS`: one ``.npy`` array, float64, C order,
  tickers x calendar (each ticker's series contiguous: a frame's ``.T``, so a date window is a view
  and a subset of tickers a copy of whole rows; pandas holds it as its own block without copying),
  NaN where the store has no value; opened by memory map (`Store.open_array`);
- ``prices/panel/dates``: the calendar (``date``), the union of every stored row's date;
- ``prices/panel/tickers``: the tickers in sorted order (``ticker``) with their coverage computed
  once: ``first`` and ``last`` (dates of their first and last rows), ``last_close`` (last valid
  close) and ``ended`` (the series ends before the data does, `coverage.ended_tickers`: a delisting
  or a data end, which `coverage.end_kinds` tells apart from the sources' last dates);
- ``prices/panel/runs``: per ticker (position), maximal runs ``[start, stop)`` of calendar
  positions holding a row (``kind`` 0) or a valid close (``kind`` 1), so that a load of any date
  window knows, without reading the arrays, which tickers have rows in it and where each one's
  last close falls (what the long-table path's ``to_wide`` and ``delisting_dates`` give).

Every panel table's manifest entry carries ``panel``: a fingerprint of the partitions it was built
from. A panel whose fingerprint differs from the current partitions' (a store written before the
panel existed, or a partition dropped by `data repair`) is stale: `load_panel` rebuilds it under
the write lock on first use, or, if that is impossible (read-only store, busy lock), returns None
and the caller reads the long tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hedgeclone.data.prices.coverage import TOLERANCE_DAYS, ended_tickers
from hedgeclone.data.prices.store import DAILY_PREFIX
from hedgeclone.data.schemas import PRICE_FIELDS
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError

__all__ = ["PANEL_PREFIX", "Panel", "PricesWindow", "stage_panel", "load_panel", "panel_is_fresh", "fingerprint"]

PANEL_PREFIX = "prices/panel/"
DATES = PANEL_PREFIX + "dates"
TICKERS = PANEL_PREFIX + "tickers"
RUNS = PANEL_PREFIX + "runs"
ROW, CLOSE = 0, 1  # kinds of runs
PANEL_VERSION = 2  # part of the fingerprint: a panel of another layout is stale


def _field(name: str) -> str:
    return PANEL_PREFIX + name


def _panel_names() -> list[str]:
    return [DATES, TICKERS, RUNS, *(_field(f) for f in PRICE_FIELDS)]


def fingerprint(manifest: dict[str, dict]) -> str:
    """SHA-256 over `PANEL_VERSION` and the names and checksums of the ``prices/daily/*`` partitions."""
    parts = sorted((n, e.get("sha256", "")) for n, e in manifest.items() if n.startswith(DAILY_PREFIX))
    return hashlib.sha256(json.dumps([PANEL_VERSION, parts]).encode()).hexdigest()


def panel_is_fresh(store: Store, manifest: dict[str, dict] | None = None) -> bool:
    """True if every panel table is stored and was built from the current partitions."""
    manifest = store.manifest() if manifest is None else manifest
    want = fingerprint(manifest)
    return all(manifest.get(n, {}).get("panel") == want for n in _panel_names())


def _runs(present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, stop) of the maximal runs of True along each row of the bool `present`."""
    n = present.shape[1]
    edges = np.diff(present.view(np.int8), axis=1, prepend=np.int8(0), append=np.int8(0))  # m x (n + 1)
    col, start = np.nonzero(edges == 1)  # ordered by row, then position
    _, stop = np.nonzero(edges == -1)
    assert len(stop) == len(start) and np.all(stop <= n)
    return col.astype(np.int32), start.astype(np.int32), stop.astype(np.int32)


def stage_panel(store: Store) -> None:
    """Rebuild the panel from the partitions as the open transaction sees them, and stage it."""
    parts = store.names(DAILY_PREFIX)
    if not parts:
        for name in _panel_names():
            if store.exists(name):
                store.delete(name)
        return
    manifest = store.manifest()
    if any(not {"ticker", "date", *PRICE_FIELDS} <= set(manifest[p].get("columns", ())) for p in parts):
        return  # not price partitions (no panel; loads read the long tables)
    tables = [pq.read_table(store.verify(p), columns=["ticker", "date", *PRICE_FIELDS]) for p in parts]
    table = pa.concat_tables(tables)
    del tables
    tick = table.column("ticker").combine_chunks().dictionary_encode()
    cats = np.asarray(tick.dictionary.to_pylist(), dtype=object)
    codes = tick.indices.to_numpy()
    names = sorted(set(cats[np.unique(codes)])) if len(codes) else []
    ti = pd.Index(names).get_indexer(cats)[codes].astype(np.int64)
    days = table.column("date").cast(pa.timestamp("ns")).to_numpy().astype("datetime64[D]").astype(np.int64)
    lo = days.min()
    present_day = np.bincount(days - lo) > 0
    calendar = np.flatnonzero(present_day) + lo
    di = (np.cumsum(present_day) - 1)[days - lo]
    del days
    n, m = len(calendar), len(names)
    meta = {"panel": fingerprint(manifest)}
    present = np.zeros((m, n), dtype=bool)
    present[ti, di] = True
    t_col, r_start, r_stop = _runs(present)
    del present
    kinds, cols, starts, stops = [np.full(len(t_col), ROW, np.int8)], [t_col], [r_start], [r_stop]
    for f in PRICE_FIELDS:
        arr = np.full((m, n), np.nan)
        arr[ti, di] = table.column(f).to_numpy().astype("float64", copy=False)
        if f == "close":
            c_col, c_start, c_stop = _runs(~np.isnan(arr))
            kinds.append(np.full(len(c_col), CLOSE, np.int8))
            cols.append(c_col)
            starts.append(c_start)
            stops.append(c_stop)
        store.write_array(_field(f), arr, meta=meta)
        del arr
    runs = pd.DataFrame({"ticker": np.concatenate(cols), "kind": np.concatenate(kinds),
                         "start": np.concatenate(starts), "stop": np.concatenate(stops)})
    dates = calendar.astype("datetime64[D]").astype("datetime64[ns]")
    first, last = _ends(runs[runs["kind"] == ROW], m)
    _, last_close = _ends(runs[runs["kind"] == CLOSE], m)
    last_dates = pd.Series(dates[last], index=names)
    has_close = last_close >= 0
    ended = np.zeros(m, dtype=bool)
    if has_close.any():
        close_last = pd.Series(dates[last_close[has_close]], index=np.asarray(names, dtype=object)[has_close])
        ended[has_close] = ended_tickers(close_last, pd.DatetimeIndex(dates), TOLERANCE_DAYS).to_numpy()
    tickers = pd.DataFrame({
        "ticker": pd.array(names, dtype="string"), "first": dates[first], "last": last_dates.to_numpy(),
        "last_close": np.where(has_close, dates[np.maximum(last_close, 0)], np.datetime64("NaT", "ns")),
        "ended": ended,
    })
    store.write(DATES, pd.DataFrame({"date": dates}), meta=meta)
    store.write(TICKERS, tickers, meta=meta)
    store.write(RUNS, runs, meta=meta)


def _ends(runs: pd.DataFrame, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Per ticker position: the first start and the last position (stop - 1) of its runs, -1 if none."""
    first = np.full(m, np.iinfo(np.int64).max)
    last = np.full(m, -1)
    col = runs["ticker"].to_numpy()
    np.minimum.at(first, col, runs["start"].to_numpy())
    np.maximum.at(last, col, runs["stop"].to_numpy() - 1)
    first[first == np.iinfo(np.int64).max] = -1
    return first, last


@dataclass(frozen=True)
class Panel:
    """One stored panel, as of one manifest: calendar, sorted tickers, runs, and its arrays by field
    (memory-mapped when opened; a later import never changes what an open `Panel` reads)."""

    store: Store
    dates: np.ndarray  # datetime64[ns]
    tickers: np.ndarray  # object, sorted
    runs: pd.DataFrame
    entries: dict[str, dict]  # the manifest entries of the panel tables, as of opening

    @classmethod
    def open(cls, store: Store, fields: Sequence[str] = ()) -> Panel:
        """The panel of the current manifest with `fields` mapped at once; retries if a writer
        replaced the panel meanwhile."""
        for attempt in range(3):
            manifest = store.manifest()
            entries = {n: manifest[n] for n in _panel_names() if n in manifest}
            try:
                tables = {n: _read_entry(store, n, entries[n]) for n in (DATES, TICKERS, RUNS)}
                panel = cls(store, tables[DATES].column("date").cast(pa.timestamp("ns")).to_numpy(),
                            np.asarray(tables[TICKERS].column("ticker").to_pylist(), dtype=object),
                            tables[RUNS].to_pandas(), entries)
                for f in fields:
                    panel.array(f)
                return panel
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def array(self, field: str) -> np.ndarray:
        """The whole (tickers x dates) array of `field`, memory-mapped (opened once per `Panel`)."""
        cache = self.__dict__.setdefault("_arrays", {})
        if field not in cache:
            cache[field] = self.store.open_array(_field(field), self.entries[_field(field)])
        return cache[field]


def _read_entry(store: Store, name: str, entry: dict) -> pa.Table:
    """Small panel table `name` as of `entry`, checked against its SHA-256."""
    from hedgeclone.atomic import sha256_file
    from hedgeclone.errors import CorruptFileError

    path = store.root / entry["file"]
    if sha256_file(path) != entry["sha256"]:  # FileNotFoundError: superseded meanwhile
        raise CorruptFileError(f"{path}: checksum does not match the store manifest; run `hedgeclone data "
                               f"repair --store {store.root}`, then import or fetch again")
    return pq.read_table(path)


@dataclass(frozen=True)
class PricesWindow:
    """What a market load reads: wide frames by field, the window's tickers (the frames' columns)
    and the delisting dates of the window."""

    frames: dict[str, Callable[[], pd.DataFrame]]  # by field: builds the frame (cheap for a view)
    tickers: pd.Index
    delistings: pd.Series  # last close date by ticker, for the series that end early


class _Copying:
    """A copy of rows out of a memory-mapped array, made on a thread from the moment it is asked for.

    NumPy copies without holding the GIL, and on the 2-core VMs measured a copy into fresh memory is
    mostly the kernel backing the new pages (0.1-0.6 s for the real 216 MB close window): the caller's
    own work (the market's holdings, numba's start) goes on meanwhile instead of waiting for it."""

    def __init__(self, array: np.ndarray, rows: np.ndarray, a: int, b: int) -> None:
        self._out: list = []
        self._thread = threading.Thread(target=self._copy, args=(array, rows, a, b), daemon=True,
                                        name="hedgeclone-panel-copy")
        self._thread.start()

    def _copy(self, array: np.ndarray, rows: np.ndarray, a: int, b: int) -> None:
        try:
            self._out.append(array[rows, a:b])
        except BaseException as exc:  # re-raised in the caller's thread by `result`
            self._out.append(exc)

    def result(self) -> np.ndarray:
        """The copy, once made (the copy's own error, if it failed)."""
        self._thread.join()
        if isinstance(self._out[0], BaseException):
            raise self._out[0]
        return self._out[0]


def _window(panel: Panel, start, end) -> tuple[int, int]:
    a = 0 if start is None else int(np.searchsorted(panel.dates, np.datetime64(pd.Timestamp(start), "ns"), "left"))
    b = len(panel.dates) if end is None else int(np.searchsorted(panel.dates, np.datetime64(pd.Timestamp(end), "ns"), "right"))
    return a, max(a, b)


def _overlap(runs: pd.DataFrame, kind: int, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    sel = runs[(runs["kind"] == kind) & (runs["start"] < b) & (runs["stop"] > a)]
    return sel["ticker"].to_numpy(), np.minimum(sel["stop"].to_numpy(), b) - 1


def read_window(panel: Panel, fields: Sequence[str], start=None, end=None,
                tolerance: int = TOLERANCE_DAYS, prefetch: Sequence[str] = ()) -> PricesWindow:
    """The frames the long-table path gives for rows in [start, end] (all tickers with a row there),
    as views of the memory-mapped arrays where the window keeps every ticker (a copy otherwise).
    The copies of the `prefetch` fields start at once, on a thread; their frames wait for them."""
    bad = [f for f in fields if f not in PRICE_FIELDS]
    if bad:
        raise DataError(f"unknown price field(s) {', '.join(bad)}; known: {', '.join(PRICE_FIELDS)}")
    a, b = _window(panel, start, end)
    row_cols, _ = _overlap(panel.runs, ROW, a, b)
    keep = np.unique(row_cols)
    whole = len(keep) == len(panel.tickers)
    index = pd.DatetimeIndex(panel.dates[a:b], name="date")
    columns = pd.Index(list(panel.tickers[keep]), name="ticker")

    copies = {} if whole else {f: _Copying(panel.array(f), keep, a, b) for f in prefetch if f in fields}

    def frame(f: str) -> pd.DataFrame:
        if f in copies:
            values = copies.pop(f).result()
        else:
            values = panel.array(f)[:, a:b] if whole else panel.array(f)[keep, a:b]  # rows: a copy
        return pd.DataFrame(values.T, index=index, columns=columns, copy=False)

    frames = {f: functools.partial(frame, f) for f in fields}
    close_cols, close_last = _overlap(panel.runs, CLOSE, a, b)
    last = np.full(len(panel.tickers), -1)
    np.maximum.at(last, close_cols, close_last)
    has = last[keep] >= 0  # as `coverage.delisting_dates` of the close frame: by its columns
    series = pd.Series(panel.dates[last[keep[has]]], index=columns[has])
    return PricesWindow(frames, columns, series[ended_tickers(series, index, tolerance)])


def load_panel(store: Store, fields: Sequence[str] = (), *, build: bool = True) -> Panel | None:
    """The store's panel, rebuilt first (under the write lock) if stale; None if it is stale and
    cannot be rebuilt here (`build` False, a read-only store, or a lock held too long)."""
    if not panel_is_fresh(store):
        if not build or not store.names(DAILY_PREFIX):
            return None
        try:
            with store.transaction():
                if not panel_is_fresh(store):  # another process may have built it while we waited
                    stage_panel(store)
        except (OSError, DataError):
            if not panel_is_fresh(store):
                return None
    return Panel.open(store, fields)
