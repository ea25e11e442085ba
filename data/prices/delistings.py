"""Delisting files: when a company left the exchange and what a holder got for its last share.

A delisting file (CSV, gzip CSV or Parquet) has the columns ``ticker``, ``date`` (the delisting
date) and ``delisting_return`` (the return from the last close to what a holder finally received,
as a fraction: -0.3 for a 30% loss; CRSP's DLRET). `parse_delistings` is pure (bytes or path to
a frame); a bad row is one `InputError` naming the file and row (row ``i`` is line ``i + 2``).

Table ``prices/delistings`` (`store_delistings`): ticker, date, delisting_return, source (the file
name) and sha256 (of its bytes); a later import wins for a ticker it names. A market loaded from
the store applies it (`data.market`): a name's delisting date and return come from the file where
it names the name; elsewhere a series that ends before its source does is a delisting with an
unknown return, taken as 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hedgeclone.data.prices.importers import read_table_any
from hedgeclone.data.prices.validate import check_ticker
from hedgeclone.data.schemas import as_dates
from hedgeclone.data.store import Store
from hedgeclone.errors import InputError

__all__ = ["DELISTINGS", "parse_delistings", "store_delistings", "load_delistings"]

DELISTINGS = "prices/delistings"
REQUIRED = ("ticker", "date", "delisting_return")
COLUMNS = [*REQUIRED, "source", "sha256"]
_FIELDS = {"ticker": "ticker", "symbol": "ticker", "date": "date", "delistingdate": "date",
           "delistingreturn": "delisting_return", "dlret": "delisting_return"}  # by column name, lower case, alphanumerics


def _key(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def parse_delistings(source: bytes | str | Path, name: str) -> pd.DataFrame:
    """The file's rows as ticker (str, upper case), date (datetime64[ns]) and delisting_return (float64).

    Raises `InputError` naming `name` and the row for a missing column, an empty or unsafe ticker,
    an unreadable date, a return that is not a number or is below -1 (more than all of the last
    price lost), and one ticker given twice with different dates or returns; no rows is an error.
    """
    table = read_table_any(source, name, string_columns=tuple(REQUIRED) + ("symbol", "dlret"))
    found: dict[str, str] = {}
    for col in table.column_names:
        field = _FIELDS.get(_key(col))
        if field is not None and field not in found:
            found[field] = col
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InputError(f"{name}: no {missing[0]!r} column (a delisting file has ticker, date, delisting_return; "
                         f"it has {', '.join(table.column_names) or 'none'})")
    if table.num_rows == 0:
        raise InputError(f"{name}: no rows (a delisting file has one row per ticker: ticker, date, delisting_return)")
    raw = {f: pd.Series(table.column(c).cast(pa.string()).to_pylist(), dtype=object) for f, c in found.items()}
    tickers = raw["ticker"].map(lambda t: "" if t is None else str(t).strip().upper())
    for i, t in enumerate(tickers):
        if not t:
            raise InputError(f"{name}: row {i + 2}: empty ticker")
        check_ticker(t, f"{name}: row {i + 2}")
    dates = as_dates(raw["date"].map(lambda d: None if d is None or not str(d).strip() else str(d).strip()))
    bad = np.flatnonzero(dates.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        text = raw["date"].iloc[i]
        what = "missing date" if text is None or not str(text).strip() else f"date {text!r} cannot be read as a date (YYYY-MM-DD)"
        raise InputError(f"{name}: row {i + 2}: ticker {tickers.iloc[i]}: {what}")
    returns = np.empty(len(tickers))
    for i, text in enumerate(raw["delisting_return"]):
        returns[i] = _return(text, name, i, tickers.iloc[i])
    frame = pd.DataFrame({"ticker": tickers.to_numpy(dtype=object), "date": dates.to_numpy(dtype="datetime64[ns]"),
                          "delisting_return": returns})
    return _unique(frame, name)


def _return(text, name: str, i: int, ticker: str) -> float:
    where = f"{name}: row {i + 2}: ticker {ticker}"
    if text is None or not str(text).strip():
        raise InputError(f"{where}: missing delisting_return (write 0 for none, -0.3 for a 30% loss)")
    cleaned = str(text).strip()
    pct = cleaned.endswith("%")
    try:
        value = float(cleaned.rstrip("%")) / (100.0 if pct else 1.0)
    except ValueError:
        raise InputError(f"{where}: delisting_return {cleaned!r} is not a number") from None
    if not math.isfinite(value) or value < -1.0:
        raise InputError(f"{where}: delisting_return {cleaned!r} must be finite and >= -1 (a fraction: -0.3 is a 30% loss)")
    return value


def _unique(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """One row per ticker: identical repeats dropped, a ticker with two different rows refused."""
    frame = frame.drop_duplicates()
    twice = frame["ticker"].duplicated(keep=False).to_numpy()
    if twice.any():
        rows = np.flatnonzero(twice)
        ticker = frame["ticker"].iloc[rows[0]]
        lines = [int(r) + 2 for r in frame.index[frame["ticker"] == ticker]]
        raise InputError(f"{name}: rows {lines[0]} and {lines[1]}: ticker {ticker} has two different delistings")
    return frame.sort_values("ticker", kind="stable").reset_index(drop=True)


def store_delistings(store: Store, frame: pd.DataFrame, *, source: str, sha256: str) -> int:
    """Merge the parsed `frame` into ``prices/delistings`` (its tickers' earlier rows replaced); returns
    the number of tickers the table then holds."""
    new = frame[list(REQUIRED)].copy()
    new["source"] = source
    new["sha256"] = sha256
    with store.transaction():  # read-merge-write under the write lock
        if store.exists(DELISTINGS):
            old = store.read(DELISTINGS)
            new = pd.concat([old[~old["ticker"].isin(new["ticker"])], new], ignore_index=True)
        new = new.sort_values("ticker", kind="stable").reset_index(drop=True)
        new["ticker"] = new["ticker"].astype(str)
        store.write(DELISTINGS, new[COLUMNS])
    return len(new)


def load_delistings(store: Store) -> pd.DataFrame:
    """The stored delistings (ticker, date, delisting_return, source, sha256); empty if none were imported."""
    if not store.exists(DELISTINGS):
        return pd.DataFrame({"ticker": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                             "delisting_return": pd.Series(dtype="float64"), "source": pd.Series(dtype=object),
                             "sha256": pd.Series(dtype=object)})
    out = store.read(DELISTINGS)
    out["ticker"] = out["ticker"].astype(object)
    out["date"] = out["date"].astype("datetime64[ns]")
    return out
