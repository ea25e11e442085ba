"""Benchmark indices built from the demo market itself, total-return and cap-weighted.

- ``sp500`` stands for the S&P 500: the largest stocks by market cap (500, or a quarter of
  the listed stocks when the market is small), reconstituted on the first session of each
  quarter.
- ``russell-microcap`` stands for the Russell Micro-Cap: the stocks whose market cap lies in
  MICRO_CAP_BAND on the first session of each quarter.

Membership chosen with the close of a rebalance session applies from the next session's
return on; a member that delists earns its delisting return on the session after its last one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.data.demo.kernels import cap_weighted_index_nb
from hedgeclone.errors import InputError

__all__ = [
    "SP500",
    "MICROCAP",
    "MICRO_CAP_BAND",
    "LARGE_CAP_COUNT",
    "rebalance_rows",
    "index_members",
    "build_benchmarks",
]

SP500 = "sp500"
MICROCAP = "russell-microcap"
MICRO_CAP_BAND = (50e6, 300e6)
LARGE_CAP_COUNT = 500


def rebalance_rows(calendar: pd.DatetimeIndex) -> np.ndarray:
    """Row of the first session of each calendar quarter (row 0 included)."""
    quarter = calendar.year * 4 + (calendar.month - 1) // 3
    return np.flatnonzero(np.r_[True, np.asarray(quarter[1:] != quarter[:-1])]).astype(np.int64)


def index_members(cap: np.ndarray, rows: np.ndarray, name: str) -> np.ndarray:
    """Boolean (rebalance x stock) membership of index `name` chosen from `cap` at `rows`."""
    members = np.zeros((rows.size, cap.shape[1]), dtype=np.bool_)
    for g, row in enumerate(rows):
        c = cap[row]
        ok = ~np.isnan(c)
        if name == SP500:
            k = min(LARGE_CAP_COUNT, int(np.ceil(ok.sum() / 4)))
            order = np.argsort(np.where(ok, -c, np.inf), kind="stable")[:k]
            members[g, order] = True
        elif name == MICROCAP:
            members[g] = (
                ok & (np.nan_to_num(c) >= MICRO_CAP_BAND[0]) & (np.nan_to_num(c) <= MICRO_CAP_BAND[1])
            )
        else:
            raise InputError(f"unknown demo benchmark {name!r}; expected {SP500!r} or {MICROCAP!r}")
    return members


def build_benchmarks(
    close: np.ndarray,
    cap: np.ndarray,
    last: np.ndarray,
    delisting_return: np.ndarray,
    calendar: pd.DatetimeIndex,
) -> pd.DataFrame:
    """Daily levels (first session = 100) of the demo benchmarks, calendar x [sp500, russell-microcap]."""
    rows = rebalance_rows(calendar)
    levels = {
        name: cap_weighted_index_nb(close, cap, rows, index_members(cap, rows, name), last, delisting_return)
        for name in (SP500, MICROCAP)
    }
    frame = pd.DataFrame(levels, index=calendar)
    frame.columns.name = "benchmark"
    return frame
