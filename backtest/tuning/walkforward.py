"""Walk-forward validation: choose a combination on each in-sample window, judge it on the next one.

Windows are counted in trading days (252 a year, as the metrics are). Rolling windows keep
the in-sample length fixed and slide by the out-of-sample length; anchored windows all start
at the first date and grow. Each out-of-sample window follows its in-sample window directly,
and out-of-sample windows do not overlap, so stitched together they form one honest
out-of-sample return series: at no point was it chosen with knowledge of its own dates.

The combinations are full-period backtests (`SweepResult.values`); a window reads their daily
returns, so the portfolio carried into a window is the one that combination held then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from hedgeclone.backtest import metrics
from hedgeclone.backtest.metric_sets import SUMMARY_METRICS, higher_is_better
from hedgeclone.errors import InputError

__all__ = ["WalkForwardResult", "walk_forward", "WF_METRICS"]

# metric name -> (function of a returns array, higher is better); directions from metric_sets
WF_METRICS = {name: (getattr(metrics, name), higher_is_better(name)) for name in SUMMARY_METRICS}


@dataclass(frozen=True)
class WalkForwardResult:
    """One row per window (dates, chosen combination, its parameters, in- and out-of-sample
    metric, the median out-of-sample metric of all combinations), the stitched out-of-sample
    returns and their summary metrics."""

    windows: pd.DataFrame
    oos_returns: pd.Series = field(repr=False)
    summary: dict
    metric: str
    mode: str

    def __repr__(self) -> str:
        s = self.summary.get(self.metric, float("nan"))
        return f"WalkForwardResult({self.mode}, {len(self.windows)} windows, out-of-sample {self.metric} {s:.3f})"

    def plot(self):
        """The plotly figure of the stitched out-of-sample returns' growth of 1 (log scale)."""
        from hedgeclone.backtest.figures import (  # plotly loads only when a figure is drawn
            equity_spec,
            figure,
        )

        growth = (1.0 + self.oos_returns.fillna(0.0)).cumprod()
        return figure(equity_spec(growth.to_frame(), title=f"Walk-forward out of sample ({self.mode}), growth of 1"))

    def _repr_html_(self) -> str:
        from hedgeclone.backtest.report.display import walkforward_html

        return walkforward_html(self)

    def __rich__(self):
        from hedgeclone.backtest.report.display import walkforward_rich

        return walkforward_rich(self)


def _score(frame: np.ndarray, fn) -> np.ndarray:
    return np.array([fn(frame[:, j]) if np.count_nonzero(~np.isnan(frame[:, j])) >= 2 else np.nan
                     for j in range(frame.shape[1])])


def walk_forward(returns: pd.DataFrame, params: pd.DataFrame | None = None, *, metric: str = "sharpe",
                 mode: Literal["rolling", "anchored"] = "rolling", train_years: float = 3.0,
                 test_years: float = 1.0) -> WalkForwardResult:
    """Walk forward over `returns` (dates x combination, e.g. `SweepResult.returns`).

    On each in-sample window the combination with the best `metric` (one of `WF_METRICS`;
    lowest for volatility) is chosen, ties to the first; its returns on the following
    out-of-sample window are kept. `params` (one row per combination) labels the choices.
    Raises `InputError` when the data is too short for one in-sample plus one out-of-sample
    window.
    """
    if metric not in WF_METRICS:
        raise InputError(f"walk-forward metric must be one of {', '.join(WF_METRICS)}, got {metric!r}")
    if mode not in ("rolling", "anchored"):
        raise InputError(f"walk-forward mode must be rolling or anchored, got {mode!r}")
    if train_years <= 0 or test_years <= 0:
        raise InputError(f"walk-forward train and test years must be > 0, got {train_years:g} and {test_years:g}")
    fn, higher = WF_METRICS[metric]
    train = int(round(train_years * metrics.ANNUALIZATION))
    test = int(round(test_years * metrics.ANNUALIZATION))
    n = len(returns)
    if n < train + 2:
        raise InputError(f"walk-forward needs more than {train} + 2 days of returns ({train_years:g} years "
                         f"in-sample plus an out-of-sample window); the sweep has {n}")
    arr = returns.to_numpy(dtype=np.float64)
    idx = returns.index
    rows, pieces = [], []
    start = train
    while start < n - 1:
        lo = 0 if mode == "anchored" else start - train
        hi = min(start + test, n)
        ins = _score(arr[lo:start], fn)
        oos = _score(arr[start:hi], fn)
        if np.all(np.isnan(ins)):
            start = hi
            continue
        best = int(np.nanargmax(ins) if higher else np.nanargmin(ins))
        row = {"train_start": idx[lo], "train_end": idx[start - 1], "test_start": idx[start],
               "test_end": idx[hi - 1], "chosen": returns.columns[best]}
        if params is not None:
            row.update(params.iloc[best].to_dict())
        row.update({f"in_sample_{metric}": ins[best], f"out_of_sample_{metric}": oos[best],
                    f"median_out_of_sample_{metric}": float(np.nanmedian(oos)) if np.any(~np.isnan(oos)) else np.nan})
        rows.append(row)
        pieces.append(returns.iloc[start:hi, best])
        start = hi
    if not rows:
        raise InputError("walk-forward found no in-sample window with returns")
    oos_returns = pd.concat(pieces).rename("out_of_sample")
    return WalkForwardResult(windows=pd.DataFrame(rows), oos_returns=oos_returns,
                             summary=metrics.summary(oos_returns), metric=metric, mode=mode)
