"""Strategies: stacks of small steps evaluated on a point-in-time view."""

from hedgeclone.strategies.basic import BuyAndHold, FixedWeights
from hedgeclone.strategies.calendar import after_filing_deadline
from hedgeclone.strategies.config import STRATEGIES, BacktestConfig, DataConfig, RunConfig, load_config
from hedgeclone.strategies.consensus import HedgeFundConsensus
from hedgeclone.strategies.microcap import MicrocapScreen
from hedgeclone.strategies.runner import Strategy, StrategyRun, run_strategy
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
    "StrategyRun",
    "TopN",
    "Tradable",
    "after_filing_deadline",
    "run_strategy",
]
