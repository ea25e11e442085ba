"""The `loading` benchmark: `load_market("store")` on the real data, long tables vs the price panel.

Builds (or reuses) a store from ../shared/data with the real import commands (the price files and
benchmark ETFs, the screener share snapshots, the superinvestor 13F holdings), then, parity first
(both paths must give equal markets on the whole calendar and on a 2015-2025 run window, or
nothing is reported), times as the median of several runs, warm (the store's files in the page
cache, the panel built):

- in-process: `_store(..., panel=False)` (the long-table path: DuckDB read and long-to-wide pivot)
  against `panel=True` (the memory-mapped panel), for each window;
- whole process: ``python -c "load_market('store', ...)"`` with ``HEDGECLONE_PRICE_PANEL=0`` / ``1``,
  and a process that only imports the loader (the floor of any whole-process figure).

Issue 12's R3 target: loading the real market in under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import machine_info, measure, now_iso, versions, write_json

__all__ = ["DESCRIPTION", "add_arguments", "real_store", "run"]

DESCRIPTION = "Load the real market from the store: long tables vs the memory-mapped price panel (target < 0.5 s)"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
STORE = Path("/tmp/hedgeclone-loading-store")
TARGET_S = 0.5
PRICES = ("prices/us_stocks_adjclose_2014_2026.csv.gz", "prices/us_delisted_by2026_ohlcv_2014_2020.csv.gz",
          "prices/benchmarks/SPY.csv", "prices/benchmarks/IWC.csv", "prices/benchmarks/IWM.csv")
SHARES = "prices/fundamentals"
HOLDINGS = "holdings13f/superinvestoren_13f_holdings.csv.gz"
WINDOWS = {"all dates": (None, None), "2015-01-02..2025-12-31": ("2015-01-02", "2025-12-31")}
BENCHMARKS = ("sp500", "russell-microcap")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `loading` sub-command."""
    parser.add_argument("--store", default=str(STORE), help="store to build from the shared data or reuse")
    parser.add_argument("--shared", default=str(SHARED), help="the shared data folder")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (median reported)")
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")


def _cli(*argv: str) -> None:
    from hedgeclone.backtest.cli.app import main

    try:
        main(list(argv))
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"hedgeclone {' '.join(argv[:3])} ... exited with {exc.code}") from None


def real_store(root: Path, shared: Path = SHARED):
    """The store at `root`, built from `shared` through the real import commands unless it holds prices."""
    from hedgeclone.data.store import Store

    store = Store(root)
    if store.root.is_dir() and store.names("prices/daily/") and store.names("13f/"):
        return store
    _cli("data", "prices", "import", *(str(shared / p) for p in PRICES), "--store", str(root))
    _cli("data", "shares", "import", *map(str, sorted((shared / SHARES).glob("nasdaq_screener_*.csv.gz"))),
         "--store", str(root))
    _cli("data", "13f", "import", str(shared / HOLDINGS), "--store", str(root))
    return store


def _parity(store) -> list[str]:
    """Differences between the two paths' markets (empty: equal), per window."""
    import pandas as pd

    from hedgeclone.data.market import _store

    problems = []
    for label, (start, end) in WINDOWS.items():
        new = _store(store, BENCHMARKS, start, end, panel=True)
        old = _store(store, BENCHMARKS, start, end, panel=False)
        for f in ("close", "raw_close", "volume", "benchmarks", "shares", "holdings"):
            try:
                pd.testing.assert_frame_equal(getattr(new, f), getattr(old, f), check_exact=True)
            except AssertionError as exc:
                problems.append(f"{label}: {f}: {str(exc).splitlines()[0]}")
        for f in ("delisting_returns", "issuers"):
            try:
                pd.testing.assert_series_equal(getattr(new, f), getattr(old, f), check_exact=True)
            except AssertionError as exc:
                problems.append(f"{label}: {f}: {str(exc).splitlines()[0]}")
        if new.caveats != old.caveats:
            problems.append(f"{label}: caveats differ")
    return problems


