"""Strategies: stacks of small steps evaluated on a point-in-time view.

A strategy only decides (`Strategy.decide(view) -> Picks`, `Strategy.decision_dates(market)`);
replaying its decisions into a backtest is the application's (`hedgeclone.backtest.replay`).
"""

from hedgeclone.strategies.base import Strategy
from hedgeclone.strategies.basic import BuyAndHold, FixedWeights
from hedgeclone.strategies.calendar import after_filing_deadline
from hedgeclone.strategies.config import STRATEGIES, BacktestConfig, DataConfig, RunConfig, load_config
from hedgeclone.strategies.consensus import HedgeFundConsensus
from hedgeclone.strategies.microcap import MicrocapScreen
from hedgeclone.strategies.steps import (
    EqualWeight,
    HolderScore,
    MinHolders,
    Picks,
    ScoreWeight,
    TopN,
    Tradable,
)
from hedgeclone.strategies.view import MarketData, PointInTimeView

__all__ = [
    "STRATEGIES",
    "BacktestConfig",
    "BuyAndHold",
    "DataConfig",
    "FixedWeights",
    "MicrocapScreen",
    "RunConfig",
    "load_config",
    "EqualWeight",
    "HedgeFundConsensus",
    "HolderScore",
    "MarketData",
    "MinHolders",
    "Picks",
    "PointInTimeView",
    "ScoreWeight",
    "Strategy",
    "TopN",
    "Tradable",
    "after_filing_deadline",
]
