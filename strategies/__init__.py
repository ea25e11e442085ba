"""Strategies: stacks of small steps evaluated on a point-in-time view."""

from strategies.basic import BuyAndHold, FixedWeights
from strategies.calendar import after_filing_deadline
from strategies.config import STRATEGIES, BacktestConfig, DataConfig, RunConfig, load_config
from strategies.consensus import HedgeFundConsensus
from strategies.microcap import MicrocapScreen
from strategies.runner import Strategy, StrategyRun, run_strategy
from strategies.steps import EqualWeight, HolderScore, MinHolders, Picks, ScoreWeight, TopN, Tradable
from strategies.view import MarketData, PointInTimeView

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
