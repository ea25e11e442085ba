"""Performance metrics: pure, NaN-aware functions with empyrical's definitions and signatures.

Each takes simple daily `returns` (a Series or array; NaN entries are ignored) and the
annualization factor (252 trading days a year by default), like ``empyrical.sharpe_ratio``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "ANNUALIZATION",
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "summary",
    "SUMMARY_METRICS",
]

ANNUALIZATION = 252


def _clean(returns) -> np.ndarray:
    arr = np.asarray(returns, dtype=np.float64)
    return arr[~np.isnan(arr)]


def total_return(returns) -> float:
    """Compounded return over the whole series (0.1772 for +17.72%)."""
    r = _clean(returns)
    return float(np.prod(1.0 + r) - 1.0) if r.size else np.nan


def cagr(returns, annualization: int = ANNUALIZATION) -> float:
    """Compound annual growth rate, with ``len(returns) / annualization`` years (empyrical's `cagr`)."""
    r = _clean(returns)
    if r.size < 1:
        return np.nan
    ending = np.prod(1.0 + r)
    years = r.size / annualization
    return float(ending ** (1.0 / years) - 1.0)


def volatility(returns, annualization: int = ANNUALIZATION) -> float:
    """Annualised standard deviation of returns (ddof=1, as empyrical)."""
    r = _clean(returns)
    if r.size < 2:
        return np.nan
    return float(np.std(r, ddof=1) * np.sqrt(annualization))


def sharpe(returns, risk_free: float = 0.0, annualization: int = ANNUALIZATION) -> float:
    """Annualised Sharpe ratio: mean over standard deviation (ddof=1) of excess returns."""
    r = _clean(returns) - risk_free
    if r.size < 2:
        return np.nan
    sd = np.std(r, ddof=1)
    return float(np.mean(r) / sd * np.sqrt(annualization)) if sd > 0 else np.nan


def sortino(returns, required_return: float = 0.0, annualization: int = ANNUALIZATION) -> float:
    """Annualised Sortino ratio: mean excess return over downside deviation (empyrical's)."""
    r = _clean(returns) - required_return
    if r.size < 2:
        return np.nan
    downside = np.sqrt(np.mean(np.square(np.clip(r, None, 0.0))))
    if downside == 0:
        return np.inf if np.mean(r) > 0 else np.nan
    return float(np.mean(r) / downside * np.sqrt(annualization))


def max_drawdown(returns) -> float:
    """Largest peak-to-trough fall of the compounded series, as a negative fraction."""
    r = _clean(returns)
    if r.size < 1:
        return np.nan
    wealth = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peak = np.maximum.accumulate(wealth)
    return float(np.min(wealth / peak - 1.0))


def calmar(returns, annualization: int = ANNUALIZATION) -> float:
    """CAGR divided by the absolute maximum drawdown."""
    mdd = max_drawdown(returns)
    if not mdd or np.isnan(mdd):
        return np.nan
    return float(cagr(returns, annualization) / abs(mdd))


SUMMARY_METRICS = ("total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar")


def summary(returns: pd.Series | np.ndarray, annualization: int = ANNUALIZATION) -> dict[str, float]:
    """The named metric set of every report, keyed as in ``metrics.json``."""
    return {
        "total_return": total_return(returns),
        "cagr": cagr(returns, annualization),
        "volatility": volatility(returns, annualization),
        "sharpe": sharpe(returns, annualization=annualization),
        "sortino": sortino(returns, annualization=annualization),
        "max_drawdown": max_drawdown(returns),
        "calmar": calmar(returns, annualization),
    }
