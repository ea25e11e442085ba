"""`simulate`: the one pandas-facing entry point of the engine. Convert once, call the kernel, wrap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.kernels import simulate_nb
from hedgeclone.backtest.engine.records import Status
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.backtest.result import Result
from hedgeclone.errors import InputError

__all__ = ["simulate"]

_WEIGHT_TOL = 1e-9


def _per_asset(name: str, value, columns: pd.Index, lower: float = 0.0) -> np.ndarray:
    """A parameter as a 1-element array (same for all) or one value per column, each >= `lower`."""
    if isinstance(value, float | int) and math.isfinite(value) and value >= lower:
        return np.array([float(value)])
    if isinstance(value, pd.Series):
        missing = value.index.difference(columns)
        if len(missing):
            raise InputError(f"{name}: ticker {missing[0]!r} is not a column of close")
        arr = value.reindex(columns).fillna(0.0).to_numpy(dtype=np.float64)
    else:
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if arr.ndim != 1 or arr.shape[0] not in (1, len(columns)):
            raise InputError(f"{name} must be a scalar or one value per ticker ({len(columns)})")
    if not np.all(np.isfinite(arr)) or np.any(arr < lower):
        raise InputError(f"{name} must be finite and >= {lower:g}")
    return arr


def _check_calendar(index: pd.Index, what: str) -> None:
    if not isinstance(index, pd.DatetimeIndex):
        raise InputError(f"{what} must be indexed by dates (a DatetimeIndex), got {type(index).__name__}")
    if index.has_duplicates:
        raise InputError(f"{what} has duplicate date {index[index.duplicated()][0].date()}")
    if not index.is_monotonic_increasing:
        bad = int(np.argmax(np.diff(index.asi8) < 0)) + 1
        raise InputError(f"{what} dates are not sorted: {index[bad].date()} comes after {index[bad - 1].date()}")


def _schedule_arrays(schedule: Schedule, close: pd.DataFrame, lag: int, allow_leverage: bool):
    """Kernel arrays for `schedule`: execution rows, offsets, sorted column numbers, weights."""
    dates = schedule.dates
    calendar = close.index.asi8
    rows = np.searchsorted(calendar, dates.asi8)
    missing = (rows >= len(calendar)) | (calendar[np.minimum(rows, len(calendar) - 1)] != dates.asi8)
    if missing.any():
        raise InputError(f"weights date {dates[missing][0].date()} is not a date of close's calendar")
    weights = np.asarray(schedule.weights, dtype=np.float64)
    cols = schedule.columns_in(close.columns)
    if (cols < 0).any():
        raise InputError(f"weights name ticker {schedule.tickers[cols < 0][0]!r}, which is not a column of close")
    seg = np.repeat(np.arange(len(dates)), np.diff(schedule.offsets))
    if np.isnan(weights).any() or np.isinf(weights).any():
        i = int(np.argmax(~np.isfinite(weights)))
        raise InputError(f"weight of {schedule.tickers[i]!r} on {dates[seg[i]].date()} is not finite")
    if (weights < 0).any():
        i = int(np.argmax(weights < 0))
        raise InputError(
            f"negative weight {weights[i]:g} for {schedule.tickers[i]!r} on {dates[seg[i]].date()}: "
            "hedgeclone is long-only"
        )
    if not allow_leverage and len(weights):
        sums = np.bincount(seg, weights=weights, minlength=len(dates))
        over = sums > 1.0 + _WEIGHT_TOL
        if over.any():
            k = int(np.argmax(over))
            raise InputError(
                f"weights on {dates[k].date()} sum to {sums[k]:.6g} > 1; pass allow_leverage=True to allow it"
            )
    if len(cols) > 1 and not np.all((np.diff(cols) > 0) | (np.diff(seg) > 0)):
        order = np.lexsort((cols, seg))
        cols, weights = cols[order], weights[order]
    exec_rows = rows + lag
    keep = exec_rows < len(close.index)
    offsets = np.asarray(schedule.offsets, dtype=np.int64)
    flags = schedule.close_unlisted
    if not keep.all():
        n_keep = int(keep.sum())
        exec_rows, flags = exec_rows[:n_keep], flags[:n_keep]
        offsets = offsets[: n_keep + 1]
        cols, weights = cols[: offsets[-1]], weights[: offsets[-1]]
    return exec_rows.astype(np.int64), offsets, cols.astype(np.int64), weights, flags


def simulate(
    close: pd.DataFrame,
    weights: pd.DataFrame | Schedule,
    *,
    fees: float | pd.Series = 0.0,
    fixed_fees: float | pd.Series = 0.0,
    slippage: float | pd.Series = 0.0,
    init_cash: float = 1.0,
    lag: int = 0,
    delisting: bool = False,
    delisting_returns: pd.Series | None = None,
    allow_leverage: bool = False,
    min_size: float = 1e-8,
) -> Result:
    """Backtest a long-only portfolio that rebalances to target weights at the close.

    `close` is dates x tickers (NaN where a ticker does not trade). `weights` is either a dense
    frame of the same shape, NaN on rows without a rebalance (vectorbt's convention: a NaN
    cell on a rebalance row leaves that ticker alone), or a sparse `Schedule`. With the
    defaults, ``Result.value`` equals vectorbt's ``Portfolio.from_orders(close, weights,
    size_type="targetpercent", group_by=True, cash_sharing=True, call_seq="auto", fees=...,
    fixed_fees=..., slippage=..., init_cash=...).value()``.

    Beyond that reference: `lag` executes each rebalance that many trading days after its
    date; `delisting` sells a held ticker whose prices end before the last date at its last
    close times ``1 + delisting_returns[ticker]`` (0 where not given), without fees. A ticker
    whose price is NaN on a rebalance day is not traded that day and keeps its last price.
    """
    if not isinstance(close, pd.DataFrame):
        raise InputError(f"close must be a DataFrame of dates x tickers, got {type(close).__name__}")
    _check_calendar(close.index, "close")
    if close.columns.has_duplicates:
        raise InputError(f"close has duplicate ticker {close.columns[close.columns.duplicated()][0]!r}")
    if isinstance(weights, pd.DataFrame):
        _check_calendar(weights.index, "weights")
        if not weights.index.equals(close.index):
            raise InputError(
                "weights and close are misaligned: their date indexes differ "
                f"({len(weights.index)} vs {len(close.index)} dates); reindex weights to close.index"
            )
        schedule = Schedule.from_frame(weights)
    elif isinstance(weights, Schedule):
        schedule = weights
    else:
        raise InputError(f"weights must be a DataFrame or a Schedule, got {type(weights).__name__}")
    if lag < 0:
        raise InputError(f"lag must be >= 0 trading days, got {lag}")
    if not (np.isfinite(init_cash) and init_cash > 0):
        raise InputError(f"init_cash must be a positive number, got {init_cash}")

    rows, offsets, cols, w, flags = _schedule_arrays(schedule, close, lag, allow_leverage)
    prices = close.to_numpy(dtype=np.float64)
    dr = np.zeros(1) if delisting_returns is None else _per_asset(
        "delisting_returns", delisting_returns, close.columns, lower=-1.0
    )
    value, cash, paid, orders, status, bad_row, bad_col = simulate_nb(
        prices,
        rows,
        offsets,
        cols,
        w,
        flags,
        _per_asset("fees", fees, close.columns),
        _per_asset("fixed_fees", fixed_fees, close.columns),
        _per_asset("slippage", slippage, close.columns),
        float(init_cash),
        float(min_size),
        bool(delisting),
        dr,
    )
    if status == Status.bad_price:
        raise InputError(
            f"price of {close.columns[bad_col]!r} on {close.index[bad_row].date()} is "
            f"{prices[bad_row, bad_col]!r}, but an order must trade there (prices must be finite and > 0)"
        )
    return Result(close=close, value=value, cash=cash, fees=paid, orders=orders, init_cash=float(init_cash))
