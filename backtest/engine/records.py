"""What the kernels read and write: enums (NamedTuples of ints), record dtypes, and the
NamedTuples that carry kernel inputs and results (vectorbt `portfolio/enums.py`'s style).

Every NamedTuple here holds NumPy arrays and scalars only, so numba passes, builds and
returns them in nopython mode, and Python code reads their fields by name.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class _Side(NamedTuple):
    buy: int = 0
    sell: int = 1


Side = _Side()


class _Reason(NamedTuple):
    rebalance: int = 0  # an order from the weights schedule
    delisting: int = 1  # a held name whose prices ended, closed at its last price


Reason = _Reason()


class _Status(NamedTuple):
    ok: int = 0
    bad_price: int = 1  # a non-finite or non-positive price where an order had to trade


Status = _Status()


order_dt = np.dtype(
    [
        ("row", np.int64),  # execution row in the calendar
        ("col", np.int64),  # column in the universe
        ("size", np.float64),  # shares, always positive; see `side`
        ("price", np.float64),  # fill price, slippage included
        ("fees_paid", np.float64),  # fees paid on this fill (an amount, not a rate)
        ("side", np.int64),
        ("reason", np.int64),
    ],
    align=True,
)
"""One filled order."""


class ScheduleArrays(NamedTuple):
    """A rebalance schedule as the kernels read it (compressed rows, like `Schedule`).

    Rebalance k executes at row ``rebalance_rows[k]`` (strictly increasing) with targets
    ``target_cols[target_offsets[k]:target_offsets[k+1]]`` (column numbers, sorted and
    distinct within a rebalance) at ``target_weights[...]``; ``close_unlisted[k]`` says
    whether a held column the rebalance does not name is sold (True) or kept (False).
    """

    rebalance_rows: np.ndarray  # int64, (K,)
    target_offsets: np.ndarray  # int64, (K + 1,), from 0
    target_cols: np.ndarray  # int64, (E,)
    target_weights: np.ndarray  # float64, (E,)
    close_unlisted: np.ndarray  # bool, (K,)

    def shift(self, rows: int) -> ScheduleArrays:
        """The same schedule with every row moved by `rows` (a window's arrays placed in a longer calendar)."""
        return self._replace(rebalance_rows=self.rebalance_rows + np.int64(rows))


class ExecutionArrays(NamedTuple):
    """Costs as the kernels read them: each one value for all columns, or one per column (see `flex_nb`)."""

    fees: np.ndarray  # rate on traded value
    fixed_fees: np.ndarray  # amount per fill
    slippage: np.ndarray  # fraction of the price, against the trader


class OrderResult(NamedTuple):
    """What one order did: the account after it, and the fill (`size` 0 when nothing filled)."""

    cash: float
    position: float
    size: float
    price: float  # fill price, slippage included
    fees_paid: float
    side: int


class SimulationOutput(NamedTuple):
    """What `simulate_nb` returns: daily arrays of length T and the filled orders.

    When `status` is `Status.bad_price`, only `bad_row` and `bad_col` (where an order had to
    trade at a non-finite or non-positive price) are meaningful; otherwise they are -1.
    """

    value: np.ndarray  # portfolio value at each close
    cash: np.ndarray  # cash at each close
    fees_paid: np.ndarray  # fees paid on each row
    orders: np.ndarray  # `order_dt` records, in execution order
    status: int
    bad_row: int
    bad_col: int


class BatchOutput(NamedTuple):
    """What `batch_simulate_nb` returns besides the values it writes: one entry per set."""

    traded: np.ndarray  # summed |size x price| of all fills
    fees_paid: np.ndarray  # summed fees paid
    status: np.ndarray  # `Status` of each set
    bad_row: np.ndarray  # absolute row at fault, or -1
    bad_col: np.ndarray  # column at fault, or -1


fill_dt = np.dtype(
    [
        ("row", np.int64),  # execution row in the calendar
        ("col", np.int64),  # column in the universe
        ("size", np.float64),  # shares, always positive; see `side`
        ("price", np.float64),  # fill price, slippage and impact included
        ("fees_paid", np.float64),  # fees paid on this fill (an amount, not a rate)
        ("side", np.int64),
        ("reason", np.int64),
        ("order_row", np.int64),  # row on which the order was placed (its rebalance), or the fill's row
        ("ordered", np.float64),  # shares the whole order asked for, always positive
        ("impact_paid", np.float64),  # what market impact cost on this fill (an amount)
    ],
    align=True,
)
"""One fill of the execution-model kernel: `order_dt`'s fields, then which order it fills and how much impact cost."""


placed_dt = np.dtype(
    [
        ("row", np.int64),  # row on which the order was placed
        ("col", np.int64),
        ("side", np.int64),
        ("ordered", np.float64),  # shares asked for, always positive
        ("price", np.float64),  # the price the order was sized at
        ("filled", np.float64),  # shares filled in all
        ("value", np.float64),  # value of those fills (at their prices)
        ("last_row", np.int64),  # row of the last fill, -1 if none
    ],
    align=True,
)
"""One order placed by the execution-model kernel, filled or not."""


class ModelParams(NamedTuple):
    """Scalar parameters of the execution models as `simulate_models_nb` reads them (each "off" value is neutral)."""

    participation: float  # largest fraction of a day's dollar volume one order may trade; inf: no cap
    impact: float  # k of the square-root impact model; 0: no impact
    at_open: bool  # fill at the session's open (where it is a valid price) instead of its close
    lot: float  # shares come in multiples of `lot`; 0: fractional shares
    min_order_value: float  # an order (not a full exit) worth less than this at placement is not placed


class MarketArrays(NamedTuple):
    """Per-day market inputs of the execution models, compact over the M columns a schedule names.

    ``slot[col]`` is the column's place among the M (-1: never named); each 2-D array is (T, M).
    Arrays a model does not need are (1, 1) zeros; `rate` is (T,) or (1,) zero.
    """

    slot: np.ndarray  # int64, (N,)
    dollar_volume: np.ndarray  # the day's traded value; NaN or 0: no trading under a cap
    adv: np.ndarray  # mean dollar volume of the `window` sessions before the day
    volatility: np.ndarray  # std of daily returns over the `window` sessions before the day
    open: np.ndarray  # the session's open price, NaN where unknown
    rate: np.ndarray  # interest earned on the cash held overnight into each row


class ModelOutput(NamedTuple):
    """What `simulate_models_nb` returns: `SimulationOutput`'s fields, `fill_dt` orders, impact and interest."""

    value: np.ndarray
    cash: np.ndarray
    fees_paid: np.ndarray
    orders: np.ndarray  # `fill_dt` records
    status: int
    bad_row: int
    bad_col: int
    impact_paid: np.ndarray  # market impact paid on each row
    interest: np.ndarray  # interest earned on each row
    placed: np.ndarray  # `placed_dt` records: every order placed, filled or not
