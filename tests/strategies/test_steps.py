"""Each strategy step alone, on a small hand-made market: what it requires and what it sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgeclone.errors import InputError
from hedgeclone.strategies.filers import FilerFilter
from hedgeclone.strategies.steps import (
    CappedWeight,
    EqualWeight,
    FixedWeight,
    HolderCount,
    HolderScore,
    MarketCapBand,
    MinDollarVolume,
    MinHolders,
    MinPrice,
    Momentum,
    Picks,
    Priced,
    Rank,
    ScoreWeight,
    Tickers,
    TopN,
    Tradable,
    _best_unpriced,
    _positions,
)
from hedgeclone.strategies.view import PointInTimeView

CAL = pd.bdate_range("2023-12-01", "2024-06-28")
TICKERS = ["AAA", "BBB", "CCC", "DDD", "GOOG", "GOOGL"]
DAY = pd.Timestamp("2024-05-20")


@dataclass
class Market:
    close: pd.DataFrame
    raw_close: pd.DataFrame | None
    volume: pd.DataFrame | None
    shares: pd.DataFrame | None
    holdings: pd.DataFrame | None


def hold(cik, cusip, ticker, value, period="2024-03-31", filed="2024-05-10", name=None):
    return {"cik": cik, "filer_name": f"F{cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
            "accession": f"{cik}-{period}", "form": "13F-HR", "amendment_type": None, "cusip": cusip,
            "ticker": ticker, "issuer": name or f"{ticker} INC", "value_usd": float(value), "shares": 1.0,
            "put_call": None}


def market() -> Market:
    n = len(CAL)
    growth = {"AAA": 0.002, "BBB": 0.001, "CCC": -0.001, "DDD": 0.0005, "GOOG": 0.0012, "GOOGL": 0.0011}
    close = pd.DataFrame({t: 10.0 * np.exp(g * np.arange(n)) for t, g in growth.items()}, index=CAL)
    close.loc[DAY, "DDD"] = np.nan  # DDD does not trade on the decision day
    raw = close * 2.0
    volume = pd.DataFrame(1000.0, index=CAL, columns=TICKERS)
    volume["BBB"] = 10.0
    shares = pd.DataFrame({"ticker": ["AAA", "BBB", "CCC", "AAA"], "known_from": pd.to_datetime(
        ["2024-01-02", "2024-01-02", "2024-01-02", "2024-06-03"]), "shares": [5e6, 1e8, 1e6, 1e9]})
    rows = [
        hold(1, "AAA000101", "AAA", 60), hold(1, "GGGGGG101", "GOOG", 20), hold(1, "GGGGGG201", "GOOGL", 20),
        hold(2, "AAA000101", "AAA", 10), hold(2, "BBB000101", "BBB", 90),
        hold(3, "GGGGGG201", "GOOGL", 50), hold(3, "CCC000101", "CCC", 50, name="CCC INDEX FUND"),
        hold(4, "DDD000101", "DDD", 100), hold(4, "GGGGGG201", "GOOGL", 1),
        hold(5, "AAA000101", "AAA", 100, period="2023-09-30", filed="2023-11-10"),  # stale on DAY
    ]
    return Market(close, raw, volume, shares, pd.DataFrame(rows))


@pytest.fixture
def view() -> PointInTimeView:
    return PointInTimeView(market(), DAY)


def start(tickers=()) -> Picks:
    return Picks(tickers=pd.Index(list(tickers)))


def test_tradable_is_every_ticker_priced_that_day(view):
    assert list(Tradable()(view, start()).tickers) == ["AAA", "BBB", "CCC", "GOOG", "GOOGL"]


def test_tickers_keeps_the_listed_ones_that_trade(view):
    assert "DDD" in view.market.close.columns  # in the market, but not trading that day
    assert list(Tickers(("GOOG", "DDD", "AAA"))(view, start()).tickers) == ["AAA", "GOOG"]


def test_tickers_the_market_has_never_priced_are_refused(view):
    with pytest.raises(InputError, match="'ZZZ' have no prices"):
        Tickers(("GOOG", "ZZZ"))(view, start())


def test_holder_score_counts_issuers_once_per_filer_and_trades_the_most_held_class(view):
    picks = HolderScore(universe=True)(view, start())
    # Alphabet (GGGGGG): filers 1, 3, 4 -> GOOGL (3 filers) over GOOG (1); DDD has no price.
    assert picks.score.to_dict() == {"GOOGL": 3.0, "AAA": 2.0, "BBB": 1.0, "CCC": 1.0}
    assert picks.info.loc["GOOGL", "issuer"] == "GGGGGG" and picks.info.loc["GOOGL", "hf_holders"] == 3
    assert picks.info.loc["GOOGL", "cusips"] == "GGGGGG101 GGGGGG201"
    assert picks.info.loc["GOOGL", "conviction"] == pytest.approx(0.4 + 0.5 + 1 / 101)
    assert picks.ties == (("conviction", False), ("issuer", True))
    assert list(picks.unpriced.index) == ["DDD"] and picks.unpriced.loc["DDD", "score"] == 1.0
    assert picks.notes == ("1 of 5 13F filers left out as stale (latest report before 2023Q4)",)
    # Not the universe: only the incoming tickers; GOOG stands for Alphabet if GOOGL is not among them.
    some = HolderScore()(view, start(["GOOG", "BBB", "DDD"]))
    assert some.score.to_dict() == {"GOOG": 3.0, "BBB": 1.0, "DDD": 1.0} and some.unpriced.empty
    assert "CCC" not in HolderScore(universe=True, exclude_funds=True)(view, start()).tickers
    apart = HolderScore(universe=True, merge_share_classes=False)(view, start())
    assert apart.score["GOOGL"] == 3.0 and apart.score["GOOG"] == 1.0
    assert HolderScore(universe=True, max_age_quarters=None)(view, start()).score["AAA"] == 3.0
    assert HolderScore("conviction", universe=True)(view, start()).score["AAA"] == pytest.approx(0.6 + 0.1)
    with pytest.raises(InputError, match="score metric"):
        HolderScore("aum")


def test_holder_count_filters_by_the_issuers_distinct_filers(view):
    picks = HolderCount(2)(view, start(["AAA", "BBB", "GOOG", "GOOGL"]))
    assert list(picks.tickers) == ["AAA", "GOOG", "GOOGL"]  # both classes of Alphabet carry its 3 holders
    assert picks.info["hf_holders"].to_dict() == {"AAA": 2, "GOOG": 3, "GOOGL": 3}
    assert picks.notes and "stale" in picks.notes[0]
    assert HolderCount(0)(view, start(["ZZZ"])).notes == ()  # off: nothing to report
    assert HolderCount(0)(view, start(["ZZZ"])).info["hf_holders"].tolist() == [0]


def test_min_holders_needs_hf_holders_and_keeps_enough(view):
    picks = HolderScore(universe=True)(view, start())
    assert list(MinHolders(2)(view, picks).tickers) == ["GOOGL", "AAA"]
    with pytest.raises(KeyError):
        MinHolders(2)(view, start(["AAA"]))


def test_priced_moves_names_without_a_price_to_unpriced(view):
    picks = Picks(pd.Index(["AAA", "DDD"]), score=pd.Series({"AAA": 1.0, "DDD": 5.0}))
    out = Priced()(view, picks)
    assert list(out.tickers) == ["AAA"] and out.unpriced["score"].to_dict() == {"DDD": 5.0}


def test_market_cap_band_uses_raw_close_and_shares_known_on_the_date(view):
    out = MarketCapBand(50e6, 300e6)(view, start(["AAA", "BBB", "CCC"]))
    raw = view.last_raw_close()
    assert out.info.loc["AAA", "market_cap"] == pytest.approx(raw["AAA"] * 5e6)  # not June's 1e9 shares
    cap = raw[["AAA", "BBB", "CCC"]] * pd.Series({"AAA": 5e6, "BBB": 1e8, "CCC": 1e6})
    assert list(out.tickers) == list(cap.index[(cap >= 50e6) & (cap <= 300e6)])
    assert "BBB" not in out.tickers  # 1e8 shares x ~$26: billions


def test_min_price_reads_the_raw_close(view):
    raw = view.last_raw_close()
    threshold = float(raw[["AAA", "CCC"]].mean())
    assert list(MinPrice(threshold)(view, start(["AAA", "CCC"])).tickers) == (
        ["AAA"] if raw["AAA"] > raw["CCC"] else ["CCC"])


def test_min_dollar_volume_is_the_median_over_the_window(view):
    out = MinDollarVolume(1000.0, days=5)(view, start(["AAA", "BBB"]))
    assert list(out.tickers) == ["AAA"]  # BBB trades 10 shares a day


def test_momentum_is_the_return_to_the_date(view):
    close = view.close()
    out = Momentum("ytd")(view, start(["AAA", "CCC"]))
    want = close.loc[DAY, "AAA"] / close.loc["2023-12-29", "AAA"] - 1
    assert out.score["AAA"] == pytest.approx(want) and out.info.loc["AAA", "ytd_return"] == pytest.approx(want)
    three = Momentum("3m")(view, start(["AAA"]))
    assert three.score["AAA"] == pytest.approx(close["AAA"].iloc[-1] / close["AAA"].iloc[-64] - 1)
    with pytest.raises(InputError, match="rank_by"):
        Momentum("2w")


def test_rank_orders_by_score_then_the_tie_columns_then_ticker(view):
    info = pd.DataFrame({"conviction": [0.2, 0.9, 0.2], "issuer": ["B", "C", "A"]}, index=["X", "Y", "Z"])
    picks = Picks(pd.Index(["X", "Y", "Z"]), score=pd.Series({"X": 1.0, "Y": 1.0, "Z": 1.0}), info=info,
                  ties=(("conviction", False), ("issuer", True)))
    assert list(Rank()(view, picks).tickers) == ["Y", "Z", "X"]
    plain = Picks(pd.Index(["B", "A", "C"]), score=pd.Series({"B": 1.0, "A": 1.0, "C": 2.0}))
    assert list(Rank()(view, plain).tickers) == ["C", "A", "B"]


def _oracle_order(score, conviction, issuer, labels) -> list[int]:
    """Rank order by plain Python sorting: score desc, conviction desc, issuer asc (NaN/None last), label."""
    def key(i):
        s, c, u = score[i], conviction[i], issuer[i]
        return (np.isnan(s), -s if not np.isnan(s) else 0, np.isnan(c), -c if not np.isnan(c) else 0,
                u is None, u or "", str(labels[i]))
    return sorted(range(len(labels)), key=key)


rows = st.lists(st.tuples(st.sampled_from([np.nan, 0.0, 1.0, 2.0, 3.5]), st.sampled_from([np.nan, 0.0, 0.25, 0.5]),
                          st.sampled_from([None, "A", "B", "AB"]), st.sampled_from(["X", "Y", "Z", "XY", "W"])),
                max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows, st.booleans())
def test_positions_is_the_stable_rank_order_presorted_or_not(data, presort):
    if presort:  # what a score step hands on: already in order, which `_positions` must see without sorting
        data = [data[i] for i in _oracle_order(*[[r[k] for r in data] for k in range(4)])]
    score, conviction, issuer, labels = (np.array([r[k] for r in data], dtype=float if k < 2 else object)
                                         for k in range(4))
    got = _positions([score, conviction, issuer], (("conviction", False), ("issuer", True)), pd.Index(labels))
    assert list(got) == _oracle_order(score, conviction, issuer, labels)


def test_top_n_keeps_the_best_and_says_which_unpriced_ones_it_replaced(view):
    picks = TopN(2)(view, HolderScore(universe=True)(view, start()))
    assert list(picks.tickers) == ["GOOGL", "AAA"] and not any("prices" in n for n in picks.notes)
    picks = TopN(3)(view, HolderScore(universe=True)(view, start()))
    # DDD (1 holder, conviction 1.0) outranks BBB (0.9) and CCC (0.5) but has no price.
    assert list(picks.tickers) == ["GOOGL", "AAA", "BBB"]
    assert picks.notes[-1] == "2 of the top 3 by score had prices; 1 without (DDD) replaced by the next-ranked"
    with pytest.raises(InputError, match="top_n"):
        TopN(0)


@pytest.mark.parametrize("seed", range(6))
def test_the_best_unpriced_are_those_of_every_row_filtered_then_ranked(seed):
    # Ranked (as HolderScore lists them: the prefix path) or shuffled (the whole frame), with repeated
    # labels, labels that are also priced, and ties on every column but the label.
    rng = np.random.default_rng(seed)
    m = 300
    frame = pd.DataFrame({"score": rng.integers(0, 6, m).astype(float), "conviction": rng.integers(0, 3, m) / 2,
                          "issuer": rng.choice(["X", "Y", None], m)}, index=pd.Index(rng.choice(
                              [f"L{k:03d}" for k in range(120)], m), dtype=object))
    ties = (("conviction", False), ("issuer", True))
    ranked = frame.iloc[_positions([frame[c].to_numpy() for c in ("score", "conviction", "issuer")], ties, frame.index)]
    priced = pd.Index([f"L{k:03d}" for k in range(0, 120, 3)])
    for unpriced in (ranked, frame):
        for n in (1, 5, 40, 500):
            passing = unpriced[~unpriced.index.isin(priced) & ~unpriced.index.duplicated(keep="first")]
            order = _positions([passing[c].to_numpy() for c in ("score", "conviction", "issuer")], ties, passing.index)
            want = passing.iloc[order[:n]]
            labels, columns = _best_unpriced(unpriced, priced, ties, n)
            assert list(labels) == list(want.index)
            np.testing.assert_array_equal(columns[0], want["score"].to_numpy())
            np.testing.assert_array_equal(columns[1], want["conviction"].to_numpy())
            assert list(columns[2]) == list(want["issuer"])


def test_equal_weight(view):
    assert EqualWeight()(view, start(["A", "B", "C", "D"])).weight.tolist() == [0.25] * 4
    assert EqualWeight()(view, start()).weight.empty


def test_score_weight_is_proportional_and_ignores_negative_scores(view):
    picks = Picks(pd.Index(["A", "B", "C"]), score=pd.Series({"A": 3.0, "B": 1.0, "C": -2.0}))
    assert ScoreWeight()(view, picks).weight.to_dict() == {"A": 0.75, "B": 0.25, "C": 0.0}


def test_capped_weight_caps_and_spreads_the_excess(view):
    picks = Picks(pd.Index(list("ABCD")), score=pd.Series({"A": 10.0, "B": 1.0, "C": 1.0, "D": 1.0}))
    weight = CappedWeight(0.4)(view, picks).weight
    assert weight["A"] == pytest.approx(0.4) and weight.sum() == pytest.approx(1.0)
    assert weight[["B", "C", "D"]].tolist() == pytest.approx([0.2, 0.2, 0.2])
    with pytest.raises(InputError, match="max_weight"):
        CappedWeight(0.0)


def test_fixed_weight_reads_the_configured_weights(view):
    out = FixedWeight((("A", 0.7), ("B", 0.3)))(view, start(["B", "A", "C"]))
    assert out.weight["A"] == 0.7 and out.weight["B"] == 0.3 and np.isnan(out.weight["C"])


def test_filer_filter_counts_size_in_issuers_under_the_same_rules(view):
    assert FilerFilter(ciks=(2, 3, 5))(view, start()).filers == (2, 3)  # 5 is stale
    assert FilerFilter(ciks=(2, 3, 5), max_age_quarters=None)(view, start()).filers == (2, 3, 5)
    # Filer 1 holds three CUSIPs of two issuers: two positions.
    assert FilerFilter(max_positions=2)(view, start()).filers == (1, 2, 3, 4)
    assert FilerFilter(min_aum=100.0)(view, start()).filers == (1, 2, 3, 4)
    assert FilerFilter(min_aum=101.5)(view, start()).filers == ()
