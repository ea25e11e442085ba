"""``python -m benchmarks real``: the real workloads R1-R5, as whole processes on a warm store.

Builds (or reuses) a store from ../shared/data through the real import commands
(`benchmarks.loading.real_store`), then:

1. parity first: a plain-pandas replay of the superinvestor consensus written from the raw
   files (`benchmarks.pandas_replay`) must pick what ``hedgeclone run`` picks on every decision
   date and give its daily values to 1e-9; otherwise no time is reported and the exit status is 1;
2. times, median of ``--repeats`` whole processes each: R1 ``hedgeclone run`` of
   examples/superinvestors-14.toml; R2 ``hedgeclone tune`` of it over the 1,000-combination grid
   (metrics, PBO and deflated Sharpe included); R3 loading the market alone (the ``load_market``
   call inside a fresh process, and that whole process); R4 the 2025 micro-cap ``screen``; R5 all
   decision dates' consensus scores over a demo market with 5,000 filers
   (``python -m benchmarks scores``, in-process);
3. the pandas replay's own time (reading the raw files included, as a script would; the median of
   up to three runs) against R1.

``--json FILE`` records every number; ``--readme`` rewrites the real-workloads block of
benchmarks/README.md and README.md from that record (`render_block`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.loading import HOLDINGS, PRICES, SHARED, STORE, real_store
from benchmarks.timing import machine_info, now_iso, versions, write_json

__all__ = ["DESCRIPTION", "GRID", "TARGETS", "add_arguments", "render_block", "run"]

DESCRIPTION = "R1-R5: real runs, a 1,000-combination tune, loading, a screen, 13F scores (whole processes)"
ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "real.json"
CONSENSUS = ROOT / "examples" / "superinvestors-14.toml"
MICROCAP = ROOT / "examples" / "microcap-2025.toml"
GRID = {
    "top_n": "5,8,10,12,14,16,20,25,30,40",
    "lag_days": ",".join(str(d) for d in range(0, 50, 5)),
    "weighting": "equal,score",
    "min_holders": "1,2,3,4,5",
}
TARGETS = {"R1": 2.0, "R2": 10.0, "R3": 0.5, "R4": 1.5, "R5": 5.0}
MIN_RATIO = 15.0  # hedgeclone R1 against the pandas replay
MARKERS = ("<!-- real:start -->", "<!-- real:end -->")
LOAD = ("import sys, time; t = time.perf_counter(); from hedgeclone.data.store import Store; "
        "from hedgeclone.data.market import load_market; "
        "load_market('store', store=Store(sys.argv[1]), benchmarks=('sp500', 'russell-microcap')); "
        "print(time.perf_counter() - t)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `real` sub-command."""
    parser.add_argument("--store", default=str(STORE), help="store to build from the shared data or reuse")
    parser.add_argument("--shared", default=str(SHARED), help="the shared data folder")
    parser.add_argument("--repeats", type=int, default=3, help="timed whole processes per workload (median)")
    parser.add_argument("--only", help="comma-separated workloads to time (R1,R2,R3,R4,R5); parity always runs")
    parser.add_argument("--json", metavar="FILE", help=f"write every number to FILE (with --readme: {RESULT.name})")
    parser.add_argument("--readme", action="store_true",
                        help="record to benchmarks/results/real.json and rewrite the README blocks from it")


def _hedgeclone() -> str:
    return str(Path(sys.executable).with_name("hedgeclone"))


def _timed(argv: list[str], repeats: int, *, env: dict | None = None) -> dict[str, Any]:
    """Median wall time of `repeats` runs of `argv` (after one untimed run that warms caches)."""
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:3])} ... exited with {done.returncode}:\n{done.stderr[-2000:]}")
        if i:
            times.append(elapsed)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "repeats": repeats}


def _grid_args() -> list[str]:
    return [a for name, values in GRID.items() for a in ("--grid", f"{name}={values}")]


