"""The consensus strategy on a small hand-made market: dates, scores, selection, no look-ahead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.strategies import HedgeFundConsensus, PointInTimeView, after_filing_deadline
from hedgeclone.strategies.steps import EqualWeight, HolderScore, Picks, TopN, Tradable

CAL = pd.bdate_range("2023-12-01", "2024-12-31")
TICKERS = ["AAA", "BBB", "CCC", "DDD", "EEE"]


@dataclass
class Market:
    close: pd.DataFrame
    holdings: pd.DataFrame
    raw_close: pd.DataFrame | None = None
    volume: pd.DataFrame | None = None
    shares: pd.DataFrame | None = None


def filing(cik, period, filed, tickers, accession=None, form="13F-HR", amendment=None):
    rows = []
    for i, t in enumerate(tickers):
        rows.append({
            "cik": cik, "filer_name": f"Fund {cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
            "accession": accession or f"000000{cik:04d}-{filed[2:4]}-{period[5:7]}", "form": form,
            "amendment_type": amendment, "cusip": f"{t}000000"[:9], "ticker": t, "issuer": f"{t} Corp",
            "value_usd": 1000.0 * (len(tickers) - i), "shares": 10.0, "put_call": None,
        })
    return rows


def market() -> Market:
    rng = np.random.default_rng(3)
    close = pd.DataFrame(np.exp(np.cumsum(rng.normal(0, 0.01, (len(CAL), 5)), axis=0)) * 50, index=CAL, columns=TICKERS)
    rows = (
        filing(1, "2023-12-31", "2024-02-10", ["AAA", "BBB"])
        + filing(2, "2023-12-31", "2024-02-14", ["AAA", "CCC"])
        + filing(3, "2023-12-31", "2024-03-20", ["DDD", "CCC", "EEE"])  # late: after the deadline
        + filing(1, "2024-03-31", "2024-05-01", ["EEE", "DDD"])
        + filing(2, "2024-03-31", "2024-05-10", ["EEE", "DDD"])
        + filing(3, "2024-03-31", "2024-05-15", ["EEE"])
    )
    return Market(close=close, holdings=pd.DataFrame(rows))


def test_decision_dates_follow_the_45_day_deadline():
    dates = after_filing_deadline(CAL, "2024-01-01", "2024-12-31")
    # Q4 2023 + 45 days = 2024-02-14 -> next business day 2024-02-15; Q1: 05-15 -> 05-16 ...
    assert list(dates.strftime("%Y-%m-%d")) == ["2024-02-15", "2024-05-16", "2024-08-15", "2024-11-15"]
    shifted = after_filing_deadline(CAL, "2024-01-01", "2024-12-31", extra_days=5)
    assert shifted[0] == pd.Timestamp("2024-02-20")


def test_holder_count_scores_only_filings_public_on_the_date():
    m = market()
    picks = HolderScore()(PointInTimeView(m, pd.Timestamp("2024-02-15")), Tradable()(PointInTimeView(m, pd.Timestamp("2024-02-15")), Picks(pd.Index([]))))
    assert picks.score.to_dict() == {"AAA": 2.0, "BBB": 1.0, "CCC": 1.0}  # filer 3 filed late: unseen
    later = PointInTimeView(m, pd.Timestamp("2024-03-21"))
    assert HolderScore()(later, Tradable()(later, Picks(pd.Index([])))).score["CCC"] == 2.0


def test_top_n_breaks_ties_by_ticker_and_weighs_equally():
    m = market()
    view = PointInTimeView(m, pd.Timestamp("2024-02-15"))
    picks = Picks(pd.Index([]))
    for step in (Tradable(), HolderScore(), TopN(2), EqualWeight()):
        picks = step(view, picks)
    assert list(picks.tickers) == ["AAA", "BBB"]
    assert picks.weight.to_dict() == {"AAA": 0.5, "BBB": 0.5}


def test_run_buys_the_picks_the_day_after_each_decision():
    m = market()
    run = run_strategy(HedgeFundConsensus(top_n=2), m, start="2024-01-01", end="2024-06-28", fees=0.001)
    trades = run.result.trades
    assert set(trades.loc[trades["date"] == pd.Timestamp("2024-02-16"), "ticker"]) == {"AAA", "BBB"}
    assert set(run.picks[pd.Timestamp("2024-05-16")].tickers) == {"DDD", "EEE"}
    sold = trades[(trades["date"] == pd.Timestamp("2024-05-17")) & (trades["side"] == "sell")]
    assert set(sold["ticker"]) == {"AAA", "BBB"}


@pytest.mark.parametrize("cut", ["2024-02-15", "2024-05-16", "2024-08-15"])
def test_perturbing_data_after_a_date_changes_no_decision_up_to_it(cut):
    base = market()
    cut_ts = pd.Timestamp(cut)
    rng = np.random.default_rng(11)
    close = base.close.copy()
    after = close.index > cut_ts
    close.loc[after] = close.loc[after].to_numpy() * rng.uniform(0.2, 5.0, size=close.loc[after].shape)
    holdings = base.holdings.copy()
    later = holdings["filed"] >= cut_ts  # filed on the decision day: public only after its close
    holdings.loc[later, "ticker"] = "AAA"
    extra = pd.DataFrame(filing(9, "2024-06-30", "2024-08-16", ["BBB", "CCC"]))
    perturbed = Market(close=close, holdings=pd.concat([holdings, extra], ignore_index=True))
    strategy = HedgeFundConsensus(top_n=2)
    a = run_strategy(strategy, base, start="2024-01-01", end="2024-12-31")
    b = run_strategy(strategy, perturbed, start="2024-01-01", end="2024-12-31")
    for date in a.picks:
        if date <= cut_ts:
            assert a.picks[date].weight.to_dict() == b.picks[date].weight.to_dict(), date
    upto = a.result.index <= cut_ts
    np.testing.assert_array_equal(a.result.value[upto].to_numpy(), b.result.value[upto].to_numpy())
    # The perturbation is real: what comes after the cut does change.
    assert not np.allclose(a.result.value[~upto].to_numpy(), b.result.value[~upto].to_numpy())


def test_a_top_pick_without_prices_is_replaced_and_the_run_says_so():
    base = market()
    extra = pd.DataFrame(filing(1, "2023-12-31", "2024-02-10", ["ZZZ"])
                         + filing(2, "2023-12-31", "2024-02-14", ["ZZZ"]))  # same filings, one more line
    m = Market(close=base.close, holdings=pd.concat([base.holdings, extra], ignore_index=True))
    run = run_strategy(HedgeFundConsensus(top_n=2), m, start="2024-01-01", end="2024-03-29")
    picks = run.picks[pd.Timestamp("2024-02-15")]
    assert list(picks.tickers) == ["AAA", "BBB"]  # ZZZ (2 holders, no price) gave its place to BBB
    assert run.notes == ["2024-02-15: 1 of the top 2 by score had prices; 1 without (ZZZ) replaced by the next-ranked"]


def test_a_filing_dated_on_the_decision_day_waits_for_the_next_decision():
    base = market()
    # Filer 4 files on the deadline decision day 2024-02-15 itself (EDGAR accepts until 5:30 pm).
    extra = pd.DataFrame(filing(4, "2023-12-31", "2024-02-15", ["CCC"]) + filing(5, "2023-12-31", "2024-02-15", ["CCC"]))
    m = Market(close=base.close, holdings=pd.concat([base.holdings, extra], ignore_index=True))
    run = run_strategy(HedgeFundConsensus(top_n=1), m, start="2024-01-01", end="2024-05-31")
    assert list(run.picks[pd.Timestamp("2024-02-15")].tickers) == ["AAA"]
    filing_mode = run_strategy(HedgeFundConsensus(top_n=1, rebalance="filing", max_filing_age_quarters=None), m,
                               start="2024-01-01", end="2024-03-29")
    assert list(filing_mode.picks[pd.Timestamp("2024-02-16")].tickers) == ["CCC"]  # 3 holders from the next session
    assert list(filing_mode.picks[pd.Timestamp("2024-02-15")].tickers) == ["AAA"]  # after filer 2's filing only


def test_share_classes_are_one_pick_unless_asked_otherwise():
    base = market()
    rows = []
    for cik in (7, 8, 9):  # three more filers hold both classes of one issuer (CUSIPs BBB000101 / BBB000201)
        for t, cusip in (("BBB", "BBB000101"), ("BBX", "BBB000201")):
            rows += [dict(r, cusip=cusip, ticker=t) for r in filing(cik, "2023-12-31", "2024-02-12", [t])]
    close = base.close.assign(BBX=base.close["BBB"] * 1.01)
    m = Market(close=close, holdings=pd.concat([base.holdings, pd.DataFrame(rows)], ignore_index=True))
    view = PointInTimeView(m, pd.Timestamp("2024-02-15"))
    merged = HedgeFundConsensus(top_n=2).decide(view)
    assert list(merged.tickers) == ["BBB", "AAA"]  # 4 filers of the issuer; BBB is held by 4, BBX by 3
    assert merged.info.loc["BBB", "hf_holders"] == 4 and merged.info.loc["BBB", "cusips"] == "BBB000000 BBB000101 BBB000201"
    apart = HedgeFundConsensus(top_n=3, merge_share_classes=False).decide(view)
    assert list(apart.tickers) == ["BBB", "BBX", "AAA"]
