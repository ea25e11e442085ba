"""The engine: numba kernels on arrays and the thin pandas-facing `simulate`.

`simulate` converts once (`convert`), calls the kernel (`kernels`) and wraps once (`Result`);
the batch (`batch`) runs many parameter sets through the same kernel. Costs, cash and lag
travel as one `Execution`.
"""

from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.result import Result
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.backtest.engine.simulate import simulate

__all__ = ["Execution", "Result", "Schedule", "simulate"]
