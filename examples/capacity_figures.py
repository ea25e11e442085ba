"""Rebuild the README's capacity example from fresh runs on the demo market, so that it cannot drift.

    .venv/bin/python -m examples.capacity_figures [--check]

    .venv/bin/python -m examples.capacity_figures [--check] [--data ../shared/data]

Runs `hedgeclone capacity` (through `backtest.capacity`) for `examples/microcap-screen.toml` and
`examples/consensus-14.toml` at $100K, $1M, $10M and $100M on the demo market, then (when the
real file is there) the two real-data books of `real_books` (2016-2018, `us_stocks_close_volume_
2014_2024.parquet`, SOURCES.md section 6), and rewrites the text between the README's
``<!-- capacity:start -->`` and ``<!-- capacity:end -->`` markers with the tables. With `--check`
nothing is written: the exit status is 1 if the README differs. Beside `figures.py`, whose block
helpers it uses, so that the two blocks are rebuilt independently.

The real file is read here with a minimal Parquet reader (close and volume of the chosen tickers
only), not imported into a store: the store's importers belong to `data/prices`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd

from examples.figures import DATA, README, ROOT, current_block, replace_block
from hedgeclone.atomic import atomic_write_text

START, END = "<!-- capacity:start -->", "<!-- capacity:end -->"
CONFIGS = ("microcap-screen.toml", "consensus-14.toml")
AUMS = (1e5, 1e6, 1e7, 1e8)
REAL_FILE = "prices/us_stocks_close_volume_2014_2024.parquet"
THIN = (5e4, 2e5)  # median daily dollar volume in 2015 of the thinly traded book


def _read(file: Path, tickers=None, start: str = "2015-01-01", end: str = "2019-01-01") -> pd.DataFrame:
    filters = [("date", ">=", dt.date.fromisoformat(start)), ("date", "<", dt.date.fromisoformat(end))]
    if tickers is not None:
        filters.append(("ticker", "in", list(tickers)))
    frame = pd.read_parquet(file, columns=["ticker", "date", "close", "volume"], filters=filters)
    frame["ticker"] = frame["ticker"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def real_books(file: Path):
    """A market of 2015-2018 close and volume and two books chosen on 2015 data only (traded 2016-2018):
    the first 20 tickers (alphabetically) whose 2015 median dollar volume lay in `THIN`, and the 10 most
    traded; both priced on every session of 2016-2018. Returns (market, thin tickers, thick tickers)."""
    from hedgeclone.data.market import Market

    year = _read(file, end="2016-01-01")
    year["dollar"] = year["close"].astype(float) * year["volume"]
    median = year.groupby("ticker")["dollar"].median()
    counts = _read(file, start="2016-01-01").groupby("ticker").size()
    full = median.index.isin(counts[counts == counts.max()].index)
    thin = sorted(median[(median > THIN[0]) & (median < THIN[1]) & full].index)[:20]
    thick = list(median[full].sort_values().index[-10:])
    prices = _read(file, thin + thick)
    close = prices.pivot(index="date", columns="ticker", values="close").astype(float)
    volume = prices.pivot(index="date", columns="ticker", values="volume").astype(float)
    market = Market(close=close, raw_close=None, volume=volume, shares=None, holdings=None,
                    benchmarks=pd.DataFrame(index=close.index), delisting_returns=pd.Series(dtype=float))
    return market, thin, thick


def real_config(tickers):
    """Equal weights in `tickers`, restored each quarter, 2016-2018, 10 bp fees."""
    from hedgeclone.strategies import FixedWeights
    from hedgeclone.strategies.config import BacktestConfig, RunConfig

    weights = tuple((t, 1.0 / len(tickers)) for t in tickers)
    return RunConfig(strategy=FixedWeights(weights=weights, rebalance="quarterly"),
                     backtest=BacktestConfig(start=dt.date(2016, 1, 4), end=dt.date(2018, 12, 31), fees=0.001,
                                             benchmarks=()))


def capacity_table(name: str) -> list[str]:
    """The lines `hedgeclone capacity examples/NAME --aum 1e5,1e6,1e7,1e8` prints as its table."""
    from hedgeclone.backtest.session import load_config_market
    from hedgeclone.strategies.config import load_config

    config = load_config(ROOT / "examples" / name)
    return table_lines(config, load_config_market(config))


def table_lines(config, market) -> list[str]:
    """The capacity table of `config` on `market` at `AUMS`, as the terminal shows it."""
    from rich.console import Console
    from rich.table import Table

    from hedgeclone.backtest.capacity import capacity
    from hedgeclone.backtest.report.capacity import capacity_display

    result = capacity(config, market, AUMS)
    shown = capacity_display(result.table)
    table = Table(box=None, pad_edge=False)
    for col in shown.columns:
        table.add_column(col, justify="right")
    for row in shown.itertuples(index=False):
        table.add_row(*row)
    console = Console(record=True, width=120, file=open(os.devnull, "w"), color_system=None)  # noqa: SIM115
    console.print(table)
    return [line.rstrip() for line in console.export_text().splitlines() if line.strip()]


def capacity_block(data: Path) -> str:
    lines = [START, "```"]
    for name in CONFIGS:
        lines += [f"$ hedgeclone capacity examples/{name} --aum 1e5,1e6,1e7,1e8", *capacity_table(name), ""]
    lines += ["SYNTHETIC DATA above: the demo market. Cap 10% of dollar volume, impact k = 1 (the defaults).", "```",
              "", "On real close and volume, 2016-2018 (`examples/capacity_figures.py`'s `real_books`; "
              "the same books as `tests/backtest/capacity/test_capacity_real.py`):", "", "```"]
    market, thin, thick = real_books(data / REAL_FILE)
    lines += [f"20 stocks with a 2015 median dollar volume of ${THIN[0]:,.0f}-${THIN[1]:,.0f}, equal weights:",
              *table_lines(real_config(thin), market), "",
              "the 10 most traded stocks of 2015, equal weights:", *table_lines(real_config(thick), market),
              "```", END]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.capacity_figures", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the README differs")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default ../shared/data)")
    args = parser.parse_args(argv)
    if not (args.data / REAL_FILE).exists():
        print(f"real data absent: {args.data / REAL_FILE}", file=sys.stderr)
        return 2
    block = capacity_block(args.data)
    text = README.read_text()
    if args.check:
        if current_block(text, START, END) != block:
            print(f"README capacity block differs from a fresh run:\n{block}")
            return 1
        print("README capacity block is current")
        return 0
    atomic_write_text(README, replace_block(text, block, START, END))
    print(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
