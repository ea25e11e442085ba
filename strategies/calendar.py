"""Rebalance calendars: when a strategy decides, expressed as rules over the trading calendar."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from hedgeclone.errors import InputError

__all__ = ["FILING_DEADLINE_DAYS", "Frequency", "after_filing_deadline", "period_ends", "decision_dates", "window"]

FILING_DEADLINE_DAYS = 45  # a 13F-HR is due 45 calendar days after the quarter ends

Frequency = Literal["deadline", "monthly", "quarterly", "annual", "once"]


def _window(calendar: pd.DatetimeIndex, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    lo = pd.Timestamp(start) if start is not None else calendar[0]
    hi = pd.Timestamp(end) if end is not None else calendar[-1]
    return lo, hi


def window(calendar: pd.DatetimeIndex, start=None, end=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The run window [start, end] on `calendar` (its ends where not given), checked.

    The one window check of runs, screens and sweeps: raises `InputError` when start is after
    end or when the window lies wholly outside the calendar.
    """
    if not len(calendar):
        raise InputError("the market has no trading dates")
    lo, hi = _window(calendar, start, end)
    if lo > hi:
        raise InputError(f"start {lo.date()} is after end {hi.date()}")
    if hi < calendar[0] or lo > calendar[-1]:
        raise InputError(
            f"window {lo.date()}..{hi.date()} lies outside the data ({calendar[0].date()}..{calendar[-1].date()})"
        )
    return lo, hi


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
    lo, hi = _window(calendar, start, end)
    quarter_ends = pd.date_range(calendar[0] - pd.offsets.QuarterEnd(1), calendar[-1], freq="QE")
    cutoffs = quarter_ends.normalize() + pd.Timedelta(days=deadline_days + extra_days)
    pos = calendar.searchsorted(cutoffs, side="right")
    dates = calendar[pos[pos < len(calendar)]].unique()
    return dates[(dates >= lo) & (dates <= hi)]


def period_ends(calendar: pd.DatetimeIndex, freq: Literal["monthly", "quarterly", "annual"],
                start=None, end=None) -> pd.DatetimeIndex:
    """The last session of each month, quarter or year within [start, end]."""
    codes = {"monthly": "M", "quarterly": "Q", "annual": "Y"}
    if freq not in codes:
        raise InputError(f"rebalance frequency must be monthly, quarterly or annual, got {freq!r}")
    lo, hi = _window(calendar, start, end)
    inside = calendar[(calendar >= lo) & (calendar <= hi)]
    if not len(inside):
        return inside
    periods = inside.to_period(codes[freq])
    last = pd.Series(inside, index=periods).groupby(level=0).max()
    return pd.DatetimeIndex(last.to_numpy())


def decision_dates(calendar: pd.DatetimeIndex, rebalance: Frequency, start=None, end=None,
                   extra_days: int = 0) -> pd.DatetimeIndex:
    """Decision dates of a rebalance rule: after each 13F deadline, at period ends, or once at start."""
    if rebalance == "deadline":
        return after_filing_deadline(calendar, start, end, extra_days=extra_days)
    if rebalance == "once":
        lo, hi = _window(calendar, start, end)
        first = calendar[(calendar >= lo) & (calendar <= hi)][:1]
        return pd.DatetimeIndex(first)
    return period_ends(calendar, rebalance, start, end)
