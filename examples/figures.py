"""Rebuild the README's figures from fresh runs, so that they cannot drift.

    .venv/bin/python -m examples.figures [--only demo|real] [--data ../shared/data] [--store DIR]
                                         [--out runs/figures] [--check]

The demo block (between ``<!-- demo:start -->`` and ``<!-- demo:end -->``) is the summary that
`hedgeclone demo` prints, from the offline demo market. The real-data block:

1. A store holding the real files of `--data` is built with the README's import commands (run
   in-process through the CLI) or reused: it lives in a directory keyed by the names, sizes and
   modification times of those files, and is only used once complete.
2. `examples/superinvestors-14.toml` is run into ``OUT/superinvestors-14`` and
   `examples/microcap-2025.toml` screened as of 2025-12-31, both through `backtest.session`.
3. The text between the README's ``<!-- figures:start -->`` and ``<!-- figures:end -->`` markers
   is rewritten from the run directory (``run.json``, ``metrics.json``, ``holdings.parquet``)
   and the screen. With `--check` nothing is written: the exit status is 1 if the README differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import pandas as pd

from hedgeclone.atomic import atomic_write_text, sha256_file

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DATA = ROOT / ".." / "shared" / "data"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
DEMO_START, DEMO_END = "<!-- demo:start -->", "<!-- demo:end -->"
DEMO_ROWS = ("total return", "CAGR", "Sharpe", "max DD")
SCREEN_DATE = "2025-12-31"
SCREEN_ROWS = 5
STORE_FORMAT = 2  # raised when imports store more (2: the suspect prices of prices/suspect), so cached stores rebuild

HOLDINGS_FILE = "holdings13f/superinvestoren_13f_holdings.csv.gz"
PRICE_FILES = ["prices/us_stocks_adjclose_2014_2026.csv.gz", "prices/us_delisted_by2026_ohlcv_2014_2020.csv.gz",
               "prices/benchmarks/SPY.csv", "prices/benchmarks/IWC.csv", "prices/benchmarks/IWM.csv"]
SCREENER_GLOB = "prices/fundamentals/nasdaq_screener_*.csv.gz"


def data_files(data: Path) -> dict[str, list[Path]]:
    """The real files the examples read, grouped by the import command that takes them."""
    return {"prices": [data / f for f in PRICE_FILES], "shares": sorted(data.glob(SCREENER_GLOB)),
            "13f": [data / HOLDINGS_FILE]}


def missing(data: Path) -> list[Path]:
    groups = data_files(data)
    absent = [p for paths in groups.values() for p in paths if not p.exists()]
    return absent + ([data / SCREENER_GLOB] if not groups["shares"] else [])


def store_key(data: Path) -> str:
    """A key naming the store built from `data`: the files' names, sizes and modification times."""
    h = hashlib.sha256()
    h.update(f"store format {STORE_FORMAT}\n".encode())
    for path in sorted(p for paths in data_files(data).values() for p in paths):
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def build_store(data: Path, root: Path) -> Path:
    """The store of `data` under `root` (``root/store-KEY``): reused if complete, else built.

    It is built in a temporary sibling and renamed into place, so that a half-built store is
    never used and two builds at once (a test and the script) do not mix.
    """
    from hedgeclone.backtest.cli.app import app

    path = root / f"store-{store_key(data)}"
    if (path / "figures-store.json").exists():
        return path
    tmp = root / f".building-{path.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    files = data_files(data)
    commands = [["data", "prices", "import", *map(str, files["prices"])],
                ["data", "shares", "import", *map(str, files["shares"])],
                ["data", "13f", "import", *map(str, files["13f"])]]
    for command in commands:  # the README's "Real data" imports, as the CLI runs them
        app([*command, "--store", str(tmp)], standalone_mode=False)
    (tmp / "figures-store.json").write_text(json.dumps({"key": store_key(data),
                                                        "files": [str(p) for p in sum(files.values(), [])]}))
    try:
        tmp.rename(path)
    except OSError:  # built meanwhile by another process: use that one
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def run_superinvestors(store: Path, out: Path):
    """Run superinvestors-14 into ``out/superinvestors-14``; returns (run directory, market)."""
    from hedgeclone.backtest.session import load_config_market, run_config, write_config_run
    from hedgeclone.data.store import Store
    from hedgeclone.strategies.config import load_config

    config = load_config(ROOT / "examples" / "superinvestors-14.toml")
    market = load_config_market(config, Store(store))
    return write_config_run(out / "superinvestors-14", config, market, run_config(config, market)), market


def screen_microcap(store: Path) -> pd.DataFrame:
    """The microcap-2025 screen on SCREEN_DATE, as `hedgeclone screen` computes it."""
    from hedgeclone.backtest.session import load_config_market, screen_config
    from hedgeclone.data.store import Store
    from hedgeclone.strategies.config import load_config

    config = load_config(ROOT / "examples" / "microcap-2025.toml")
    return screen_config(config, load_config_market(config, Store(store)), SCREEN_DATE)


def _pct(x: float) -> str:
    return f"{100 * x:+.2f}%"


