"""Runs read the consensus scores from the all-dates panels and decide exactly as per date."""

from __future__ import annotations

import pandas as pd

from hedgeclone.backtest.replay import decide_all
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.strategies.consensus import HedgeFundConsensus
from hedgeclone.strategies.microcap import MicrocapScreen
from hedgeclone.strategies.view import PointInTimeView


def per_date(strategy, market, dates):
    index = HoldingsIndex(market.holdings)  # not prepared: every date computed on its own
    return {d: strategy.decide(PointInTimeView(market, d, index)) for d in dates}


def test_consensus_and_microcap_decisions_equal_the_per_date_ones(small_market):
    for strategy in (HedgeFundConsensus(top_n=8, weighting="score", score="conviction"),
                     HedgeFundConsensus(top_n=5, merge_share_classes=False, max_filing_age_quarters=None),
                     MicrocapScreen(min_holders=2, rebalance="deadline")):
        dates = strategy.decision_dates(small_market)[:12]
        picks, _ = decide_all(strategy, small_market, dates)
        expected = per_date(strategy, small_market, dates)
        for d in dates:
            pd.testing.assert_series_equal(picks[d].weight, expected[d].weight, check_exact=True)
            pd.testing.assert_frame_equal(picks[d].info, expected[d].info, check_exact=True)
            assert picks[d].notes == expected[d].notes


def test_decide_all_builds_the_panel_once_for_all_dates(small_market, monkeypatch):
    built = []
    original = HoldingsIndex.panels

    def spy(self, dates, **kw):
        built.append(len(dates))
        return original(self, dates, **kw)

    monkeypatch.setattr(HoldingsIndex, "panels", spy)
    strategy = HedgeFundConsensus(top_n=5)
    dates = strategy.decision_dates(small_market)[:10]
    decide_all(strategy, small_market, dates)
    assert built == [10]


def test_holder_counts_by_ticker_before_any_filing_is_known_are_empty(small_market):
    table = HoldingsIndex(small_market.holdings).issuers_as_of("2000-01-03")
    assert table.for_tickers().empty
