"""Strategies: stacks of small steps evaluated on a point-in-time view."""

from strategies.calendar import after_filing_deadline
from strategies.consensus import HedgeFundConsensus
from strategies.runner import Strategy, StrategyRun, run_strategy
from strategies.steps import EqualWeight, HolderScore, MinHolders, Picks, ScoreWeight, TopN, Tradable
from strategies.view import MarketData, PointInTimeView

__all__ = [
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
