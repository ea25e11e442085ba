"""The engine's one conversion point: pandas inputs to the arrays its kernels read.

`simulate`, the batch (`backtest.tuning.sweep`) and the benchmarks all convert through these
functions, so that every way into the kernels validates and orders its inputs the same way.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.records import ScheduleArrays
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.errors import InputError

__all__ = ["ScheduleArrays", "as_schedule", "check_close", "per_asset", "schedule_arrays", "to_schedule"]

_WEIGHT_TOL = 1e-9


def per_asset(name: str, value, columns: pd.Index, *, lower: float = 0.0, upper: float | None = None) -> np.ndarray:
    """A parameter as the kernels read it: a 1-element array (one value for all columns) or one per column.

    `value` is a number, a Series by ticker (tickers it does not name get 0) or an array of
    one value or one per column; every value must be finite, >= `lower` and, if given,
    < `upper`. Raises `InputError` naming `name` otherwise.
    """
    if type(value) is float and math.isfinite(value) and value >= lower and (upper is None or value < upper):
        return np.array([value])  # the common case first
    if isinstance(value, bool | np.bool_ | str | bytes):
        raise InputError(f"{name} must be a number or one number per ticker, got {value!r}")
    if isinstance(value, numbers.Real) and math.isfinite(value) and value >= lower and (upper is None or value < upper):
        return np.array([float(value)])
    if isinstance(value, pd.Series):
        missing = value.index.difference(columns)
        if len(missing):
            raise InputError(f"{name}: ticker {missing[0]!r} is not a column of close")
        arr = value.reindex(columns).fillna(0.0).to_numpy(dtype=np.float64)
    else:
        try:
            arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            raise InputError(f"{name} must be a number or one number per ticker, got {value!r}") from None
        if arr.ndim != 1 or arr.shape[0] not in (1, len(columns)):
            raise InputError(f"{name} must be a scalar or one value per ticker ({len(columns)})")
    bounds = f">= {lower:g}" + ("" if upper is None else f" and < {upper:g}")
    if not np.all(np.isfinite(arr)) or np.any(arr < lower) or (upper is not None and np.any(arr >= upper)):
        raise InputError(f"{name} must be finite and {bounds}")
    return arr


def _check_calendar(index: pd.Index, what: str) -> None:
    if not isinstance(index, pd.DatetimeIndex):
        raise InputError(f"{what} must be indexed by dates (a DatetimeIndex), got {type(index).__name__}")
    if index.has_duplicates:
        raise InputError(f"{what} has duplicate date {index[index.duplicated()][0].date()}")
    if not index.is_monotonic_increasing:
        bad = int(np.argmax(np.diff(index.asi8) < 0)) + 1
        raise InputError(f"{what} dates are not sorted: {index[bad].date()} comes after {index[bad - 1].date()}")


def check_close(close) -> None:
    """Raise `InputError` unless `close` is a dates x tickers frame: sorted unique dates, unique tickers."""
    if not isinstance(close, pd.DataFrame):
        raise InputError(f"close must be a DataFrame of dates x tickers, got {type(close).__name__}")
    _check_calendar(close.index, "close")
    if close.columns.has_duplicates:
        raise InputError(f"close has duplicate ticker {close.columns[close.columns.duplicated()][0]!r}")


def as_schedule(weights: pd.DataFrame | Schedule, close: pd.DataFrame) -> Schedule:
    """`weights` as a `Schedule`: a dense frame (NaN = no order) must share `close`'s dates."""
    if isinstance(weights, Schedule):
        return weights
    if not isinstance(weights, pd.DataFrame):
        raise InputError(f"weights must be a DataFrame or a Schedule, got {type(weights).__name__}")
    _check_calendar(weights.index, "weights")
    if not weights.index.equals(close.index):
        raise InputError(
            "weights and close are misaligned: their date indexes differ "
            f"({len(weights.index)} vs {len(close.index)} dates); reindex weights to close.index"
        )
    return Schedule.from_frame(weights)


