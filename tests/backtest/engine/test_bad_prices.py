"""A held name's zero, negative or infinite close on a day it does not trade is a missing price
(the last one stands), never a -100% or infinite day; where an order must trade there, the error
names the date and ticker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc


def _close():
    index = pd.bdate_range("2024-01-02", periods=30)
    rng = np.random.default_rng(4)
    return pd.DataFrame(100 * np.cumprod(1 + rng.normal(0, 0.01, (30, 2)), axis=0), index=index,
                        columns=["AAA", "BBB"])


@pytest.mark.parametrize("bad", [0.0, -5.0, np.inf, -np.inf])
def test_a_bad_close_on_a_day_without_trades_is_a_missing_price(bad):
    close = _close()
    schedule = hc.Schedule.from_dict({close.index[0]: {"AAA": 0.5, "BBB": 0.5},
                                      close.index[20]: {"AAA": 0.3, "BBB": 0.7}})
    gap = close.copy()
    gap.iloc[10, 0] = np.nan
    broken = close.copy()
    broken.iloc[10, 0] = bad
    want = hc.simulate(gap, schedule, fees=0.001).value
    got = hc.simulate(broken, schedule, fees=0.001).value
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert got.pct_change().min() > -0.05  # no one-day crash from a bad print


def test_a_bad_close_where_an_order_must_trade_is_refused_naming_date_and_ticker():
    close = _close()
    close.iloc[20, 1] = 0.0
    schedule = hc.Schedule.from_dict({close.index[0]: {"AAA": 0.5, "BBB": 0.5},
                                      close.index[20]: {"AAA": 0.3, "BBB": 0.7}})
    with pytest.raises(hc.InputError, match=r"BBB.*2024-01-30|2024-01-30.*BBB"):
        hc.simulate(close, schedule)
