"""`hedgeclone capacity CONFIG.toml --aum 1e5,1e6,1e7,1e8`: one strategy at several portfolio sizes."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
CAPACITY_MARKER = "capacity.json"  # marks a folder written by `capacity`, which a later `capacity --out` may replace


def capacity(
    config_path: Path = typer.Argument(..., metavar="CONFIG.toml", help="Run config (see examples/)."),
    aum: str = typer.Option(..., "--aum", help="Portfolio sizes, comma-separated (e.g. 1e5,1e6,1e7,1e8)."),
    participation: float | None = typer.Option(
        None, "--participation", help="Largest share of a day's dollar volume an order trades (default: the "
        "config's backtest.participation, else 0.1)."),
    impact: float | None = typer.Option(
        None, "--impact", help="k of the square-root impact (default: the config's backtest.impact, else 1; 0: off)."),
    out: Path | None = typer.Option(None, "--out", help="Directory for capacity.csv and report.html."),
    store: str | None = typer.Option(None, "--store", help="Store directory (overrides [data] store)."),
) -> None:
    """Run a strategy at several portfolio sizes with the volume cap and market impact on; table and plot."""
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.atomic import check_output_dir, write_directory
    from hedgeclone.backtest.capacity import capacity as run_capacity
    from hedgeclone.backtest.capacity import parse_aums
    from hedgeclone.backtest.cli.run import config_store, progress_bar
    from hedgeclone.backtest.report.capacity import capacity_display
    from hedgeclone.backtest.session import load_config_market
    from hedgeclone.errors import InputError
    from hedgeclone.strategies.config import load_config

    config = load_config(config_path)
    sizes = parse_aums(aum)
    if participation is not None and not (participation > 0):
        raise InputError(f"--participation must be > 0, got {participation:g}")
    if impact is not None and not (impact >= 0 and impact < float("inf")):
        raise InputError(f"--impact must be a finite number >= 0, got {impact:g}")
    if out is not None:
        check_output_dir(out, CAPACITY_MARKER, "hedgeclone capacity folder")  # before any work

    with progress_bar() as progress:
        task = progress.add_task(f"market ({config.data.source})", total=1)
        market = load_config_market(config, config_store(config, store))
        progress.update(task, completed=1)
        tasks = {"decisions": progress.add_task(f"{config.strategy.name}: decisions", total=None),
                 "sizes": progress.add_task("backtests by size", total=len(sizes))}
        result = run_capacity(config, market, sizes, participation=participation, impact=impact,
                              progress=lambda stage, done, total: progress.update(tasks[stage], completed=done,
                                                                                  total=total))
    shown = capacity_display(result.table)
    view = Table(title=f"capacity of {result.strategy} ({result.execution!r})", title_justify="left")
    for col in shown.columns:
        view.add_column(col, justify="right")
    for row in shown.itertuples(index=False):
        view.add_row(*row)
    console.print(view)
    for caveat in market.caveats:
        console.print(f"[dim]{caveat}[/]")
    if out is None:
        return
    files = {
        "capacity.csv": result.table.to_csv(index=False, float_format="%.10g"),
        "report.html": result.page(),
        CAPACITY_MARKER: json.dumps({"config": str(config_path), "aum": list(sizes),
                                     "execution": repr(result.execution)}, indent=2) + "\n",
    }

    def build(tmp: Path) -> None:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")

    write_directory(out, build, marker=CAPACITY_MARKER, what="hedgeclone capacity folder")
    console.print(f"wrote {out / 'capacity.csv'} and {out / 'report.html'}")


def register(app: typer.Typer) -> None:
    app.command("capacity")(capacity)
