"""`hedgeclone tune CONFIG.toml --grid NAME=V1,V2 ...`: sweep a grid, validate, report overfitting."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import typer
from rich.console import Console

from hedgeclone.backtest.metric_sets import RELATIVE_METRICS, STRATEGY_METRICS, format_number

console = Console()
TUNE_MARKER = "tune.json"  # marks a folder written by `tune`, which a later `tune --out` may replace


def _known_metrics(benchmarks) -> list[str]:
    return [*STRATEGY_METRICS] + [f"{b}.{m}" for b in benchmarks for m in RELATIVE_METRICS]


def tune(
    config_path: Path = typer.Argument(..., metavar="CONFIG.toml", help="Run config (see examples/)."),
    grid: list[str] = typer.Option(..., "--grid", help="NAME=V1,V2,... (repeat for more parameters)."),
    metric: str = typer.Option("sharpe", "--metric", help="Metric to rank, map and walk forward on."),
    heatmap: str | None = typer.Option(None, "--heatmap", help="X,Y: the two parameters of the heatmap."),
    walk_forward: str | None = typer.Option(None, "--walk-forward", help="rolling or anchored."),
    train_years: float = typer.Option(3.0, "--train-years", help="In-sample years per walk-forward window."),
    test_years: float = typer.Option(1.0, "--test-years", help="Out-of-sample years per walk-forward window."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (default: in-process)."),
    out: Path | None = typer.Option(None, "--out", help="Directory for results.csv and report.html."),
    store: str | None = typer.Option(None, "--store", help="Store directory (overrides [data] store)."),
) -> None:
    """Backtest every combination of a parameter grid; report the best, walk-forward and overfitting."""
    # Imported here, not at the top, to keep `hedgeclone --help` fast.
    from hedgeclone.atomic import check_output_dir, write_directory
    from hedgeclone.backtest.cli.run import config_store, progress_bar
    from hedgeclone.backtest.report.display import walkforward_table
    from hedgeclone.backtest.report.tune import best_table, tune_page
    from hedgeclone.backtest.session import execution_of, load_config_market
    from hedgeclone.backtest.tuning import overfitting, parse_grid_option, sweep
    from hedgeclone.backtest.tuning.grid import combinations
    from hedgeclone.backtest.tuning.walkforward import WF_METRICS
    from hedgeclone.backtest.tuning.walkforward import walk_forward as run_wf
    from hedgeclone.errors import InputError
    from hedgeclone.strategies.config import load_config

    config = load_config(config_path)
    models = execution_of(config).models
    if models:  # the batch kernel is the reference one: refuse rather than silently drop the models
        raise InputError(f"{config_path}: tune does not run execution models yet ({', '.join(map(repr, models))}); "
                         "remove them from [backtest] or use `hedgeclone run` / `hedgeclone capacity`")
    parsed = parse_grid_option(grid)
    names, combos, _ = combinations(config, parsed)  # checks names and values before any work
    known = _known_metrics(config.backtest.benchmarks)
    if metric not in known:
        raise InputError(f"--metric {metric!r} is unknown (known: {', '.join(known)})")
    if walk_forward is not None and metric not in WF_METRICS:
        raise InputError(f"--walk-forward ranks on {', '.join(WF_METRICS)}; --metric {metric!r} is not one")
    if walk_forward is not None and walk_forward not in ("rolling", "anchored"):
        raise InputError(f"--walk-forward must be rolling or anchored, got {walk_forward!r}")
    for option, years in (("--train-years", train_years), ("--test-years", test_years)):
        if not math.isfinite(years) or years <= 0:
            raise InputError(f"{option} must be a positive number of years, got {years:g}")
    axes = None
    if heatmap is not None:
        parts = [p.strip() for p in heatmap.split(",")]
        if len(parts) != 2 or any(p not in names for p in parts) or parts[0] == parts[1]:
            raise InputError(f"--heatmap {heatmap!r} must name two different grid parameters ({', '.join(names)})")
        axes = (parts[0], parts[1])
    if scheduler is not None and not re.fullmatch(r"(tcp|tls|ws|wss|ucx)://[A-Za-z0-9._\-\[\]:]+:\d{1,5}", scheduler):
        raise InputError(f"--scheduler {scheduler!r} is not a Dask scheduler address (e.g. tcp://10.0.0.5:8786)")
    out = out or Path("runs") / f"tune-{config_path.stem}"
    check_output_dir(out, TUNE_MARKER, "hedgeclone tune folder")  # before any work, and again when writing

    from hedgeclone.warmup import warm_up

    warm_up()  # numba's setup while the market loads
    with progress_bar() as progress:
        task = progress.add_task(f"market ({config.data.source})", total=1)
        market = load_config_market(config, config_store(config, store))
        progress.update(task, completed=1)
        tasks = {s: progress.add_task(f"{config.strategy.kind}: {s}", total=len(combos))
                 for s in ("decisions", "backtests")}
        result = sweep(config, parsed, market=market, scheduler=scheduler,
                       progress=lambda stage, done, total: progress.update(tasks[stage], completed=done, total=total))

    console.print(best_table(result, metric, names))
    files = {"results.csv": result.table().to_csv(index_label="row", float_format="%.10g")}
    lines = [f"{len(result)} combinations of {', '.join(names)}; metric {metric}"]
    rets = result.returns
    lines += overfitting(rets, n_blocks=16).lines()
    if walk_forward is not None:
        wf = run_wf(rets, result.params, metric=metric, mode=walk_forward, train_years=train_years,
                    test_years=test_years)
        view = walkforward_table(wf, f"walk-forward ({walk_forward}, {train_years:g}y in / {test_years:g}y out)")
        console.print(view)
        files["walkforward.csv"] = wf.windows.to_csv(index=False, float_format="%.10g")
        lines.append(f"walk-forward out-of-sample {metric}: {format_number(wf.summary[metric])} over "
                     f"{len(wf.oos_returns)} days (in-sample choice, out-of-sample result)")
    for line in lines[1:]:
        console.print(line)
    files["report.html"] = tune_page(result, metric, axes, f"hedgeclone tune: {config.strategy.kind}", lines,
                                     market.caveats)
    files[TUNE_MARKER] = json.dumps({"config": str(config_path), "grid": parsed, "metric": metric,
                                     "findings": lines}, indent=2, default=str) + "\n"

    def build(tmp: Path) -> None:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")

    write_directory(out, build, marker=TUNE_MARKER, what="hedgeclone tune folder")
    for caveat in market.caveats:
        console.print(f"[dim]{caveat}[/]")
    console.print(f"wrote {out / 'results.csv'} and {out / 'report.html'}")


def register(app: typer.Typer) -> None:
    app.command("tune")(tune)
