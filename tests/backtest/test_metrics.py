"""Metrics against empyrical-reloaded (the oracle) on real SPY and IWC daily returns, to 1e-10."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hedgeclone.backtest import metrics

empyrical = pytest.importorskip("empyrical", reason="empyrical-reloaded (the metrics oracle) is not installed")

BENCH_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "prices" / "benchmarks"
TOL = 1e-10


def _close(name: str) -> pd.Series:
    path = BENCH_DIR / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"real benchmark file {path} is absent (the shared data folder beside the checkout)")
    frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
    return frame["Close"].astype(float)


@pytest.fixture(scope="module")
def spy_iwc() -> tuple[pd.Series, pd.Series]:
    close = pd.concat({"SPY": _close("SPY"), "IWC": _close("IWC")}, axis=1).loc["2014-01-02":"2025-12-31"].dropna()
    rets = close.pct_change().iloc[1:]
    return rets["IWC"], rets["SPY"]


@pytest.fixture(scope="module")
def irx(spy_iwc) -> pd.Series:
    return metrics.risk_free_from_yield(_close("IRX_yield"), index=spy_iwc[0].index)


def close_to(ours: float, oracle: float) -> bool:
    if np.isnan(oracle):
        return bool(np.isnan(ours))
    return abs(ours - oracle) <= TOL * max(1.0, abs(oracle))


def test_spy_2025_total_return_matches_sources_md():
    spy = _close("SPY").loc["2024-12-31":"2025-12-31"].pct_change().iloc[1:]
    assert round(metrics.total_return(spy), 4) == 0.1772
    q = metrics.per_quarter_returns(spy)
    assert [round(x, 4) for x in q.loc[2025]] == [-0.0427, 0.1078, 0.0812, 0.0267]


@pytest.mark.parametrize("which", [0, 1])
def test_single_series_metrics_match_empyrical(spy_iwc, which):
    r = spy_iwc[which]
    ep = empyrical
    assert close_to(metrics.total_return(r), ep.cum_returns_final(r))
    assert close_to(metrics.cagr(r), ep.cagr(r))
    assert close_to(metrics.volatility(r), ep.annual_volatility(r))
    assert close_to(metrics.sharpe(r), ep.sharpe_ratio(r))
    assert close_to(metrics.sortino(r), ep.sortino_ratio(r))
    assert close_to(metrics.max_drawdown(r), ep.max_drawdown(r))
    assert close_to(metrics.calmar(r), ep.calmar_ratio(r))


def test_relative_metrics_match_empyrical(spy_iwc):
    r, f = spy_iwc
    ep = empyrical
    assert close_to(metrics.beta(r, f), ep.beta(r, f))
    assert close_to(metrics.alpha(r, f), ep.alpha(r, f))
    assert close_to(metrics.up_capture(r, f), ep.up_capture(r, f))
    assert close_to(metrics.down_capture(r, f), ep.down_capture(r, f))
    # Deliberate differences (documented): IR is annualised excess_sharpe; TE is the active return's volatility.
    assert close_to(metrics.information_ratio(r, f), ep.excess_sharpe(r, f) * np.sqrt(252))
    assert close_to(metrics.tracking_error(r, f), ep.annual_volatility(r - f))
    pp = 100 * (ep.cum_returns_final(r) - ep.cum_returns_final(f))
    assert close_to(metrics.excess_return_pp(r, f), pp)


def test_risk_free_series_matches_empyrical(spy_iwc, irx):
    r, f = spy_iwc
    assert irx.notna().all() and 0 < irx.mean() < 0.05 / 252
    ep = empyrical
    assert close_to(metrics.sharpe(r, risk_free=irx), ep.sharpe_ratio(r, risk_free=irx))
    assert close_to(metrics.sortino(r, required_return=irx), ep.sortino_ratio(r, required_return=irx))
    assert close_to(metrics.alpha(r, f, risk_free=irx), ep.alpha(r, f, risk_free=irx))
    # A risk-free rate lowers the Sharpe ratio of a positive-mean series.
    assert metrics.sharpe(r, risk_free=irx) < metrics.sharpe(r)


def test_calendar_returns_match_empyrical(spy_iwc):
    r = spy_iwc[0]
    ours_y = metrics.per_year_returns(r)
    oracle_y = empyrical.aggregate_returns(r, "yearly")
    np.testing.assert_allclose(ours_y.to_numpy(), oracle_y.to_numpy(), rtol=0, atol=TOL)
    assert list(ours_y.index) == list(oracle_y.index)
    ours_q = metrics.per_quarter_returns(r)
    oracle_q = empyrical.aggregate_returns(r, "quarterly")
    np.testing.assert_allclose(ours_q.to_numpy(), oracle_q.to_numpy(), rtol=0, atol=TOL)
    assert list(ours_q.index) == list(oracle_q.index)


def test_arrays_and_nan_are_handled(spy_iwc):
    r, f = spy_iwc
    arr_r, arr_f = r.to_numpy().copy(), f.to_numpy().copy()
    assert close_to(metrics.beta(arr_r, arr_f), empyrical.beta(arr_r, arr_f))
    # A NaN on either side drops that date from both sides of a relative metric.
    arr_r[10] = np.nan
    arr_f[20] = np.nan
    keep = ~(np.isnan(arr_r) | np.isnan(arr_f))
    assert close_to(metrics.beta(arr_r, arr_f), metrics.beta(arr_r[keep], arr_f[keep]))
    assert close_to(metrics.information_ratio(arr_r, arr_f), metrics.information_ratio(arr_r[keep], arr_f[keep]))
    assert close_to(metrics.sharpe(arr_r), metrics.sharpe(arr_r[~np.isnan(arr_r)]))


def test_drawdown_and_rolling_excess(spy_iwc):
    r, f = spy_iwc
    dd = metrics.drawdown_series(r)
    assert close_to(dd.min(), metrics.max_drawdown(r))
    np.testing.assert_allclose(dd.to_numpy(), empyrical.stats.drawdown_series(r).to_numpy(), atol=TOL)
    roll = metrics.rolling_excess_return(r, f, window=252)
    assert roll.iloc[:251].isna().all()
    direct = (1 + r.iloc[:252]).prod() - (1 + f.iloc[:252]).prod()
    assert close_to(roll.iloc[251], direct)


def test_degenerate_inputs_give_nan():
    empty = pd.Series([], dtype=float)
    assert np.isnan(metrics.total_return(empty)) and np.isnan(metrics.sharpe(empty))
    flat = pd.Series([0.01] * 5)
    assert np.isnan(metrics.sharpe(flat)) and np.isnan(metrics.calmar(flat))
    assert np.isnan(metrics.beta(flat, flat))
    assert metrics.tracking_error(flat, flat) == 0.0
    assert np.isnan(metrics.information_ratio(flat, flat))


def test_risk_free_from_yield_carries_the_last_known_yield():
    y = pd.Series([5.04, 2.52], index=pd.to_datetime(["2024-01-02", "2024-01-05"]))
    idx = pd.to_datetime(["2024-01-03", "2024-01-04", "2024-01-05"])
    rf = metrics.risk_free_from_yield(y, index=idx)
    assert list(rf.round(12)) == [round(0.0504 / 252, 12)] * 2 + [round(0.0252 / 252, 12)]
