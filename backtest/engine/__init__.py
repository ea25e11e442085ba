"""The engine: numba kernels on arrays and the thin pandas-facing `simulate`."""

from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.backtest.engine.simulate import simulate

__all__ = ["Schedule", "simulate"]
