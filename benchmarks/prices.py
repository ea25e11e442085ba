"""The `prices` benchmark: the real price files of ../shared imported through the real path.

Issue target: `us_stocks_adjclose_2014_2026.csv.gz` (6,398 tickers, 13.2 M rows) in under
60 s. Each file is imported into a fresh store with `data.prices.import_price_file`, what
`hedgeclone data prices import` runs, then read back whole with `load_prices` and checked
against the file's own row and ticker counts. Needs the shared data folder beside the checkout.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import machine_info, now_iso, versions, write_json

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = "Import the real price files of ../shared/data/prices (target: the 13.2M-row file in < 60 s)"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "prices"
FILES = ("us_stocks_adjclose_2014_2026.csv.gz", "us_delisted_by2026_ohlcv_2014_2020.csv.gz")
TARGET_S = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `prices` sub-command."""
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")
    parser.add_argument("--shared", metavar="DIR", default=str(SHARED), help="folder holding the price files")


def _count(path: Path) -> tuple[int, int]:
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(include_columns=["ticker"]))
    return table.num_rows, len(pc.unique(table["ticker"]))


def run(args: argparse.Namespace) -> int:
    """Import each file into its own fresh store, timed; 1 if a file is missing or counts differ."""
    from rich.console import Console
    from rich.table import Table

    import hedgeclone.backtest  # noqa: F401
    from hedgeclone.data.prices import import_price_file, load_prices
    from hedgeclone.data.store import Store

    console = Console(width=max(Console().width, 110))
    folder = Path(args.shared)
    missing = [f for f in FILES if not (folder / f).exists()]
    if missing:
        console.print(f"[red]missing[/] {', '.join(missing)} in {folder}: this benchmark needs the shared data")
        return 1
    rows: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="hedgeclone-prices-"))
    try:
        for name in FILES:
            path = folder / name
            store = Store(work / name)
            with console.status(f"importing {name}"):
                start = time.perf_counter()
                report = import_price_file(store, path)
                seconds = time.perf_counter() - start
            with console.status(f"reading {name} back"):
                start = time.perf_counter()
                wide = load_prices(store, fields=("close",))["close"]
                read_s = time.perf_counter() - start
            file_rows, file_tickers = _count(path)
            rows.append({"file": name, "file_rows": file_rows, "file_tickers": file_tickers,
                         "stored_values": int(wide.notna().to_numpy().sum()), "stored_tickers": wide.shape[1],
                         "import_s": seconds, "read_all_s": read_s, "repairs": report.lines()})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = Table(title="Real price files imported through `hedgeclone data prices import`")
    for col in ("file", "rows in file", "tickers", "import", "read all back", "target"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for r in rows:
        target = f"< {TARGET_S:.0f} s: {'met' if r['import_s'] < TARGET_S else 'MISSED'}" if r is rows[0] else ""
        table.add_row(r["file"], f"{r['file_rows']:,}", f"{r['stored_tickers']:,} / {r['file_tickers']:,}",
                      f"{r['import_s']:.1f} s", f"{r['read_all_s']:.1f} s", target)
    console.print(table)
    for r in rows:
        for line in r["repairs"]:
            console.print(f"  {r['file']}: {line}", highlight=False)
    if args.json:
        write_json(args.json, {"when": now_iso(), "machine": machine_info(),
                               "versions": versions(["numpy", "pandas", "pyarrow", "duckdb"]), "files": rows})
    return 0 if all(r["stored_tickers"] <= r["file_tickers"] for r in rows) else 1
