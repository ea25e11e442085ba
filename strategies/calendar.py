"""Rebalance calendars: when a strategy decides, expressed as rules over the trading calendar."""

from __future__ import annotations

import pandas as pd

from backtest.errors import InputError

__all__ = ["after_filing_deadline", "FILING_DEADLINE_DAYS"]

FILING_DEADLINE_DAYS = 45  # a 13F-HR is due 45 calendar days after the quarter ends


def after_filing_deadline(
    calendar: pd.DatetimeIndex,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    deadline_days: int = FILING_DEADLINE_DAYS,
    extra_days: int = 0,
) -> pd.DatetimeIndex:
    """Decision dates: the first trading day after each quarter's filing deadline.

    The deadline of the quarter ending on Q is ``Q + deadline_days`` calendar days; the decision
    date is the first session strictly after ``deadline + extra_days``, so every on-time filing
    for that quarter was public the day before. Dates outside [start, end] are dropped.
    """
    if deadline_days < 0 or extra_days < 0:
        raise InputError(f"deadline_days and extra_days must be >= 0, got {deadline_days} and {extra_days}")
    if not len(calendar):
        return pd.DatetimeIndex([])
    lo = pd.Timestamp(start) if start is not None else calendar[0]
    hi = pd.Timestamp(end) if end is not None else calendar[-1]
    quarter_ends = pd.date_range(calendar[0] - pd.offsets.QuarterEnd(1), calendar[-1], freq="QE")
    cutoffs = quarter_ends.normalize() + pd.Timedelta(days=deadline_days + extra_days)
    pos = calendar.searchsorted(cutoffs, side="right")
    dates = calendar[pos[pos < len(calendar)]].unique()
    return dates[(dates >= lo) & (dates <= hi)]
