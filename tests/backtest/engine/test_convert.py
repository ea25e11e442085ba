"""The engine's public conversion and its kernels' named outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone import Execution, InputError, Schedule
from hedgeclone.backtest.engine import kernels
from hedgeclone.backtest.engine.batch import BatchArrays, BatchResult, BatchSet, batch_simulate
from hedgeclone.backtest.engine.convert import per_asset, schedule_arrays, to_schedule
from hedgeclone.backtest.engine.records import OrderResult, ScheduleArrays, Side, SimulationOutput, Status

DATES = pd.bdate_range("2024-01-01", periods=8)
CLOSE = pd.DataFrame(
    {"D": np.linspace(10, 17, 8), "A": np.linspace(20, 13, 8), "C": np.r_[5.0, 6, 7, np.nan, 8, 9, 9, 9],
     "B": np.full(8, 4.0)},
    index=DATES,
)
SCHEDULE = Schedule.from_dict({
    DATES[0]: {"A": 0.3, "B": 0.2, "D": 0.5},
    DATES[3]: {"C": 0.4, "A": 0.6},
    DATES[5]: {},
    DATES[6]: {"B": 1.0},
})


def _targets(schedule: Schedule) -> list[tuple[pd.Timestamp, dict]]:
    return [(d, schedule.targets(k).to_dict()) for k, d in enumerate(schedule.dates)]


def test_schedule_round_trips_through_the_kernel_arrays():
    arrays = schedule_arrays(SCHEDULE, CLOSE)
    assert isinstance(arrays, ScheduleArrays)
    assert arrays.rebalance_rows.dtype == np.int64 and arrays.target_cols.dtype == np.int64
    assert arrays.close_unlisted.dtype == np.bool_
    np.testing.assert_array_equal(arrays.rebalance_rows, [0, 3, 5, 6])
    np.testing.assert_array_equal(arrays.target_offsets, [0, 3, 5, 5, 6])
    # within a rebalance, targets are in column order (the kernel's call-sequence ties rely on it)
    np.testing.assert_array_equal(arrays.target_cols[:3], [0, 1, 3])  # D, A, B
    back = to_schedule(arrays, CLOSE.index, CLOSE.columns)
    assert _targets(back) == _targets(SCHEDULE)
    np.testing.assert_array_equal(back.close_unlisted, SCHEDULE.close_unlisted)
    # and the round trip simulates to the same result
    assert np.array_equal(hc.simulate(CLOSE, back).output.value, hc.simulate(CLOSE, SCHEDULE).output.value)


def test_a_dense_frame_converts_like_its_schedule():
    dense = pd.DataFrame(np.nan, index=DATES, columns=CLOSE.columns)
    dense.iloc[1] = [0.25, 0.25, 0.0, 0.5]
    dense.iloc[4, 0] = 0.1
    from_frame = schedule_arrays(dense, CLOSE)
    from_schedule = schedule_arrays(Schedule.from_frame(dense), CLOSE)
    for a, b in zip(from_frame, from_schedule, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(from_frame.close_unlisted, [True, False])


def test_lag_moves_rows_and_drops_rebalances_past_the_end():
    arrays = schedule_arrays(SCHEDULE, CLOSE, lag=2)
    np.testing.assert_array_equal(arrays.rebalance_rows, [2, 5, 7])
    np.testing.assert_array_equal(arrays.target_offsets, [0, 3, 5, 5])
    assert len(arrays.target_cols) == 5
    np.testing.assert_array_equal(arrays.shift(10).rebalance_rows, [12, 15, 17])


def test_conversion_errors_name_the_culprit():
    with pytest.raises(InputError, match="'Z'"):
        schedule_arrays(Schedule.from_dict({DATES[0]: {"Z": 0.5}}), CLOSE)
    with pytest.raises(InputError, match="sum to 1.2"):
        schedule_arrays(Schedule.from_dict({DATES[0]: {"A": 0.6, "B": 0.6}}), CLOSE)
    schedule_arrays(Schedule.from_dict({DATES[0]: {"A": 0.6, "B": 0.6}}), CLOSE, allow_leverage=True)
    with pytest.raises(InputError, match="weights must be a DataFrame or a Schedule"):
        schedule_arrays({"A": 1.0}, CLOSE)
    with pytest.raises(InputError, match="delisting_returns must be finite and >= -1"):
        per_asset("delisting_returns", pd.Series({"A": -2.0}), CLOSE.columns, lower=-1.0)
    with pytest.raises(InputError, match="fees must be a number"):
        per_asset("fees", True, CLOSE.columns)
    np.testing.assert_array_equal(per_asset("x", pd.Series({"B": 0.5}), CLOSE.columns), [0, 0, 0, 0.5])


def test_order_kernels_return_named_order_results():
    buy = kernels.buy_nb(100.0, 0.0, 5.0, 10.0, 0.01, 0.0, 0.0, 1e-8)
    assert isinstance(buy, OrderResult)
    assert buy == OrderResult(cash=49.5, position=5.0, size=5.0, price=10.0, fees_paid=0.5, side=Side.buy)
    sell = kernels.sell_nb(0.0, 5.0, 5.0, 10.0, 0.0, 1.0, 0.1, 1e-8)
    assert sell == OrderResult(cash=44.0, position=0.0, size=5.0, price=9.0, fees_paid=1.0, side=Side.sell)
    rejected = kernels.buy_nb(0.0, 0.0, 5.0, 10.0, 0.0, 0.0, 0.0, 1e-8)
    assert (rejected.size, rejected.cash, rejected.fees_paid) == (0.0, 0.0, 0.0)
    target = kernels.target_percent_order_nb(100.0, 0.0, 0.5, 10.0, 10.0, 100.0, 0.0, 0.0, 0.0, 1e-8)
    assert (target.size, target.side, target.cash) == (5.0, Side.buy, 50.0)


def test_simulate_nb_returns_a_named_simulation_output():
    arrays = schedule_arrays(SCHEDULE, CLOSE)
    costs = Execution(fees=0.001).per_asset(CLOSE.columns)
    out = kernels.simulate_nb(CLOSE.to_numpy(), arrays, costs, 100.0, 1e-8, False, np.zeros(1))
    assert isinstance(out, SimulationOutput)
    assert out._fields == ("value", "cash", "fees_paid", "orders", "status", "bad_row", "bad_col")
    assert (out.status, out.bad_row, out.bad_col) == (Status.ok, -1, -1)
    assert out.value.shape == out.cash.shape == out.fees_paid.shape == (len(DATES),)
    assert out.fees_paid.sum() == pytest.approx(out.orders["fees_paid"].sum(), rel=1e-15)
    res = hc.simulate(CLOSE, SCHEDULE, fees=0.001, init_cash=100.0)
    for a, b in zip(out, res.output, strict=True):
        assert np.array_equal(a, b)
    bad = CLOSE.copy()
    bad.iloc[3, 1] = -1.0  # A must trade on day 3
    out = kernels.simulate_nb(bad.to_numpy(), arrays, costs, 100.0, 1e-8, False, np.zeros(1))
    assert (out.status, out.bad_row, out.bad_col) == (Status.bad_price, 3, 1)


def test_batch_returns_named_results_and_refuses_what_it_cannot_run():
    arrays = schedule_arrays(SCHEDULE, CLOSE)
    batch = BatchArrays.from_sets([BatchSet(0, len(DATES), arrays, Execution(fees=0.001, init_cash=100.0))])
    out = batch_simulate(CLOSE.to_numpy(), batch)
    assert isinstance(out, BatchResult)
    res = hc.simulate(CLOSE, SCHEDULE, fees=0.001, init_cash=100.0)
    assert np.array_equal(out.values[0], res.output.value)
    assert out.fees_paid[0] == pytest.approx(res.costs.sum(), rel=1e-15)
    one = batch.set_schedule(0)
    for a, b in zip(one, arrays, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(InputError, match="parameter set 0: expected a BatchSet"):
        BatchArrays.from_sets([(0, 8, *arrays, 0.0, 0.0, 0.0, 1.0)])
    with pytest.raises(InputError, match="parameter set 0: the batch takes one number per cost"):
        BatchArrays.from_sets([BatchSet(0, 8, arrays, Execution(fees=pd.Series({"A": 0.001})))])
