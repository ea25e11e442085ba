"""Each strategy on a small demo market, checked by hand against the market's own numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.backtest.session import run_config, screen_config
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.strategies import (
    BuyAndHold,
    FixedWeights,
    HedgeFundConsensus,
    MicrocapScreen,
    PointInTimeView,
)
from hedgeclone.strategies.config import RunConfig, parse_config


def test_microcap_screen_ranks_by_ytd_within_the_band(small_market):
    date = pd.Timestamp("2019-06-28")
    strat = MicrocapScreen(min_cap=20e6, max_cap=400e6, min_holders=0, min_price=0.0, top_n=5)
    view = PointInTimeView(small_market, date, HoldingsIndex(small_market.holdings))
    ranked = strat.rank(view).table()
    assert len(ranked) > 10
    cap = view.market_cap()
    # By hand: market cap in the band, YTD from the last 2018 close.
    close = small_market.close
    start = close.loc[:"2018-12-31"].iloc[-1]
    ytd = close.loc[date] / start - 1
    band = cap[(cap >= 20e6) & (cap <= 400e6)].index
    expected = ytd.reindex(band).dropna().sort_values(ascending=False)
    top = ranked.head(5)
    assert list(top["ticker"]) == list(expected.index[:5])
    np.testing.assert_allclose(top["ytd_return"], expected.iloc[:5], rtol=1e-12)
    assert (ranked["market_cap"].between(20e6, 400e6)).all()
    picks = strat.decide(view)
    assert list(picks.tickers) == list(expected.index[:5]) and np.allclose(picks.weight, 0.2)


def test_microcap_holder_filter_counts_13f_holders(small_market):
    date = pd.Timestamp("2020-05-20")
    index = HoldingsIndex(small_market.holdings)
    view = PointInTimeView(small_market, date, index)
    ranked = MicrocapScreen(min_cap=1e6, max_cap=5e9, min_holders=2, min_price=0.0).rank(view).table()
    # Distinct filers per issuer (CUSIP[:6]) among the positions the rules count on the date.
    pos = index.positions_as_of(date)
    per_issuer = pos.groupby("issuer")["cik"].nunique()
    holders = pos.drop_duplicates("ticker").set_index("ticker")["issuer"].map(per_issuer)
    assert len(ranked) and (ranked["hf_holders"] >= 2).all()
    np.testing.assert_array_equal(ranked["hf_holders"], holders.reindex(ranked["ticker"]).to_numpy())


def test_buy_and_hold_equals_simulating_the_same_weights_by_hand(small_market):
    tickers = tuple(small_market.close.loc["2019-01-02"].dropna().index[:3])
    run = run_strategy(BuyAndHold(tickers=tickers), small_market, start="2019-01-02", end="2019-12-31",
                       init_cash=1000.0, lag=1)
    close = small_market.close.loc["2019-01-02":"2019-12-31", list(tickers)]
    shares = (1000.0 / 3) / close.iloc[1]
    np.testing.assert_allclose(run.result.value.iloc[1:], (close.iloc[1:] * shares).sum(axis=1), rtol=1e-12)
    assert len(run.schedule) == 1


def test_fixed_weights_rebalance_back_to_target(small_market):
    tickers = list(small_market.close.loc["2019-01-02"].dropna().index[:2])
    strat = FixedWeights(weights=((tickers[0], 0.7), (tickers[1], 0.3)), rebalance="quarterly")
    run = run_strategy(strat, small_market, start="2019-01-02", end="2019-12-31", lag=0)
    w = run.result.weights()
    for date in run.schedule.dates:
        np.testing.assert_allclose(w.loc[date, tickers], [0.7, 0.3], rtol=1e-9)


def test_screen_table_columns(small_market):
    config = parse_config({"strategy": {"kind": "microcap-screen", "min_holders": 1, "min_price": 0.0,
                                        "min_cap": 1e6, "max_cap": 1e10}})
    table = screen_config(config, small_market, "2020-05-20")
    assert list(table.columns[:4]) == ["rank", "ticker", "score", "market_cap"]
    assert {"ytd_return", "hf_holders"} <= set(table.columns)
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert table["score"].is_monotonic_decreasing
    consensus = screen_config(RunConfig(HedgeFundConsensus()), small_market, "2020-05-20")
    assert consensus["score"].is_monotonic_decreasing and (consensus["hf_holders"] >= 1).all()


def test_top_filers_by_trailing_clone_return_uses_only_past_data(small_market):
    strat = HedgeFundConsensus(top_n=5, top_filers=5, filer_lookback_quarters=2)
    view = PointInTimeView(small_market, pd.Timestamp("2020-08-20"), HoldingsIndex(small_market.holdings))
    picks = strat.decide(view)
    assert len(picks.tickers) == 5
    chosen = strat.filer_filter()(view, picks)
    assert len(chosen.filers) == 5


def test_a_date_with_nothing_eligible_holds_cash_and_says_so(small_market):
    strat = MicrocapScreen(min_cap=1.0, max_cap=2.0, min_holders=0)
    run = run_strategy(strat, small_market, start="2019-01-02", end="2019-12-31")
    *dated, last = run.notes
    assert dated and all("holding cash" in n for n in dated)
    assert last.startswith("the backtest made no trade") and "no decision date found an eligible stock" in last
    assert run.result.trades.empty and run.result.value.iloc[-1] == pytest.approx(1.0)


def test_one_config_run_twice_gives_identical_results(small_market):
    config = parse_config({"strategy": {"kind": "hedge-fund-consensus", "top_n": 6},
                           "backtest": {"end": "2020-12-31", "fees": 0.001}})
    a = run_config(config, small_market).result.value
    b = run_config(config, small_market).result.value
    pd.testing.assert_series_equal(a, b, check_exact=True)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fees=st.floats(0.0, 0.02), slippage=st.floats(0.0, 0.01))
def test_costs_never_raise_the_result(small_market, fees, slippage):
    config = parse_config({"strategy": {"kind": "hedge-fund-consensus", "top_n": 5},
                           "backtest": {"end": "2019-12-31", "fees": 0.0}})
    free = run_config(config, small_market).result.value
    costly = run_config(dataclasses.replace(config, backtest=dataclasses.replace(
        config.backtest, fees=fees, slippage=slippage)), small_market).result.value
    assert (costly.to_numpy() <= free.to_numpy() * (1 + 1e-12)).all()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(200, 700), factor=st.floats(0.1, 10.0), kind=st.sampled_from(["consensus", "microcap"]))
def test_perturbing_data_after_a_date_changes_no_decision_up_to_it(small_market, day, factor, kind):
    cut = small_market.close.index[day]
    after = small_market.close.index > cut
    close = small_market.close.copy()
    close.loc[after] *= factor
    raw = small_market.raw_close.copy()
    raw.loc[after] *= factor
    holdings = small_market.holdings.copy()
    later = holdings["filed"] >= cut  # a filing dated on the decision day is not yet known at its close
    holdings.loc[later, "value_usd"] *= factor
    holdings.loc[later, "ticker"] = holdings.loc[later, "ticker"].sample(frac=1.0, random_state=1).to_numpy()
    shares = small_market.shares.copy()
    shares.loc[shares["known_from"] > cut, "shares"] *= factor
    perturbed = dataclasses.replace(small_market, close=close, raw_close=raw, holdings=holdings, shares=shares)
    strat = (HedgeFundConsensus(top_n=5, top_filers=10, filer_lookback_quarters=2) if kind == "consensus"
             else MicrocapScreen(min_cap=10e6, max_cap=500e6, rebalance="monthly", min_price=0.0))
    a = run_strategy(strat, small_market, start="2019-02-01", end="2021-12-31")
    b = run_strategy(strat, perturbed, start="2019-02-01", end="2021-12-31")
    for date, picks in a.picks.items():
        if date <= cut:
            assert picks.weight.to_dict() == b.picks[date].weight.to_dict(), date
    upto = a.result.index <= cut
    np.testing.assert_array_equal(a.result.value[upto].to_numpy(), b.result.value[upto].to_numpy())
