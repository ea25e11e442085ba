"""Tuning: parameter sweeps on the batch kernel, walk-forward validation, overfitting diagnostics."""

from backtest.tuning.grid import parse_grid_option
from backtest.tuning.overfit import DSRResult, PBOResult, deflated_sharpe, pbo, sweep_dsr
from backtest.tuning.sweep import SweepResult, sweep
from backtest.tuning.walkforward import WalkForwardResult, walk_forward

__all__ = [
    "DSRResult",
    "PBOResult",
    "SweepResult",
    "WalkForwardResult",
    "deflated_sharpe",
    "parse_grid_option",
    "pbo",
    "sweep",
    "sweep_dsr",
    "walk_forward",
]
