"""hedgeclone's backtester: engine, results, metrics, reports, tuning and the CLI."""

from backtest.compare import compare
from backtest.engine import Schedule, simulate
from backtest.errors import CorruptFileError, DataError, HedgecloneError, InputError
from backtest.result import Result

__version__ = "0.1.0"

__all__ = [
    "CorruptFileError",
    "DataError",
    "HedgecloneError",
    "InputError",
    "Result",
    "compare",
    "Schedule",
    "simulate",
    "__version__",
]
