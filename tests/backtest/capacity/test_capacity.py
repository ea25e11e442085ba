"""`capacity` and `hedgeclone capacity` on a small demo market: the table, its oracle, the CLI's files and errors."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone.backtest.capacity import CAPACITY_COLUMNS, parse_aums
from hedgeclone.backtest.session import run_config
from hedgeclone.errors import InputError
from hedgeclone.strategies.config import parse_config

DATA = {"source": "demo", "stocks": 250, "filers": 40, "seed": 3}
SCREEN = {"kind": "microcap-screen", "min_holders": 0, "top_n": 10}
BACKTEST = {"start": "2016-01-04", "end": "2019-12-31", "fees": 0.001, "benchmarks": ["sp500"]}


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    from hedgeclone.data.market import load_market
    from hedgeclone.data.store import Store

    return load_market("demo", store=Store(tmp_path_factory.mktemp("store")), stocks=250, filers=40, seed=3,
                       benchmarks=("sp500",))


@pytest.fixture(scope="module")
def config():
    return parse_config({"strategy": SCREEN, "backtest": BACKTEST, "data": DATA})


def test_a_microcap_screen_loses_return_as_it_grows(market, config):
    cap = hc.capacity(config, market, [1e8, 1e5, 1e7])
    t = cap.table
    assert list(t.columns) == list(CAPACITY_COLUMNS) and list(t["aum"]) == [1e5, 1e7, 1e8]
    assert t["total_return"].iloc[-1] < t["total_return"].iloc[0]
    assert t["fill_rate"].iloc[-1] < t["fill_rate"].iloc[0] and t["days_to_fill"].iloc[-1] > t["days_to_fill"].iloc[0]
    assert (cap.execution.cap.participation, cap.execution.impact.k) == (0.1, 1.0)
    for aum, run in cap.runs.items():  # each row is its own run's metrics
        assert t.set_index("aum").loc[aum, "total_return"] == pytest.approx(run.stats()["total_return"], rel=1e-12)
    assert "aum" in repr(cap) and "VolumeCap(0.1)" in repr(cap)
    assert "<h1>hedgeclone capacity" in cap.page()


def test_nothing_binding_is_the_plain_run(market, config):
    # An infinite cap and no impact: the execution-model kernel gives the reference kernel's result.
    cap = hc.capacity(config, market, [1e6], participation=math.inf, impact=0.0)
    plain = run_config(config, market)
    assert cap.table["total_return"].iloc[0] == pytest.approx(plain.stats()["total_return"], rel=1e-12, abs=1e-12)
    pd.testing.assert_series_equal(cap.runs[1e6].result.value, plain.result.value, rtol=1e-12)


def test_sizes_are_checked():
    assert parse_aums("1e5, 1e6") == (1e5, 1e6)
    for bad, message in (("1e5,x", "not a number"), ("0", "> 0"), ("1e5,1e5", "twice"), ("inf", "> 0")):
        with pytest.raises(InputError, match=message):
            parse_aums(bad)


def test_capacity_displays_and_plots_its_table(market, config):
    from html import escape

    from rich.console import Console

    cap = hc.capacity(config, market, [1e5, 1e7])
    html = cap._repr_html_()
    t = cap.table
    for aum, cagr in zip(t["aum"], t["cagr"], strict=True):
        assert f"{aum:,.0f}" in html and f"{100 * cagr:+.2f}%" in html
    assert cap.caveats and all(escape(c) in html for c in cap.caveats)
    console = Console(record=True, width=160)
    console.print(cap)
    assert f"{t['aum'].iloc[-1]:,.0f}" in console.export_text()
    fig = cap.plot()
    assert list(fig.data[0].x) == list(t["aum"]) and fig.layout.xaxis.type == "log"
    assert fig.data[0].y == pytest.approx(list(100 * t["cagr"]))
