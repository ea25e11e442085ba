"""hedgeclone: a hedge-fund-imitation backtester.

The common script is short::

    import hedgeclone as hc
    market = hc.load_market("demo")
    run = hc.run(hc.HedgeFundConsensus(top_n=14), market, fees=0.001)
    run.stats()
    run.report("report.html")

This package is the ground floor: `hedgeclone.errors`, `hedgeclone.atomic` and
`hedgeclone.version` import nothing else of hedgeclone. The layers above it are
`hedgeclone.data` and the engine (`hedgeclone.backtest.engine`, `hedgeclone.backtest.metrics`),
then `hedgeclone.strategies`, then the application in `hedgeclone.backtest`.

The facade names below are resolved on first use (PEP 562) rather than imported here: an
eager import would make every `import hedgeclone.errors` (and so every data parser) load
numba, pandas and plotly, and would tie the ground floor to the floors above it.
"""

from __future__ import annotations

import importlib

from hedgeclone.errors import CorruptFileError, DataError, HedgecloneError, InputError
from hedgeclone.version import __version__

# facade name -> the module that defines it
_FACADE = {
    "load_market": "hedgeclone.data.market",
    "Market": "hedgeclone.data.market",
    "simulate": "hedgeclone.backtest.engine",
    "Schedule": "hedgeclone.backtest.engine",
    "Execution": "hedgeclone.backtest.engine",
    "Result": "hedgeclone.backtest.engine",
    "HedgeFundConsensus": "hedgeclone.strategies",
    "MicrocapScreen": "hedgeclone.strategies",
    "BuyAndHold": "hedgeclone.strategies",
    "FixedWeights": "hedgeclone.strategies",
    "load_config": "hedgeclone.strategies",
    "run": "hedgeclone.backtest.replay",
    "StrategyRun": "hedgeclone.backtest.replay",
    "run_config": "hedgeclone.backtest.session",
    "report": "hedgeclone.backtest.report",
    "compare": "hedgeclone.backtest.compare",
    "sweep": "hedgeclone.backtest.tuning",
    "capacity": "hedgeclone.backtest.capacity",
    "Liquidity": "hedgeclone.backtest.engine.liquidity",
    "VolumeCap": "hedgeclone.backtest.engine.models",
    "SquareRootImpact": "hedgeclone.backtest.engine.models",
    "NextOpen": "hedgeclone.backtest.engine.models",
    "WholeShares": "hedgeclone.backtest.engine.models",
    "CashYield": "hedgeclone.backtest.engine.models",
}

__all__ = ["CorruptFileError", "DataError", "HedgecloneError", "InputError", "__version__", *_FACADE]


def __getattr__(name: str):
    module = _FACADE.get(name)
    if module is None:
        raise AttributeError(f"module 'hedgeclone' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
