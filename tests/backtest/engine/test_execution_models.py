"""The execution models (volume cap, square-root impact, next-open fills, whole shares, cash yield):
their properties on random markets, and hand computations of what each one does."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hedgeclone as hc
from hedgeclone.backtest.engine import Execution
from hedgeclone.backtest.engine.liquidity import Liquidity
from hedgeclone.backtest.engine.model_kernel import impact_nb
from hedgeclone.backtest.engine.models import CashYield, NextOpen, SquareRootImpact, VolumeCap, WholeShares
from hedgeclone.errors import InputError

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def market(seed: int, n_rows: int = 120, n_cols: int = 12, zero_volume: float = 0.05):
    """Random closes, opens and volumes (some days without volume), and a rebalance every 20 sessions."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2021-01-04", periods=n_rows)
    cols = [f"S{i:02d}" for i in range(n_cols)]
    close = pd.DataFrame(rng.uniform(5, 80, n_cols) * np.exp(np.cumsum(rng.normal(0, 0.02, (n_rows, n_cols)), 0)),
                         index=index, columns=cols)
    open_ = close.shift(1).fillna(close) * np.exp(rng.normal(0, 0.01, (n_rows, n_cols)))
    volume = pd.DataFrame(rng.lognormal(7, 1.5, (n_rows, n_cols)).round(), index=index, columns=cols)
    volume[rng.random((n_rows, n_cols)) < zero_volume] = 0.0
    weights = pd.DataFrame(np.nan, index=index, columns=cols)
    for row in range(int(rng.integers(0, 10)), n_rows, 20):
        picks = rng.choice(n_cols, int(rng.integers(1, min(6, n_cols + 1))), replace=False)
        weights.iloc[row] = 0.0
        weights.iloc[row, picks] = rng.choice([0.9, 1.0]) / len(picks)
    return close, open_, volume, weights


def run(close, weights, liquidity=None, **models) -> hc.Result:
    execution = Execution(fees=0.001, init_cash=models.pop("init_cash", 1e6), **models)
    return hc.simulate(close, weights, execution=execution, liquidity=liquidity)


@PROPS
@given(seed=st.integers(0, 10_000), participation=st.sampled_from([0.01, 0.05, 0.2, 1.0]),
       cash=st.sampled_from([1e4, 1e6, 1e8]))
def test_the_cap_is_never_exceeded(seed, participation, cash):
    close, _, volume, weights = market(seed)
    result = run(close, weights, Liquidity(close=close, volume=volume), cap=VolumeCap(participation), init_cash=cash)
    t = result.trades[result.trades["reason"] == "rebalance"]
    dollar = (close * volume).stack()
    room = participation * dollar.reindex(pd.MultiIndex.from_arrays([t["date"], t["ticker"]])).to_numpy()
    assert np.all(t["value"].to_numpy() <= room * (1 + 1e-9) + 1e-9)
    assert np.all(result.cash.to_numpy() >= 0)


@PROPS
@given(seed=st.integers(0, 10_000))
def test_an_infinite_cap_equals_no_cap(seed):
    close, _, volume, weights = market(seed)
    plain = run(close, weights)
    capped = run(close, weights, Liquidity(close=close, volume=volume), cap=VolumeCap(math.inf))
    np.testing.assert_allclose(capped.value.to_numpy(), plain.value.to_numpy(), rtol=1e-12, atol=0)
    assert len(capped.trades) == len(plain.trades)
    np.testing.assert_allclose(capped.trades["shares"], plain.trades["shares"], rtol=1e-12)
    assert (capped.trades["order_date"] == capped.trades["date"]).all()  # nothing carried over


def test_models_off_run_the_vectorbt_reference():
    vbt = pytest.importorskip("vectorbt", reason="vectorbt is the reference implementation (test extra)")
    close, _, volume, weights = market(3, n_cols=30)
    expected = vbt.Portfolio.from_orders(close, weights, size_type="targetpercent", group_by=True,
                                         cash_sharing=True, call_seq="auto", fees=0.001, init_cash=1e6).value()
    for models in ({}, {"cap": VolumeCap(math.inf)}):  # off; and the model kernel with nothing binding
        result = run(close, weights, Liquidity(close=close, volume=volume), **models)
        np.testing.assert_allclose(result.value.to_numpy(), expected.to_numpy(), rtol=1e-9)


