"""``python -m benchmarks engine``: W1 on hedgeclone, vectorbt (numba, rust) and bt, in one process.

1. Parity first (DESIGN.md convention 12): every engine runs W1 once, which also warms up
   numba's compilation; final values and whole value series are compared with vectorbt's
   numba engine. If hedgeclone differs from it by more than 1e-9 relative, no timing is
   reported and the exit status is 1. bt is compared but not gated: it charges the fee of
   each trade inside the money allotted to that name, vectorbt and hedgeclone take fees
   from shared cash in order (the last buys are cut short); a zero-fee bt run shows the
   rest of the arithmetic agrees.
2. Warm timings, medians over repeats; slow peers get fewer repeats.
3. A rich table on the terminal and, with ``--json FILE``, all numbers as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import peers
from benchmarks.timing import Timing, machine_info, measure, now_iso, versions, write_json
from benchmarks.workloads import W1, build_w1

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = "W1 engine benchmark: output parity with vectorbt (numba, rust) and bt, then warm timings"
TOLERANCE = 1e-9
REFERENCE = "vectorbt_numba"
GATED = ("hedgeclone_schedule", "hedgeclone_dense")
BASELINE = "hedgeclone_schedule"
TARGETS = {"vectorbt_numba": 5_000.0, "bt": 500.0}
DISTRIBUTIONS = ("hedgeclone", "numpy", "pandas", "numba", "vectorbt", "vectorbt-rust", "bt", "ffn")


@dataclass(frozen=True)
class Engine:
    """One timed contender: a key for JSON, a label for people, and a W1 runner."""

    key: str
    label: str
    run: Callable[[], pd.Series]
    slow: bool


def _positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `engine` sub-command."""
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")
    parser.add_argument("--repeats", type=_positive_int, default=None, metavar="N",
                        help="timed runs of each hedgeclone variant (default 50; 10 with --quick)")
    parser.add_argument("--slow-repeats", type=_positive_int, default=None, metavar="N",
                        help="timed runs of vectorbt and bt, which take seconds each (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip timing hedgeclone's kernel and wrapper stages separately")


def engines(w: W1) -> list[Engine]:
    """The contenders available in this environment; vectorbt's rust engine and bt only if installed."""
    out = [
        Engine("hedgeclone_schedule", "hedgeclone (Schedule)", lambda: peers.hedgeclone_value(w), False),
        Engine("hedgeclone_dense", "hedgeclone (dense frame)",
               lambda: peers.hedgeclone_value(w, dense=True), False),
    ]
    if importlib.util.find_spec("vectorbt") is not None:
        out.append(Engine("vectorbt_numba", "vectorbt numba",
                          lambda: peers.vectorbt_value(w, "numba"), True))
        if peers.rust_available():
            out.append(Engine("vectorbt_rust", "vectorbt rust",
                              lambda: peers.vectorbt_value(w, "rust"), True))
    if importlib.util.find_spec("bt") is not None:
        out.append(Engine("bt", "bt", lambda: peers.bt_value(w), True))
    return out


