"""Enums (NamedTuples of ints) and record dtypes that the kernels fill in preallocated arrays."""

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
        ("fees", np.float64),  # fees paid on this fill
        ("side", np.int64),
        ("reason", np.int64),
    ],
    align=True,
)
"""One filled order."""
