"""Sparse rebalance schedules: on each date, the target weight of each named ticker.

A `Schedule` is stored in compressed-row form (dates, offsets, tickers, weights), the shape the
kernel reads, so a strategy never has to build a dense dates x tickers frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgeclone.errors import InputError

__all__ = ["Schedule"]


@dataclass(frozen=True)
class Schedule:
    """Target weights on rebalance dates.

    ``dates[k]`` is the k-th rebalance (strictly increasing); its targets are
    ``tickers[offsets[k]:offsets[k+1]]`` with ``weights[...]``. `close_unlisted` (one flag, or
    one per rebalance) says what happens to a held ticker a rebalance does not name: sold
    (True, the natural meaning of a list of picks; a date with no tickers goes to cash) or
    kept (False, vectorbt's meaning of a NaN weight on a rebalance row of a dense frame).
    """

    dates: pd.DatetimeIndex
    offsets: np.ndarray
    tickers: np.ndarray
    weights: np.ndarray
    close_unlisted: bool | np.ndarray = True
    _columns: list = field(default_factory=lambda: [None, None], repr=False, compare=False)

    def __post_init__(self) -> None:
        flags = np.broadcast_to(np.asarray(self.close_unlisted, dtype=bool), (len(self.dates),)).copy()
        object.__setattr__(self, "close_unlisted", flags)
        if len(self.offsets) != len(self.dates) + 1 or self.offsets[0] != 0 or self.offsets[-1] != len(self.tickers):
            raise InputError("schedule offsets must run from 0 to len(tickers), one more than dates")
        if len(self.tickers) != len(self.weights):
            raise InputError("schedule tickers and weights must have the same length")
        if not self.dates.is_monotonic_increasing or self.dates.has_duplicates:
            raise InputError("schedule dates must be sorted and unique")

    def __len__(self) -> int:
        return len(self.dates)

    def __repr__(self) -> str:
        span = f"{self.dates[0].date()}..{self.dates[-1].date()}" if len(self.dates) else "empty"
        return f"Schedule({len(self.dates)} rebalances, {len(self.tickers)} targets, {span})"

    def columns_in(self, columns: pd.Index) -> np.ndarray:
        """Position of each target ticker in `columns` (-1 if absent), cached per `columns`.

        pandas indexes are immutable, so the cache is keyed on the object itself; a sweep that
        simulates one schedule many times over the same prices resolves tickers once.
        """
        if self._columns[0] is not columns:
            self._columns[:] = [columns, columns.get_indexer(pd.Index(self.tickers, dtype=columns.dtype))]
        return self._columns[1]

    def targets(self, k: int) -> pd.Series:
        """Weights of rebalance `k` by ticker."""
        lo, hi = self.offsets[k], self.offsets[k + 1]
        return pd.Series(self.weights[lo:hi], index=self.tickers[lo:hi], name=self.dates[k])

    @classmethod
    def from_long(cls, dates, tickers, weights, *, rebalance_dates=None) -> Schedule:
        """Build from parallel arrays (one row per date and ticker).

        `rebalance_dates` adds dates with no row, on which the portfolio goes to cash.
        """
        frame = pd.DataFrame(
            {"date": pd.to_datetime(np.asarray(dates)), "ticker": np.asarray(tickers, dtype=object),
             "weight": np.asarray(weights, dtype=np.float64)}
        )
        dup = frame.duplicated(["date", "ticker"])
        if dup.any():
            row = frame[dup].iloc[0]
            raise InputError(f"schedule names ticker {row.ticker!r} twice on {row.date.date()}")
        frame = frame.sort_values(["date", "ticker"], kind="stable")
        all_dates = pd.DatetimeIndex(frame["date"].unique())
        if rebalance_dates is not None:
            all_dates = all_dates.union(pd.DatetimeIndex(pd.to_datetime(rebalance_dates)))
        counts = frame.groupby("date", sort=True).size().reindex(all_dates, fill_value=0).to_numpy()
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(all_dates, offsets, frame["ticker"].to_numpy(), frame["weight"].to_numpy())

    @classmethod
    def from_dict(cls, targets: Mapping) -> Schedule:
        """Build from ``{date: {ticker: weight}}``; an empty mapping means all cash that day."""
        dates, tickers, weights = [], [], []
        for date, picks in targets.items():
            for ticker, weight in dict(picks).items():
                dates.append(date)
                tickers.append(ticker)
                weights.append(weight)
        return cls.from_long(dates, tickers, weights, rebalance_dates=list(targets))

    @classmethod
    def from_frame(cls, weights: pd.DataFrame) -> Schedule:
        """Build from a dense dates x tickers frame, NaN where no order (vectorbt's meaning).

        Rows that are all NaN are not rebalances. On a rebalance row a NaN cell keeps the
        ticker's shares; a row with no NaN names every ticker, so it is stored sparsely as its
        non-zero targets with the rest sold (the same orders, far fewer entries).
        """
        values = weights.to_numpy(dtype=np.float64)
        named = ~np.isnan(values)
        per_row = named.sum(axis=1)
        reb = np.flatnonzero(per_row)
        full = per_row[reb] == values.shape[1]
        sub = values[reb]
        keep = np.where(full[:, None], sub != 0.0, named[reb])
        rows, cols = np.nonzero(keep)
        counts = np.bincount(rows, minlength=len(reb))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        schedule = cls(
            pd.DatetimeIndex(weights.index[reb]), offsets, weights.columns.to_numpy()[cols], sub[rows, cols],
            close_unlisted=full,
        )
        schedule._columns[:] = [weights.columns, cols.astype(np.int64)]
        return schedule
