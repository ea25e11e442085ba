"""hedgeclone's backtester: the engine and its results at the bottom, the application on top.

Re-exports only the engine's names (`simulate`, `Schedule`, `Result`) and the errors, so that
importing it loads neither the reports nor the command line.
"""

from hedgeclone.backtest.engine import Execution, Schedule, simulate
from hedgeclone.backtest.result import Result
from hedgeclone.errors import CorruptFileError, DataError, HedgecloneError, InputError
from hedgeclone.version import __version__

__all__ = [
    "CorruptFileError",
    "DataError",
    "Execution",
    "HedgecloneError",
    "InputError",
    "Result",
    "Schedule",
    "simulate",
    "__version__",
]
