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
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hedgeclone.atomic import sha256_file, umask
from hedgeclone.backtest.report import render_report
from hedgeclone.backtest.run import (
    RUN_FILES,
    LoadedRun,
    RunData,
    dumps,
    periods_document,
    returns_of,
    run_metrics,
)
from hedgeclone.errors import InputError
from hedgeclone.version import __version__

__all__ = ["write_run", "load_run"]


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"run directory {out_dir} exists and is a file; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "run.json").exists():
        raise InputError(
            f"run directory {out_dir} exists and is not a hedgeclone run directory (no run.json); "
            "choose another --out or empty it"
        )


def write_run(out_dir: str | os.PathLike[str], run: RunData, *, risk_free=0.0) -> Path:
    """Write `run` as a complete run directory at `out_dir` and return its path.

    Everything is written into a temporary sibling directory that is then renamed into place,
    so an interrupted run leaves either the previous run directory or the new one, never half
    of one. An existing run directory at `out_dir` is replaced; any other non-empty directory
    is refused with an `InputError`.
    """
    out_dir = Path(out_dir)
    _check_target(out_dir)
    if not len(run.values):
        raise InputError(f"run {run.name!r} has no daily values to write")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-"))
    try:
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it private; a run directory is an ordinary one
        doc = run_metrics(run, risk_free=risk_free)
        periods = periods_document(returns_of(run))
        (tmp / "config.json").write_text(dumps(dict(run.config)))
        (tmp / "metrics.json").write_text(dumps(doc))
        (tmp / "periods.json").write_text(dumps(periods))
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
            "initial": run.initial,
            "benchmarks": run.benchmarks,
            "data_fingerprint": run.fingerprint,
            "caveats": list(run.caveats),
            "notes": list(run.notes),
            "files": {p.name: sha256_file(p) for p in sorted(tmp.iterdir())},
        }
        (tmp / "run.json").write_text(dumps(meta))
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
        fingerprint=meta.get("data_fingerprint", ""), initial=meta.get("initial"), path=path, meta=meta, metrics=read_json("metrics.json"),
    )