@PROPS
@given(seed=st.integers(0, 10_000), k1=st.floats(0.0, 0.5), k2=st.floats(0.0, 0.5))
def test_impact_never_improves_a_result_and_grows_with_size(seed, k1, k2):
    # Buy and hold half the portfolio: the same shares are bought with and without impact, so impact
    # can only cost cash, more of it the larger k.
    close, _, volume, _ = market(seed)
    lo_k, hi_k = sorted((k1, k2))
    weights = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    weights.iloc[25, :4] = 0.125
    liq = Liquidity(close=close, volume=volume)
    runs = [run(close, weights, liq, impact=SquareRootImpact(k)) if k > 0 else run(close, weights)
            for k in (lo_k, hi_k)]
    assert np.all(runs[1].value.to_numpy() <= runs[0].value.to_numpy() * (1 + 1e-12))
    assert runs[1].impact.sum() >= runs[0].impact.sum() - 1e-9
    np.testing.assert_allclose(runs[1].positions.iloc[-1], runs[0].positions.iloc[-1], rtol=1e-12)
    # Per fill, impact as a fraction of the price grows with the order's size.
    sizes = np.array([1e3, 1e4, 1e5, 1e6])
    assert np.all(np.diff([impact_nb(0.7, 0.02, v, 5e5) for v in sizes]) > 0)
    # At the portfolio level, a larger portfolio pays a larger share of what it trades.
    small, big = (run(close, weights, liq, impact=SquareRootImpact(0.5), init_cash=c) for c in (1e5, 1e7))
    assert big.impact.sum() / big.trades["value"].sum() > small.impact.sum() / small.trades["value"].sum()


def test_impact_is_the_square_root_law_on_trailing_data():
    # One stock, one buy on row 30: the fill price is close x (1 + k x sigma x sqrt(value / adv)), with sigma
    # and adv over the 20 sessions before row 30 (plain pandas here), and the shares are what cash allows.
    close, _, volume, _ = market(11, n_cols=1)
    weights = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    weights.iloc[30, 0] = 0.01
    result = run(close, weights, Liquidity(close=close, volume=volume), impact=SquareRootImpact(0.8, 20))
    fill = result.trades.iloc[0]
    returns = close.iloc[:30, 0].pct_change().iloc[-20:]
    sigma = returns.std(ddof=1)
    adv = (close.iloc[10:30, 0] * volume.iloc[10:30, 0]).mean()
    p = close.iloc[30, 0]
    shares = 0.01 * 1e6 / p  # the target is placed at the close price; impact changes the price paid
    frac = 0.8 * sigma * math.sqrt(shares * p / adv)
    assert fill["shares"] == pytest.approx(shares, rel=1e-12)
    assert fill["price"] == pytest.approx(p * (1 + frac), rel=1e-12)
    assert fill["impact"] == pytest.approx(shares * p * frac, rel=1e-12)
    assert result.costs.sum() + result.impact.sum() == pytest.approx(result.stats()["costs"], rel=1e-12)


