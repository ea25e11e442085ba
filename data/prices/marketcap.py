"""Point-in-time market capitalisation: raw close x shares outstanding known on each date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.errors import DataError

__all__ = ["shares_on_dates", "market_cap"]


def shares_on_dates(shares_long: pd.DataFrame, dates: pd.DatetimeIndex, tickers: list[str]) -> pd.DataFrame:
    """Wide (dates x tickers) shares: on each date the latest count with ``known_from`` <= date.

    Before a ticker's first known count the value is NaN (nothing was known yet).
    """
    missing = {"ticker", "known_from", "shares"} - set(shares_long.columns)
    if missing:
        raise DataError(f"shares table lacks column(s) {', '.join(sorted(missing))}")
    rows = shares_long[shares_long["ticker"].isin(tickers)]
    if rows.empty:
        return pd.DataFrame(np.nan, index=dates, columns=tickers)
    rows = rows.sort_values("known_from", kind="stable")
    wide = rows.pivot_table(index="known_from", columns="ticker", values="shares", aggfunc="last")
    wide.index = pd.DatetimeIndex(wide.index)
    union = wide.index.union(dates)
    return wide.reindex(union).ffill().reindex(index=dates, columns=tickers)


def market_cap(raw_close: pd.DataFrame, shares_long: pd.DataFrame) -> pd.DataFrame:
    """Wide market cap (same shape as `raw_close`): raw close x `shares_on_dates`; NaN where unknown."""
    shares = shares_on_dates(shares_long, pd.DatetimeIndex(raw_close.index), list(raw_close.columns))
    return raw_close * shares.to_numpy()
