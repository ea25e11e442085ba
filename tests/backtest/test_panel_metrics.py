"""Panel metrics equal the 1-D metrics row by row (1e-12), on series with late starts and gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgeclone.backtest import metrics, panel_metrics


def _panel(seed: int = 5, p: int = 12, t: int = 400):
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0004, 0.012, (p, t))
    for i in range(p):
        r[i, : rng.integers(0, t // 3)] = np.nan  # later starts
    r[3, 200:210] = np.nan  # a gap
    r[4, :] = 0.001  # no dispersion
    r[5, :-1] = np.nan  # one day only
    r[6, :] = np.nan  # nothing at all
    r[7] = np.abs(r[7])  # never falls: no drawdown
    f = rng.normal(0.0003, 0.01, t)
    f[50:55] = np.nan
    return r, f


def _close(a: float, b: float) -> bool:
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    if np.isinf(a) or np.isinf(b):
        return a == b
    return a == pytest.approx(b, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("risk_free", [0.0, 0.0001, "series"])
def test_summary_equals_the_one_dimensional_metrics(risk_free):
    r, _ = _panel()
    index = pd.bdate_range("2020-01-01", periods=r.shape[1])
    rf = pd.Series(np.linspace(0, 0.0002, r.shape[1]), index=index) if risk_free == "series" else risk_free
    rf_arr = rf.to_numpy() if isinstance(rf, pd.Series) else rf
    panel = panel_metrics.summary(r, risk_free=rf_arr)
    for i in range(r.shape[0]):
        one = metrics.summary(pd.Series(r[i], index=index), risk_free=rf)
        for key, value in one.items():
            assert _close(panel[key][i], value), (i, key, panel[key][i], value)


def test_relative_equals_the_one_dimensional_metrics():
    r, f = _panel()
    panel = panel_metrics.relative(r, f, risk_free=0.00005)
    for i in range(r.shape[0]):
        one = metrics.relative(r[i], f, risk_free=0.00005)
        for key, value in one.items():
            assert _close(panel[key][i], value), (i, key, panel[key][i], value)


def test_trading_equals_the_one_dimensional_metrics():
    r, _ = _panel()
    values = 1000 * np.cumprod(np.where(np.isnan(r), 1.0, 1 + r), axis=1)
    values[np.isnan(r)] = np.nan
    traded, fees = np.arange(12) * 1000.0, np.arange(12) * 1.5
    panel = panel_metrics.trading(values, traded, fees)
    for i in range(12):
        one = metrics.trading(values[i], traded[i], fees[i])
        for key, value in one.items():
            assert _close(panel[key][i], value), (i, key)