def test_a_capped_order_fills_over_days_by_hand():
    # Constant price 10 and 1,000 shares a day: at 10% of volume an order for 1,234.5 shares fills
    # 100 a day for 12 sessions and 34.5 on the 13th; the rest of the cash stays cash.
    index = pd.bdate_range("2022-01-03", periods=30)
    close = pd.DataFrame({"A": 10.0}, index=index)
    volume = pd.DataFrame({"A": 1000.0}, index=index)
    volume.iloc[5] = 0.0  # a day without volume trades nothing
    weights = pd.DataFrame(np.nan, index=index, columns=["A"])
    weights.iloc[2] = 0.5
    result = run(close, weights, Liquidity(close=close, volume=volume), cap=VolumeCap(0.1), init_cash=24690.0)
    t = result.trades
    ordered = 0.5 * 24690.0 / 10.0
    assert (t["ordered"] == ordered).all()
    assert list(t["date"]) == [d for i, d in enumerate(index[2:16]) if i + 2 != 5]
    np.testing.assert_allclose(t["shares"].to_numpy()[:-1], 100.0)
    assert t["shares"].sum() == pytest.approx(ordered, rel=1e-12)
    assert t["filled"].iloc[-1] == pytest.approx(1.0)
    assert t["filled"].is_monotonic_increasing
    fills = result.fills()
    assert len(fills) == 1 and fills["sessions"].iloc[0] == 13 and fills["filled"].iloc[0] == pytest.approx(ordered)
    assert fills["sessions"].iloc[0] == 13 and fills["fill_rate"].iloc[0] == pytest.approx(1.0)
    # Cash not yet invested stays cash: value = cash + shares x 10 - fees, every day.
    held = t.set_index("date")["shares"].reindex(index).fillna(0).cumsum()
    fees = result.costs.cumsum()
    np.testing.assert_allclose(result.value, 24690.0 - fees, rtol=1e-12)
    np.testing.assert_allclose(result.cash, 24690.0 - held * 10.0 - fees, rtol=1e-12)


def test_the_next_rebalance_replaces_an_open_order():
    index = pd.bdate_range("2022-01-03", periods=20)
    close = pd.DataFrame({"A": 10.0, "B": 20.0}, index=index)
    volume = pd.DataFrame({"A": 100.0, "B": 1e9}, index=index)
    weights = pd.DataFrame(np.nan, index=index, columns=["A", "B"])
    weights.iloc[1] = [1.0, 0.0]
    weights.iloc[6] = [0.0, 1.0]
    result = run(close, weights, Liquidity(close=close, volume=volume), cap=VolumeCap(0.5))
    t = result.trades
    a_buys = t[(t["ticker"] == "A") & (t["side"] == "buy")]
    assert set(a_buys["date"]) == set(index[1:6]) and (a_buys["shares"] == 50.0).all()
    assert (t[t["date"] >= index[6]]["order_date"] == index[6]).all()
    assert result.positions["A"].iloc[-1] == 0.0


@PROPS
@given(seed=st.integers(0, 10_000), lot=st.sampled_from([1, 10, 100]), cash=st.sampled_from([3e3, 1e5, 1e7]),
       min_value=st.sampled_from([0.0, 500.0]))
def test_whole_shares_never_overspend_cash(seed, lot, cash, min_value):
    close, _, volume, weights = market(seed)
    result = run(close, weights, Liquidity(close=close, volume=volume), shares=WholeShares(lot, min_value),
                 cap=VolumeCap(0.2), init_cash=cash)
    assert np.all(result.cash.to_numpy() >= 0)
    t = result.trades
    buys = t[t["side"] == "buy"]
    np.testing.assert_allclose(buys["shares"] / lot, np.round(buys["shares"] / lot), atol=1e-9)
    pos = result.positions.to_numpy()
    np.testing.assert_allclose(pos / lot, np.round(pos / lot), atol=1e-9)
    if min_value:
        first = t.drop_duplicates(["order_date", "ticker", "side"])
        placed = first["ordered"] * close.stack().reindex(
            pd.MultiIndex.from_arrays([first["order_date"], first["ticker"]])).to_numpy()
        exits = first["side"] == "sell"
        assert (placed[~exits.to_numpy()] >= min_value - 1e-9).all()


