"""`hedgeclone demo`: the flagship consensus strategy on the offline synthetic market."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=False,
    )


def metrics_table(title: str, rows: dict[str, dict[str, float | None]]) -> Table:
    """A rich table of total return, CAGR, Sharpe and max drawdown, one row per series."""
    table = Table(title=title, title_justify="left")
    table.add_column("series")
    for col in ("total return", "CAGR", "Sharpe", "max drawdown"):
        table.add_column(col, justify="right")

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:+.2f}%"

    for name, m in rows.items():
        sharpe = "n/a" if m["sharpe"] is None else f"{m['sharpe']:.2f}"
        table.add_row(name, pct(m["total_return"]), pct(m["cagr"]), sharpe, pct(m["max_drawdown"]))
    return table


def demo(
    out: Path = typer.Option(Path("runs/demo"), "--out", help="Run directory to write (metrics.json)."),
    stocks: int = typer.Option(3000, "--stocks", min=50, help="Stocks in the synthetic market."),
    filers: int = typer.Option(300, "--filers", min=1, help="13F filers in the synthetic market."),
    seed: int = typer.Option(7, "--seed", min=0, help="Seed of the synthetic market."),
    top_n: int = typer.Option(14, "--top-n", min=1, help="Stocks held by the consensus strategy."),
    fees: float = typer.Option(0.001, "--fees", min=0.0, help="Proportional fees per trade (0.001 = 10 bp)."),
    store: Path | None = typer.Option(None, "--store", help="Store directory caching the generated market."),
) -> None:
    """Run the hedge-fund consensus strategy on the offline demo market and write metrics.json."""
    from backtest.rundir import metrics_document, write_metrics
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
    window = result.index
    bench_returns = {
        name: market.benchmarks[name].loc[window[0] : window[-1]].pct_change().iloc[1:]
        for name in market.benchmarks.columns
    }
    doc = metrics_document(result.returns.iloc[1:], bench_returns)
    doc["run"] = {
        "strategy": strategy.name,
        "start": str(window[0].date()),
        "end": str(window[-1].date()),
        "rebalances": len(run.schedule),
        "fees": fees,
        "data": SYNTHETIC_NOTICE,
        "demo_config": {"n_stocks": stocks, "n_filers": filers, "seed": seed},
    }
    path = write_metrics(out, doc)
    rows = {strategy.name: doc["strategy"], **doc["benchmarks"]}
    console.print(metrics_table(f"{window[0].date()} .. {window[-1].date()}, fees {fees:g}", rows))
    for note in run.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"[dim]{SYNTHETIC_NOTICE}[/]")
    console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