def schedule_arrays(weights: pd.DataFrame | Schedule, close: pd.DataFrame, *, lag: int = 0,
                    allow_leverage: bool = False) -> ScheduleArrays:
    """The kernel arrays of `weights` (a `Schedule` or a dense frame) over `close`'s calendar and columns.

    Each rebalance executes `lag` rows after its date (rebalances pushed past the last row are
    dropped); targets are sorted by column number within each rebalance. Raises `InputError`
    naming the date and ticker at fault for a date not in the calendar, a ticker not a column,
    a non-finite or negative weight, or (unless `allow_leverage`) weights summing above 1.
    `close` is read for its index and columns only.
    """
    schedule = as_schedule(weights, close)
    dates = schedule.dates
    calendar = close.index.asi8
    rows = np.searchsorted(calendar, dates.asi8)
    missing = (rows >= len(calendar)) | (calendar[np.minimum(rows, len(calendar) - 1)] != dates.asi8)
    if missing.any():
        raise InputError(f"weights date {dates[missing][0].date()} is not a date of close's calendar")
    target_weights = np.asarray(schedule.weights, dtype=np.float64)
    cols = schedule.columns_in(close.columns)
    if (cols < 0).any():
        raise InputError(f"weights name ticker {schedule.tickers[cols < 0][0]!r}, which is not a column of close")
    rebalance_of = np.repeat(np.arange(len(dates)), np.diff(schedule.offsets))
    if np.isnan(target_weights).any() or np.isinf(target_weights).any():
        i = int(np.argmax(~np.isfinite(target_weights)))
        raise InputError(f"weight of {schedule.tickers[i]!r} on {dates[rebalance_of[i]].date()} is not finite")
    if (target_weights < 0).any():
        i = int(np.argmax(target_weights < 0))
        raise InputError(
            f"negative weight {target_weights[i]:g} for {schedule.tickers[i]!r} on {dates[rebalance_of[i]].date()}: "
            "hedgeclone is long-only"
        )
    if not allow_leverage and len(target_weights):
        sums = np.bincount(rebalance_of, weights=target_weights, minlength=len(dates))
        over = sums > 1.0 + _WEIGHT_TOL
        if over.any():
            k = int(np.argmax(over))
            raise InputError(
                f"weights on {dates[k].date()} sum to {sums[k]:.6g} > 1; pass allow_leverage=True to allow it"
            )
    if len(cols) > 1 and not np.all((np.diff(cols) > 0) | (np.diff(rebalance_of) > 0)):
        order = np.lexsort((cols, rebalance_of))
        cols, target_weights = cols[order], target_weights[order]
    rebalance_rows = rows + lag
    keep = rebalance_rows < len(close.index)
    offsets = np.asarray(schedule.offsets, dtype=np.int64)
    flags = schedule.close_unlisted
    if not keep.all():
        n_keep = int(keep.sum())
        rebalance_rows, flags = rebalance_rows[:n_keep], flags[:n_keep]
        offsets = offsets[: n_keep + 1]
        cols, target_weights = cols[: offsets[-1]], target_weights[: offsets[-1]]
    return ScheduleArrays(
        rebalance_rows=rebalance_rows.astype(np.int64),
        target_offsets=offsets,
        target_cols=cols.astype(np.int64),
        target_weights=target_weights,
        close_unlisted=np.asarray(flags, dtype=np.bool_),
    )


def to_schedule(arrays: ScheduleArrays, index: pd.DatetimeIndex, columns: pd.Index) -> Schedule:
    """The `Schedule` that `arrays` execute, dated at their execution rows of `index` (lag included)."""
    return Schedule(
        pd.DatetimeIndex(index[arrays.rebalance_rows]),
        np.asarray(arrays.target_offsets, dtype=np.int64),
        columns.to_numpy()[arrays.target_cols],
        np.asarray(arrays.target_weights, dtype=np.float64),
        close_unlisted=np.asarray(arrays.close_unlisted, dtype=bool),
    )
