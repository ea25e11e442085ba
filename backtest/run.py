"""A run in memory: its daily values, holdings and trades, and the documents computed from them.

`RunData` is what a run directory holds (`hedgeclone.backtest.rundir` writes and reads it);
the report, `compare` and `tune` compute their metrics through `run_metrics` and
`metrics_document`, so every figure of a run has one definition.

Layout of ``RUN/`` (written whole, never half: see `write_run`)::

    run.json          name, hedgeclone version, creation time, window, benchmarks, data
                      fingerprint, caveats, notes, SHA-256 of every other file
    config.json       the resolved configuration (every option, defaults filled in)
    metrics.json      {"strategy": {...}, "benchmarks": {NAME: {...}}, "relative": {NAME: {...}}}
    periods.json      per-year and per-quarter returns of the strategy and each benchmark
    values.parquet    daily values: date, strategy, one column per benchmark (its level)
    holdings.parquet  the targets of each rebalance: date, ticker, weight (+ rank, name, score, ...)
    trades.parquet    every fill: date, ticker, side, shares, price, fees, value, reason
                      (rebalance; delisting; data ends: see `label_closes`)
    report.html       the self-contained report (`backtest.report`)

Metrics are computed from ``values.parquet`` with `metrics.daily_returns`: the strategy's
first day is measured against its initial cash (so the first day's fees count, as in
`Result.stats()`), each benchmark's first day is 0 (bought at that close), so `compare`
recomputes exactly what `metrics.json` says.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.backtest import metrics
from hedgeclone.errors import InputError

__all__ = [
    "RUN_FILES",
    "STRATEGY",
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
    "dumps",
    "json_safe",
    "label_closes",
    "close_notes",
    "DELISTING",
    "DATA_ENDS",
]

STRATEGY = "strategy"
RUN_FILES = ("run.json", "config.json", "metrics.json", "periods.json", "values.parquet", "holdings.parquet",
             "trades.parquet", "report.html")
TRADE_COLUMNS = ["date", "ticker", "side", "shares", "price", "fees", "value", "reason"]
DELISTING = "delisting"  # a close the data forced: the name was delisted
DATA_ENDS = "data ends"  # a close the data forced: its series stops only because its source does
_SHOWN = 5  # closes listed by name in a note


def json_safe(value):
    """`value` with non-finite floats replaced by None (JSON has no NaN), recursively."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.floating | np.integer | np.bool_):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(document) -> str:
    """`document` as indented JSON, non-finite floats as null."""
    return json.dumps(json_safe(document), indent=2, allow_nan=False, default=str) + "\n"


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
    initial: float | None = None  # the strategy's value before its first day (its initial cash)

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


def returns_of(run: RunData) -> pd.DataFrame:
    """Daily simple returns of each column of `run.values` (`metrics.daily_returns`).

    The strategy's first day is measured against `run.initial` (its initial cash), each
    benchmark's first day is 0; NaN where a level is missing.
    """
    initial = {c: None for c in run.values.columns}
    initial[STRATEGY] = run.initial
    return pd.DataFrame({c: metrics.daily_returns(run.values[c], initial[c]) for c in run.values.columns},
                        index=run.values.index)


def data_fingerprint(*frames: pd.DataFrame | pd.Series, threads: int = 2) -> str:
    """SHA-256 over the contents, index and column names of `frames`: equal data, equal fingerprint.

    A wide price frame's halves are hashed on `threads` threads at once (1: one after the other,
    for a caller that hashes beside other work)."""
    parts: list = []  # per frame: digests of its labels and contents, some still being computed
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for frame in frames:
            obj = frame.to_frame() if isinstance(frame, pd.Series) else frame
            labels = hashlib.sha256(json.dumps([str(c) for c in obj.columns]).encode())
            labels.update(pd.util.hash_pandas_object(obj.index).to_numpy().tobytes())
            parts.append(labels.digest())
            if len(obj.columns) and all(dtype == np.float64 for dtype in obj.dtypes):
                # A wide price frame: its bytes column by column (a panel's frame is laid out so: no
                # copy), in two halves hashed on the pool's threads (hashlib releases the GIL).
                columns = np.ascontiguousarray(obj.to_numpy().T)
                parts += [pool.submit(_sha256, half) for half in np.array_split(columns, 2)]
            else:
                parts.append(_sha256(pd.util.hash_pandas_object(obj, index=False).to_numpy()))
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.result())
    return digest.hexdigest()


def _sha256(values: np.ndarray) -> bytes:
    return hashlib.sha256(np.ascontiguousarray(values).view(np.uint8)).digest()


def holdings_from_picks(picks: Mapping, names: pd.Series | None = None) -> pd.DataFrame:
    """Long table of each decision's picks (`strategies.Picks.table()`), with `names` (ticker -> name)."""
    tables = [chosen.table() for chosen in picks.values()]
    if tables:
        out = pd.concat(tables, ignore_index=True)
        out.insert(0, "date", pd.DatetimeIndex([pd.Timestamp(d) for d in picks]).repeat([len(t) for t in tables]))
    else:
        out = pd.DataFrame(columns=["date", "rank", "ticker", "weight"])
    if names is not None:
        out.insert(out.columns.get_loc("ticker") + 1, "name", out["ticker"].map(names).astype(object))
    return out


