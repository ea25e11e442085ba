"""The [backtest] keys of the execution models: parsed, checked, built into one `Execution`, and run."""

from __future__ import annotations

import numpy as np
import pytest

from hedgeclone.backtest.engine import Execution
from hedgeclone.backtest.engine.models import NextOpen, SquareRootImpact, VolumeCap, WholeShares
from hedgeclone.backtest.replay import run_strategy
from hedgeclone.backtest.session import execution_of, run_config
from hedgeclone.errors import InputError
from hedgeclone.strategies.config import load_config, parse_config

SCREEN = {"kind": "microcap-screen", "min_holders": 0, "top_n": 10}


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    from hedgeclone.data.market import load_market
    from hedgeclone.data.store import Store

    return load_market("demo", store=Store(tmp_path_factory.mktemp("store")), stocks=250, filers=40, seed=3)


def test_keys_build_the_models(tmp_path):
    irx = tmp_path / "irx.csv"
    irx.write_text("Date,Close\n2000-01-03,5.0\n2020-01-02,1.5\n")
    path = tmp_path / "run.toml"
    path.write_text('[strategy]\nkind = "buy-and-hold"\ntickers = ["A"]\n[backtest]\nparticipation = 0.05\n'
                    'impact = 0.7\nimpact_window = 30\nfill = "open"\nlot = 100\nmin_order_value = 2500\n'
                    'cash_yield = "irx.csv"\n')
    e = execution_of(load_config(path))
    assert (e.cap, e.impact, e.fills, e.shares) == (VolumeCap(0.05), SquareRootImpact(0.7, 30), NextOpen(),
                                                   WholeShares(100, 2500.0))
    assert e.cash_yield.rates.iloc[-1] == pytest.approx(1.5 / 100 / 252)
    assert execution_of(parse_config({"strategy": SCREEN})).models == ()


@pytest.mark.parametrize("key, value, message", [
    ("participation", 0, "must be > 0"), ("impact", -1.0, "must be >= 0"), ("fill", "vwap", "fill"),
    ("lot", -1, "must be >= 0"), ("impact_window", 1, "must be >= 2"), ("min_order_value", -5.0, ">= 0"),
])
def test_bad_model_keys_name_the_key(key, value, message):
    with pytest.raises(InputError, match=f"backtest.{key}.*{message}|{message}.*backtest.{key}|backtest.{key}"):
        parse_config({"strategy": SCREEN, "backtest": {key: value}}, "cfg.toml")


def test_a_missing_yield_file_names_the_key(tmp_path):
    config = parse_config({"strategy": SCREEN, "backtest": {"cash_yield": str(tmp_path / "nope.csv")}})
    with pytest.raises(InputError, match="backtest.cash_yield: no such file"):
        execution_of(config)


def test_defaults_run_as_before(market):
    config = parse_config({"strategy": SCREEN, "backtest": {"start": "2016-01-04", "fees": 0.002}})
    run = run_config(config, market)
    b = config.backtest
    before = run_strategy(config.strategy, market, start=b.start, fees=b.fees, init_cash=b.init_cash, lag=b.lag)
    np.testing.assert_array_equal(run.result.value.to_numpy(), before.result.value.to_numpy())
    with pytest.raises(InputError, match="inside execution"):
        run_strategy(config.strategy, market, fees=0.01, execution=Execution())


def test_a_capped_screen_on_the_demo_market(market):
    # A $100M micro-cap screen at 5% of volume: orders take several sessions; an uncapped one fills at once.
    doc = {"strategy": SCREEN, "backtest": {"start": "2016-01-04", "init_cash": 1e8, "participation": 0.05,
                                            "impact": 0.5}}
    capped = run_config(parse_config(doc), market)
    fills = capped.result.fills()
    assert fills["sessions"].max() > 1 and (fills["fill_rate"] <= 1).all()
    assert capped.result.impact.sum() > 0
    doc["backtest"] = {k: v for k, v in doc["backtest"].items() if k not in ("participation", "impact")}
    free = run_config(parse_config(doc), market)
    assert free.result.fills()["sessions"].max() == 0
    assert capped.result.value.iloc[-1] < free.result.value.iloc[-1]
