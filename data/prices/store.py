"""Prices in the local store: long tables partitioned by the first character of the ticker.

Layout (names inside `data.store.Store`):

- ``prices/daily/<P>``: one long table per partition ``P`` (``A``..``Z``, ``0``..``9``, ``_`` for
  anything else) with columns ``ticker`` (string), ``date`` (timestamp, midnight), ``close``
  (total-return close), ``raw_close``, ``volume``, ``open`` (float64, NaN where unknown), sorted
  by ticker then date. A query for some tickers or dates reads only their partitions (DuckDB
  skips row groups by the ticker/date statistics); an update rewrites only the partitions of
  the tickers it touches.
- ``prices/imports``: one row per import or download: source, kind, rows, tickers, first and
  last date, the number of names whose series ends before the source's last date, and when.

Merging: a new value wins over a stored one for the same ticker, date and field; fields the new
data lacks keep their stored values. ``replace=True`` first drops the stored rows of the tickers
written (used when a re-adjusted download supersedes the stored history).
All partitions of one write are published together (`Store.transaction`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from hedgeclone.data.schemas import PRICE_FIELDS
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError

__all__ = ["partition_of", "write_prices", "read_long", "ticker_ranges", "record_import", "imports", "DAILY_PREFIX"]

DAILY_PREFIX = "prices/daily/"
IMPORTS = "prices/imports"
LONG_COLUMNS = ("ticker", "date", *PRICE_FIELDS)


def partition_of(ticker: str) -> str:
    """The partition holding `ticker`: its first character if A-Z or 0-9, else ``_``."""
    c = ticker[:1].upper()
    return c if (c.isascii() and c.isalnum()) else "_"


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"ticker": frame["ticker"].astype(str), "date": frame["date"].to_numpy(dtype="datetime64[ns]")})
    for f in PRICE_FIELDS:
        out[f] = frame[f].to_numpy(dtype="float64") if f in frame.columns else np.nan
    return out


def write_prices(store: Store, frame: pd.DataFrame, *, replace: bool = False) -> list[str]:
    """Merge the long `frame` (ticker, date, some fields) into the store; returns the partitions written."""
    if frame.empty:
        return []
    tick = frame["ticker"].astype("category")
    cat_part = np.array([partition_of(str(t)) for t in tick.cat.categories])
    part = cat_part[tick.cat.codes.to_numpy()]
    written = []
    with store.transaction():
        for p in sorted(set(cat_part)):
            new = frame.loc[part == p]
            if new.empty:
                continue
            new = new.copy()
            new["ticker"] = new["ticker"].astype(str)
            name = DAILY_PREFIX + p
            present = [f for f in PRICE_FIELDS if f in new.columns]
            if store.exists(name):
                old = store.read(name)
                merged = _merge(old, new, present, replace)
            else:
                merged = _conform(new).sort_values(["ticker", "date"], kind="stable")
            store.write(name, merged.reset_index(drop=True))
            written.append(name)
    return written


def _merge(old: pd.DataFrame, new: pd.DataFrame, present: list[str], replace: bool) -> pd.DataFrame:
    """Full outer join on (ticker, date): new values win field by field; `replace` drops old rows of new tickers."""
    import duckdb  # here and below, not at the top: a market loaded from the panel runs no SQL

    con = duckdb.connect()
    try:
        con.register("o", old)
        con.register("n", new[["ticker", "date", *present]])
        if replace:
            con.execute("create temp view o2 as select * from o where ticker not in (select distinct ticker from n)")
        else:
            con.execute("create temp view o2 as select * from o")
        cols = ", ".join(
            f"coalesce(n.{f}, o2.{f}) as {f}" if f in present else f"o2.{f} as {f}" for f in PRICE_FIELDS
        )
        sql = (
            f"select coalesce(n.ticker, o2.ticker) as ticker, coalesce(n.date, o2.date) as date, {cols} "
            "from o2 full outer join n on o2.ticker = n.ticker and o2.date = n.date order by 1, 2"
        )
        out = con.execute(sql).df()
    finally:
        con.close()
    out["date"] = out["date"].astype("datetime64[ns]")
    for f in PRICE_FIELDS:
        out[f] = out[f].astype("float64")
    return out


def _partitions(store: Store, tickers: Iterable[str] | None) -> list[str]:
    have = store.names(DAILY_PREFIX)
    if tickers is None:
        return have
    wanted = {DAILY_PREFIX + partition_of(t) for t in tickers}
    return [n for n in have if n in wanted]


def _select(parts: list[str], cols: str, tickers, start, end) -> tuple[str, list]:
    where, params = ["true"], []
    if tickers is not None:
        where.append("ticker in (select unnest(?))")
        params.append(list(tickers))
    if start is not None:
        where.append("date >= ?")
        params.append(pd.Timestamp(start).to_pydatetime())
    if end is not None:
        where.append("date <= ?")
        params.append(pd.Timestamp(end).to_pydatetime())
    cond = " and ".join(where)
    sql = " union all ".join(f"select {cols} from {{{p}}} where {cond}" for p in parts)
    return sql, params * len(parts)  # each partition gets its own copy of the parameters


def _arrow_query(store: Store, sql: str, params: list) -> pa.Table:
    """Like `Store.query` (``{name}`` = verified stored table) but returning Arrow, which is much faster for strings."""

    def _sub(match: re.Match[str]) -> str:
        return "read_parquet('" + str(store.verify(match.group(1))).replace("'", "''") + "')"

    import duckdb

    resolved = re.sub(r"\{([A-Za-z0-9_./-]+)\}", _sub, sql)
    with duckdb.connect() as con:
        relation = con.sql(resolved, params=params)
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # duckdb 2 renamed it
        return fetch()


def read_long(
    store: Store,
    tickers: list[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    fields: tuple[str, ...] = PRICE_FIELDS,
    *,
    ordered: bool = True,
) -> pd.DataFrame:
    """Stored rows (ticker, date, `fields`) for `tickers` (all if None) within [start, end].

    ``ticker`` is categorical; rows are sorted by ticker then date unless ``ordered=False``.
    """
    bad = [f for f in fields if f not in PRICE_FIELDS]
    if bad:
        raise DataError(f"unknown price field(s) {', '.join(bad)}; known: {', '.join(PRICE_FIELDS)}")
    parts = _partitions(store, tickers)
    if not parts:
        out = pd.DataFrame({"ticker": pd.Categorical([]), "date": pd.Series(dtype="datetime64[ns]")})
        for f in fields:
            out[f] = pd.Series(dtype="float64")
        return out
    sql, params = _select(parts, ", ".join(["ticker", "date", *fields]), tickers, start, end)
    if ordered:
        sql += " order by ticker, date"
    table = _arrow_query(store, sql, params)
    out = pd.DataFrame({"ticker": table.column("ticker").dictionary_encode().to_pandas()})
    out["date"] = table.column("date").cast(pa.timestamp("ns")).to_numpy()
    for f in fields:
        out[f] = table.column(f).to_numpy().astype("float64", copy=False)
    return out


def ticker_ranges(store: Store, tickers: list[str] | None = None) -> pd.DataFrame:
    """Per stored ticker: first and last date, rows, and count of non-NaN values per field."""
    parts = _partitions(store, tickers)
    cols = ["ticker", "first", "last", "rows", *PRICE_FIELDS]
    if not parts:
        return pd.DataFrame(columns=cols)
    counts = ", ".join(f"count({f}) as {f}" for f in PRICE_FIELDS)
    body = " union all ".join(f"select * from {{{p}}}" for p in parts)
    where = ""
    params: list = []
    if tickers is not None:
        where, params = "where ticker in (select unnest(?))", [list(tickers)]
    sql = f"select ticker, min(date) as first, max(date) as last, count(*) as rows, {counts} from ({body}) {where} group by ticker order by ticker"
    out = store.query(sql, params)
    out["first"] = out["first"].astype("datetime64[ns]")
    out["last"] = out["last"].astype("datetime64[ns]")
    return out


def record_import(store: Store, row: dict) -> None:
    """Append one row (source, kind, rows, tickers, first, last, ended, at) to ``prices/imports``."""
    new = pd.DataFrame([row])
    with store.transaction():  # read-append-write under the write lock
        old = store.read(IMPORTS) if store.exists(IMPORTS) else None
        frame = new if old is None else pd.concat([old, new], ignore_index=True)
        for c in ("first", "last", "at"):
            frame[c] = pd.to_datetime(frame[c])
        store.write(IMPORTS, frame)


def imports(store: Store) -> pd.DataFrame:
    """The import log (empty frame when nothing was imported)."""
    return store.read(IMPORTS) if store.exists(IMPORTS) else pd.DataFrame(columns=["source", "kind", "rows", "tickers", "first", "last", "ended", "at"])
