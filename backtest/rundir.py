"""The run directory: what a backtest writes so that runs can be read, compared and reproduced.

Layout of ``RUN/`` (written whole, never half: see `write_run`)::

    run.json          name, hedgeclone version, creation time, window, benchmarks, data
                      fingerprint, caveats, notes, SHA-256 of every other file
    config.json       the resolved configuration (every option, defaults filled in)
    metrics.json      {"strategy": {...}, "benchmarks": {NAME: {...}}, "relative": {NAME: {...}}}
    periods.json      per-year and per-quarter returns of the strategy and each benchmark
    values.parquet    daily values: date, strategy, one column per benchmark (its level)
    holdings.parquet  the targets of each rebalance: date, ticker, weight (+ rank, name, score, ...)
    trades.parquet    every fill: date, ticker, side, shares, price, fees, value, reason
    report.html       the self-contained report (`backtest.report`)

Metrics are computed from ``values.parquet``: daily returns are the percentage changes of
each column from the run's first date, so `compare` recomputes exactly what `metrics.json` says.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.atomic import atomic_write_text
from hedgeclone.backtest import metrics
from hedgeclone.errors import InputError

__all__ = [
    "RUN_FILES",
    "RunData",
    "LoadedRun",
    "build_run",
    "data_fingerprint",
    "holdings_from_picks",
    "holdings_from_result",
    "metrics_document",
    "periods_document",
    "returns_of",
    "run_metrics",
    "config_of",
    "write_metrics",
    "write_run",
    "load_run",
]

STRATEGY = "strategy"
RUN_FILES = ("run.json", "config.json", "metrics.json", "periods.json", "values.parquet", "holdings.parquet",
             "trades.parquet", "report.html")
TRADE_COLUMNS = ["date", "ticker", "side", "shares", "price", "fees", "value", "reason"]


def _json_safe(value):
    """`value` with non-finite floats replaced by None (JSON has no NaN), recursively."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.floating | np.integer | np.bool_):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _dumps(document) -> str:
    return json.dumps(_json_safe(document), indent=2, allow_nan=False, default=str) + "\n"


# -- the in-memory run --------------------------------------------------------------------
@dataclass(frozen=True)
class RunData:
    """A run as written to (and read from) a run directory.

    `values` is indexed by date with a ``strategy`` column (portfolio value) and one column per
    benchmark (its level, NaN where unknown); `holdings` and `trades` are long tables.
    """

    name: str
    values: pd.DataFrame
    holdings: pd.DataFrame
    trades: pd.DataFrame
    config: Mapping = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def benchmarks(self) -> list[str]:
        return [c for c in self.values.columns if c != STRATEGY]

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.values.index[0], self.values.index[-1]


@dataclass(frozen=True)
class LoadedRun(RunData):
    """A run read back from `path`, with its `meta` (run.json) and `metrics` (metrics.json)."""

    path: Path = Path(".")
    meta: Mapping = field(default_factory=dict)
    metrics: Mapping = field(default_factory=dict)


def returns_of(values: pd.DataFrame) -> pd.DataFrame:
    """Daily simple returns of each column, from the second date on (NaN where a level is missing)."""
    return values.pct_change(fill_method=None).iloc[1:]


def data_fingerprint(*frames: pd.DataFrame | pd.Series) -> str:
    """SHA-256 over the contents, index and column names of `frames`: equal data, equal fingerprint."""
    digest = hashlib.sha256()
    for frame in frames:
        obj = frame.to_frame() if isinstance(frame, pd.Series) else frame
        digest.update(json.dumps([str(c) for c in obj.columns]).encode())
        digest.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def holdings_from_picks(picks: Mapping, names: pd.Series | None = None) -> pd.DataFrame:
    """Long table of each decision's picks (`strategies.Picks.table()`), with `names` (ticker -> name)."""
    frames = []
    for date, chosen in picks.items():
        table = chosen.table()
        table.insert(0, "date", pd.Timestamp(date))
        frames.append(table)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["date", "rank", "ticker", "weight"])
    if names is not None:
        out.insert(out.columns.get_loc("ticker") + 1, "name", out["ticker"].map(names).astype(object))
    return out


