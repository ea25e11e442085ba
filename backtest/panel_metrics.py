"""The metrics of `metrics` over a panel: P return series at once, as (P, T) arrays.

A sweep scores every combination in one call instead of one pandas round trip per
combination. Each row is one series over the same T dates; NaN marks a date a row does not
have (before its first decision date, or a missing level), and is dropped as the 1-D
functions drop it. Every function equals its 1-D namesake in `metrics` row by row to 1e-12
(tests/backtest/test_panel_metrics.py).
"""

from __future__ import annotations

import numpy as np

from hedgeclone.backtest.metric_sets import RELATIVE_METRICS, SUMMARY_METRICS, TRADING_METRICS
from hedgeclone.backtest.metrics import ANNUALIZATION

__all__ = ["summary", "relative", "trading"]


def _rows(x) -> np.ndarray:
    return np.atleast_2d(np.asarray(x, dtype=np.float64))


def _count(mask: np.ndarray) -> np.ndarray:
    return mask.sum(axis=1)


def _mean(x: np.ndarray, mask: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mask, x, 0.0).sum(axis=1) / n


def _std(x: np.ndarray, mask: np.ndarray, n: np.ndarray) -> np.ndarray:
    mean = _mean(x, mask, n)
    dev = np.where(mask, x - mean[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((dev * dev).sum(axis=1) / (n - 1))


def _spread(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """max - min of each row's masked values (NaN for an empty row)."""
    with np.errstate(invalid="ignore"):
        hi = np.where(mask, x, -np.inf).max(axis=1)
        lo = np.where(mask, x, np.inf).min(axis=1)
    return np.where(mask.any(axis=1), hi - lo, np.nan)


def _growth(r: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, 1.0 + r, 1.0).prod(axis=1)


def _cagr(r: np.ndarray, mask: np.ndarray, annualization: int) -> np.ndarray:
    n = _count(mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _growth(r, mask) ** (annualization / n) - 1.0
    return np.where(n >= 1, out, np.nan)


def _max_drawdown(r: np.ndarray, mask: np.ndarray) -> np.ndarray:
    wealth = np.cumprod(np.where(mask, 1.0 + r, 1.0), axis=1)
    wealth = np.concatenate([np.ones((r.shape[0], 1)), wealth], axis=1)
    out = (wealth / np.maximum.accumulate(wealth, axis=1) - 1.0).min(axis=1)
    return np.where(mask.any(axis=1), out, np.nan)


def _excess(returns: np.ndarray, rate) -> np.ndarray:
    return returns - np.broadcast_to(np.asarray(rate, dtype=np.float64), returns.shape)


def summary(returns, annualization: int = ANNUALIZATION, *, risk_free=0.0) -> dict[str, np.ndarray]:
    """`metrics.summary` of each row of `returns` (P, T): one array of P values per metric.

    `risk_free` is a float or one rate per date (T,); like the 1-D functions, a date without a
    rate is left out of Sharpe and Sortino.
    """
    r = _rows(returns)
    mask = ~np.isnan(r)
    n = _count(mask)
    total = np.where(n >= 1, _growth(r, mask) - 1.0, np.nan)
    cagr = _cagr(r, mask, annualization)
    vol = np.where(n >= 2, _std(r, mask, n) * np.sqrt(annualization), np.nan)

    ex = _excess(r, risk_free)
    emask = ~np.isnan(ex)
    en = _count(emask)
    sd = _std(ex, emask, en)
    mean = _mean(ex, emask, en)
    flat = _spread(ex, emask) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        sharpe = np.where((en >= 2) & ~flat & (sd > 0), mean / sd * np.sqrt(annualization), np.nan)
        downside = np.sqrt(_mean(np.minimum(ex, 0.0) ** 2, emask, en))
        sortino = np.where(downside == 0, np.where(mean > 0, np.inf, np.nan),
                           mean / downside * np.sqrt(annualization))
    sortino = np.where(en >= 2, sortino, np.nan)

    mdd = _max_drawdown(r, mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        calmar = cagr / np.abs(mdd)
    calmar = np.where((mdd != 0) & ~np.isnan(mdd) & np.isfinite(calmar), calmar, np.nan)
    out = {"total_return": total, "cagr": cagr, "volatility": vol, "sharpe": sharpe, "sortino": sortino,
           "max_drawdown": mdd, "calmar": calmar}
    return {k: out[k] for k in SUMMARY_METRICS}


def _capture(r: np.ndarray, f: np.ndarray, mask: np.ndarray, sign: int, annualization: int) -> np.ndarray:
    keep = mask & (np.sign(np.where(mask, f, 0.0)) == sign)
    bench = _cagr(f, keep, annualization)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _cagr(r, keep, annualization) / bench
    return np.where(keep.any(axis=1) & (bench != 0), out, np.nan)


def relative(returns, factor_returns, risk_free=0.0, annualization: int = ANNUALIZATION) -> dict[str, np.ndarray]:
    """`metrics.relative` of each row of `returns` (P, T) against `factor_returns` ((T,) or (P, T)).

    Dates where either is NaN are left out of both, row by row.
    """
    r = _rows(returns)
    f = np.broadcast_to(np.asarray(factor_returns, dtype=np.float64), r.shape)
    mask = ~(np.isnan(r) | np.isnan(f))
    n = _count(mask)
    sqrt_ann = np.sqrt(annualization)

    mean_f = _mean(f, mask, n)
    resid = np.where(mask, f - mean_f[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (resid * resid).sum(axis=1) / n
        beta = (resid * np.where(mask, r, 0.0)).sum(axis=1) / n / var
    beta = np.where((n >= 2) & (var >= 1e-30), beta, np.nan)

    rf = np.broadcast_to(np.asarray(risk_free, dtype=np.float64), r.shape)
    daily = (r - rf) - beta[:, None] * (f - rf)
    dmask = mask & ~np.isnan(daily)
    dn = _count(dmask)
    with np.errstate(invalid="ignore"):
        alpha = (1.0 + _mean(daily, dmask, dn)) ** annualization - 1.0
    alpha = np.where((n >= 2) & ~np.isnan(beta) & (dn >= 1), alpha, np.nan)

    active = r - f
    flat = _spread(active, mask) == 0
    sd = _std(active, mask, n)
    tracking = np.where(n >= 2, np.where(flat, 0.0, sd * sqrt_ann), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        info = np.where((n >= 2) & ~flat, _mean(active, mask, n) / sd * sqrt_ann, np.nan)

    excess = np.where(n >= 1, 100.0 * (_growth(r, mask) - _growth(f, mask)), np.nan)
    out = {"beta": beta, "alpha": alpha, "information_ratio": info, "tracking_error": tracking,
           "excess_return_pp": excess, "up_capture": _capture(r, f, mask, 1, annualization),
           "down_capture": _capture(r, f, mask, -1, annualization)}
    return {k: out[k] for k in RELATIVE_METRICS}


def trading(values, traded_value, fees_paid, annualization: int = ANNUALIZATION) -> dict[str, np.ndarray]:
    """`metrics.trading` of each row of `values` (P, T; NaN outside a row's window), with one
    traded value and one fees total per row."""
    v = _rows(values)
    mask = ~np.isnan(v)
    n = _count(mask)
    mean_value = _mean(v, mask, n)
    traded = np.asarray(traded_value, dtype=np.float64)
    fees = np.asarray(fees_paid, dtype=np.float64)
    years = np.maximum(n, 1) / annualization
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"costs": fees, "costs_pct": fees / mean_value, "turnover": traded / mean_value,
               "turnover_annual": traded / mean_value / years}
    return {k: out[k] for k in TRADING_METRICS}
