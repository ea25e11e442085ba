"""``python -m benchmarks startup``: how long `hedgeclone --help` and importing a 13F parser take,
now and at the commit before the one-namespace layering (``BASELINE``), in the same run.

The baseline is the tree of that commit (``git archive``), run from its root, where its
top-level packages ``backtest``, ``data`` and ``strategies`` import as they did then. Each
command runs as a fresh process, alternating old and new, and the medians are compared.
Parity first: both versions must print the same sub-commands in their help.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from benchmarks.timing import machine_info, now_iso, write_json
from hedgeclone.atomic import atomic_write_text

DESCRIPTION = "start-up: `hedgeclone --help` and a 13F parser import, now vs before the layering"
BASELINE = "ad1f777"  # main before the one-namespace change (2026-12-01)
ROOT = Path(__file__).resolve().parents[1]
MARK = ("<!-- startup:start -->", "<!-- startup:end -->")

CASES = {
    "hedgeclone --help": (["-m", "backtest.cli.app", "--help"], ["-m", "hedgeclone.backtest.cli.app", "--help"]),
    "import the 13F XML parser": (["-c", "import data.thirteenf.parsers"],
                                  ["-c", "import hedgeclone.data.thirteenf.parsers"]),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=9, help="Runs of each command and version (median).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the results as JSON here.")
    parser.add_argument("--readme", action="store_true", help="Rewrite the startup block of benchmarks/README.md.")


def _baseline_tree(dest: Path) -> Path:
    archive = subprocess.run(["git", "archive", "--format=tar", BASELINE], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _timed(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    res = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {cwd}: {res.stderr.strip()[-500:]}")
    return elapsed, res.stdout


def _commands(help_text: str) -> set[str]:
    return set(re.findall(r"^\W*(demo|run|screen|compare|tune|data)\s", help_text, flags=re.M))


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        old_root = _baseline_tree(Path(tmp))
        new_root = Path(tmp) / "elsewhere"  # outside the checkout: only the installed hedgeclone is seen
        new_root.mkdir()
        rows = []
        for label, (old_args, new_args) in CASES.items():
            old_out, new_out = _timed(old_args, old_root)[1], _timed(new_args, new_root)[1]  # warm caches
            if label.endswith("--help") and _commands(old_out) != _commands(new_out):
                print(f"parity failed: old help lists {sorted(_commands(old_out))}, new {sorted(_commands(new_out))}")
                return 1
            old_t, new_t = [], []
            for _ in range(args.repeats):
                old_t.append(_timed(old_args, old_root)[0])
                new_t.append(_timed(new_args, new_root)[0])
            rows.append({"case": label, "before_s": statistics.median(old_t), "now_s": statistics.median(new_t)})
    lines = [f"| start-up (whole process, median of {args.repeats}) | before ({BASELINE}) | now | now / before |",
             "|---|---:|---:|---:|"]
    lines += [f"| `{r['case']}` | {r['before_s']:.2f} s | {r['now_s']:.2f} s | {r['now_s'] / r['before_s']:.2f} |"
              for r in rows]
    table = "\n".join(lines)
    print(table)
    if args.json:
        write_json(args.json, {"when": now_iso(), "machine": machine_info(), "baseline": BASELINE, "rows": rows})
    if args.readme:
        path = ROOT / "benchmarks" / "README.md"
        text = path.read_text(encoding="utf-8")
        a, b = text.index(MARK[0]) + len(MARK[0]), text.index(MARK[1])
        atomic_write_text(path, text[:a] + f"\n{table}\n\n({machine_info()['cores']} cores, {now_iso()[:10]})\n"
                          + text[b:])
    return 0