def holdings_from_result(result) -> pd.DataFrame:
    """Weights held at the close of each day with trades (a `backtest.Result` without picks)."""
    trades = result.trades
    if not len(trades):
        return pd.DataFrame(columns=["date", "rank", "ticker", "weight"])
    weights = result.weights().loc[pd.DatetimeIndex(trades["date"].unique())]
    long = weights.stack().rename("weight").reset_index()
    long.columns = ["date", "ticker", "weight"]
    long = long[long["weight"].abs() > 1e-12].sort_values(["date", "weight"], ascending=[True, False])
    long.insert(1, "rank", long.groupby("date").cumcount() + 1)
    return long.reset_index(drop=True)


def build_run(name: str, result, *, benchmarks: pd.DataFrame | Mapping[str, pd.Series] | None = None,
              holdings: pd.DataFrame | None = None, config: Mapping | None = None,
              caveats: tuple[str, ...] | list[str] = (), notes: tuple[str, ...] | list[str] = (),
              fingerprint: str | None = None) -> RunData:
    """A `RunData` from a `backtest.Result` and benchmark levels (restricted to the result's dates).

    Without `holdings`, the weights after each day with trades are used; without `fingerprint`,
    the result's close prices and the benchmarks are fingerprinted.
    """
    values = result.value.rename(STRATEGY).to_frame()
    bench = pd.DataFrame(dict(benchmarks)) if isinstance(benchmarks, Mapping) else benchmarks
    if bench is not None and len(bench.columns):
        if STRATEGY in bench.columns:
            raise InputError(f"a benchmark may not be named {STRATEGY!r}")
        values = values.join(bench.reindex(values.index).astype(float))
    if holdings is None:
        holdings = holdings_from_result(result)
    if fingerprint is None:
        fingerprint = data_fingerprint(result.close, *([bench] if bench is not None else []))
    return RunData(name=name, values=values, holdings=holdings, trades=result.trades, config=dict(config or {}),
                   caveats=tuple(caveats), notes=tuple(notes), fingerprint=fingerprint)


# -- documents ----------------------------------------------------------------------------
def metrics_document(strategy: pd.Series, benchmarks: dict[str, pd.Series], *, risk_free=0.0,
                     trades: pd.DataFrame | None = None, values: pd.Series | None = None) -> dict:
    """``{"strategy": {...}, "benchmarks": {NAME: {...}}, "relative": {NAME: {...}}}`` of daily returns.

    Fractions throughout (0.1772 for +17.72%, max_drawdown negative); ``excess_return_pp`` is
    the strategy's total return minus the benchmark's, in percentage points. With `trades` and
    the strategy's daily `values`, the strategy also gets ``costs`` (fees paid, in currency),
    ``costs_pct`` (fees over mean value), ``turnover`` (traded value over mean value, whole run)
    and ``turnover_annual`` (the same per year of 252 days).
    """
    strat = metrics.summary(strategy, risk_free=risk_free)
    if trades is not None and values is not None:
        mean_value = float(np.nanmean(values.to_numpy(np.float64))) if len(values) else np.nan
        traded = float(np.abs(trades["value"]).sum()) if len(trades) else 0.0
        fees = float(trades["fees"].sum()) if len(trades) else 0.0
        years = max(len(values) - 1, 1) / metrics.ANNUALIZATION
        strat.update(costs=fees, costs_pct=fees / mean_value, turnover=traded / mean_value,
                     turnover_annual=traded / mean_value / years)
    doc: dict = {"strategy": strat, "benchmarks": {}, "relative": {}}
    for name, series in benchmarks.items():
        doc["benchmarks"][name] = metrics.summary(series, risk_free=risk_free)
        doc["relative"][name] = metrics.relative(strategy, series, risk_free=risk_free)
    return _json_safe(doc)


def periods_document(returns: pd.DataFrame) -> dict:
    """``{"yearly": {SERIES: {"2024": r}}, "quarterly": {SERIES: {"2024Q1": r}}}`` of daily returns."""
    yearly, quarterly = {}, {}
    for col in returns.columns:
        y = metrics.per_year_returns(returns[col])
        q = metrics.per_quarter_returns(returns[col])
        yearly[col] = {str(k): v for k, v in y.items()}
        quarterly[col] = {f"{k[0]}Q{k[1]}": v for k, v in q.items()}
    return _json_safe({"yearly": yearly, "quarterly": quarterly})


