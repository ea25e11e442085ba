"""`hedgeclone demo`: the flagship consensus strategy on the offline synthetic market."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=False,
    )


def demo(
    out: Path = typer.Option(Path("runs/demo"), "--out", help="Run directory to write (metrics, values, holdings, trades, report.html)."),
    stocks: int = typer.Option(3000, "--stocks", min=50, help="Stocks in the synthetic market."),
    filers: int = typer.Option(300, "--filers", min=1, help="13F filers in the synthetic market."),
    seed: int = typer.Option(7, "--seed", min=0, help="Seed of the synthetic market."),
    top_n: int = typer.Option(14, "--top-n", min=1, help="Stocks held by the consensus strategy."),
    fees: float = typer.Option(0.001, "--fees", min=0.0, help="Proportional fees per trade (0.001 = 10 bp)."),
    store: Path | None = typer.Option(None, "--store", help="Store directory caching the generated market."),
) -> None:
    """Run the hedge-fund consensus strategy on the offline demo market and write a run directory."""
    from backtest.rundir import (
        build_run,
        config_of,
        data_fingerprint,
        holdings_from_picks,
        load_run,
        write_run,
    )
    from backtest.summary import run_summary
    from data.demo import SYNTHETIC_NOTICE, DemoConfig, load_demo
    from data.store import Store
    from strategies import HedgeFundConsensus, run_strategy

    config = DemoConfig(n_stocks=stocks, n_filers=filers, seed=seed)
    with _progress() as progress:
        task = progress.add_task(f"demo market ({stocks} stocks, {filers} filers)", total=1)
        market = load_demo(config, store=Store(store) if store else None)
        progress.update(task, completed=1)
        strategy = HedgeFundConsensus(top_n=top_n)
        decide = progress.add_task(f"{strategy.name}: quarterly decisions", total=None)
        # Start once the first filings are public: before that there is nothing to copy.
        run = run_strategy(
            strategy, market, start=market.holdings["filed"].min(), fees=fees, lag=1,
            delisting_returns=market.delistings.set_index("ticker")["delisting_return"],
            on_decision=lambda done, total: progress.update(decide, completed=done, total=total),
        )
    result = run.result
    delisted = int(market.delistings["date"].between(result.index[0], result.index[-1]).sum())
    caveats = [
        SYNTHETIC_NOTICE,
        f"Survivorship: the demo market keeps every security that ever traded, including {delisted} names "
        f"delisted during the run (closed at their last price times 1 + their delisting return); "
        f"no survivorship bias by construction.",
    ]
    run_config = {
        "command": "demo",
        "strategy": {"name": strategy.name, **config_of(strategy)},
        "demo_market": config_of(config),
        "start": str(result.index[0].date()), "end": str(result.index[-1].date()),
        "fees": fees, "slippage": 0.0, "lag": 1, "init_cash": 1.0, "delisting": True,
        "benchmarks": list(market.benchmarks.columns),
    }
    with console.status("writing the run directory and report"):
        data = build_run(
            strategy.name, result, benchmarks=market.benchmarks, config=run_config, caveats=caveats, notes=run.notes,
            holdings=holdings_from_picks(run.picks, market.securities.set_index("ticker")["issuer"]),
            fingerprint=data_fingerprint(market.close, market.benchmarks, market.holdings, market.delistings),
        )
        path = write_run(out, data)
    window = result.index
    doc = load_run(path).metrics
    console.print(run_summary(doc, strategy.name, f"{window[0].date()} .. {window[-1].date()}, fees {fees:g}"))
    for note in run.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"[dim]{SYNTHETIC_NOTICE}[/]")
    console.print(f"wrote {path} (open {path / 'report.html'})")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
