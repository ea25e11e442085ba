"""The point-in-time view: on a decision date it exposes only what was known by then.

Every accessor cuts its data at the view's date: prices up to and including that close,
13F filings filed before it (a filing is known from the session after its filing date, under
the counting rules of `data.thirteenf.pointintime`), shares outstanding known from on or
before it. A
strategy sees the market only through a view, so look-ahead is impossible by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd

from hedgeclone.data.thirteenf.index import HoldingsIndex, IssuerTable, Traded
from hedgeclone.data.thirteenf.pointintime import DEFAULT_MAX_AGE_QUARTERS
from hedgeclone.errors import DataError
from hedgeclone.labels import Subset

__all__ = ["MarketData", "PointInTimeView"]


class MarketData(Protocol):
    """What a strategy may read: any object with these frames (the demo market is one)."""

    close: pd.DataFrame  # total-return close, calendar x tickers
    raw_close: pd.DataFrame | None
    volume: pd.DataFrame | None
    shares: pd.DataFrame | None  # long: ticker, known_from, shares
    holdings: pd.DataFrame | None  # long 13F HOLDINGS schema
    # optional: ``suspect`` (ticker, date, ratio), unrepaired split-like moves (read with getattr)


@dataclass(frozen=True)
class PointInTimeView:
    """`market` as known at the close of `date`.

    `index` is the market's 13F holdings indexed once for many dates (`HoldingsIndex`); the
    runner passes it so that each decision date costs milliseconds. Without it, the view
    indexes the market's holdings on first use.
    """

    market: MarketData = field(repr=False)
    date: pd.Timestamp
    index: HoldingsIndex | None = field(default=None, repr=False)

    @cached_property
    def _row(self) -> int:
        # Last row of the calendar on or before the view date.
        return int(self.market.close.index.searchsorted(self.date, side="right")) - 1

    def close(self, lookback: int | None = None) -> pd.DataFrame:
        """Adjusted closes up to and including the view date (the last `lookback` rows)."""
        lo = 0 if lookback is None else max(0, self._row + 1 - lookback)
        return self.market.close.iloc[lo : self._row + 1]

    def last_close(self) -> pd.Series:
        """Adjusted close on the view date (NaN for tickers not trading that day)."""
        return self.market.close.iloc[self._row] if self._row >= 0 else pd.Series(dtype=float)

    def last_raw_close(self) -> pd.Series:
        """Raw (unadjusted) close on the view date; the adjusted close where raw is unknown."""
        raw = self.market.raw_close
        if raw is None:
            return self.last_close()
        return raw.iloc[self._row].fillna(self.last_close()) if self._row >= 0 else pd.Series(dtype=float)

    def volume(self, days: int) -> pd.DataFrame | None:
        """Daily volumes of the last `days` sessions up to the view date; None where the market has no
        volume in them at all (no volume data, or none this far: the source stops earlier)."""
        if self.market.volume is None or self._row < 0:
            return None
        lo = max(0, self._row + 1 - days)
        window = self.market.volume.iloc[lo : self._row + 1]
        return window if np.isfinite(window.to_numpy()).any() else None

    def dollar_volume(self, days: int) -> pd.Series:
        """Median daily traded value (raw close x volume) over the last `days` sessions (days without a
        volume are skipped); raises `DataError` if the market has no volume in them."""
        volume = self.volume(days)
        if volume is None:
            raise DataError(f"this market has no volumes in the {days} sessions to {self.date.date()}")
        raw = self.market.raw_close if self.market.raw_close is not None else self.market.close
        return (raw.iloc[self._row + 1 - len(volume) : self._row + 1] * volume).median()

    def days_traded(self, days: int) -> pd.Series:
        """Share of the last `days` sessions (fewer at the calendar's start) on which a ticker traded
        (volume > 0; a session without a row counts as not traded); raises `DataError` as `dollar_volume`."""
        volume = self.volume(days)
        if volume is None:
            raise DataError(f"this market has no volumes in the {days} sessions to {self.date.date()}")
        return (volume > 0).sum() / len(volume)

    def suspect_since(self, start: pd.Timestamp) -> pd.DataFrame:
        """Unrepaired suspect moves (ticker, date, ratio) of closes from `start` to the view date (a move
        is known at its own close); empty when the market records none."""
        marks = getattr(self.market, "suspect", None)
        if marks is None or not len(marks):
            return pd.DataFrame({"ticker": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                                 "ratio": pd.Series(dtype=float)})
        dates = marks["date"].to_numpy(dtype="datetime64[ns]")
        return marks[(dates >= pd.Timestamp(start).to_datetime64()) & (dates <= self.date.to_datetime64())]

    def session_start(self, sessions: int) -> pd.Timestamp:
        """The first of the last `sessions` sessions up to the view date (the calendar's first if fewer)."""
        index = self.market.close.index
        return index[max(0, self._row + 1 - sessions)] if len(index) else self.date

    @property
    def has_holdings(self) -> bool:
        """Whether the market has 13F holdings to count."""
        return self.index is not None or self.market.holdings is not None

    def tradable(self) -> pd.Index:
        """Tickers with a price on the view date."""
        return self.priced().labels()

    def priced(self) -> Subset:
        """`tradable` as a mask over the market's tickers (the price frame's columns)."""
        close = self.market.close
        if self._row < 0:
            return Subset(close.columns, np.zeros(close.shape[1], dtype=bool))
        return Subset(close.columns, close.iloc[self._row].notna().to_numpy())

    def holdings(self, ciks=None, include_options: bool = False,
                 max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """The 13F HOLDINGS rows of the filings that count on the view date (PUT/CALL only if asked)."""
        rows = self._index.holdings_as_of(self.date, ciks=ciks, max_age_quarters=max_age_quarters)
        return rows if include_options else rows[rows["put_call"].isna()]

    def positions_at(self, date: pd.Timestamp, ciks=None,
                     max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """Long-equity positions per filer and CUSIP that count on `date` (on or before the view date)."""
        if pd.Timestamp(date) > self.date:
            raise DataError(f"look-ahead: positions at {pd.Timestamp(date).date()} asked on {self.date.date()}")
        return self._index.positions_as_of(date, ciks=ciks, max_age_quarters=max_age_quarters)

    def issuers(self, ciks=None, max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
                merge_share_classes: bool = True) -> IssuerTable:
        """13F holders, conviction and top-10 counts per issuer on the view date (`IssuerTable`)."""
        return self._index.issuers_as_of(self.date, ciks=ciks, max_age_quarters=max_age_quarters,
                                         merge_share_classes=merge_share_classes)

    def traded(self, ciks=None, max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
               merge_share_classes: bool = True, priced=None, by: str = "holders") -> Traded:
        """The ranked 13F units on the view date with their traded ticker among `priced`, and those
        without one (``issuers(...).traded(priced, by)`` as `Traded` arrays)."""
        return self._index.traded_as_of(self.date, ciks=ciks, max_age_quarters=max_age_quarters,
                                        merge_share_classes=merge_share_classes, priced=priced, by=by)

    @cached_property
    def _index(self) -> HoldingsIndex:
        if self.index is not None:
            return self.index
        if self.market.holdings is None:
            raise DataError("this market has no 13F holdings")
        return HoldingsIndex(self.market.holdings)

    def market_cap(self) -> pd.Series:
        """Raw close on the view date x the latest shares outstanding known by then.

        Where the data has no raw close (adjusted-only price files), the adjusted close
        stands in for it: exact for names without dividends or splits since, close otherwise.
        """
        if self.market.shares is None:
            raise DataError("this market has no shares outstanding; import them with `hedgeclone data shares import`")
        shares = self.market.shares
        known = shares[shares["known_from"] <= self.date].sort_values("known_from", kind="stable")
        latest = known.drop_duplicates("ticker", keep="last").set_index("ticker")["shares"]
        raw = self.last_raw_close()
        return (raw * latest.reindex(raw.index)).astype(np.float64)
