"""Delistings, data ends and survivorship coverage.

A ticker "ends" when its last date falls more than `tolerance` trading days (of the union
calendar of the data examined) before the data's last date. Why it ends (`end_kinds`) depends on
its source's last date (`prices.sources.source_ends`): a series that ends before its source does
is a delisting (`DELISTED`); one that ends on its source's last date stops only because the
source does (`DATA_ENDS`: the company went on trading, the file stops), which says nothing about
the company. Without a source end, the data's last date stands in (every end is a delisting).
A source where no series is delisted carries survivorship bias: `coverage_warning` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Coverage", "DATA_ENDS", "DELISTED", "ended_tickers", "end_kinds", "coverage_of_ranges", "coverage_warning",
           "delisting_dates", "universe_on"]

TOLERANCE_DAYS = 5
DELISTED = "delisted"  # the series ends before its source does
DATA_ENDS = "data ends"  # the series ends on its source's last date, before the data does


@dataclass(frozen=True)
class Coverage:
    """Survivorship coverage: how many names the data has and how many of them end early."""

    tickers: int
    ended: int
    last_date: pd.Timestamp | None
    ended_by_year: dict[int, int]
    data_ends: int = 0  # series that stop on their source's last date, before the data's (not delisted)
    data_end_dates: tuple[pd.Timestamp, ...] = ()  # the distinct last dates of those series

    @property
    def ended_share(self) -> float:
        return self.ended / self.tickers if self.tickers else 0.0

    def summary(self) -> str:
        """One line such as '6,398 tickers, 12 (0.2%) end before 2026-07-14 (delisted)', followed by
        '; 1,662 stop where their source stops (data ends: 2024-03-08), not delisted' if any do."""
        last = self.last_date.date() if self.last_date is not None else "-"
        text = f"{self.tickers:,} tickers, {self.ended:,} ({self.ended_share:.1%}) end before {last} (delisted)"
        if self.data_ends:
            dates = ", ".join(str(d.date()) for d in self.data_end_dates[:3]) + (" ..." if len(self.data_end_dates) > 3 else "")
            text += f"; {self.data_ends:,} stop where their source stops (data ends: {dates}), not delisted"
        return text


def _cutoff(end: pd.Timestamp, calendar: pd.DatetimeIndex | None, tolerance: int) -> pd.Timestamp:
    """The earliest last date that still counts as reaching `end`: `tolerance` sessions before it."""
    if calendar is not None:
        upto = calendar[calendar <= end]
        if len(upto) > tolerance:
            return upto[-(tolerance + 1)]
    return end - pd.Timedelta(days=int(tolerance * 7 / 5) + 1)


def ended_tickers(last: pd.Series, calendar: pd.DatetimeIndex | None = None, tolerance: int = TOLERANCE_DAYS) -> pd.Series:
    """Boolean per ticker (index of `last`, its last dates): True where the series ends early."""
    if last.empty:
        return pd.Series(dtype=bool)
    return last < _cutoff(last.max(), calendar, tolerance)


def end_kinds(last: pd.Series, source_end: pd.Series | None, calendar: pd.DatetimeIndex | None = None,
              tolerance: int = TOLERANCE_DAYS, end: pd.Timestamp | None = None) -> pd.Series:
    """Why each series of `last` (last dates by ticker) that ends early (before the data's last date
    `end`, default the latest of `last`) ends: `DELISTED` where it ends more than `tolerance`
    sessions before its source's last date (`source_end`, by ticker; a ticker it lacks, or NaT,
    takes `end`), else `DATA_ENDS`. Only the tickers that end early are returned."""
    if last.empty:
        return pd.Series(dtype=object)
    ended = last[last < _cutoff(last.max() if end is None else pd.Timestamp(end), calendar, tolerance)]
    kinds = pd.Series(DELISTED, index=ended.index, dtype=object)
    if source_end is None or ended.empty:
        return kinds
    ends = pd.DatetimeIndex(source_end.reindex(ended.index).to_numpy())
    for end in ends.dropna().unique():
        on = (ends == end) & (ended.to_numpy() >= _cutoff(end, calendar, tolerance))
        kinds[on] = DATA_ENDS
    return kinds


def coverage_of_ranges(ranges: pd.DataFrame, calendar: pd.DatetimeIndex | None = None,
                       source_end: pd.Series | None = None) -> Coverage:
    """`Coverage` from a per-ticker table with ``ticker`` and ``last`` columns; with `source_end`
    (`prices.sources.source_ends`), a series that stops on its source's end is a data end, not delisted."""
    if ranges.empty:
        return Coverage(0, 0, None, {})
    last = pd.Series(pd.to_datetime(ranges["last"]).to_numpy(), index=ranges["ticker"])
    kinds = end_kinds(last, source_end, calendar)
    gone = last[kinds[kinds == DELISTED].index]
    stopped = last[kinds[kinds == DATA_ENDS].index]
    years = gone.dt.year.value_counts().sort_index()
    return Coverage(len(last), len(gone), pd.Timestamp(last.max()), {int(y): int(n) for y, n in years.items()},
                    len(stopped), tuple(pd.Timestamp(d) for d in sorted(stopped.unique())))


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
