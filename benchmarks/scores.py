"""``python -m benchmarks scores``: R5, all decision dates' consensus scores at once.

A demo market with 5,000 filers (cached in a store, ``--store``, default /tmp/scores-store) is
indexed once (`HoldingsIndex`, timed apart); then, for the consensus' decision dates:

1. parity first: the all-dates panels (`HoldingsIndex.panels`) equal the per-date loop
   (`issuers_as_of` on each date) on every date, bit for bit (tables, classes, filer counts);
2. timings, median of ``--repeats``: the panels (what R5 measures), the panels plus every
   date's `IssuerTable`, and the per-date loop.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from benchmarks.timing import machine_info, measure, now_iso, versions, write_json

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = "R5: all decision dates' 13F consensus scores as sparse panels vs the per-date loop (5,000 filers)"
TARGET_S = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `scores` sub-command."""
    parser.add_argument("--store", default="/tmp/scores-store", help="store directory caching the demo market")
    parser.add_argument("--filers", type=int, default=5000, help="13F filers in the demo market")
    parser.add_argument("--stocks", type=int, default=3000, help="stocks in the demo market")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.classes.reset_index(drop=True), b.classes.reset_index(drop=True),
                                  check_exact=True)
    if (a.filers, a.stale, a.oldest_quarter) != (b.filers, b.stale, b.oldest_quarter):
        raise AssertionError(f"{a.as_of.date()}: filer counts differ")


def run(args: argparse.Namespace) -> int:
    from hedgeclone.data.market import load_market
    from hedgeclone.data.store import Store
    from hedgeclone.data.thirteenf.index import HoldingsIndex
    from hedgeclone.strategies.consensus import HedgeFundConsensus

    t0 = time.perf_counter()
    market = load_market("demo", stocks=args.stocks, filers=args.filers, store=Store(args.store))
    load_s = time.perf_counter() - t0
    dates = HedgeFundConsensus().decision_dates(market)
    t0 = time.perf_counter()
    index = HoldingsIndex(market.holdings)
    index_s = time.perf_counter() - t0
    print(f"demo market: {args.filers} filers, {len(market.holdings):,} holdings rows, {len(dates)} decision dates "
          f"(loaded in {load_s:.1f} s, indexed in {index_s:.1f} s)")

    index.panels(dates[:2])  # compile (or load) the numba kernels outside the timings
    panels = index.panels(dates)
    loop = [index.issuers_as_of(d) for d in dates]
    for i, table in enumerate(loop):
        _same(table, panels.table(i))
    print(f"parity: panels equal the per-date loop on all {len(dates)} dates")

    timings = {
        "panels": measure(lambda: index.panels(dates), args.repeats),
        "panels_and_tables": measure(lambda: [p.table(i) for p in [index.panels(dates)] for i in range(len(dates))],
                                     args.repeats),
        "per_date_loop": measure(lambda: [index.issuers_as_of(d) for d in dates], args.repeats),
    }
    for name, t in timings.items():
        print(f"  {name:<18} {t.median_s:8.2f} s  (median of {t.repeats}; min {t.min_s:.2f}, max {t.max_s:.2f})")
    r5 = timings["panels"].median_s
    speedup = timings["per_date_loop"].median_s / r5
    ok = r5 < TARGET_S
    print(f"R5 {r5:.2f} s (target < {TARGET_S:g} s: {'met' if ok else 'MISSED'}); {speedup:.1f}x the per-date loop")
    if args.json:
        write_json(args.json, {"when": now_iso(), "machine": machine_info(), "versions": versions(("hedgeclone", "numpy", "pandas", "scipy", "numba")),
                               "filers": args.filers, "dates": len(dates), "rows": len(market.holdings),
                               "index_s": index_s, "timings": {k: v.as_dict() for k, v in timings.items()},
                               "target_s": TARGET_S, "met": ok})
    return 0 if ok else 1
