"""Where stored price series came from: each imported source's tickers and last date.

Table ``prices/sources`` (a store table, in the manifest like any other): one row per import of a
source and ticker it held, with ``source`` (the file name as given, or ``yfinance``), ``sha256``
(of the file's bytes; empty for a download), ``ticker``, ``last`` (the *source's* last date: the
latest date of any series in the file, NaT for a live download that runs to its request's end)
and ``at`` (UTC time of the import). Importing the same content again replaces its rows.

A ticker's source end (`source_ends`) is the latest ``last`` over the sources that held it: a
ticker in two files takes the later file's end; a ticker also downloaded (NaT) has no end but the
data's. A series that stops on its source end (within the coverage tolerance) stops only because
the source does ("data ends", `coverage.end_kinds`), not because the company was delisted.

A store written before this table existed has none: `source_ends` returns None and callers fall
back to the data's last date, as before, saying so (`MISSING_NOTE`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hedgeclone.data.store import Store

__all__ = ["SOURCES", "MISSING_NOTE", "record_source", "sources", "source_ends"]

SOURCES = "prices/sources"
COLUMNS = ["source", "sha256", "ticker", "last", "at"]
MISSING_NOTE = (
    "The store does not record its price sources' last dates (written before hedgeclone recorded them): "
    "a series that ends before the data does is taken as a delisting, even where only its source stops. "
    "Import the price files again to tell data ends from delistings."
)


def record_source(store: Store, tickers: Iterable[str], *, source: str, sha256: str, last: pd.Timestamp | None) -> None:
    """Record that `source` (content hash `sha256`, last date `last`; None for a live download)
    held `tickers`; replaces the rows of an earlier import of the same source and content."""
    names = sorted({str(t) for t in tickers})
    if not names:
        return
    stamp = pd.Timestamp.now(tz="UTC").tz_localize(None)
    new = pd.DataFrame({
        "source": pd.array([source] * len(names), dtype="string"), "sha256": pd.array([sha256] * len(names), dtype="string"),
        "ticker": pd.array(names, dtype="string"),
        "last": np.full(len(names), np.datetime64("NaT") if last is None else pd.Timestamp(last).to_datetime64(),
                        dtype="datetime64[ns]"),
        "at": np.full(len(names), stamp.to_datetime64(), dtype="datetime64[ns]"),
    })
    with store.transaction():  # read-append-write under the write lock
        if store.exists(SOURCES):
            old = store.read(SOURCES)
            same = (old["source"] == source) & (old["sha256"] == sha256) & old["ticker"].isin(names)
            new = pd.concat([old[~same.to_numpy()], new], ignore_index=True)
        store.write(SOURCES, new[COLUMNS])


def sources(store: Store) -> pd.DataFrame | None:
    """The table (one row per import and ticker), or None for a store that never recorded it."""
    return store.read(SOURCES) if store.exists(SOURCES) else None


def source_ends(store: Store) -> pd.Series | None:
    """Per ticker the latest last date of the sources that held it (NaT: a live download, no end of
    its own); None for a store written before sources were recorded."""
    table = sources(store)
    if table is None:
        return None
    ticker = table["ticker"].astype(object)
    last = pd.Series(pd.DatetimeIndex(table["last"]).to_numpy(), index=ticker.to_numpy())
    open_ended = last.isna().groupby(level=0).any()
    ends = last.groupby(level=0).max()  # NaT skipped
    ends[open_ended.reindex(ends.index).to_numpy()] = pd.NaT
    return ends.rename("source_end").rename_axis("ticker")
