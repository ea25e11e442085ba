"""TOML configs map one to one onto the strategy objects; bad keys get one clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hedgeclone.errors import InputError
from hedgeclone.strategies import (
    STRATEGIES,
    BuyAndHold,
    FixedWeights,
    HedgeFundConsensus,
    MicrocapScreen,
    load_config,
)
from hedgeclone.strategies.config import parse_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_examples_parse_into_the_objects_they_name():
    c = load_config(EXAMPLES / "consensus-14.toml")
    assert c.strategy == HedgeFundConsensus(top_n=14, score="holders", min_holders=1, weighting="equal", lag_days=0)
    assert c.backtest.end == dt.date(2025, 12, 31) and c.backtest.fees == 0.001 and c.data.source == "demo"
    m = load_config(EXAMPLES / "microcap-screen.toml")
    assert isinstance(m.strategy, MicrocapScreen) and m.strategy.min_cap == 50e6 and m.strategy.rank_by == "ytd"
    assert load_config(EXAMPLES / "superinvestors-14.toml").data.source == "store"
    assert load_config(EXAMPLES / "microcap-2025.toml").strategy.max_cap == 300e6


def test_round_trip_through_the_resolved_dict():
    c = load_config(EXAMPLES / "microcap-screen.toml")
    again = parse_config(c.to_dict())
    assert again.strategy == c.strategy and again.backtest == c.backtest and again.data == c.data


def test_tables_and_lists_become_tuples():
    c = parse_config({"strategy": {"kind": "fixed-weights", "weights": {"AAA": 0.6, "BBB": 0.4}}})
    assert c.strategy == FixedWeights(weights=(("AAA", 0.6), ("BBB", 0.4)))
    c = parse_config({"strategy": {"kind": "buy-and-hold", "tickers": ["AAA", "BBB"]}})
    assert c.strategy == BuyAndHold(tickers=("AAA", "BBB"))
    assert set(STRATEGIES) == {"hedge-fund-consensus", "microcap-screen", "buy-and-hold", "fixed-weights"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"strategy": {"kind": "hedge-fund-consensus", "top_nn": 3}}, "unknown key strategy.top_nn"),
        ({"strategy": {"kind": "hedge-fund-consensus", "top_n": "14"}}, "strategy.top_n = '14' is not a int"),
        ({"strategy": {"kind": "hedge-fund-consensus", "weighting": "cubic"}}, "strategy.weighting"),
        ({"strategy": {"kind": "nope"}}, "strategy.kind = 'nope' is unknown"),
        ({"strategy": {"top_n": 3}}, "needs kind"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A"]}, "backtest": {"fees": -1}}, "backtest.fees"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A"]}, "backtest": {"start": "2020-13-01"}},
         "backtest.start"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A"]},
          "backtest": {"start": "2021-01-01", "end": "2020-01-01"}}, "after backtest.end"),
        ({"strategy": {"kind": "microcap-screen", "min_cap": 5e8, "max_cap": 1e8}}, "min_cap"),
        ({"strategy": {"kind": "hedge-fund-consensus", "weighting": "capped", "max_weight": 0.05}}, "cannot sum to 1"),
        ({"strategy": {"kind": "fixed-weights", "weights": {"A": 0.7, "B": 0.6}}}, "sum to at most 1"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A"]}, "data": {"source": "web"}}, "data.source"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A"]}, "extra": {}}, "unknown section [extra]"),
    ],
)
def test_bad_configs_name_the_key(doc, message):
    with pytest.raises(InputError) as err:
        parse_config(doc, "my.toml")
    assert message in str(err.value) and str(err.value).startswith("my.toml")


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[strategy\nkind=")
    with pytest.raises(InputError, match="bad.toml: not valid TOML"):
        load_config(path)
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "missing.toml")


BH = {"kind": "buy-and-hold", "tickers": ["A"]}
HF = {"kind": "hedge-fund-consensus"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"strategy": BH, "backtest": {"fees": 1.0}}, "backtest.fees = 1 must be < 1"),
        ({"strategy": BH, "backtest": {"slippage": 2}}, "backtest.slippage = 2 must be < 1"),
        ({"strategy": BH, "backtest": {"fees": float("nan")}}, "backtest.fees = nan is not a finite number"),
        ({"strategy": BH, "backtest": {"init_cash": float("inf")}}, "backtest.init_cash = inf is not a finite"),
        ({"strategy": BH, "backtest": {"lag": 100000}}, "backtest.lag = 100000 must be <= 2520"),
        ({"strategy": BH, "backtest": {"benchmarks": ["sp500", "sp500"]}}, "backtest.benchmarks = ['sp500', 'sp500'] lists sp500 more than once"),
        ({"strategy": BH, "backtest": {"start": "1066-10-14"}}, "backtest.start = 1066-10-14 is out of range"),
        ({"strategy": {**HF, "min_cap": 3e8, "max_cap": 5e7}}, "strategy.min_cap = 3e+08 is above strategy.max_cap = 5e+07"),
        ({"strategy": {**HF, "min_price": -1}}, "strategy.min_price = -1 must be >= 0"),
        ({"strategy": {**HF, "top_n": 0}}, "strategy.top_n = 0 must be >= 1"),
        ({"strategy": {**HF, "max_weight": 0}}, "strategy.max_weight = 0 must be > 0"),
        ({"strategy": {**HF, "max_weight": 1.5}}, "strategy.max_weight = 1.5 must be <= 1"),
        ({"strategy": {**HF, "top_filers": 0}}, "strategy.top_filers = 0 must be >= 1"),
        ({"strategy": {**HF, "lag_days": 100000}}, "strategy.lag_days = 100000 must be <= 3650"),
        ({"strategy": {**HF, "ciks": [1, 1]}}, "strategy.ciks = [1, 1] lists 1 more than once"),
        ({"strategy": {**HF, "ciks": [-5]}}, "not a CIK"),
        ({"strategy": {"kind": "buy-and-hold", "tickers": ["A", "A"]}}, "strategy.tickers"),
        ({"strategy": {"kind": "fixed-weights", "weights": {"A": float("nan")}}}, "strategy.weights.A = nan"),
        ({"strategy": BH, "data": {"store": ""}}, "data.store = '' must not be empty"),
    ],
)
def test_impossible_values_are_refused_at_load_naming_file_and_key(tmp_path, doc, message):
    with pytest.raises(InputError, match="^cfg.toml: ") as info:
        parse_config(doc, "cfg.toml")
    assert message in str(info.value)


def test_a_non_utf8_config_is_one_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'[strategy]\nkind = "buy-and-hold"\n# caf\xe9\n')
    with pytest.raises(InputError, match="not UTF-8"):
        load_config(path)