def test_next_open_fills_at_the_open_by_hand():
    close, open_, volume, _ = market(5, n_cols=2)
    weights = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    weights.iloc[10] = [0.45, 0.45]
    liq = Liquidity(close=close, volume=volume, open=open_)
    result = run(close, weights, liq, fills=NextOpen())
    t = result.trades
    assert list(t["date"]) == [close.index[10]] * 2
    np.testing.assert_allclose(t["price"], open_.iloc[10][t["ticker"]].to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(t["shares"], 0.45 * 1e6 / open_.iloc[10][t["ticker"]].to_numpy(), rtol=1e-9)
    open_missing = open_.copy()
    open_missing.iloc[10, 0] = np.nan  # no open known: that name fills at the close
    t2 = run(close, weights, Liquidity(close=close, volume=volume, open=open_missing), fills=NextOpen()).trades
    assert t2.set_index("ticker").loc["S00", "price"] == close.iloc[10, 0]
    with pytest.raises(InputError, match="open prices"):
        run(close, weights, Liquidity(close=close, volume=volume), fills=NextOpen())


def test_cash_yield_by_hand():
    index = pd.bdate_range("2023-01-02", periods=10)
    close = pd.DataFrame({"A": np.linspace(10, 11, 10)}, index=index)
    weights = pd.DataFrame(np.nan, index=index, columns=["A"])
    weights.iloc[3] = 0.25
    yield_percent = pd.Series([4.0, 5.0], index=pd.DatetimeIndex(["2022-12-01", "2023-01-06"]))
    cy = CashYield.from_yield(yield_percent)
    result = run(close, weights, cash_yield=cy)
    plain = run(close, weights)
    # Each session earns the rate known at the close before it, on the cash left overnight.
    rates = np.where(index[:-1] >= pd.Timestamp("2023-01-06"), 0.05, 0.04) / 252
    np.testing.assert_allclose(result.interest.to_numpy()[1:], result.cash.to_numpy()[:-1] * rates, rtol=1e-12)
    assert result.interest.iloc[0] == 0.0 and result.value.iloc[-1] > plain.value.iloc[-1]
    # Without trades the value compounds the rates.
    empty = pd.DataFrame(np.nan, index=index, columns=["A"])
    idle = run(close, empty, cash_yield=cy)
    np.testing.assert_allclose(idle.value.iloc[-1], 1e6 * np.prod(1 + rates), rtol=1e-12)


def test_models_validate_and_print():
    for bad in (lambda: VolumeCap(0), lambda: VolumeCap(-1), lambda: SquareRootImpact(-0.1),
                lambda: SquareRootImpact(1.0, 1), lambda: WholeShares(0), lambda: WholeShares(1, -5.0),
                lambda: CashYield(pd.Series([1.0])), lambda: Execution(cap=0.1)):
        with pytest.raises(InputError):
            bad()
    e = Execution(cap=VolumeCap(0.05), impact=SquareRootImpact(0.5), fills=NextOpen(), shares=WholeShares(100))
    assert repr(e).endswith("cap=VolumeCap(0.05), impact=SquareRootImpact(k=0.5, window=20), fills=NextOpen(), "
                            "shares=WholeShares(lot=100, min_order_value=0))")
    assert e == Execution(cap=VolumeCap(0.05), impact=SquareRootImpact(0.5), fills=NextOpen(), shares=WholeShares(100))
    assert Execution().models == () and Execution().model_params().participation == math.inf
    close, _, _, weights = market(1)
    with pytest.raises(InputError, match="liquidity"):
        run(close, weights, cap=VolumeCap(0.1))
    with pytest.raises(InputError, match="volume"):
        run(close, weights, Liquidity(close=close), cap=VolumeCap(0.1))


def test_an_order_without_volume_never_fills_and_says_so():
    index = pd.bdate_range("2022-01-03", periods=10)
    close = pd.DataFrame({"A": 10.0, "B": 5.0}, index=index)
    volume = pd.DataFrame({"A": 1e9, "B": 0.0}, index=index)
    weights = pd.DataFrame(np.nan, index=index, columns=["A", "B"])
    weights.iloc[1] = [0.5, 0.5]
    result = run(close, weights, Liquidity(close=close, volume=volume), cap=VolumeCap(0.1))
    fills = result.fills().set_index("ticker")
    assert fills.loc["A", "fill_rate"] == pytest.approx(1.0) and fills.loc["A", "sessions"] == 0
    assert fills.loc["B", "filled"] == 0.0 and np.isnan(fills.loc["B", "sessions"])
    assert fills.loc["B", "ordered"] == pytest.approx(0.5 * 1e6 / 5.0)
    assert result.cash.iloc[-1] == pytest.approx(1e6 - 0.5e6 * 1.001)  # unfilled cash stays cash
