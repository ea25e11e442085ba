"""The run directory: a run written whole, so that it can be read, compared and reproduced.

Layout of ``RUN/`` (written whole, never half: see `write_run`)::

    run.json          name, hedgeclone version, creation time, window, initial cash, benchmarks,
                      data fingerprint, caveats, notes, SHA-256 of every other file
    config.json       the resolved configuration (every option, defaults filled in)
    metrics.json      {"strategy": {...}, "benchmarks": {NAME: {...}}, "relative": {NAME: {...}}}
    periods.json      per-year and per-quarter returns of the strategy and each benchmark
    values.parquet    daily values: date, strategy, one column per benchmark (its level)
    holdings.parquet  the targets of each rebalance: date, ticker, weight (+ rank, name, score, ...)
    trades.parquet    every fill: date, ticker, side, shares, price, fees, value, reason
    report.html       the self-contained report (`hedgeclone.backtest.report`)

The model (`RunData`) and its metric documents live in `hedgeclone.backtest.run`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hedgeclone.atomic import sha256_file, write_directory
from hedgeclone.backtest.report import render_report_bytes
from hedgeclone.backtest.run import (
    RUN_FILES,
    LoadedRun,
    RunData,
    dumps,
    periods_document,
    returns_of,
    run_metrics,
)
from hedgeclone.errors import CorruptFileError, InputError
from hedgeclone.version import __version__

__all__ = ["write_run", "load_run", "load_metrics"]


def write_run(out_dir: str | os.PathLike[str], run: RunData, *, risk_free=0.0) -> Path:
    """Write `run` as a complete run directory at `out_dir` and return its path.

    The directory is built beside `out_dir` and swapped into place (`atomic.write_directory`),
    so an interrupted run leaves either the previous run directory or the new one, never half
    of one and never none. An existing run directory at `out_dir` is replaced; any other
    non-empty directory, or a file, is refused with an `InputError`.
    """
    if not len(run.values):
        raise InputError(f"run {run.name!r} has no daily values to write")

    def build(tmp: Path) -> None:
        doc = run_metrics(run, risk_free=risk_free)
        (tmp / "config.json").write_text(dumps(dict(run.config)))
        (tmp / "metrics.json").write_text(dumps(doc))
        (tmp / "periods.json").write_text(dumps(periods_document(returns_of(run))))
        run.values.rename_axis("date").reset_index().to_parquet(tmp / "values.parquet", index=False)
        run.holdings.to_parquet(tmp / "holdings.parquet", index=False)
        run.trades.to_parquet(tmp / "trades.parquet", index=False)
        (tmp / "report.html").write_bytes(render_report_bytes(run, doc))
        start, end = run.window
        meta = {
            "name": run.name,
            "hedgeclone_version": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "start": str(start.date()),
            "end": str(end.date()),
            "days": len(run.values),
            "initial": run.initial,
            "benchmarks": run.benchmarks,
            "data_fingerprint": run.fingerprint,
            "caveats": list(run.caveats),
            "notes": list(run.notes),
            "files": {p.name: sha256_file(p) for p in sorted(tmp.iterdir())},
        }
        (tmp / "run.json").write_text(dumps(meta))

    return write_directory(out_dir, build, marker="run.json", what="hedgeclone run directory")


def _read_json(file: Path) -> dict:
    try:
        return json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}: not valid JSON ({exc})") from exc


def load_metrics(path: str | os.PathLike[str]) -> dict:
    """The metrics document (metrics.json) of the run directory `path`, as `write_run` wrote it."""
    return _read_json(Path(path) / "metrics.json")


def load_run(path: str | os.PathLike[str]) -> LoadedRun:
    """Read a run directory written by `write_run`; an incomplete one raises `InputError` naming the file."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"run directory {path} does not exist")
    missing = [f for f in RUN_FILES if not (path / f).exists()]
    if missing:
        raise InputError(f"{path} is not a complete run directory: missing {', '.join(missing)}")

    def read_json(name: str) -> dict:
        return _read_json(path / name)

    meta = read_json("run.json")
    for name, digest in meta.get("files", {}).items():
        if not (path / name).exists() or sha256_file(path / name) != digest:
            raise CorruptFileError(f"{path / name}: its SHA-256 does not match run.json (the file was changed "
                                   "or damaged after the run); re-run the backtest")
    values = pd.read_parquet(path / "values.parquet").set_index("date")
    values.index = pd.DatetimeIndex(values.index)
    return LoadedRun(
        name=meta.get("name", path.name), values=values.astype(float),
        holdings=pd.read_parquet(path / "holdings.parquet"), trades=pd.read_parquet(path / "trades.parquet"),
        config=read_json("config.json"), caveats=tuple(meta.get("caveats", ())), notes=tuple(meta.get("notes", ())),
        fingerprint=meta.get("data_fingerprint", ""), initial=meta.get("initial"), path=path, meta=meta, metrics=read_json("metrics.json"),
    )
