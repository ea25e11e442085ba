"""Tuning: parameter sweeps on the batch kernel, walk-forward validation, overfitting diagnostics."""

from hedgeclone.backtest.tuning.grid import parse_grid_option
from hedgeclone.backtest.tuning.overfit import (
    DSRResult,
    Overfitting,
    PBOResult,
    deflated_sharpe,
    overfitting,
    pbo,
    sweep_dsr,
)
from hedgeclone.backtest.tuning.sweep import SweepResult, sweep
from hedgeclone.backtest.tuning.walkforward import WalkForwardResult, walk_forward

__all__ = [
    "DSRResult",
    "Overfitting",
    "PBOResult",
    "SweepResult",
    "WalkForwardResult",
    "deflated_sharpe",
    "overfitting",
    "parse_grid_option",
    "pbo",
    "sweep",
    "sweep_dsr",
    "walk_forward",
]
