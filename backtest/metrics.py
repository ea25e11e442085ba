"""Performance metrics: pure, NaN-aware functions with empyrical's definitions and signatures.

Each takes simple `returns` (a Series or array; NaN entries are ignored) and, for relative
metrics, `factor_returns` (the benchmark's returns on the same dates), an optional
`risk_free` rate per period (a float, or a Series aligned by date such as
`risk_free_from_yield(^IRX)`), and `period`/`annualization` like ``empyrical.sharpe_ratio``
(252 trading days a year by default).

The functions equal empyrical-reloaded's to 1e-10 on real series (tests/backtest/test_metrics.py).
Deliberate differences, each stated in its function's docstring:

- NaN returns are dropped before counting years (`cagr`, `calmar`): empyrical counts a NaN
  day as a day with a zero return. Identical on series without gaps.
- `information_ratio` is annualised: ``empyrical.excess_sharpe * sqrt(annualization)``.
- `tracking_error` (absent from empyrical) is ``annual_volatility(returns - factor_returns)``.
- Relative metrics pair the two series: a date missing from either is left out of both.
- `per_year_returns`/`per_quarter_returns` give NaN for a period with no return at all
  (empyrical's `aggregate_returns` gives 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.backtest.metric_sets import RELATIVE_METRICS, SUMMARY_METRICS
from hedgeclone.errors import InputError

__all__ = [
    "ANNUALIZATION",
    "ANNUALIZATION_FACTORS",
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "beta",
    "alpha",
    "information_ratio",
    "tracking_error",
    "up_capture",
    "down_capture",
    "excess_return_pp",
    "per_year_returns",
    "per_quarter_returns",
    "drawdown_series",
    "rolling_excess_return",
    "risk_free_from_yield",
    "daily_returns",
    "summary",
    "relative",
    "trading",
    "SUMMARY_METRICS",
    "RELATIVE_METRICS",
]

ANNUALIZATION = 252
ANNUALIZATION_FACTORS = {"daily": 252, "weekly": 52, "monthly": 12, "quarterly": 4, "yearly": 1}


def _factor(period: str, annualization: int | None) -> int:
    if annualization is not None:
        return annualization
    try:
        return ANNUALIZATION_FACTORS[period]
    except KeyError:
        raise InputError(f"period {period!r} must be one of {', '.join(ANNUALIZATION_FACTORS)}") from None


def _clean(returns) -> np.ndarray:
    arr = np.asarray(returns, dtype=np.float64)
    return arr[~np.isnan(arr)]


def _minus(returns, other) -> np.ndarray:
    """`returns - other` as floats; two Series are aligned on `returns`' dates first."""
    if isinstance(returns, pd.Series) and isinstance(other, pd.Series):
        other = other.reindex(returns.index)
    r = np.asarray(returns, dtype=np.float64)
    return r - np.asarray(other, dtype=np.float64)


