"""`hedgeclone run CONFIG.toml` and `hedgeclone screen CONFIG.toml --as-of DATE`."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


def progress_bar() -> Progress:
    """The progress display shared by long commands."""
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=False,
    )


def config_store(config, store: str | None):
    """The `Store` that `--store` names for `config` (None without the option: the config's own).

    A store the config reads its market from must exist; the demo market's cache may not yet.
    """
    from hedgeclone.backtest.cli.data_store import open_store

    return None if store is None else open_store(store, read=config.data.source == "store")


def execute(config, out: Path, store: str | None, title: str | None = None) -> Path:
    """Load the market, replay the strategy with a progress bar, write and summarise the run."""
    from hedgeclone.backtest.report.summary import run_summary
    from hedgeclone.backtest.rundir import load_metrics
    from hedgeclone.backtest.session import (
        load_config_market,
        market_fingerprint,
        run_config,
        write_config_run,
    )
    from hedgeclone.warmup import at_idle_priority, warm_up

    warm_up()  # numba's setup while the market loads
    with progress_bar() as progress, ThreadPoolExecutor(max_workers=1) as pool:
        task = progress.add_task(f"market ({config.data.source})", total=1)
        market = load_config_market(config, config_store(config, store))
        progress.update(task, completed=1)
        # On one thread at idle priority, on the core the decisions leave free (mostly hashlib, which
        # releases the GIL; two hashing threads, or one at normal priority, took the decisions' core).
        fingerprint = pool.submit(at_idle_priority, market_fingerprint, market, 1)
        decide = progress.add_task(f"{config.strategy.name}: decisions", total=None)
        run = run_config(config, market, lambda done, total: progress.update(decide, completed=done, total=total))
    with console.status("writing the run directory and report"):
        path = write_config_run(out, config, market, run, fingerprint=fingerprint.result())
    window = run.result.index
    b = config.backtest
    console.print(run_summary(load_metrics(path), run.strategy.name,
                              title or f"{window[0].date()} .. {window[-1].date()}, fees {b.fees:g}"))
    for note in run.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)  # plain text: no markup, no regexes
    for caveat in market.caveats:
        console.print(f"[dim]{escape(caveat)}[/]", highlight=False)
    console.print(f"wrote {path} (open {path / 'report.html'})")
    return path


def run(
    config_path: Path = typer.Argument(..., metavar="CONFIG.toml", help="Run config (see examples/)."),
    out: Path = typer.Option(None, "--out", help="Run directory to write (default: runs/<config name>)."),
    store: str | None = typer.Option(None, "--store", help="Store directory (overrides [data] store)."),
) -> None:
    """Run one backtest from a TOML config and write its run directory."""
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.strategies.config import load_config

    config = load_config(config_path)
    execute(config, out or Path("runs") / config_path.stem, store)


def screen(
    config_path: Path = typer.Argument(..., metavar="CONFIG.toml", help="Run config (see examples/)."),
    as_of: str = typer.Option(..., "--as-of", help="Decision date (YYYY-MM-DD)."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    top: int | None = typer.Option(None, "--top", min=1, help="Show only the first N rows."),
    store: str | None = typer.Option(None, "--store", help="Store directory (overrides [data] store)."),
) -> None:
    """Print every name the strategy finds eligible on a date, ranked, as it would have seen it."""
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.backtest.cli.data_store import date_option
    from hedgeclone.backtest.session import load_config_market, screen_config
    from hedgeclone.strategies.config import load_config

    config = load_config(config_path)
    date = date_option(as_of, "--as-of")
    with console.status("loading the market"):
        market = load_config_market(config, config_store(config, store))
    table = screen_config(config, market, date)
    notes = table.attrs.get("notes", ())
    if top is not None:
        table = table.head(top)
    if csv:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")
        return
    view = Table(title=f"{config.strategy.name} as of {date.date()} ({len(table)} names)", title_justify="left")
    for col in table.columns:
        view.add_column(col, justify="left" if col in ("ticker", "name") else "right")
    for row in table.itertuples(index=False):
        view.add_row(*[_fmt(col, v) for col, v in zip(table.columns, row, strict=True)])
    console.print(view)
    for note in notes:
        console.print(f"note: {escape(note)}", highlight=False)
    for caveat in market.caveats:
        console.print(f"[dim]{escape(caveat)}[/]", highlight=False)


def _fmt(col: str, value) -> str:
    if isinstance(value, float):
        if value != value:
            return "n/a"
        if col == "market_cap":
            return f"${value / 1e6:,.1f}M"
        if col.endswith("return"):
            return f"{100 * value:+.2f}%"
        if col == "dollar_volume":
            return f"${value / 1e3:,.0f}K"
        if col == "days_traded":
            return f"{100 * value:.0f}%"
        return f"{value:.4g}"
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("screen")(screen)