LOAD = ("import sys; from hedgeclone.data.store import Store; from hedgeclone.data.market import load_market; "
        "load_market('store', store=Store(sys.argv[1]))")
IMPORT_ONLY = "import hedgeclone.data.market, hedgeclone.data.prices.panel, hedgeclone.data.thirteenf.storage"


def _process(code: str, root: Path, panel: str, repeats: int) -> float:
    env = {**os.environ, "HEDGECLONE_PRICE_PANEL": panel}
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(root)], check=True, env=env)
        if i:  # the first run warms the page cache
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _size(store, prefix: str) -> int:
    return sum(e["bytes"] for n, e in store.manifest().items() if n.startswith(prefix))


def run(args: argparse.Namespace) -> int:
    """Parity, then the in-process and whole-process load times; 1 if parity fails or data is missing."""
    from rich.console import Console
    from rich.table import Table

    from hedgeclone.data.market import _store
    from hedgeclone.data.prices.panel import load_panel

    console = Console(width=max(Console().width, 110))
    shared = Path(args.shared)
    if not (shared / PRICES[0]).exists():
        console.print(f"[red]missing[/] {shared / PRICES[0]}: this benchmark needs the shared data")
        return 1
    with console.status("building or reusing the store"):
        started = time.perf_counter()
        store = real_store(Path(args.store), shared)
        built = time.perf_counter() - started
        started = time.perf_counter()
        load_panel(store)  # a store of an older hedgeclone gets its panel here, once
        panel_s = time.perf_counter() - started
    with console.status("parity: panel path vs long-table path"):
        problems = _parity(store)
    if problems:
        for p in problems:
            console.print(f"[red]parity failed[/] {p}")
        return 1
    rows: list[dict[str, Any]] = []
    for label, (start, end) in WINDOWS.items():
        for path, panel in (("long tables", False), ("price panel", True)):
            with console.status(f"in-process {label}, {path}"):
                t = measure(lambda s=start, e=end, p=panel: _store(store, BENCHMARKS, s, e, panel=p),
                            args.repeats, warmup=1)
            rows.append({"how": "in-process", "window": label, "path": path, **t.as_dict()})
    for path, flag in (("long tables", "0"), ("price panel", "1")):
        with console.status(f"whole process, {path}"):
            rows.append({"how": "whole process", "window": "all dates", "path": path,
                         "median_s": _process(LOAD, store.root, flag, args.repeats), "repeats": args.repeats})
    with console.status("whole process, imports only"):
        rows.append({"how": "whole process", "window": "-", "path": "imports only",
                     "median_s": _process(IMPORT_ONLY, store.root, "1", args.repeats), "repeats": args.repeats})
    table = Table(title=f"load_market('store') on the real data (median of {args.repeats}, warm; parity passed)")
    for col in ("how", "window", "path", "median", "target"):
        table.add_column(col, justify="left" if col in ("how", "window", "path") else "right")
    for r in rows:
        target = ""
        if r["path"] == "price panel":
            target = f"< {TARGET_S} s: {'met' if r['median_s'] < TARGET_S else 'MISSED'}"
        table.add_row(r["how"], r["window"], r["path"], f"{r['median_s']:.3f} s", target)
    console.print(table)
    panel_mb, long_mb = _size(store, "prices/panel/") / 1e6, _size(store, "prices/daily/") / 1e6
    console.print(f"store {store.root}: price panel {panel_mb:,.0f} MB on disk, long tables {long_mb:,.0f} MB; "
                  f"store ready in {built:.1f} s, panel ready in {panel_s:.1f} s", highlight=False)
    if args.json:
        write_json(args.json, {"when": now_iso(), "machine": machine_info(), "store": str(store.root),
                               "versions": versions(["numpy", "pandas", "pyarrow", "duckdb"]),
                               "panel_mb": panel_mb, "long_mb": long_mb, "rows": rows})
    return 0