def _parity(store_root: Path, shared: Path, work: Path, replays: int) -> tuple[list[str], float, dict[str, Any]]:
    """(problems, pandas replay seconds, facts): the pandas replay against one `hedgeclone run`; its time
    is the median of `replays` runs (each gives the same result), as R1's is a median."""
    import numpy as np
    import pandas as pd

    from benchmarks.pandas_replay import replay_all
    from hedgeclone.strategies.config import load_config

    out = work / "parity-run"
    subprocess.run([_hedgeclone(), "run", str(CONSENSUS), "--store", str(store_root), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    b = load_config(CONSENSUS).backtest
    times = []
    for _ in range(max(1, replays)):
        started = time.perf_counter()
        want = replay_all(shared / HOLDINGS, [shared / p for p in PRICES], start=b.start, end=b.end, fees=b.fees,
                          init_cash=b.init_cash, lag=b.lag)
        times.append(time.perf_counter() - started)
    pandas_s = statistics.median(times)
    held = pd.read_parquet(out / "holdings.parquet")
    problems = []
    dates = sorted(pd.DatetimeIndex(held["date"].unique()))
    if dates != sorted(want.picks):
        problems.append(f"decision dates differ: {len(dates)} in the run, {len(want.picks)} in the replay")
    for day in dates:
        got = held.loc[held["date"] == day, "ticker"].tolist()
        if day in want.picks and got != want.picks[day]["ticker"].tolist():
            problems.append(f"{day.date()}: run picks {got}, replay {want.picks[day]['ticker'].tolist()}")
    values = pd.read_parquet(out / "values.parquet").set_index("date")["strategy"]
    both = pd.concat([values, want.value], axis=1, keys=["run", "replay"]).dropna()
    rel = float(np.max(np.abs(both["replay"] / both["run"] - 1.0))) if len(both) else float("inf")
    if not rel <= 1e-9:
        problems.append(f"daily values differ by up to {rel:.3g} (relative) over {len(both)} days")
    return problems, pandas_s, {"dates": len(dates), "value_rel_diff": rel, "days": len(both)}


def _r3(store_root: Path, repeats: int) -> dict[str, Any]:
    calls, walls = [], []
    for i in range(repeats + 1):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LOAD, str(store_root)], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        if i:
            walls.append(time.perf_counter() - start)
            calls.append(float(done.stdout.split()[-1]))
    return {"median_s": statistics.median(calls), "process_s": statistics.median(walls), "repeats": repeats}


def _r5(work: Path, repeats: int) -> dict[str, Any]:
    record = work / "scores.json"
    subprocess.run([sys.executable, "-m", "benchmarks", "scores", "--repeats", str(repeats), "--json", str(record)],
                   cwd=ROOT, capture_output=True, text=True)
    if not record.exists():
        raise RuntimeError("python -m benchmarks scores wrote no result")
    data = json.loads(record.read_text())
    t = data["timings"]["panels"]
    return {"median_s": t["median_s"], "repeats": t["repeats"], "per_date_loop_s": data["timings"]["per_date_loop"]["median_s"]}


WORKLOADS = {
    "R1": "`hedgeclone run examples/superinvestors-14.toml` (47 rebalances, 2014-2025)",
    "R2": "`hedgeclone tune` of it, 1,000 combinations (top_n x lag_days x weighting x min_holders)",
    "R3": "loading the market alone (`load_market`, in a fresh process)",
    "R4": "`hedgeclone screen examples/microcap-2025.toml --as-of 2025-12-31`",
    "R5": "all decision dates' 13F consensus scores, demo market with 5,000 filers",
}


def _measure(name: str, store_root: Path, work: Path, repeats: int) -> dict[str, Any]:
    hc, store = _hedgeclone(), ["--store", str(store_root)]
    if name == "R1":
        return _timed([hc, "run", str(CONSENSUS), *store, "--out", str(work / "r1")], repeats)
    if name == "R2":
        return _timed([hc, "tune", str(CONSENSUS), *_grid_args(), *store, "--out", str(work / "r2")], repeats)
    if name == "R3":
        return _r3(store_root, repeats)
    if name == "R4":
        return _timed([hc, "screen", str(MICROCAP), "--as-of", "2025-12-31", *store], repeats)
    return _r5(work, repeats)


def render_block(record: dict[str, Any]) -> str:
    """The Markdown table of a `real` record, between its markers (what --readme writes)."""
    lines = [MARKERS[0], "| workload | hedgeclone (median) | target | |", "|---|---:|---:|---|"]
    for name, row in record["workloads"].items():
        extra = ""
        if name == "R1":
            ok = "met" if record["ratio"] >= MIN_RATIO else "missed"
            runs = record.get("pandas_runs", 1)
            extra = (f"; the plain-pandas replay {record['pandas_s']:.1f} s{f' (median of {runs})' if runs > 1 else ''}: "
                     f"hedgeclone **{record['ratio']:.1f}x** "
                     f"faster (target >= {MIN_RATIO:g}x: {ok})")
        if name == "R3":
            extra = f"; whole process {row['process_s']:.2f} s"
        if name == "R5":
            extra = f"; the per-date loop {row['per_date_loop_s']:.1f} s"
        met = "met" if row["median_s"] < TARGETS[name] else "**missed**"
        lines.append(f"| {name}: {WORKLOADS[name]} | {row['median_s']:.2f} s{extra} | < {TARGETS[name]:g} s | {met} |")
    p = record["parity"]
    lines += ["", f"Parity first: the pandas replay picked what `hedgeclone run` picked on all {p['dates']} "
                  f"decision dates and its daily values agree to {p['value_rel_diff']:.1e} over {p['days']:,} days. "
                  f"({record['machine']['cores']} cores, {record['when'][:10]}, median of {record['repeats']} "
                  f"whole processes on a warm store; `python -m benchmarks real --readme`.)", MARKERS[1]]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """`text` with its real-workloads block replaced by `block` (appended if it has none)."""
    start, end = MARKERS
    if start in text and end in text:
        return text[: text.index(start)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def run(args: argparse.Namespace) -> int:
    """Parity, then R1-R5; 1 if parity fails, data is missing or a target is missed."""
    shared = Path(args.shared)
    if not (shared / PRICES[0]).exists():
        print(f"missing {shared / PRICES[0]}: this benchmark needs the shared data", file=sys.stderr)
        return 1
    only = [w.strip().upper() for w in args.only.split(",")] if args.only else list(WORKLOADS)
    unknown = sorted(set(only) - set(WORKLOADS))
    if unknown:
        print(f"--only: unknown workloads {', '.join(unknown)} (known: {', '.join(WORKLOADS)})", file=sys.stderr)
        return 2
    if args.readme and args.only:
        print("--readme needs every workload (drop --only)", file=sys.stderr)
        return 2
    print("building or reusing the store ...", flush=True)
    store = real_store(Path(args.store), shared)
    from hedgeclone.data.prices.panel import load_panel

    load_panel(store)  # an older store gets its price panel here, once
    with tempfile.TemporaryDirectory(prefix="hc-real-") as tmp:
        work = Path(tmp)
        print("parity: the plain-pandas replay against hedgeclone run ...", flush=True)
        replays = min(3, args.repeats)
        problems, pandas_s, parity = _parity(store.root, shared, work, replays)
        if problems:
            for p in problems:
                print(f"parity failed: {p}", file=sys.stderr)
            return 1
        print(f"parity passed: {parity['dates']} dates, values to {parity['value_rel_diff']:.1e}; "
              f"pandas replay {pandas_s:.1f} s", flush=True)
        rows: dict[str, Any] = {}
        for name in only:
            print(f"{name}: {WORKLOADS[name]} ...", flush=True)
            row = _measure(name, store.root, work, args.repeats)
            rows[name] = row
            print(f"  {row['median_s']:.2f} s (target < {TARGETS[name]:g} s)", flush=True)
    record = {"when": now_iso(), "machine": machine_info(), "repeats": args.repeats,
              "versions": versions(["hedgeclone", "numpy", "pandas", "numba", "pyarrow"]),
              "parity": parity, "pandas_s": pandas_s, "pandas_runs": replays, "workloads": rows,
              "ratio": pandas_s / rows["R1"]["median_s"] if "R1" in rows else None}
    missed = [n for n, r in rows.items() if not r["median_s"] < TARGETS[n]]
    if record["ratio"] is not None and record["ratio"] < MIN_RATIO:
        missed.append("ratio")
    if args.json:
        write_json(args.json, record)
    if args.readme:
        write_json(RESULT, record)
    print(render_block(record) if set(rows) == set(WORKLOADS) else json.dumps(rows, indent=1))
    if args.readme:
        block = render_block(record)
        for path in (ROOT / "README.md", ROOT / "benchmarks" / "README.md"):
            path.write_text(replace_block(path.read_text(), block))
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0

