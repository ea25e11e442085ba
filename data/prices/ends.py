"""Why each series of a market stops before the market does, and what a holder gets then.

Three cases (`Ends.table`, by ticker):

- a **delisting from the file** (``prices/delistings``): the name leaves on the file's date (the
  market's prices after it are cut) and a holder gets its last close times 1 + the file's return;
- a **delisting** (`coverage.DELISTED`: the series ends before its source does): closed at its last
  close; the delisting return is unknown and taken as 0;
- a **data end** (`coverage.DATA_ENDS`: the series ends on its source's last date while the market
  goes on): not a delisting; a position is closed at its last close (return 0), because nothing
  is known after it.

The engine closes all three the same way (last close times 1 + ``delisting_return``); which one
a close was is this table's ``kind``, read by the replay for its notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hedgeclone.data.prices.coverage import DATA_ENDS, DELISTED, end_kinds

__all__ = ["Ends", "END_COLUMNS", "FROM_FILE", "UNKNOWN", "series_ends", "ends_caveats"]

FROM_FILE = "delisting file"
UNKNOWN = "unknown, taken as 0"
END_COLUMNS = ["date", "kind", "delisting_return", "return_from"]


@dataclass(frozen=True)
class Ends:
    """The ends of a market's series: `table` (by ticker: date, kind, delisting_return, return_from)
    and `cut` (by ticker: the file's delisting date, for series whose prices go on after it)."""

    table: pd.DataFrame
    cut: pd.Series

    def delisting_returns(self) -> pd.Series:
        """By ticker, what a holder gets over the last close when the series stops (0 for data ends)."""
        return self.table["delisting_return"].astype(float)


def _last_valid(close: pd.DataFrame, tickers) -> pd.Series:
    """Date of the last valid close of each of `tickers` (columns of `close`), NaT if none."""
    return close[list(tickers)].apply(pd.Series.last_valid_index).astype("datetime64[ns]")


def series_ends(ended: pd.Series, close: pd.DataFrame, source_end: pd.Series | None,
                delistings: pd.DataFrame | None = None) -> Ends:
    """The `Ends` of a market whose `close` (calendar x tickers) has the early-ending series `ended`
    (last close by ticker, `coverage.delisting_dates`), given the tickers' source ends and the
    imported `delistings` (ticker, date, delisting_return; names not in `close` are ignored)."""
    kinds = end_kinds(ended, source_end, close.index, end=close.index[-1] if len(close.index) else None)
    table = pd.DataFrame({"date": pd.DatetimeIndex(ended.to_numpy()), "kind": kinds.reindex(ended.index).to_numpy(),
                          "delisting_return": 0.0, "return_from": UNKNOWN}, index=pd.Index(ended.index, dtype=object))
    table.loc[table["kind"] == DATA_ENDS, "return_from"] = ""
    cut = pd.Series(dtype="datetime64[ns]")
    if delistings is not None and len(delistings):
        listed = delistings[delistings["ticker"].isin(close.columns)].set_index("ticker")
        if len(listed) and len(close.index):
            last = _last_valid(close, listed.index)
            date = pd.DatetimeIndex(listed["date"])
            goes_on = (date < last.to_numpy()) & (date >= close.index[0])  # prices after the delisting: cut them
            cut = pd.Series(date[goes_on].to_numpy(), index=listed.index[goes_on])
            applies = goes_on | last.index.isin(table.index)  # a series that ended in the window
            for ticker in listed.index[applies]:
                when = cut[ticker] if ticker in cut.index else last[ticker]
                if ticker in cut.index:
                    upto = close.loc[:when, ticker].dropna()
                    when = upto.index[-1] if len(upto) else when
                table.loc[ticker, END_COLUMNS] = [when, DELISTED, float(listed.at[ticker, "delisting_return"]), FROM_FILE]
    table["date"] = pd.DatetimeIndex(table["date"])
    table["delisting_return"] = table["delisting_return"].astype(float)
    return Ends(table.sort_index()[END_COLUMNS], cut)


def ends_caveats(ends: Ends, n_series: int, files: list[str]) -> list[str]:
    """The caveats a report shows about `ends`: how delisted names are closed (the delisting-return
    assumption used) and how many series only stop because their source does."""
    t = ends.table
    gone = t[t["kind"] == DELISTED]
    stopped = t[t["kind"] == DATA_ENDS]
    out = []
    if not len(gone):
        out.append("Survivorship: no delisted names in this data: results are biased upwards.")
    else:
        from_file = int((gone["return_from"] == FROM_FILE).sum())
        unknown = len(gone) - from_file
        parts = []
        if from_file:
            parts.append(f"{from_file} take their delisting date and return from the imported delisting file "
                         f"({', '.join(files)}) and are closed at their last price times 1 + that return")
        if unknown:
            parts.append(f"{unknown} {'are' if unknown > 1 else 'is'} closed at {'their' if unknown > 1 else 'its'} "
                         "last price (the delisting return is unknown and taken as 0)")
        out.append(f"Survivorship: {len(gone)} of {n_series} series end before their source does and are treated as "
                   f"delistings: {'; '.join(parts)}.")
    if len(stopped):
        dates = sorted(pd.DatetimeIndex(stopped["date"]).unique())
        shown = ", ".join(str(d.date()) for d in dates[:3]) + (" ..." if len(dates) > 3 else "")
        out.append(f"Data ends: {len(stopped)} of {n_series} series stop on their source's last date ({shown}) while "
                   "the data goes on: not delistings (the companies may have traded on); a position in one is closed "
                   "at its last price, with no delisting return.")
    return out