def _rel(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """Largest |a / b - 1| (elementwise over arrays)."""
    return float(np.nanmax(np.abs(np.asarray(a, dtype=np.float64) / np.asarray(b, dtype=np.float64) - 1.0)))


def parity(values: dict[str, pd.Series], w: W1) -> dict[str, Any]:
    """Compare every engine's W1 output with vectorbt numba's; say whether hedgeclone passes 1e-9.

    Also re-runs bt and hedgeclone without fees (``bt_zero_fee_series_rel_diff``), which
    isolates the one modelling difference of bt.
    """
    finals = {k: float(v.iloc[-1]) for k, v in values.items()}
    out: dict[str, Any] = {"reference": REFERENCE, "tolerance": TOLERANCE, "final_value": finals}
    if REFERENCE not in values:
        out.update(passed=False, reason="vectorbt is not installed: nothing to check hedgeclone against")
        return out
    ref = values[REFERENCE]
    out["final_rel_diff_vs_reference"] = {k: _rel(f, finals[REFERENCE]) for k, f in finals.items()}
    out["series_max_rel_diff_vs_reference"] = {
        k: _rel(v.reindex(ref.index).to_numpy(), ref.to_numpy()) for k, v in values.items()
    }
    exact = [k for k in finals if k != "bt"]
    out["largest_final_rel_diff"] = max(_rel(finals[a], finals[b]) for a in exact for b in exact)
    gated = {k: out["series_max_rel_diff_vs_reference"][k] for k in GATED if k in values}
    out["passed"] = len(gated) == len(GATED) and all(d <= TOLERANCE for d in gated.values())
    if "bt" in values:
        free = peers.hedgeclone_value(W1(w.close, w.weights, w.schedule, w.targets, 0.0, w.seed))
        out["bt_zero_fee_series_rel_diff"] = _rel(peers.bt_value(w, fees=0.0).to_numpy(), free.to_numpy())
    return out


def ratios(timings: dict[str, Timing]) -> dict[str, float]:
    """Peer median / hedgeclone median for every (peer, hedgeclone input) pair timed."""
    out = {}
    for base in GATED:
        if base not in timings:
            continue
        for key, t in timings.items():
            if not key.startswith("hedgeclone"):
                out[f"{key}/{base}"] = t.median_s / timings[base].median_s
    return out


def target_checks(speedups: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Each speed target of DESIGN.md against each hedgeclone input: ratio, target, met."""
    out = {}
    for peer, target in TARGETS.items():
        for base in GATED:
            name = f"{peer}/{base}"
            if name in speedups:
                out[name] = {"ratio": speedups[name], "target": target, "met": speedups[name] >= target}
    return out


def _fmt_s(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} us"


def _render(console: Any, w: W1, labels: dict[str, str], par: dict[str, Any],
            timings: dict[str, Timing], checks: dict[str, dict[str, Any]], split: dict[str, Any]) -> None:
    """Print the parity table, the timing table, the targets and the kernel/wrapper split."""
    from rich.table import Table

    table = Table(title=f"Parity on W1 (reference: {REFERENCE}, gate {TOLERANCE:g} on hedgeclone)")
    for col in ("engine", "final value", "final rel diff", "series max rel diff"):
        table.add_column(col, justify="left" if col == "engine" else "right")
    final_diff = par.get("final_rel_diff_vs_reference", {})
    series_diff = par.get("series_max_rel_diff_vs_reference", {})
    for key, final in par["final_value"].items():
        table.add_row(labels[key], f"{final:,.6f}", f"{final_diff.get(key, np.nan):.2e}",
                      f"{series_diff.get(key, np.nan):.2e}")
    console.print(table)
    if "bt_zero_fee_series_rel_diff" in par:
        console.print(f"bt differs by how it charges fees (not gated); with fees = 0 its series differs by "
                      f"{par['bt_zero_fee_series_rel_diff']:.2e}.")
    if not timings:
        return
    table = Table(title=f"Warm timings on {w.describe()}")
    for col in ("engine", "median", "min", "max", "runs", "x Schedule", "x dense"):
        table.add_column(col, justify="left" if col == "engine" else "right")
    for key, t in timings.items():
        r1 = t.median_s / timings[BASELINE].median_s
        r2 = t.median_s / timings["hedgeclone_dense"].median_s
        table.add_row(labels[key], _fmt_s(t.median_s), _fmt_s(t.min_s), _fmt_s(t.max_s), str(t.repeats),
                      f"{r1:,.0f}", f"{r2:,.1f}")
    console.print(table)
    for name, c in checks.items():
        mark = "[green]met[/green]" if c["met"] else "[red]missed[/red]"
        console.print(f"  {name}: {c['ratio']:,.0f}x (target >= {c['target']:,.0f}x) {mark}")
    for name, s in split.items():
        if name == "error":
            console.print(f"[yellow]kernel/wrapper split unavailable: {s}[/yellow]")
            continue
        stages = ", ".join(f"{k[:-2]} {_fmt_s(v)}" for k, v in s.items() if k.endswith("_s")
                           and k not in ("total_s", "kernel_s", "wrapper_s"))
        console.print(f"  hedgeclone {name}: total {_fmt_s(s['total_s'])} = kernel {_fmt_s(s['kernel_s'])} "
                      f"({s['kernel_entries']:,} entries) + wrapper {_fmt_s(s['wrapper_s'])} ({stages})")


def run(args: argparse.Namespace) -> int:
    """Run the engine benchmark as `args` say; 0 when parity passed, 1 when it did not."""
    from rich.console import Console

    console = Console(width=max(Console().width, 110))
    repeats = args.repeats or (10 if args.quick else 50)
    slow_repeats = args.slow_repeats or (1 if args.quick else 3)
    with console.status("building W1"):
        w = build_w1()
    console.print(w.describe())
    contenders = engines(w)
    labels = {e.key: e.label for e in contenders}
    values: dict[str, pd.Series] = {}
    for e in contenders:  # the parity runs double as warm-up (numba compilation, first-touch caches)
        with console.status(f"parity run (untimed warm-up): {e.label}"):
            values[e.key] = e.run()
    with console.status("checking parity"):
        par = parity(values, w)
    payload: dict[str, Any] = {
        "benchmark": "engine",
        "date": now_iso(),
        "workload": {"name": "W1", "description": w.describe(), "days": w.shape[0], "stocks": w.shape[1],
                     "rebalances": len(w.schedule), "fees": w.fees, "seed": w.seed, "init_cash": peers.INIT_CASH},
        "machine": machine_info(),
        "versions": versions(DISTRIBUTIONS),
        "parity": par,
    }
    timings: dict[str, Timing] = {}
    checks: dict[str, dict[str, Any]] = {}
    split: dict[str, Any] = {}
    if par["passed"]:
        for e in contenders:
            n = slow_repeats if e.slow else repeats
            with console.status(f"timing {e.label}: {n} run(s)"):
                timings[e.key] = measure(e.run, n)
        speedups = ratios(timings)
        checks = target_checks(speedups)
        if not args.no_breakdown:
            with console.status("timing hedgeclone's kernel and wrapper stages"):
                split = wrapper_split(w, repeats)
        payload.update(
            repeats={"hedgeclone": repeats, "slow_peers": slow_repeats},
            timings={k: t.as_dict() for k, t in timings.items()},
            ratios=speedups,
            targets=checks,
            hedgeclone_breakdown=split,
        )
    _render(console, w, labels, par, timings, checks, split)
    if not par["passed"]:
        console.print(f"[red]parity failed: hedgeclone differs from {REFERENCE} by more than {TOLERANCE:g} "
                      f"relative ({par.get('reason', 'see the table')}); no ratios reported[/red]")
    if args.json:
        console.print(f"wrote {write_json(args.json, payload)}")
    return 0 if par["passed"] else 1


def wrapper_split(w: W1, repeats: int) -> dict[str, Any]:
    """hedgeclone's time on W1 split into kernel and wrapper stages (see `benchmarks.wrapper`)."""
    from benchmarks.wrapper import breakdown

    return breakdown(w, repeats)
