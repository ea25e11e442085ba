"""`hedgeclone compare RUN_DIR RUN_DIR ... [--out DIR] [--align]`: runs side by side."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def compare(
    run_dirs: list[Path] = typer.Argument(..., help="Run directories written by `hedgeclone demo` or `run`."),
    out: Path = typer.Option(Path("runs/compare"), "--out", help="Directory for compare.html and compare.json."),
    align: bool = typer.Option(False, "--align", help="Restrict all runs to their common window."),
) -> None:
    """Compare run directories: a metrics table with the best value of each row marked, and equity curves."""
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.backtest.compare import compare as compare_runs
    from hedgeclone.errors import InputError

    if len(run_dirs) < 2:
        raise InputError("compare needs at least two RUN_DIR arguments")
    comparison = compare_runs(run_dirs, align=align)
    console.print(comparison)
    path = comparison.write(out)
    console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
