"""Hand-computed cases for `simulate`, including what goes beyond the vectorbt reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hedgeclone as hc
from hedgeclone import InputError, Schedule

DATES = pd.bdate_range("2024-01-01", periods=5)


def frame(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=DATES[: len(next(iter(rows.values())))], dtype=float)


def test_equal_weight_buy_with_fees_by_hand():
    close = frame({"A": [10, 11, 12], "B": [20, 20, 10]})
    weights = Schedule.from_dict({DATES[0]: {"A": 0.5, "B": 0.5}})
    res = hc.simulate(close, weights, fees=0.01, init_cash=100.0)
    # Each order targets 50 of value at the close: 5 A and 2.5 B, each paying 1% on 50.
    shares_a, shares_b, cash = 5.0, 2.5, 100.0 - 50.5 - 50.5
    assert cash < 0  # the second buy cannot be paid in full: it is cut to the cash left
    cash_after_a = 100.0 - 50.5
    shares_b = cash_after_a / 1.01 / 20.0
    expected = [shares_a * 10 + shares_b * 20, shares_a * 11 + shares_b * 20, shares_a * 12 + shares_b * 10]
    np.testing.assert_allclose(res.value.to_numpy(), expected, rtol=1e-12)
    assert res.costs.iloc[0] == pytest.approx(0.5 + (cash_after_a - cash_after_a / 1.01))
    assert list(res.trades["ticker"]) == ["A", "B"]
    assert res.cash.iloc[-1] == pytest.approx(0.0, abs=1e-12)


def test_lag_executes_on_a_later_day():
    close = frame({"A": [10, 20, 40, 40]})
    weights = Schedule.from_dict({DATES[0]: {"A": 1.0}})
    now = hc.simulate(close, weights, init_cash=100.0)
    later = hc.simulate(close, weights, init_cash=100.0, lag=1)
    np.testing.assert_allclose(now.value.to_numpy(), [100, 200, 400, 400])
    np.testing.assert_allclose(later.value.to_numpy(), [100, 100, 200, 200])
    assert later.trades["date"].iloc[0] == DATES[1]


def test_lag_past_the_last_day_drops_the_rebalance():
    close = frame({"A": [10, 20]})
    res = hc.simulate(close, Schedule.from_dict({DATES[1]: {"A": 1.0}}), init_cash=1.0, lag=1)
    assert res.trades.empty
    np.testing.assert_allclose(res.value.to_numpy(), [1.0, 1.0])


def test_delisting_sells_at_last_price_times_one_plus_return():
    close = frame({"A": [10, 12, 8, np.nan, np.nan], "B": [5, 5, 5, 5, 6]})
    weights = Schedule.from_dict({DATES[0]: {"A": 0.5, "B": 0.5}})
    res = hc.simulate(close, weights, init_cash=100.0, delisting=True,
                            delisting_returns=pd.Series({"A": -0.25}))
    # 5 A and 10 B bought; A's prices end on day 2 at 8: proceeds 5 * 8 * 0.75 = 30.
    np.testing.assert_allclose(res.value.to_numpy(), [100, 110, 80, 80, 90])
    np.testing.assert_allclose(res.cash.to_numpy(), [0, 0, 30, 30, 30])
    last = res.trades.iloc[-1]
    assert (last.ticker, last.reason, last.price, last.shares) == ("A", "delisting", 6.0, 5.0)
    # Without the option the position is carried at its last price, as in vectorbt.
    kept = hc.simulate(close, weights, init_cash=100.0)
    np.testing.assert_allclose(kept.value.to_numpy(), [100, 110, 90, 90, 100])


def test_a_series_ending_on_the_last_day_is_not_a_delisting():
    close = frame({"A": [10, 11, 12]})
    res = hc.simulate(close, Schedule.from_dict({DATES[0]: {"A": 1.0}}), init_cash=10.0, delisting=True)
    assert (res.trades["reason"] == "rebalance").all()
    np.testing.assert_allclose(res.value.to_numpy(), [10, 11, 12])


def test_nan_gap_skips_the_trade_and_carries_the_last_price():
    close = frame({"A": [10, np.nan, 20, 20], "B": [10, 10, 10, 10]})
    weights = Schedule.from_dict({DATES[0]: {"A": 1.0}, DATES[1]: {"B": 1.0}})
    res = hc.simulate(close, weights, init_cash=100.0)
    # Day 1: A has no price, so it is neither sold nor valued anew; B is bought with no cash.
    np.testing.assert_allclose(res.value.to_numpy(), [100, 100, 200, 200])
    assert list(res.trades["date"]) == [DATES[0]]


def test_dense_nan_cell_on_rebalance_row_keeps_the_position():
    close = frame({"A": [10, 10, 20], "B": [10, 10, 10]})
    w = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    w.iloc[0] = [0.5, 0.5]
    w.iloc[1] = [np.nan, 0.0]  # sell B only
    res = hc.simulate(close, w, init_cash=100.0)
    np.testing.assert_allclose(res.positions["A"].to_numpy(), [5, 5, 5])
    np.testing.assert_allclose(res.positions["B"].to_numpy(), [5, 0, 0])
    np.testing.assert_allclose(res.value.to_numpy(), [100, 100, 150])


def test_sparse_schedule_sells_unlisted_and_empty_date_goes_to_cash():
    close = frame({"A": [10, 10, 10, 10], "B": [10, 10, 10, 10]})
    res = hc.simulate(close, Schedule.from_dict({DATES[0]: {"A": 1.0}, DATES[1]: {"B": 1.0}, DATES[2]: {}}),
                            init_cash=100.0)
    pos = res.positions
    np.testing.assert_allclose(pos["A"].to_numpy(), [10, 0, 0, 0])
    np.testing.assert_allclose(pos["B"].to_numpy(), [0, 10, 0, 0])
    np.testing.assert_allclose(res.cash.to_numpy(), [0, 0, 100, 100])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"A": -0.1}, "negative weight"),
        ({"A": 0.7, "B": 0.4}, "sum to 1.1"),
        ({"Z": 0.5}, "'Z'"),
        ({"A": np.inf}, "not finite"),
    ],
)
def test_bad_weights_are_rejected_with_the_culprit(weights, message):
    close = frame({"A": [10, 11], "B": [5, 6]})
    with pytest.raises(InputError, match=message):
        hc.simulate(close, Schedule.from_dict({DATES[0]: weights}))


def test_leverage_is_allowed_only_when_asked():
    close = frame({"A": [10, 11], "B": [5, 6]})
    res = hc.simulate(close, Schedule.from_dict({DATES[0]: {"A": 0.7, "B": 0.4}}), allow_leverage=True)
    assert len(res.trades) == 2  # the second buy is cut to the cash left: no borrowing


@pytest.mark.parametrize("bad", [0.0, -3.0, np.inf])
def test_bad_price_where_an_order_trades_names_ticker_and_date(bad):
    close = frame({"A": [10, 11], "B": [bad, 6]})
    with pytest.raises(InputError, match=r"'B' on 2024-01-01"):
        hc.simulate(close, Schedule.from_dict({DATES[0]: {"B": 0.5}}))


def test_calendar_problems_are_rejected():
    close = frame({"A": [10, 11, 12]})
    with pytest.raises(InputError, match="not sorted"):
        hc.simulate(close.iloc[[0, 2, 1]], Schedule.from_dict({DATES[0]: {"A": 1}}))
    with pytest.raises(InputError, match="duplicate date"):
        hc.simulate(close.iloc[[0, 0, 1]], Schedule.from_dict({DATES[0]: {"A": 1}}))
    w = pd.DataFrame({"A": [1.0, np.nan]}, index=DATES[1:3])
    with pytest.raises(InputError, match="misaligned"):
        hc.simulate(close, w)
    with pytest.raises(InputError, match="not a date of close"):
        hc.simulate(close, Schedule.from_dict({pd.Timestamp("2030-01-01"): {"A": 1}}))


prices = st.lists(st.floats(0.5, 500.0), min_size=6, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    a=prices,
    b=prices,
    wa=st.floats(0.0, 1.0),
    wb=st.floats(0.0, 1.0),
    fees=st.sampled_from([0.0, 0.001, 0.02]),
    slippage=st.sampled_from([0.0, 0.003]),
)
def test_properties_conservation_and_costs(a, b, wa, wb, fees, slippage):
    index = pd.bdate_range("2024-01-01", periods=6)
    close = pd.DataFrame({"A": a, "B": b}, index=index)
    total = wa + wb
    if total > 1:
        wa, wb = wa / total, wb / total
    sched = Schedule.from_dict({index[0]: {"A": wa, "B": wb}, index[3]: {"A": wb, "B": wa}})
    free = hc.simulate(close, sched, init_cash=1000.0)
    costly = hc.simulate(close, sched, init_cash=1000.0, fees=fees, slippage=slippage)
    # With zero costs a rebalance conserves value: day 3's value equals yesterday's holdings at
    # today's prices. The one exception is the reference's own: like vectorbt, an order whose
    # cost is within 1e-9 relative of the cash left fills in full and snaps the cash to zero.
    held = free.positions.reindex(columns=["A", "B"], fill_value=0.0).iloc[2]
    before = free.cash.iloc[2] + held["A"] * a[3] + held["B"] * b[3]
    snapped = free.cash.iloc[3] == 0.0 and free.trades["date"].eq(index[3]).any()
    assert free.value.iloc[3] == pytest.approx(before, rel=1e-9 if snapped else 1e-12)
    assert free.value.iloc[0] == pytest.approx(1000.0, rel=1e-12)
    # Costs never raise the result, and cash never goes negative.
    assert (costly.value.to_numpy() <= free.value.to_numpy() * (1 + 1e-12)).all()
    assert (costly.cash.to_numpy() >= -1e-9).all()