def holdings_from_result(result) -> pd.DataFrame:
    """Weights held at the close of each day with trades (a `backtest.Result` without picks)."""
    return result.holdings()


def build_run(name: str, result, *, benchmarks: pd.DataFrame | Mapping[str, pd.Series] | None = None,
              holdings: pd.DataFrame | None = None, config: Mapping | None = None,
              caveats: tuple[str, ...] | list[str] = (), notes: tuple[str, ...] | list[str] = (),
              fingerprint: str | None = None, ends: pd.DataFrame | None = None) -> RunData:
    """A `RunData` from a `backtest.Result` and benchmark levels (restricted to the result's dates).

    Without `holdings`, the weights after each day with trades are used; without `fingerprint`,
    the result's close prices and the benchmarks are fingerprinted; with the market's `ends`, the
    closes the data forced are labelled delisting or data ends (`label_closes`).
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
    return RunData(name=name, values=values, holdings=holdings, trades=label_closes(result.trades, ends),
                   config=dict(config or {}),
                   caveats=tuple(caveats), notes=tuple(notes), fingerprint=fingerprint, initial=result.init_cash)


def label_closes(trades: pd.DataFrame, ends: pd.DataFrame | None) -> pd.DataFrame:
    """`trades` with each close the data forced (reason ``delisting``) told apart by the market's
    `ends` (`data.Market.ends`): it stays a `DELISTING` where `ends` calls the series delisted, and
    becomes `DATA_ENDS` elsewhere (its source stops, or it stops within the coverage tolerance of
    the market's end). Without `ends` (a market that does not say) nothing changes."""
    if ends is None or not len(trades):
        return trades
    forced = (trades["reason"] == DELISTING).to_numpy()
    if not forced.any():
        return trades
    kind = trades["ticker"].map(ends["kind"]).to_numpy()  # "delisted" is `data.prices.coverage.DELISTED`
    out = trades.copy()
    out["reason"] = np.where(forced & (kind != "delisted"), DATA_ENDS, out["reason"].to_numpy())
    return out


def close_notes(trades: pd.DataFrame, ends: pd.DataFrame | None) -> list[str]:
    """One note per kind of close the data forced in the labelled `trades` (`label_closes`): how many
    positions were closed at delistings (each with its delisting return and where it came from) and
    how many because their data ended."""
    if not len(trades):
        return []
    notes = []
    trades = trades.sort_values("date", kind="stable")  # the engine records a segment's closes by holding, not date
    gone = trades[trades["reason"] == DELISTING]
    if len(gone):
        def told(row) -> str:
            text = f"{row.ticker} {pd.Timestamp(row.date).date()}"
            if ends is not None and row.ticker in ends.index:
                r, source = ends.at[row.ticker, "delisting_return"], ends.at[row.ticker, "return_from"]
                text += f" ({float(r):+.2%}, {source})" if source else f" ({float(r):+.2%})"
            return text

        shown = ", ".join(told(r) for r in gone.head(_SHOWN).itertuples()) + (" ..." if len(gone) > _SHOWN else "")
        notes.append(f"{len(gone)} position(s) closed at a delisting, at the last price times 1 + the delisting "
                     f"return: {shown}")
    stopped = trades[trades["reason"] == DATA_ENDS]
    if len(stopped):
        shown = ", ".join(f"{r.ticker} {pd.Timestamp(r.date).date()}" for r in stopped.head(_SHOWN).itertuples())
        notes.append(f"{len(stopped)} position(s) closed because their data ended (the source stops there; not a "
                     f"delisting), at the last price: {shown}{' ...' if len(stopped) > _SHOWN else ''}")
    return notes


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
        traded = float(np.abs(trades["value"]).sum()) if len(trades) else 0.0
        fees = float(trades["fees"].sum()) if len(trades) else 0.0
        strat.update(metrics.trading(values, traded, fees))
    doc: dict = {"strategy": strat, "benchmarks": {}, "relative": {}}
    for name, series in benchmarks.items():
        doc["benchmarks"][name] = metrics.summary(series, risk_free=risk_free)
        doc["relative"][name] = metrics.relative(strategy, series, risk_free=risk_free)
    return json_safe(doc)


def periods_document(returns: pd.DataFrame) -> dict:
    """``{"yearly": {SERIES: {"2024": r}}, "quarterly": {SERIES: {"2024Q1": r}}}`` of daily returns."""
    yearly, quarterly = {}, {}
    for col in returns.columns:
        y = metrics.per_year_returns(returns[col])
        q = metrics.per_quarter_returns(returns[col])
        yearly[col] = {str(k): v for k, v in y.items()}
        quarterly[col] = {f"{k[0]}Q{k[1]}": v for k, v in q.items()}
    return json_safe({"yearly": yearly, "quarterly": quarterly})


def run_metrics(run: RunData, *, risk_free=0.0) -> dict:
    """The metrics document of `run`, computed from its daily values and trades."""
    rets = returns_of(run)
    return metrics_document(rets[STRATEGY], {b: rets[b] for b in run.benchmarks}, risk_free=risk_free,
                            trades=run.trades, values=run.values[STRATEGY])


def config_of(obj) -> dict:
    """A JSON-ready dict of a dataclass config object's fields (its ``repr`` otherwise)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return {"repr": repr(obj)}
