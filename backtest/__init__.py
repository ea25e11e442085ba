"""hedgeclone's backtester: the engine and its results at the bottom, the application on top.

Nothing is imported here, so that the command line (`hedgeclone.backtest.cli`) starts without
loading the engine. Scripts use the facade (`import hedgeclone as hc; hc.simulate(...)`) or the
modules: `hedgeclone.backtest.engine` (simulate, Schedule, Execution, Result), `.metrics`,
`.replay`, `.session`, `.run`, `.rundir`, `.report`, `.compare`, `.tuning`, `.cli`.
"""
