"""`SuspectPrices`, `MinDaysTraded`, `MinDollarVolume` and `HolderCount(0)` alone, and no look-ahead through them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.errors import InputError
from hedgeclone.strategies import MicrocapScreen, PointInTimeView
from hedgeclone.strategies.steps import HolderCount, MinDaysTraded, MinDollarVolume, Picks, SuspectPrices

DAY = pd.Timestamp("2020-06-30")


def marks(*rows) -> pd.DataFrame:
    return pd.DataFrame({"ticker": [r[0] for r in rows], "date": pd.to_datetime([r[1] for r in rows]),
                         "ratio": [float(r[2]) for r in rows]})


def with_marks(market, frame):
    return dataclasses.replace(market, suspect=frame)


def test_suspect_prices_leaves_out_marked_names_inside_the_window_only(small_market):
    a, b, c, d = small_market.close.loc[DAY].dropna().index[:4]
    cal = small_market.close.index
    sixty = cal[cal.get_loc(DAY) - 59]  # the first of the last 60 sessions
    market = with_marks(small_market, marks((a, "2020-01-02", 10), (b, "2019-12-31", 0.5), (c, sixty, 2.0),
                                            (d, "2020-07-01", 25)))  # d: after the view date
    view = PointInTimeView(market, DAY)
    picks = Picks(tickers=pd.Index([a, b, c, d]))
    ytd = SuspectPrices("ytd")(view, picks)
    assert list(ytd.tickers) == [b, d]  # b moved last year, d after the view date: neither counts
    assert any(f"{a} (2020-01-02 x10)" in n and f"{c} ({sixty.date()} x2)" in n for n in ytd.notes)
    assert list(SuspectPrices(60)(view, picks).tickers) == [a, b, d]
    assert list(SuspectPrices(59)(view, picks).tickers) == [a, b, c, d]  # the window starts a session later
    marked = SuspectPrices("ytd", exclude=False)(view, picks)
    assert list(marked.tickers) == [a, b, c, d]
    assert marked.info["suspect"].to_dict() == {a: "2020-01-02 x10", b: "", c: f"{sixty.date()} x2", d: ""}
    assert SuspectPrices("ytd")(PointInTimeView(small_market, DAY), picks) is picks  # no marks: unchanged


def test_days_traded_and_dollar_volume_are_the_last_sessions_up_to_the_date(small_market):
    view = PointInTimeView(small_market, DAY)
    names = small_market.close.loc[DAY].dropna().index[:30]
    volume = small_market.volume.copy()
    window = volume.loc[:DAY].index[-20:]
    volume.loc[window[:5], names[0]] = 0.0
    volume.loc[window[:15], names[1]] = np.nan
    market = dataclasses.replace(small_market, volume=volume)
    view = PointInTimeView(market, DAY)
    out = MinDaysTraded(0.7)(view, Picks(tickers=names))
    share = (volume.loc[window, names] > 0).sum() / 20
    assert share[names[0]] == 0.75 and share[names[1]] == 0.25
    assert list(out.tickers) == list(names[(share >= 0.7).to_numpy()]) and names[1] not in out.tickers
    np.testing.assert_allclose(out.info["days_traded"], share[out.tickers])
    dollar = (small_market.raw_close.loc[window, names] * volume.loc[window, names]).median()
    floor = float(dollar.median())
    out = MinDollarVolume(floor)(view, Picks(tickers=names))
    assert list(out.tickers) == list(names[(dollar >= floor).to_numpy()])
    np.testing.assert_allclose(out.info["dollar_volume"], dollar[out.tickers], rtol=1e-12)
    assert list(MinDollarVolume(0.0)(view, Picks(tickers=names)).tickers) == list(names)  # 0: columns only
    with pytest.raises(InputError, match="min_days_traded must be a share"):
        MinDaysTraded(1.5)
    silent = PointInTimeView(dataclasses.replace(small_market, volume=None), DAY)
    plain = Picks(tickers=names)
    assert MinDaysTraded(0.0)(silent, plain) is plain
    with pytest.raises(InputError, match="min_days_traded = 0.7 needs daily volumes"):
        MinDaysTraded(0.7)(silent, Picks(tickers=names))


def test_holder_count_zero_passes_a_market_without_13f_through(small_market):
    bare = dataclasses.replace(small_market, holdings=None)
    picks = Picks(tickers=small_market.close.loc[DAY].dropna().index[:5])
    assert HolderCount(0)(PointInTimeView(bare, DAY), picks) is picks
    run = run_strategy(MicrocapScreen(min_cap=10e6, max_cap=500e6, min_holders=0, min_price=0.0), bare,
                       start="2020-01-02", end="2020-12-31")
    assert len(run.picks) and all(len(p.tickers) for p in run.picks.values())


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(250, 700), factor=st.floats(0.0, 10.0), seed=st.integers(0, 1000))
def test_marks_and_volumes_after_a_date_change_no_decision_up_to_it(small_market, day, factor, seed):
    rng = np.random.default_rng(seed)
    cal = small_market.close.index
    cut = cal[day]
    tickers = small_market.close.columns
    before = marks(*[(t, cal[rng.integers(day - 120, day)], 10) for t in rng.choice(tickers, 40, replace=False)])
    later = marks(*[(t, cal[rng.integers(day + 1, len(cal))], 0.1) for t in rng.choice(tickers, 200)])
    volume = small_market.volume.copy()
    volume.loc[cal > cut] *= factor
    strat = MicrocapScreen(min_cap=10e6, max_cap=500e6, rebalance="monthly", min_price=0.0, min_holders=0,
                           min_dollar_volume=1e4, min_days_traded=0.8, rank_by="3m")
    a = run_strategy(strat, with_marks(small_market, before), start="2019-02-01", end="2021-12-31")
    b = run_strategy(strat, dataclasses.replace(with_marks(small_market, pd.concat([before, later])), volume=volume),
                     start="2019-02-01", end="2021-12-31")
    for date, picks in a.picks.items():
        if date <= cut:
            assert picks.weight.to_dict() == b.picks[date].weight.to_dict(), date