def figures_block(run_dir: Path, screen: pd.DataFrame, data: Path) -> str:
    """The README's figures block, from a superinvestors-14 run directory and the micro-cap screen."""
    from hedgeclone.backtest.cli.run import _fmt  # the screen command's cell format

    run = json.loads((run_dir / "run.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    config = json.loads((run_dir / "config.json").read_text())
    holdings = pd.read_parquet(run_dir / "holdings.parquet")
    strategy, bench, rel = metrics["strategy"], metrics["benchmarks"], metrics["relative"]
    per_date = holdings.groupby("date").agg(picks=("ticker", "size"), issuers=("issuer", "nunique"))
    issuers = sorted(set(per_date["issuers"]))
    notes = run["notes"]
    stale = [int(m.group(1)) for n in notes if (m := re.search(r": (\d+) of \d+ 13F filers left out as stale", n))]
    replaced = [n for n in notes if "by score had prices" in n]
    s = config["strategy"]
    fees_bp = round(config["backtest"]["fees"] * 1e4)
    para = [
        f"`superinvestors-14` holds the {s['top_n']} companies most held by the superinvestor filers: "
        f"**{_pct(strategy['total_return'])}** from {run['start']} to {run['end']} against "
        f"{_pct(bench['sp500']['total_return'])} for SPY ({rel['sp500']['excess_return_pp']:+.1f} percentage points) "
        f"and {_pct(bench['russell-microcap']['total_return'])} for IWC, after {fees_bp} bp fees. "
        f"It rebalances {len(per_date)} times, holding {', '.join(map(str, issuers))} distinct issuers each time.",
        f"Data: `{HOLDINGS_FILE}` (SHA-256 `{sha256_file(data / HOLDINGS_FILE)[:16]}`), the adjusted closes "
        "and delisted names of `prices/`, SPY and IWC; run data fingerprint "
        f"`{run['data_fingerprint'][:16]}`. Rules: the 13F counting rules above with "
        f"`score = \"{s['score']}\"`, `max_filing_age_quarters = {s['max_filing_age_quarters']}`, "
        f"`merge_share_classes = {str(s['merge_share_classes']).lower()}`, "
        f"`exclude_funds = {str(s['exclude_funds']).lower()}`. "
        f"Its notes say where a top-{s['top_n']} issuer had no priced ticker ({len(replaced)} rebalances; the "
        f"next-ranked took its place) and how many filers were stale ({len(stale)} rebalances, "
        f"at most {max(stale, default=0)} filers).",
        f"The 2025 micro-cap screen (`hedgeclone screen examples/microcap-2025.toml --as-of {SCREEN_DATE}`) begins:",
    ]
    lines = [START]
    for text in para:
        lines += [textwrap.fill(text, width=94, break_long_words=False, break_on_hyphens=False), ""]
    lines.append("```")
    top = screen.head(SCREEN_ROWS)
    cells = [[str(c) for c in top.columns]] + [[_fmt(c, v) for c, v in zip(top.columns, row, strict=True)]
                                               for row in top.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(top.columns))]
    for r in cells:
        lines.append(" ".join(v.rjust(w) if i != 1 else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
                     .rstrip())
    lines += ["```", END]
    return "\n".join(lines)


def demo_block(store: Path | None = None) -> str:
    """The README's demo block: the head of the summary `hedgeclone demo` prints, from a fresh run."""
    from rich.console import Console

    from hedgeclone.backtest.report.summary import summary_table
    from hedgeclone.backtest.run import run_metrics
    from hedgeclone.backtest.session import demo_config, load_config_market, run_config
    from hedgeclone.data.demo import SYNTHETIC_NOTICE
    from hedgeclone.data.store import Store

    config = demo_config()
    market = load_config_market(config, Store(store) if store is not None else None)
    run = run_config(config, market)
    console = Console(record=True, width=100, file=open(os.devnull, "w"), color_system=None)  # noqa: SIM115
    console.print(summary_table(run_metrics(run.to_run_data()), run.strategy.name))
    table = console.export_text().splitlines()
    top = next(i for i, line in enumerate(table) if line.strip().startswith("metric"))
    head = [line.rstrip() for line in table[top : top + 2]]
    rows = [line.rstrip() for line in table if line.strip().split("  ")[0].strip() in DEMO_ROWS]
    notice = SYNTHETIC_NOTICE.split(". ")[0]
    return "\n".join([DEMO_START, "```", *head, *rows, " ...", f"{notice}. ...", "```", DEMO_END])


def replace_block(text: str, block: str, start: str = START, end: str = END) -> str:
    """`text` with its block between `start` and `end` (markers included) replaced by `block`."""
    lo, hi = text.find(start), text.find(end)
    if lo < 0 or hi < lo:
        raise SystemExit(f"{README}: no {start} ... {end} block")
    return text[:lo] + block + text[hi + len(end):]


def current_block(text: str, start: str = START, end: str = END) -> str:
    lo, hi = text.find(start), text.find(end)
    return text[lo: hi + len(end)] if 0 <= lo <= hi else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default ../shared/data)")
    parser.add_argument("--store", type=Path, default=None,
                        help="where stores are cached (default: $HEDGECLONE_STORE's parent or the user cache)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "figures", help="run directories")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the README differs")
    parser.add_argument("--only", choices=("demo", "real"), default=None, help="rebuild one block only")
    args = parser.parse_args(argv)
    blocks = []  # (start, end, block)
    if args.only in (None, "demo"):
        blocks.append((DEMO_START, DEMO_END, demo_block()))
    if args.only in (None, "real"):
        if gone := missing(args.data):
            print(f"real data absent: {gone[0]}", file=sys.stderr)
            return 2
        if args.store is None:
            from hedgeclone.data.store import default_store_dir

            args.store = default_store_dir().parent / "figures"
        store = build_store(args.data, args.store)
        run_dir, _ = run_superinvestors(store, args.out)
        blocks.append((START, END, figures_block(run_dir, screen_microcap(store), args.data)))
    text = README.read_text()
    if args.check:
        stale = [block for start, end, block in blocks if current_block(text, start, end) != block]
        for block in stale:
            print(f"README figures differ from a fresh run:\n{block}")
        if not stale:
            print("README figures are current")
        return 1 if stale else 0
    for start, end, block in blocks:
        text = replace_block(text, block, start, end)
        print(block)
    atomic_write_text(README, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
