"""Suspect prices: one-day moves of the stored adjusted close that look like unadjusted splits,
and the split table that repairs them.

Tables (names inside `data.store.Store`, committed like every store table):

- ``prices/suspect``: the unrepaired marks, one row per move: ``ticker``, ``date`` (the session
  whose close moved), ``ratio`` (that close over the close before) and ``source`` (the import or
  download that found it). Every import records the moves `validate.suspect_moves` finds in its
  ``close`` rows, in the same transaction as the prices: the marks of the (ticker, date) rows it
  writes are replaced by what it finds (a re-import of a repaired file marks its moves again).
- ``prices/splits``: the split table applied: ``ticker``, ``date``, ``ratio``, ``source``,
  ``action`` (``repaired``, ``cleared`` or ``skipped``) and ``at``.

A split row (ticker, date, ratio; ratio = new shares per old share, yfinance's convention: 2 for a
2-for-1 split, 0.1 for a 1-for-10 reverse split) repairs a mark of its ticker on its date: the
stored ``close`` and ``open`` before the date are divided by the ratio and ``volume`` multiplied
by it (``raw_close`` is the as-traded price and stays as it is), then the mark is deleted. A
split whose ticker shows no mark on that date is already adjusted in the store and is skipped;
one whose ratio leaves more than a doubling in the move is refused (`InputError`). A ratio of 1
clears a mark without changing prices: the move was checked and is real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.data.prices import store as pstore
from hedgeclone.data.prices.importers import read_table_any
from hedgeclone.data.prices.validate import check_ticker
from hedgeclone.data.schemas import as_dates
from hedgeclone.data.store import Store
from hedgeclone.errors import InputError

__all__ = ["SUSPECT", "SPLITS", "SplitReport", "record_suspect", "suspect_prices", "applied_splits",
           "parse_split_file", "apply_splits"]

SUSPECT = "prices/suspect"
SPLITS = "prices/splits"
_MAX_LEFT = 2.0  # a repaired move may keep at most a doubling (sub-penny prices blur the factor)


def _empty_marks() -> pd.DataFrame:
    return pd.DataFrame({"ticker": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                         "ratio": pd.Series(dtype="float64"), "source": pd.Series(dtype=object)})


def suspect_prices(store: Store) -> pd.DataFrame:
    """The unrepaired marks (ticker, date, ratio, source), sorted; empty when there are none."""
    if not store.exists(SUSPECT):
        return _empty_marks()
    frame = store.read(SUSPECT)
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame


def applied_splits(store: Store) -> pd.DataFrame:
    """The split rows imported so far and what each did (empty when none)."""
    if not store.exists(SPLITS):
        return pd.DataFrame(columns=["ticker", "date", "ratio", "source", "action", "at"])
    return store.read(SPLITS)


def _write_marks(store: Store, marks: pd.DataFrame) -> None:
    marks = marks.sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)
    marks["ticker"] = marks["ticker"].astype(str)
    marks["source"] = marks["source"].astype(str)
    marks["date"] = marks["date"].astype("datetime64[ns]")
    marks["ratio"] = marks["ratio"].astype("float64")
    if marks.empty and not store.exists(SUSPECT):
        return
    store.write(SUSPECT, marks)


def record_suspect(store: Store, frame: pd.DataFrame, found: pd.DataFrame, source: str, *, replace: bool = False) -> int:
    """Merge the moves `found` in the clean long `frame` into ``prices/suspect``; the marks left.

    Marks on (ticker, date) rows of `frame` that have a close are replaced by `found`; with
    `replace` (the stored series of `frame`'s tickers were replaced) every mark of those tickers is.
    """
    with store.transaction():
        old = suspect_prices(store)
        before = len(old)
        if len(old) and "close" in frame.columns:
            if replace:
                gone = old["ticker"].isin(set(frame["ticker"].astype(str)))
            else:
                rows = frame.loc[frame["close"].notna(), ["ticker", "date"]]
                keys = pd.MultiIndex.from_arrays([rows["ticker"].astype(str), rows["date"]])
                gone = pd.MultiIndex.from_arrays([old["ticker"], old["date"]]).isin(keys)
            old = old[~np.asarray(gone)]
        if found.empty and len(old) == before:
            return before  # nothing found, nothing replaced: no write
        new = found.assign(source=source)[["ticker", "date", "ratio", "source"]]
        marks = pd.concat([old, new], ignore_index=True) if len(old) else new.reset_index(drop=True)
        marks = marks.drop_duplicates(["ticker", "date"], keep="last")
        _write_marks(store, marks)
        return len(marks)


def parse_split_file(source: bytes | str | Path, *, name: str) -> pd.DataFrame:
    """Split rows (ticker, date, ratio) from a CSV or Parquet file with those columns; `InputError`
    naming the file and row for a bad ticker, date or ratio (which must be a positive number)."""
    table = read_table_any(source, name, string_columns=("ticker",))
    cols = {c.strip().lower(): c for c in table.column_names}
    ratio_col = next((cols[c] for c in ("ratio", "split", "stock splits", "stock_splits") if c in cols), None)
    if "ticker" not in cols or "date" not in cols or ratio_col is None:
        raise InputError(f"{name}: a split file needs columns ticker, date, ratio (found {', '.join(table.column_names)})")
    df = table.to_pandas()
    if df.empty:
        raise InputError(f"{name}: no split rows")
    tickers = df[cols["ticker"]].astype("string").str.strip().str.upper()
    dates = as_dates(df[cols["date"]])
    ratio = pd.to_numeric(df[ratio_col], errors="coerce")
    for i in range(len(df)):
        where = f"{name}: row {i + 2}"
        check_ticker(str(tickers.iat[i]) if tickers.iat[i] is not pd.NA else "", where)
        if pd.isna(dates.iat[i]):
            raise InputError(f"{where}: date {df[cols['date']].iat[i]!r} cannot be read as a date (YYYY-MM-DD)")
        if not (np.isfinite(ratio.iat[i]) and ratio.iat[i] > 0):
            raise InputError(f"{where}: ratio {df[ratio_col].iat[i]!r} is not a positive number "
                             "(new shares per old share: 2 for a 2-for-1 split, 0.1 for a 1-for-10 reverse split)")
    return pd.DataFrame({"ticker": tickers.astype(object).to_numpy(), "date": dates.to_numpy(),
                         "ratio": ratio.to_numpy(dtype="float64")})


@dataclass
class SplitReport:
    """What a split import did: marks repaired, cleared (ratio 1), skipped (no mark: already adjusted)."""

    source: str
    repaired: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    left: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines for the terminal."""
        out = [f"repaired: {len(self.repaired)} split(s)" + (f" ({', '.join(self.repaired[:8])})" if self.repaired else "")]
        if self.cleared:
            out.append(f"cleared (ratio 1, a real move): {', '.join(self.cleared[:8])}")
        if self.skipped:
            out.append(f"skipped {len(self.skipped)}: no suspect move there, the stored prices are already adjusted "
                       f"(first: {self.skipped[0]})")
        out.append(f"suspect prices left: {self.left:,}")
        return out


def apply_splits(store: Store, splits: pd.DataFrame, source: str) -> SplitReport:
    """Repair the marks that `splits` (ticker, date, ratio) explain, in one transaction: all or nothing."""
    report = SplitReport(source=source)
    with store.transaction():
        marks = suspect_prices(store)
        key = {(t, d): i for i, (t, d) in enumerate(zip(marks["ticker"], marks["date"], strict=True))}
        done = np.zeros(len(marks), dtype=bool)
        fixes: dict[str, list[tuple[pd.Timestamp, float]]] = {}
        actions = []
        for row in splits.itertuples(index=False):
            date = pd.Timestamp(row.date)
            label = f"{row.ticker} {date.date()} x{row.ratio:g}"
            i = key.get((row.ticker, date))
            if i is None or done[i]:
                report.skipped.append(label)
                actions.append("skipped")
                continue
            moved = float(marks["ratio"].iat[i])
            if row.ratio == 1.0:
                report.cleared.append(label)
                actions.append("cleared")
            else:
                left = moved * row.ratio
                if not 1 / _MAX_LEFT <= left <= _MAX_LEFT:
                    raise InputError(f"{source}: split {label} does not explain the move of {row.ticker} on "
                                     f"{date.date()} (close x{moved:.4g}; adjusted, it would still move x{left:.4g})")
                fixes.setdefault(row.ticker, []).append((date, float(row.ratio)))
                report.repaired.append(label)
                actions.append("repaired")
            done[i] = True
        if fixes:
            long = pstore.read_long(store, sorted(fixes))
            for ticker, events in fixes.items():
                rows = (long["ticker"] == ticker).to_numpy()
                dates = long["date"].to_numpy()
                for date, ratio in events:
                    before = rows & (dates < np.datetime64(date, "ns"))
                    for f in ("close", "open"):
                        long.loc[before, f] = long.loc[before, f] / ratio
                    long.loc[before, "volume"] = long.loc[before, "volume"] * ratio
            pstore.write_prices(store, long, replace=True)
        _write_marks(store, marks[~done].copy())
        if len(splits):
            log = splits.assign(source=source, action=actions, at=pd.Timestamp.now(tz="UTC").tz_localize(None))
            old = applied_splits(store)
            frame = pd.concat([old, log], ignore_index=True) if len(old) else log
            frame["ticker"] = frame["ticker"].astype(str)
            frame["date"] = pd.to_datetime(frame["date"])
            frame["at"] = pd.to_datetime(frame["at"])
            store.write(SPLITS, frame.reset_index(drop=True))
        report.left = int((~done).sum())
    return report
