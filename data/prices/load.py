"""Import price files into the store and read wide frames back: the store-facing API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.atomic import sha256_file
from hedgeclone.data.prices import store as pstore
from hedgeclone.data.prices.coverage import coverage_of_ranges, coverage_warning
from hedgeclone.data.prices.importers import parse_price_file
from hedgeclone.data.prices.sources import record_source
from hedgeclone.data.prices.suspect import record_suspect
from hedgeclone.data.prices.validate import ImportReport, suspect_moves, validate_prices
from hedgeclone.data.schemas import PRICE_FIELDS
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError

__all__ = ["import_price_file", "import_price_files", "store_prices", "load_prices", "to_wide"]


def store_prices(store: Store, frame: pd.DataFrame, report: ImportReport, kind: str, *, replace: bool = False,
                 sha256: str = "") -> ImportReport:
    """Write a validated long frame, its suspect prices (`data.prices.suspect`) and its log line, in one
    transaction (under the store's write lock, so a concurrent import's rows are merged, not lost); adds
    a survivorship warning if no series ends early.

    The source (`report.source`, content hash `sha256`) is recorded with its tickers and last date
    (`prices.sources`); a ``yfinance`` download is live, with no last date of its own."""
    with store.transaction():
        return _store_prices(store, frame, report, kind, replace=replace, sha256=sha256)


def _store_prices(store: Store, frame: pd.DataFrame, report: ImportReport, kind: str, *, replace: bool,
                  sha256: str = "") -> ImportReport:
    pstore.write_prices(store, frame, replace=replace)
    if len(frame):
        record_source(store, frame["ticker"].unique(), source=report.source, sha256=sha256,
                      last=None if kind == "yfinance" else frame["date"].max())
    found = report.suspect if report.suspect is not None else suspect_moves(frame)
    record_suspect(store, frame, found, report.source, replace=replace)
    last = frame.groupby("ticker", observed=True)["date"].max().reset_index().rename(columns={"date": "last"})
    cov = coverage_of_ranges(last, pd.DatetimeIndex(np.unique(frame["date"].to_numpy())))
    warning = coverage_warning(cov, report.source)
    if warning:
        report.warnings.append(warning)
    pstore.record_import(
        store,
        {"source": report.source, "kind": kind, "rows": report.rows, "tickers": report.tickers,
         "first": report.first, "last": report.last, "ended": cov.ended, "at": pd.Timestamp.now(tz="UTC").tz_localize(None)},
    )
    return report


def import_price_file(
    store: Store, path: str | Path, *, ticker: str | None = None, field: str | None = None, strict: bool = False
) -> ImportReport:
    """Parse, validate and store one price file; returns what was read and repaired."""
    return import_price_files(store, [path], ticker=ticker, field=field, strict=strict)[0]


def import_price_files(
    store: Store, paths: Sequence[str | Path], *, ticker: str | None = None, field: str | None = None,
    strict: bool = False, progress: Callable[[str], None] | None = None,
) -> list[ImportReport]:
    """Parse and validate every file, then store them all in one transaction: all or nothing.

    A bad file anywhere in `paths` raises before anything is written. Files are merged in
    order, so a later file's value wins for the same ticker, date and field.
    """
    parsed = []
    for path in paths:
        name = str(path)
        if progress is not None:
            progress(name)
        frame = parse_price_file(Path(path), name=name, ticker=ticker, field=field)
        parsed.append((*validate_prices(frame, name, strict=strict), sha256_file(Path(path))))
    with store.transaction():
        return [_store_prices(store, clean, report, "file", replace=False, sha256=digest) for clean, report, digest in parsed]


def to_wide(long: pd.DataFrame, fields: Sequence[str], tickers: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Wide frames (union calendar of `long`'s dates x tickers, float64, NaN where absent), one per field.

    Rows of `long` may come in any order; columns follow `tickers` (sorted tickers of `long` if None).
    """
    tick = long["ticker"]
    if not isinstance(tick.dtype, pd.CategoricalDtype):
        tick = tick.astype("category")
    cats = np.asarray([str(c) for c in tick.cat.categories], dtype=object)
    names = list(tickers) if tickers is not None else sorted(set(cats[np.unique(tick.cat.codes.to_numpy())]) if len(long) else [])
    ti = pd.Index(names).get_indexer(cats)[tick.cat.codes.to_numpy()] if len(long) else np.empty(0, dtype=np.int64)
    days = long["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    if len(days):
        lo = days.min()
        present = np.bincount(days - lo) > 0
        calendar = np.flatnonzero(present) + lo
        slot = np.cumsum(present) - 1
        di = slot[days - lo]
    else:
        calendar, di = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    index = pd.DatetimeIndex(calendar.astype("datetime64[D]").astype("datetime64[ns]"), name="date")
    keep = ti >= 0
    out = {}
    for f in fields:
        arr = np.full((len(index), len(names)), np.nan)
        arr[di[keep], ti[keep]] = long[f].to_numpy(dtype="float64")[keep]
        out[f] = pd.DataFrame(arr, index=index, columns=pd.Index(names, name="ticker"))
    return out


def load_prices(
    store: Store,
    tickers: Sequence[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    fields: Sequence[str] = ("close", "raw_close", "volume"),
) -> dict[str, pd.DataFrame]:
    """Wide price frames by field on the union calendar of the tickers asked for.

    Columns follow `tickers` (sorted store tickers if None); raises `DataError` naming the
    tickers the store does not hold.
    """
    bad = [f for f in fields if f not in PRICE_FIELDS]
    if bad:
        raise DataError(f"unknown price field(s) {', '.join(bad)}; known: {', '.join(PRICE_FIELDS)}")
    tick_list = [t.upper() for t in tickers] if tickers is not None else None
    long = pstore.read_long(
        store, tick_list, pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None, tuple(fields), ordered=False
    )
    if tick_list is not None:
        known = set(pstore.ticker_ranges(store, tick_list)["ticker"])
        missing = [t for t in tick_list if t not in known]
        if missing:
            raise DataError(f"store {store.root}: no prices for {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}; import or fetch them first")
    return to_wide(long, fields, tick_list)
