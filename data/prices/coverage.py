"""Delistings and survivorship coverage: a series that ends before the data does is a delisting.

A ticker "ends" when its last date falls more than `tolerance` trading days (of the union
calendar of the data examined) before the data's last date. A source where no series ends
has no delisted names, so backtests on it carry survivorship bias: `coverage_warning` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Coverage", "ended_tickers", "coverage_of_ranges", "coverage_warning", "delisting_dates", "universe_on"]

TOLERANCE_DAYS = 5


@dataclass(frozen=True)
class Coverage:
    """Survivorship coverage: how many names the data has and how many of them end early."""

    tickers: int
    ended: int
    last_date: pd.Timestamp | None
    ended_by_year: dict[int, int]

    @property
    def ended_share(self) -> float:
        return self.ended / self.tickers if self.tickers else 0.0

    def summary(self) -> str:
        """One line such as '6,398 tickers, 12 (0.2%) end before 2026-07-14 (delisted)'."""
        last = self.last_date.date() if self.last_date is not None else "-"
        return f"{self.tickers:,} tickers, {self.ended:,} ({self.ended_share:.1%}) end before {last} (delisted)"


def ended_tickers(last: pd.Series, calendar: pd.DatetimeIndex | None = None, tolerance: int = TOLERANCE_DAYS) -> pd.Series:
    """Boolean per ticker (index of `last`, its last dates): True where the series ends early."""
    if last.empty:
        return pd.Series(dtype=bool)
    end = last.max()
    if calendar is not None and len(calendar) > tolerance:
        cutoff = calendar[calendar <= end][-(tolerance + 1)]
    else:
        cutoff = end - pd.Timedelta(days=int(tolerance * 7 / 5) + 1)
    return last < cutoff


def coverage_of_ranges(ranges: pd.DataFrame, calendar: pd.DatetimeIndex | None = None) -> Coverage:
    """`Coverage` from a per-ticker table with ``ticker`` and ``last`` columns."""
    if ranges.empty:
        return Coverage(0, 0, None, {})
    last = pd.Series(pd.to_datetime(ranges["last"]).to_numpy(), index=ranges["ticker"])
    ended = ended_tickers(last, calendar)
    years = last[ended].dt.year.value_counts().sort_index()
    return Coverage(len(last), int(ended.sum()), pd.Timestamp(last.max()), {int(y): int(n) for y, n in years.items()})


def coverage_warning(cov: Coverage, source: str) -> str | None:
    """A warning when `source` has no delisted names (survivorship bias), else None."""
    if cov.tickers > 1 and cov.ended == 0:
        return f"{source}: no delisted names among {cov.tickers:,} tickers: results on it carry survivorship bias"
    return None


def delisting_dates(close: pd.DataFrame, tolerance: int = TOLERANCE_DAYS) -> pd.Series:
    """Last trading date of each column of the wide `close` whose series ends early (a delisting)."""
    valid = close.notna().to_numpy()
    has = valid.any(axis=0) if valid.size else np.zeros(close.shape[1], dtype=bool)
    pos = len(close.index) - 1 - valid[::-1].argmax(axis=0) if valid.size else np.zeros(close.shape[1], dtype=int)
    last = pd.Series(pd.DatetimeIndex(close.index[pos[has]]).to_numpy(), index=close.columns[has])
    return last[ended_tickers(last, close.index, tolerance)]


def universe_on(close: pd.DataFrame, date: pd.Timestamp | str) -> list[str]:
    """Tickers listed on `date`: first valid date <= date <= last valid date, including later delistings."""
    date = pd.Timestamp(date)
    valid = close.notna().to_numpy()
    idx = close.index
    has_before = valid[idx <= date].any(axis=0)
    has_after = valid[idx >= date].any(axis=0)
    return [t for t, ok in zip(close.columns, has_before & has_after, strict=True) if ok] if len(idx) else list(np.array([]))
