"""The sweep's fast path (rank once, cut in numba) equals deciding every combination through its steps.

On a small demo market, over the axes of issue 12's 1,000-combination grid (top N, lag days,
weighting, minimum holders) and the filters' bounds (price floor, market-cap band), for both
flagship strategies: the kernel arrays of every combination are equal, exactly, to those the
steps path builds (which `test_sweep.py` holds equal to separate runs), and one fast-path
combination with every filter on equals a separate `run_config`.
"""

from __future__ import annotations

import dataclasses
import tomllib

import numpy as np
import pytest

from hedgeclone.backtest.session import load_config_market, run_config
from hedgeclone.backtest.tuning import plan as plan_module
from hedgeclone.backtest.tuning import sweep
from hedgeclone.backtest.tuning.grid import combinations
from hedgeclone.backtest.tuning.plan import plan, selection
from hedgeclone.strategies.config import parse_config

CONSENSUS = """
[strategy]
kind = "hedge-fund-consensus"
[backtest]
start = "2019-01-01"
end = "2023-12-31"
[data]
source = "demo"
stocks = 150
filers = 25
"""
MICROCAP = """
[strategy]
kind = "microcap-screen"
min_holders = 1
[backtest]
start = "2021-01-01"
end = "2023-12-31"
[data]
source = "demo"
stocks = 150
filers = 25
"""


def _config(text, store):
    config = parse_config(tomllib.loads(text))
    return dataclasses.replace(config, data=dataclasses.replace(config.data, store=str(store)))


@pytest.fixture(scope="module")
def consensus(tmp_path_factory):
    config = _config(CONSENSUS, tmp_path_factory.mktemp("store"))
    return config, load_config_market(config)


def _no_decision(self, strategy, date):
    raise AssertionError(f"the fast path decided {strategy.name} on {date.date()} through its steps")


def _equal_plans(config, market, grid):
    _, _, configs = combinations(config, grid)
    assert all(selection(c.strategy) is not None for c in configs)
    steps = plan(configs, market, fast=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plan_module._Planner, "picks", _no_decision)  # every schedule comes from the kernels
        fast = plan(configs, market)
    assert len(fast) == len(configs)
    for name in ("start_rows", "end_rows"):
        assert np.array_equal(getattr(fast, name), getattr(steps, name)), name
    for i in range(len(configs)):
        a, b = fast.set_schedule(i), steps.set_schedule(i)
        for field in a._fields:
            assert np.array_equal(getattr(a, field), getattr(b, field)), (i, field)
    return configs


def test_fast_plan_equals_the_steps_on_the_issue_grid_axes(consensus):
    config, market = consensus
    grid = {"top_n": [5, 12, 40], "lag_days": [0, 25, 45], "weighting": ["equal", "score"],
            "min_holders": [1, 3, 5]}
    configs = _equal_plans(config, market, grid)
    assert len(configs) == 54


def test_fast_plan_equals_the_steps_with_price_floor_cap_band_and_capped_weights(consensus):
    config, market = consensus
    grid = {"top_n": [4, 10], "weighting": ["capped"], "max_weight": [0.3], "min_price": [0.0, 20.0],
            "min_cap": [None, 3e8], "max_cap": [None, 5e9]}
    _equal_plans(config, market, grid)


def test_microcap_fast_plan_equals_the_steps(tmp_path):
    config = _config(MICROCAP, tmp_path)
    market = load_config_market(config)
    grid = {"top_n": [3, 10], "min_holders": [0, 2], "min_price": [1.0, 5.0], "max_cap": [3e8, 2e9],
            "weighting": ["equal", "score"], "min_days_traded": [0.0, 0.97], "min_dollar_volume": [0.0, 2e5]}
    _equal_plans(config, market, grid)


def test_a_fast_combination_with_every_filter_equals_a_separate_run(consensus):
    config, market = consensus
    grid = {"top_n": [7], "min_holders": [3], "min_price": [10.0], "min_cap": [2e8], "weighting": ["score"],
            "lag_days": [10]}
    result = sweep(config, grid, market=market)
    cfg = config.replace_strategy(top_n=7, min_holders=3, min_price=10.0, min_cap=2e8, weighting="score",
                                  lag_days=10)
    run = run_config(cfg, market)
    got = result.values[0].dropna()
    assert len(run.result.orders) > 0
    assert got.index.equals(run.result.value.index)
    assert np.array_equal(got.to_numpy(), run.result.value.to_numpy())
