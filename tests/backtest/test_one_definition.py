"""One definition per concept: the run directory's metrics are the backtest's, and every place
that ranks metrics agrees on which way is better."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone.backtest.compare import compare
from hedgeclone.backtest.metric_sets import METRICS, STRATEGY_METRICS, higher_is_better
from hedgeclone.backtest.report.tune import best_table
from hedgeclone.backtest.run import build_run
from hedgeclone.backtest.rundir import write_run
from hedgeclone.backtest.tuning import SweepResult
from hedgeclone.backtest.tuning.walkforward import WF_METRICS


def _three_tickers(fees: float):
    rng = np.random.default_rng(11)
    index = pd.bdate_range("2024-01-02", periods=60)
    close = pd.DataFrame(50 * np.cumprod(1 + rng.normal(0.0005, 0.02, (60, 3)), axis=0), index=index,
                         columns=["AAA", "BBB", "CCC"])
    targets = {index[0]: {"AAA": 0.4, "BBB": 0.3, "CCC": 0.3}, index[30]: {"AAA": 0.2, "CCC": 0.8}}
    return hc.simulate(close, hc.Schedule.from_dict(targets), fees=fees, init_cash=10_000.0)


def test_metrics_json_equals_result_stats_with_fees_on_the_first_day(tmp_path):
    result = _three_tickers(fees=0.01)
    assert result.costs.iloc[0] > 0  # the first day trades and pays
    path = write_run(tmp_path / "run", build_run("three", result))
    strategy = json.loads((path / "metrics.json").read_text())["strategy"]
    stats = result.stats()
    assert set(stats) == set(STRATEGY_METRICS)
    for key, value in stats.items():
        assert strategy[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    # The total return counts the first day's fees: final value over the initial cash.
    assert strategy["total_return"] == pytest.approx(result.value.iloc[-1] / 10_000.0 - 1, rel=1e-12)


def test_every_ranking_agrees_on_which_way_is_better(tmp_path, toy_run_factory):
    # Two runs that differ only in fees: the costlier one has the higher costs and lower returns.
    cheap = write_run(tmp_path / "cheap", toy_run_factory("cheap", fees=0.0))
    dear = write_run(tmp_path / "dear", toy_run_factory("dear", fees=0.02))
    cmp = compare([cheap, dear])
    rows = cmp.table
    params = pd.DataFrame({"fees": [0.0, 0.02]})
    metrics = pd.DataFrame({m: rows.loc[m].to_numpy() for m in ("total_return", "costs_pct", "turnover_annual",
                                                                 "volatility", "sharpe")})
    sweep = SweepResult(params=params, metrics=metrics, values=pd.DataFrame(), benchmarks=pd.DataFrame())
    for m in metrics.columns:
        best_in_compare = cmp.best[m]
        best_in_tune = ["cheap", "dear"][int(sweep.best(m, n=1).index[0])]
        if best_in_compare is not None:
            assert best_in_compare == best_in_tune, m
        table = best_table(sweep, m, ["fees"])
        shown_best = table.columns[1]._cells[0]
        assert float(shown_best) == pytest.approx(float(metrics[m].iloc[int(sweep.best(m, n=1).index[0])]), rel=1e-3)
    assert cmp.best["costs_pct"] == "cheap" and cmp.best["turnover_annual"] in ("cheap", None)
    for name, (_, higher) in WF_METRICS.items():
        assert higher == higher_is_better(name)
    assert {k for k, m in METRICS.items() if m.better < 0} >= {"volatility", "costs", "costs_pct", "turnover",
                                                                "turnover_annual", "tracking_error", "down_capture"}


def test_a_run_that_ends_all_in_cash_says_why():
    from types import SimpleNamespace

    index = pd.bdate_range("2024-01-02", periods=20)
    close = pd.DataFrame({"AAA": np.linspace(10, 12, 20)}, index=index)
    market = SimpleNamespace(close=close, raw_close=None, volume=None, shares=None, holdings=None)
    run = hc.run(hc.BuyAndHold(tickers=("AAA",)), market, lag=50)
    assert not len(run.result.trades)
    assert any("no trade" in n and "after the window ends" in n for n in run.notes), run.notes
