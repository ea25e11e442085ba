"""The engine: numba kernels on arrays and the thin pandas-facing `simulate`."""

from backtest.engine.schedule import Schedule
from backtest.engine.simulate import simulate

__all__ = ["Schedule", "simulate"]