def write_metrics(out_dir: Path, document: dict) -> Path:
    """Write ``metrics.json`` into `out_dir` atomically; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "metrics.json"
    atomic_write_text(path, _dumps(document))
    return path


def run_metrics(run: RunData, *, risk_free=0.0) -> dict:
    """The metrics document of `run`, computed from its daily values and trades."""
    rets = returns_of(run.values)
    return metrics_document(rets[STRATEGY], {b: rets[b] for b in run.benchmarks}, risk_free=risk_free,
                            trades=run.trades, values=run.values[STRATEGY])


# -- writing and reading ------------------------------------------------------------------
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"run directory {out_dir} exists and is a file; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "run.json").exists():
        raise InputError(
            f"run directory {out_dir} exists and is not a hedgeclone run directory (no run.json); "
            "choose another --out or empty it"
        )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_run(out_dir: str | os.PathLike[str], run: RunData, *, risk_free=0.0) -> Path:
    """Write `run` as a complete run directory at `out_dir` and return its path.

    Everything is written into a temporary sibling directory that is then renamed into place,
    so an interrupted run leaves either the previous run directory or the new one, never half
    of one. An existing run directory at `out_dir` is replaced; any other non-empty directory
    is refused with an `InputError`.
    """
    from hedgeclone.backtest.report import render_report
    from hedgeclone.version import __version__

    out_dir = Path(out_dir)
    _check_target(out_dir)
    if not len(run.values):
        raise InputError(f"run {run.name!r} has no daily values to write")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a run directory is an ordinary one
        doc = run_metrics(run, risk_free=risk_free)
        periods = periods_document(returns_of(run.values))
        (tmp / "config.json").write_text(_dumps(dict(run.config)))
        (tmp / "metrics.json").write_text(_dumps(doc))
        (tmp / "periods.json").write_text(_dumps(periods))
        run.values.rename_axis("date").reset_index().to_parquet(tmp / "values.parquet", index=False)
        run.holdings.to_parquet(tmp / "holdings.parquet", index=False)
        run.trades.to_parquet(tmp / "trades.parquet", index=False)
        (tmp / "report.html").write_text(render_report(run, doc), encoding="utf-8")
        start, end = run.window
        meta = {
            "name": run.name,
            "hedgeclone_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "start": str(start.date()),
            "end": str(end.date()),
            "days": len(run.values),
            "benchmarks": run.benchmarks,
            "data_fingerprint": run.fingerprint,
            "caveats": list(run.caveats),
            "notes": list(run.notes),
            "files": {p.name: _sha256(p) for p in sorted(tmp.iterdir())},
        }
        (tmp / "run.json").write_text(_dumps(meta))
        for path in tmp.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def load_run(path: str | os.PathLike[str]) -> LoadedRun:
    """Read a run directory written by `write_run`; an incomplete one raises `InputError` naming the file."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"run directory {path} does not exist")
    missing = [f for f in RUN_FILES if not (path / f).exists()]
    if missing:
        raise InputError(f"{path} is not a complete run directory: missing {', '.join(missing)}")

    def read_json(name: str) -> dict:
        try:
            return json.loads((path / name).read_text())
        except json.JSONDecodeError as exc:
            raise InputError(f"{path / name}: not valid JSON ({exc})") from exc

    meta = read_json("run.json")
    values = pd.read_parquet(path / "values.parquet").set_index("date")
    values.index = pd.DatetimeIndex(values.index)
    return LoadedRun(
        name=meta.get("name", path.name), values=values.astype(float),
        holdings=pd.read_parquet(path / "holdings.parquet"), trades=pd.read_parquet(path / "trades.parquet"),
        config=read_json("config.json"), caveats=tuple(meta.get("caveats", ())), notes=tuple(meta.get("notes", ())),
        fingerprint=meta.get("data_fingerprint", ""), path=path, meta=meta, metrics=read_json("metrics.json"),
    )


def config_of(obj) -> dict:
    """A JSON-ready dict of a dataclass config object's fields (its ``repr`` otherwise)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return {"repr": repr(obj)}
