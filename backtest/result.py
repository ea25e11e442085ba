from hedgeclone.backtest.engine.result import Result  # noqa: F401  (moved; the lead removes this shim)
