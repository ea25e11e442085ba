"""`Execution` validates itself, and `simulate(execution=...)` is the keyword form exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone import Execution, InputError, Schedule
from hedgeclone.backtest.engine.records import ExecutionArrays

DATES = pd.bdate_range("2024-01-01", periods=6)
CLOSE = pd.DataFrame({"A": [10, 11, 12, 11, 13, 14], "B": [20, 19, 21, 22, 20, 23], "C": [5, 5, 6, 6, 7, 6]},
                     index=DATES, dtype=float)
SCHEDULE = Schedule.from_dict({DATES[0]: {"A": 0.5, "B": 0.4}, DATES[2]: {"B": 0.3, "C": 0.6}, DATES[4]: {}})


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"fees": True}, "fees"),
        ({"fees": "0.001"}, "fees"),
        ({"fees": -0.001}, "fees"),
        ({"fees": 1.0}, "fees"),
        ({"fees": np.nan}, "fees"),
        ({"fees": None}, "fees"),
        ({"fixed_fees": -1.0}, "fixed_fees"),
        ({"fixed_fees": np.inf}, "fixed_fees"),
        ({"fixed_fees": False}, "fixed_fees"),
        ({"slippage": 1.5}, "slippage"),
        ({"slippage": "1bp"}, "slippage"),
        ({"slippage": pd.Series({"A": 0.001, "B": -0.1})}, "slippage of 'B'"),
        ({"fees": pd.Series({"A": "x"})}, "fees"),
        ({"fees": pd.Series({"A": True})}, "fees"),
        ({"init_cash": "1000"}, "init_cash"),
        ({"init_cash": 0.0}, "init_cash"),
        ({"init_cash": -5}, "init_cash"),
        ({"init_cash": np.inf}, "init_cash"),
        ({"init_cash": True}, "init_cash"),
        ({"lag": 1.5}, "lag"),
        ({"lag": 1.0}, "lag"),
        ({"lag": -1}, "lag"),
        ({"lag": "1"}, "lag"),
        ({"lag": True}, "lag"),
    ],
)
def test_bad_values_and_types_are_input_errors_naming_the_parameter(kwargs, named):
    with pytest.raises(InputError, match=named):
        Execution(**kwargs)
    # the keyword form of simulate builds an Execution, so it refuses the same values
    with pytest.raises(InputError, match=named):
        hc.simulate(CLOSE, SCHEDULE, **kwargs)


def test_good_values_are_normalised_and_frozen():
    e = Execution(fees=np.float64(0.001), fixed_fees=1, slippage=0, init_cash=1000, lag=np.int64(2))
    assert (e.fees, e.fixed_fees, e.slippage, e.init_cash, e.lag) == (0.001, 1.0, 0.0, 1000.0, 2)
    assert type(e.init_cash) is float and type(e.lag) is int
    with pytest.raises(AttributeError):
        e.fees = 0.01  # type: ignore[misc]
    assert e == Execution(fees=0.001, fixed_fees=1.0, init_cash=1000.0, lag=2)
    assert hash(e) == hash(Execution(fees=0.001, fixed_fees=1.0, init_cash=1000.0, lag=2))
    assert e != Execution(fees=0.002, fixed_fees=1.0, init_cash=1000.0, lag=2)


def test_repr_shows_every_parameter():
    assert repr(Execution(fees=0.001, init_cash=1e6, lag=1)) == (
        "Execution(fees=0.001, fixed_fees=0, slippage=0, init_cash=1e+06, lag=1)"
    )
    per_ticker = Execution(slippage=pd.Series({"A": 0.001, "B": 0.004}))
    assert "slippage=<2 tickers, 0.001..0.004>" in repr(per_ticker)


def test_per_asset_gives_the_kernel_one_value_or_one_per_column():
    costs = Execution(fees=0.001, fixed_fees=pd.Series({"B": 2.0})).per_asset(CLOSE.columns)
    assert isinstance(costs, ExecutionArrays)
    np.testing.assert_array_equal(costs.fees, [0.001])
    np.testing.assert_array_equal(costs.fixed_fees, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(costs.slippage, [0.0])
    with pytest.raises(InputError, match="fees: ticker 'Z' is not a column"):
        Execution(fees=pd.Series({"Z": 0.01})).per_asset(CLOSE.columns)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"fees": 0.001, "fixed_fees": 0.5, "slippage": 0.002, "init_cash": 1000.0, "lag": 1},
        {"fees": pd.Series({"A": 0.001, "C": 0.003}), "slippage": pd.Series({"B": 0.01}), "init_cash": 50.0},
    ],
)
def test_simulate_with_execution_equals_the_keyword_form_exactly(kwargs):
    by_keywords = hc.simulate(CLOSE, SCHEDULE, delisting=True, **kwargs)
    by_object = hc.simulate(CLOSE, SCHEDULE, delisting=True, execution=Execution(**kwargs))
    for a, b in zip(by_keywords.output, by_object.output, strict=True):
        assert np.array_equal(a, b)
    pd.testing.assert_frame_equal(by_keywords.trades, by_object.trades)
    assert by_keywords.execution == by_object.execution
    assert by_object.init_cash == Execution(**kwargs).init_cash


def test_execution_and_cost_keywords_together_are_refused():
    with pytest.raises(InputError, match="fees, lag"):
        hc.simulate(CLOSE, SCHEDULE, execution=Execution(fees=0.001), fees=0.002, lag=1)
    with pytest.raises(InputError, match="slippage"):
        hc.simulate(CLOSE, SCHEDULE, execution=Execution(), slippage=pd.Series({"A": 0.0}))
    with pytest.raises(InputError, match="execution must be an Execution"):
        hc.simulate(CLOSE, SCHEDULE, execution={"fees": 0.001})  # type: ignore[arg-type]
    # keywords left at their defaults are fine beside an Execution
    hc.simulate(CLOSE, SCHEDULE, execution=Execution(fees=0.001), fees=0.0, init_cash=1.0, lag=0)
