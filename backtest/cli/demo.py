"""`hedgeclone demo`: the flagship consensus strategy on the offline synthetic market."""

from __future__ import annotations

from pathlib import Path

import typer


def demo(
    out: Path = typer.Option(Path("runs/demo"), "--out", help="Run directory to write (metrics, values, holdings, trades, report.html)."),
    stocks: int = typer.Option(3000, "--stocks", min=50, help="Stocks in the synthetic market."),
    filers: int = typer.Option(300, "--filers", min=1, help="13F filers in the synthetic market."),
    seed: int = typer.Option(7, "--seed", min=0, help="Seed of the synthetic market."),
    top_n: int = typer.Option(14, "--top-n", min=1, help="Stocks held by the consensus strategy."),
    fees: float = typer.Option(0.001, "--fees", min=0.0, help="Proportional fees per trade (0.001 = 10 bp)."),
    store: str | None = typer.Option(None, "--store", help="Store directory caching the generated market."),
) -> None:
    """Run the hedge-fund consensus strategy on the offline demo market and write a run directory.

    The strategy holds the 14 stocks with the most 13F holders among all filers, in equal
    weight, bought at the close after the first trading day past each quarter's 45-day filing
    deadline; it is the same as ``hedgeclone run examples/consensus-14.toml``.
    """
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.backtest.cli.run import execute
    from hedgeclone.backtest.session import demo_config

    execute(demo_config(top_n=top_n, fees=fees, stocks=stocks, filers=filers, seed=seed), out, store)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
