"""The run directory: what a backtest writes so that runs can be read, compared and reproduced."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from backtest import metrics
from data.store import atomic_write_text

__all__ = ["metrics_document", "write_metrics"]


def _json_safe(value):
    """`value` with non-finite floats replaced by None (JSON has no NaN), recursively."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def metrics_document(strategy: pd.Series, benchmarks: dict[str, pd.Series]) -> dict:
    """``{"strategy": {...}, "benchmarks": {NAME: {...}}, "relative": {NAME: {...}}}`` of daily returns.

    Fractions throughout (0.1772 for +17.72%); ``excess_return_pp`` is the strategy's total
    return minus the benchmark's, in percentage points.
    """
    strat = metrics.summary(strategy)
    doc: dict = {"strategy": strat, "benchmarks": {}, "relative": {}}
    for name, series in benchmarks.items():
        bench = metrics.summary(series)
        doc["benchmarks"][name] = bench
        doc["relative"][name] = {"excess_return_pp": 100.0 * (strat["total_return"] - bench["total_return"])}
    return _json_safe(doc)


def write_metrics(out_dir: Path, document: dict) -> Path:
    """Write ``metrics.json`` into `out_dir` atomically; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "metrics.json"
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=False, allow_nan=False) + "\n")
    return path
