"""Run a batch in chunks: in this process, or on a Dask distributed cluster given its address.

A chunk is a slice of parameter sets (`BatchArrays.take`); each is simulated by the batch
kernel and scored by `score_chunk`, the same function in both places, so a cluster returns
exactly what the in-process run returns. The shared inputs (prices, benchmarks) go to the
cluster once (`Client.scatter(..., broadcast=True)`), the chunks one by one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone.backtest import panel_metrics
from hedgeclone.backtest.engine.batch import BatchArrays, batch_simulate
from hedgeclone.backtest.metrics import daily_returns
from hedgeclone.errors import InputError

__all__ = ["Shared", "ChunkResult", "chunk_metrics", "score_chunk", "run_chunks"]

# numba's default (workqueue) threading layer must not run two parallel kernels at once in one
# process; Dask workers with several threads would do that without this lock.
_KERNEL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Shared:
    """What every chunk reads: prices as an array, their dates, benchmark levels, delisting returns."""

    close: np.ndarray
    index: pd.DatetimeIndex
    benchmarks: pd.DataFrame
    delisting_returns: np.ndarray | None
    delisting: bool = True


@dataclass(frozen=True)
class ChunkResult:
    """Values (sets x dates, NaN outside each window), and one metrics dict per set."""

    start: int
    values: np.ndarray
    metrics: list[dict]


def chunk_metrics(values: np.ndarray, traded: np.ndarray, fees_paid: np.ndarray, init_cash: np.ndarray,
                  shared: Shared) -> list[dict]:
    """The metrics.json keys of each set (row) of `values` (P, T; NaN outside each window), from the
    panel metrics: a set's returns start against its initial cash, each benchmark's at 0 on the
    set's first day, exactly as a separate run's run directory computes them."""
    returns = daily_returns(values, init_cash)
    out = {**panel_metrics.summary(returns), **panel_metrics.trading(values, traded, fees_paid)}
    window = ~np.isnan(values)
    for bench in shared.benchmarks.columns:
        level = shared.benchmarks[bench].to_numpy(np.float64)
        factor = daily_returns(np.where(window, level[None, :], np.nan))
        out.update({f"{bench}.{k}": v for k, v in panel_metrics.relative(returns, factor).items()})
    return [{k: float(v[p]) for k, v in out.items()} for p in range(values.shape[0])]


def score_chunk(start: int, batch: BatchArrays, shared: Shared) -> ChunkResult:
    """Simulate the sets of `batch` and compute each one's metrics (the keys of metrics.json).

    Strategy metrics keep their metrics.json names; relative ones are ``BENCHMARK.METRIC``.
    """
    with _KERNEL_LOCK:
        values, traded, paid = batch_simulate(shared.close, batch, delisting=shared.delisting,
                                              delisting_returns=shared.delisting_returns)
    rows = chunk_metrics(values, np.asarray(traded), np.asarray(paid), np.asarray(batch.init_cash), shared)
    return ChunkResult(start=start, values=values, metrics=rows)


def run_chunks(batch: BatchArrays, shared: Shared, *, chunk_size: int = 64, scheduler=None,
               progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, list[dict]]:
    """All sets of `batch`, in chunks of `chunk_size`: (values P x T, metrics per set).

    `scheduler` is None (run here), a Dask scheduler address such as ``"tcp://10.0.0.5:8786"``,
    or a `distributed.Client`. `progress(done, total)` is called as sets finish.
    """
    n = len(batch)
    if chunk_size < 1:
        raise InputError(f"chunk_size must be >= 1, got {chunk_size}")
    bounds = [(lo, min(lo + chunk_size, n)) for lo in range(0, n, chunk_size)]
    results: list[ChunkResult] = []
    if scheduler is None:
        for lo, hi in bounds:
            results.append(score_chunk(lo, batch.take(lo, hi), shared))
            if progress is not None:
                progress(hi, n)
    else:
        results = _run_on_dask(batch, shared, bounds, scheduler, progress)
    results.sort(key=lambda r: r.start)
    values = np.concatenate([r.values for r in results]) if results else np.zeros((0, len(shared.index)))
    metrics = [m for r in results for m in r.metrics]
    return values, metrics


def _run_on_dask(batch: BatchArrays, shared: Shared, bounds, scheduler, progress) -> list[ChunkResult]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'dask[distributed]'") from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="10s") if own else scheduler
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    try:
        shared_f = client.scatter(shared, broadcast=True)
        futures = [client.submit(score_chunk, lo, batch.take(lo, hi), shared_f, pure=False) for lo, hi in bounds]
        n = len(batch)
        done = 0
        results = []
        for fut in as_completed(futures):
            res = fut.result()
            results.append(res)
            done += len(res.metrics)
            if progress is not None:
                progress(done, n)
        return results
    finally:
        if own:
            client.close()