def _paired(returns, factor_returns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both series as arrays on the same dates, and the mask of dates where both are known."""
    if isinstance(returns, pd.Series) and isinstance(factor_returns, pd.Series):
        joined = pd.concat([returns, factor_returns], axis=1, join="outer")
        r, f = joined.iloc[:, 0].to_numpy(np.float64), joined.iloc[:, 1].to_numpy(np.float64)
    else:
        r, f = np.asarray(returns, dtype=np.float64), np.asarray(factor_returns, dtype=np.float64)
        if r.shape != f.shape:
            raise InputError(f"returns ({r.shape}) and factor_returns ({f.shape}) must have the same shape")
    return r, f, ~(np.isnan(r) | np.isnan(f))


def _paired_frame(returns, factor_returns, risk_free) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(returns, factor returns, risk-free) on dates where returns and factor are both known."""
    if isinstance(returns, pd.Series) and isinstance(factor_returns, pd.Series):
        joined = pd.concat([returns, factor_returns], axis=1, join="outer")
        r, f = joined.iloc[:, 0].to_numpy(np.float64), joined.iloc[:, 1].to_numpy(np.float64)
        rf = risk_free.reindex(joined.index).to_numpy(np.float64) if isinstance(risk_free, pd.Series) else risk_free
    else:
        r, f, _ = _paired(returns, factor_returns)
        rf = risk_free
    rf = np.broadcast_to(np.asarray(rf, dtype=np.float64), r.shape)
    mask = ~(np.isnan(r) | np.isnan(f))
    return r[mask], f[mask], rf[mask]


# -- single-series metrics ----------------------------------------------------------------
def total_return(returns) -> float:
    """Compounded return over the whole series (0.1772 for +17.72%)."""
    r = _clean(returns)
    return float(np.prod(1.0 + r) - 1.0) if r.size else np.nan


def cagr(returns, annualization: int = ANNUALIZATION) -> float:
    """Compound annual growth rate, with ``len(returns) / annualization`` years (empyrical's `cagr`).

    NaN returns are dropped before counting the years (empyrical counts them as zero-return days).
    """
    r = _clean(returns)
    if r.size < 1:
        return np.nan
    ending = np.prod(1.0 + r)
    years = r.size / annualization
    return float(ending ** (1.0 / years) - 1.0)


def volatility(returns, annualization: int = ANNUALIZATION) -> float:
    """Annualised standard deviation of returns (ddof=1, as empyrical's `annual_volatility`)."""
    r = _clean(returns)
    if r.size < 2:
        return np.nan
    return float(np.std(r, ddof=1) * np.sqrt(annualization))


def sharpe(returns, risk_free=0.0, annualization: int = ANNUALIZATION) -> float:
    """Annualised Sharpe ratio: mean over standard deviation (ddof=1) of returns minus `risk_free`.

    `risk_free` is a rate per period: a float, or a Series aligned on the returns' dates
    (dates without a rate are left out). NaN when fewer than two excess returns or no dispersion.
    """
    r = _clean(_minus(returns, risk_free))
    if r.size < 2 or np.max(r) == np.min(r):
        return np.nan
    sd = np.std(r, ddof=1)
    return float(np.mean(r) / sd * np.sqrt(annualization)) if sd > 0 else np.nan


def sortino(returns, required_return=0.0, annualization: int = ANNUALIZATION) -> float:
    """Annualised Sortino ratio: mean excess return over downside deviation (empyrical's).

    `required_return` is a float or a Series aligned by date, like `sharpe`'s `risk_free`.
    """
    r = _clean(_minus(returns, required_return))
    if r.size < 2:
        return np.nan
    downside = np.sqrt(np.mean(np.square(np.clip(r, None, 0.0))))
    if downside == 0:
        return np.inf if np.mean(r) > 0 else np.nan
    return float(np.mean(r) / downside * np.sqrt(annualization))


def drawdown_series(returns: pd.Series) -> pd.Series:
    """Fall of the compounded series from its running peak at each date (0 at a peak, negative below).

    NaN returns count as zero-return days; the starting value 1 is the first peak.
    """
    r = returns.fillna(0.0)
    wealth = np.cumprod(1.0 + r.to_numpy(np.float64))
    peak = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
    return pd.Series(wealth / peak - 1.0, index=returns.index, name="drawdown")


def max_drawdown(returns) -> float:
    """Largest peak-to-trough fall of the compounded series, as a negative fraction."""
    r = _clean(returns)
    if r.size < 1:
        return np.nan
    wealth = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peak = np.maximum.accumulate(wealth)
    return float(np.min(wealth / peak - 1.0))


def calmar(returns, annualization: int = ANNUALIZATION) -> float:
    """CAGR divided by the absolute maximum drawdown; NaN without a drawdown (as empyrical)."""
    mdd = max_drawdown(returns)
    if not mdd or np.isnan(mdd):
        return np.nan
    out = float(cagr(returns, annualization) / abs(mdd))
    return out if np.isfinite(out) else np.nan


# -- relative to a benchmark --------------------------------------------------------------
def beta(returns, factor_returns, risk_free=0.0) -> float:
    """Slope of the regression of returns on factor returns: Cov(r, f) / Var(f), population moments.

    Like empyrical's `beta`, `risk_free` does not enter (a constant rate would not change the
    slope); it is accepted for a uniform signature. NaN with fewer than two paired dates or a
    factor without variance.
    """
    r, f, mask = _paired(returns, factor_returns)
    r, f = r[mask], f[mask]
    if r.size < 2:
        return np.nan
    resid = f - np.mean(f)
    var = np.mean(resid * resid)
    if var < 1e-30:
        return np.nan
    return float(np.mean(resid * r) / var)


def alpha(returns, factor_returns, risk_free=0.0, period: str = "daily", annualization: int | None = None) -> float:
    """Annualised Jensen's alpha as empyrical: ``(1 + mean(r - rf - beta (f - rf)))**ann - 1``."""
    b = beta(returns, factor_returns)
    r, f, rf = _paired_frame(returns, factor_returns, risk_free)
    if r.size < 2 or np.isnan(b):
        return np.nan
    daily = (r - rf) - b * (f - rf)
    daily = daily[~np.isnan(daily)]
    if daily.size < 1:
        return np.nan
    return float((1.0 + np.mean(daily)) ** _factor(period, annualization) - 1.0)


def tracking_error(returns, factor_returns, period: str = "daily", annualization: int | None = None) -> float:
    """Annualised standard deviation (ddof=1) of the active return ``returns - factor_returns``."""
    r, f, mask = _paired(returns, factor_returns)
    active = (r - f)[mask]
    if active.size < 2:
        return np.nan
    if np.max(active) == np.min(active):
        return 0.0
    return float(np.std(active, ddof=1) * np.sqrt(_factor(period, annualization)))


def information_ratio(returns, factor_returns, period: str = "daily", annualization: int | None = None) -> float:
    """Annualised mean active return over tracking error: ``excess_sharpe * sqrt(annualization)``.

    Deliberately annualised, unlike empyrical's `excess_sharpe` (a per-period ratio). NaN when
    the active return has no dispersion or fewer than two dates.
    """
    r, f, mask = _paired(returns, factor_returns)
    active = (r - f)[mask]
    if active.size < 2 or np.max(active) == np.min(active):
        return np.nan
    return float(np.mean(active) / np.std(active, ddof=1) * np.sqrt(_factor(period, annualization)))


def _capture(returns, factor_returns, sign: int, period: str, annualization: int | None) -> float:
    r, f, mask = _paired(returns, factor_returns)
    keep = mask & (np.sign(np.where(mask, f, 0.0)) == sign)
    ann = _factor(period, annualization)
    bench = cagr(f[keep], ann)
    if not keep.any() or bench == 0:
        return np.nan
    return float(cagr(r[keep], ann) / bench)


def up_capture(returns, factor_returns, period: str = "daily", annualization: int | None = None) -> float:
    """CAGR of the strategy over CAGR of the benchmark on the dates the benchmark rose (empyrical's)."""
    return _capture(returns, factor_returns, 1, period, annualization)


def down_capture(returns, factor_returns, period: str = "daily", annualization: int | None = None) -> float:
    """CAGR of the strategy over CAGR of the benchmark on the dates the benchmark fell (empyrical's)."""
    return _capture(returns, factor_returns, -1, period, annualization)


def excess_return_pp(returns, factor_returns) -> float:
    """Cumulative excess return in percentage points: 100 x (total return - benchmark total return).

    Both are compounded over the dates where both are known ("beat its benchmark by 264
    percentage points" is 264.0).
    """
    r, f, mask = _paired(returns, factor_returns)
    if not mask.any():
        return np.nan
    return float(100.0 * (total_return(r[mask]) - total_return(f[mask])))


def rolling_excess_return(returns: pd.Series, factor_returns: pd.Series, window: int = ANNUALIZATION) -> pd.Series:
    """Compounded return over the trailing `window` dates minus the benchmark's, as a fraction.

    NaN until `window` dates are available. Missing returns count as zero-return days.
    """
    r, f = returns.align(factor_returns, join="inner")
    log_r = np.log1p(r.fillna(0.0)).rolling(window, min_periods=window).sum()
    log_f = np.log1p(f.fillna(0.0)).rolling(window, min_periods=window).sum()
    return (np.expm1(log_r) - np.expm1(log_f)).rename("rolling_excess")


# -- calendar periods ---------------------------------------------------------------------
def _compound(r: pd.Series) -> float:
    return total_return(r)


def per_year_returns(returns: pd.Series) -> pd.Series:
    """Compounded return of each calendar year, indexed by year (empyrical's ``aggregate_returns(.., 'yearly')``)."""
    if not len(returns):
        return pd.Series(dtype=float)
    idx = pd.DatetimeIndex(returns.index)
    return returns.groupby(idx.year).apply(_compound).rename("return")


def per_quarter_returns(returns: pd.Series) -> pd.Series:
    """Compounded return of each calendar quarter, indexed by (year, quarter) like empyrical's."""
    if not len(returns):
        return pd.Series(dtype=float)
    idx = pd.DatetimeIndex(returns.index)
    return returns.groupby([idx.year, idx.quarter]).apply(_compound).rename("return")


# -- risk-free ----------------------------------------------------------------------------
def risk_free_from_yield(yield_percent: pd.Series, index: pd.DatetimeIndex | None = None,
                         annualization: int = ANNUALIZATION) -> pd.Series:
    """Daily risk-free rate from an annual yield in percent (e.g. Yahoo's ^IRX close: 5.15 for 5.15%).

    Each day earns ``yield / 100 / annualization`` (simple money-market accrual). With `index`,
    the rate is carried forward onto those dates (the last yield known on or before each date).
    """
    rate = yield_percent.astype(np.float64) / 100.0 / annualization
    if index is not None:
        rate = rate.sort_index().reindex(rate.index.union(index)).ffill().reindex(index)
    return rate.rename("risk_free")


# -- daily returns ------------------------------------------------------------------------
def daily_returns(values, initial=None):
    """Daily simple returns of levels: each day against the day before, the first against `initial`.

    `values` is a Series (or a frame, column by column; or an array whose last axis is time);
    `initial` is the level just before the first day: the initial cash of a portfolio that
    trades on its first close, so that the first day's fees count. Without it (a benchmark
    bought at the first close) the first day's return is 0. A missing level gives NaN for its
    own day and the next. This is the one definition every metric, report and sweep uses.
    """
    if isinstance(values, pd.DataFrame):
        return values.apply(lambda col: daily_returns(col, None if initial is None else initial[col.name]))
    if isinstance(values, pd.Series):
        return pd.Series(daily_returns(values.to_numpy(np.float64), initial), index=values.index, name=values.name)
    v = np.asarray(values, dtype=np.float64)
    known = ~np.isnan(v)
    seen = np.maximum.accumulate(known, axis=-1)
    # A series' first known level (later than the first day where it lists later) is its day one.
    first = known & ~np.concatenate([np.zeros_like(seen[..., :1]), seen[..., :-1]], axis=-1)
    base = v if initial is None else np.broadcast_to(np.asarray(initial, dtype=np.float64)[..., None], v.shape)
    prev = np.where(first, base, np.roll(v, 1, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return v / prev - 1.0


# -- named metric sets --------------------------------------------------------------------


def summary(returns: pd.Series | np.ndarray, annualization: int = ANNUALIZATION, *, risk_free=0.0) -> dict[str, float]:
    """The named metric set of every report, keyed as in ``metrics.json`` (`SUMMARY_METRICS`)."""
    return {
        "total_return": total_return(returns),
        "cagr": cagr(returns, annualization),
        "volatility": volatility(returns, annualization),
        "sharpe": sharpe(returns, risk_free=risk_free, annualization=annualization),
        "sortino": sortino(returns, required_return=risk_free, annualization=annualization),
        "max_drawdown": max_drawdown(returns),
        "calmar": calmar(returns, annualization),
    }


def trading(values, traded_value: float, fees_paid: float, annualization: int = ANNUALIZATION) -> dict[str, float]:
    """Costs and turnover of a portfolio with daily `values`, `traded_value` and `fees_paid` in all.

    ``costs`` = fees paid (currency), ``costs_pct`` = fees over the mean value, ``turnover`` =
    traded value over the mean value (whole run), ``turnover_annual`` = the same per year.
    """
    v = _clean(values)
    mean_value = float(np.mean(v)) if v.size else np.nan
    years = max(v.size, 1) / annualization
    return {"costs": float(fees_paid), "costs_pct": fees_paid / mean_value, "turnover": traded_value / mean_value,
            "turnover_annual": traded_value / mean_value / years}


def relative(returns, factor_returns, risk_free=0.0, annualization: int = ANNUALIZATION) -> dict[str, float]:
    """The metrics of `returns` against one benchmark, keyed as under ``relative`` in ``metrics.json``."""
    return {
        "beta": beta(returns, factor_returns),
        "alpha": alpha(returns, factor_returns, risk_free, annualization=annualization),
        "information_ratio": information_ratio(returns, factor_returns, annualization=annualization),
        "tracking_error": tracking_error(returns, factor_returns, annualization=annualization),
        "excess_return_pp": excess_return_pp(returns, factor_returns),
        "up_capture": up_capture(returns, factor_returns, annualization=annualization),
        "down_capture": down_capture(returns, factor_returns, annualization=annualization),
    }
