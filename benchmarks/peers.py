"""The engines compared on W1, each run the way its users run it, each returning daily portfolio value.

Every function takes the workload and returns a `pd.Series` of portfolio value in money
(init cash 1e6) on ``w.close.index``, so outputs can be compared before anything is timed.
Peer libraries are imported inside the functions: a missing peer costs only its own rows.
"""

from __future__ import annotations

import importlib.util

import pandas as pd

import hedgeclone as hc
from benchmarks.workloads import W1

__all__ = ["INIT_CASH", "bt_value", "hedgeclone_value", "rust_available", "vectorbt_value"]

INIT_CASH = 1_000_000.0


def hedgeclone_value(w: W1, dense: bool = False) -> pd.Series:
    """hedgeclone `simulate` on the Schedule (or, with `dense`, on the dense weights frame), `.value`."""
    weights = w.weights if dense else w.schedule
    return hc.simulate(w.close, weights, fees=w.fees, init_cash=INIT_CASH).value


def rust_available() -> bool:
    """Whether vectorbt's rust engine (the `vectorbt-rust` package, same minor version) can be used."""
    if importlib.util.find_spec("vectorbt_rust") is None:
        return False
    from vectorbt._engine import is_rust_available

    return bool(is_rust_available())


def vectorbt_value(w: W1, engine: str = "numba") -> pd.Series:
    """vectorbt ``Portfolio.from_orders(...targetpercent, cash sharing, call_seq auto...).value()``.

    `engine` is passed explicitly ("numba" or "rust"): vectorbt's default "auto" silently picks
    rust whenever `vectorbt-rust` is installed.
    """
    import vectorbt as vbt

    pf = vbt.Portfolio.from_orders(
        w.close,
        w.weights,
        size_type="targetpercent",
        group_by=True,
        cash_sharing=True,
        call_seq="auto",
        fees=w.fees,
        init_cash=INIT_CASH,
        engine=engine,
    )
    return pf.value()


def bt_value(w: W1, fees: float | None = None) -> pd.Series:
    """bt ``Backtest`` + ``run`` of W1: `WeighTarget` on the rebalance rows, then `Rebalance`.

    `RunOnDate` gates the stack to the rebalance dates; `WeighTarget` reads the picks (NaN
    elsewhere, dropped) and `Rebalance` closes held names not picked, then trades each pick
    to its weight of the pre-trade value. Commission is ``abs(q) * p * fees`` (W1's fees unless
    `fees` is given), fractional shares, initial capital 1e6. bt prepends a bootstrap row the
    day before the first date; it is dropped.
    """
    import bt

    rate = w.fees if fees is None else fees
    strategy = bt.Strategy(
        "W1",
        [bt.algos.RunOnDate(*w.targets.index), bt.algos.WeighTarget(w.targets), bt.algos.Rebalance()],
    )
    test = bt.Backtest(
        strategy,
        w.close,
        initial_capital=INIT_CASH,
        commissions=lambda q, p: abs(q) * p * rate,
        integer_positions=False,
        progress_bar=False,
    )
    bt.run(test)
    return test.strategy.values.reindex(w.close.index)
