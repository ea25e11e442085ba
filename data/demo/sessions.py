"""Trading days of the demo market: the real NYSE (XNYS) calendar from `exchange_calendars`."""

from __future__ import annotations

import functools
import warnings

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from hedgeclone.errors import InputError

__all__ = ["xnys_sessions", "quarter_ends", "session_on_or_before", "session_on_or_after"]


# exchange_calendars uses pandas APIs that pandas 3.1 deprecates; the warning is not ours to fix.
_PANDAS_DEPRECATION = getattr(pd.errors, "Pandas4Warning", FutureWarning)


@functools.lru_cache(maxsize=16)
def xnys_sessions(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE sessions in [start, end] as tz-naive midnight timestamps (datetime64[ns])."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=_PANDAS_DEPRECATION, module="exchange_calendars")
        warnings.filterwarnings("ignore", category=_PANDAS_DEPRECATION, module="pandas")
        cal = xcals.get_calendar("XNYS", start=start, end=end)
        sessions = cal.sessions_in_range(cal.first_session, cal.last_session)
    if len(sessions) < 2:
        raise InputError(
            f"DemoConfig start/end ({start.date()}..{end.date()}) span fewer than 2 NYSE sessions"
        )
    return pd.DatetimeIndex(sessions.tz_localize(None).normalize().astype("datetime64[ns]"), name="date")


def quarter_ends(calendar: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Calendar quarter ends (e.g. 2014-03-31) that fall within the span of `calendar`."""
    q = pd.date_range(calendar[0], calendar[-1], freq="QE")
    return pd.DatetimeIndex(q.normalize().astype("datetime64[ns]"))


def session_on_or_before(calendar: pd.DatetimeIndex, dates: pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Index of the last session <= each date (-1 when a date precedes the calendar)."""
    return np.searchsorted(calendar.values, np.asarray(dates, dtype="datetime64[ns]"), side="right") - 1


def session_on_or_after(calendar: pd.DatetimeIndex, dates: pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Index of the first session >= each date (len(calendar) when a date follows it)."""
    return np.searchsorted(calendar.values, np.asarray(dates, dtype="datetime64[ns]"), side="left")
