"""`hedgeclone tune CONFIG.toml --grid NAME=V1,V2 ...`: sweep a grid, validate, report overfitting."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()

_BEST_OF = ("sharpe", "cagr", "total_return", "sortino", "calmar", "max_drawdown")


def _known_metrics(benchmarks) -> list[str]:
    from hedgeclone.backtest.metrics import RELATIVE_METRICS, SUMMARY_METRICS

    strat = [*SUMMARY_METRICS, "costs", "costs_pct", "turnover", "turnover_annual"]
    return strat + [f"{b}.{m}" for b in benchmarks for m in RELATIVE_METRICS]


def _fmt(value) -> str:
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.4g}"
    return str(value)


def _lower_is_better(metric: str) -> bool:
    return metric.split(".")[-1] in ("volatility", "tracking_error", "costs", "costs_pct", "down_capture")


def best_table(result, metric: str, names: list[str]) -> Table:
    """The best combination for each of a few metrics (and `metric`), with its parameters."""
    table = Table(title="best combination by metric", title_justify="left")
    table.add_column("metric")
    table.add_column("best", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("row", justify="right")
    shown = [metric] + [m for m in _BEST_OF if m != metric and m in result.metrics.columns]
    for m in shown:
        col = result.metrics[m]
        if col.notna().sum() == 0:
            continue
        i = col.idxmin() if _lower_is_better(m) else col.idxmax()
        table.add_row(m, _fmt(float(col[i])), *[_fmt(result.params.loc[i, n]) for n in names], str(i))
    return table


def heatmap_html(result, metric: str, axes: tuple[str, str] | None, header: str) -> str:
    """A self-contained HTML page (plotly.js embedded) with a heatmap of `metric` over two params.

    Other grid parameters are collapsed to the best value of `metric` at each cell.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    table = result.table()
    names = list(result.params.columns)
    x, y = axes if axes else (names[0], names[1] if len(names) > 1 else None)
    agg = "min" if _lower_is_better(metric) else "max"
    if y is None:
        grid = table.groupby(x, sort=True)[metric].agg(agg).to_frame().T
        ylabels = [metric]
    else:
        grid = table.pivot_table(index=y, columns=x, values=metric, aggfunc=agg, sort=True)
        ylabels = [str(v) for v in grid.index]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[str(v) for v in grid.columns], y=ylabels,
                               colorscale="Viridis", colorbar={"title": metric},
                               text=[[_fmt(float(v)) for v in row] for row in grid.to_numpy()],
                               texttemplate="%{text}"))
    others = [n for n in names if n not in (x, y)]
    note = f" ({agg} over {', '.join(others)})" if others else ""
    fig.update_layout(title=f"{metric} by {x}" + (f" and {y}" if y else "") + note,
                      xaxis_title=x, yaxis_title=y or "", template="plotly_white")
    html = pio.to_html(fig, include_plotlyjs=True, full_html=True)
    return html.replace("<body>", f"<body>{header}", 1)


def _header(title: str, lines: list[str], caveats) -> str:
    from html import escape

    items = "".join(f"<li>{escape(s)}</li>" for s in lines)
    notes = "".join(f"<p><em>{escape(c)}</em></p>" for c in caveats)
    return f"<h1 style='font-family:sans-serif'>{escape(title)}</h1><ul style='font-family:sans-serif'>{items}</ul>{notes}"


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
    store: Path | None = typer.Option(None, "--store", help="Store directory (overrides [data] store)."),
) -> None:
    """Backtest every combination of a parameter grid; report the best, walk-forward and overfitting."""
    from hedgeclone.backtest.cli.run import progress_bar
    from hedgeclone.backtest.tuning import parse_grid_option, pbo, sweep, sweep_dsr
    from hedgeclone.backtest.tuning.grid import combinations
    from hedgeclone.backtest.tuning.walkforward import WF_METRICS
    from hedgeclone.backtest.tuning.walkforward import walk_forward as run_wf
    from hedgeclone.data.store import Store
    from hedgeclone.errors import InputError
    from hedgeclone.strategies.config import load_config
    from hedgeclone.strategies.execute import load_config_market

    config = load_config(config_path)
    parsed = parse_grid_option(grid)
    names, combos, _ = combinations(config, parsed)  # checks names and values before any work
    known = _known_metrics(config.backtest.benchmarks)
    if metric not in known:
        raise InputError(f"--metric {metric!r} is unknown (known: {', '.join(known)})")
    if walk_forward is not None and metric not in WF_METRICS:
        raise InputError(f"--walk-forward ranks on {', '.join(WF_METRICS)}; --metric {metric!r} is not one")
    if walk_forward is not None and walk_forward not in ("rolling", "anchored"):
        raise InputError(f"--walk-forward must be rolling or anchored, got {walk_forward!r}")
    axes = None
    if heatmap is not None:
        parts = [p.strip() for p in heatmap.split(",")]
        if len(parts) != 2 or any(p not in names for p in parts) or parts[0] == parts[1]:
            raise InputError(f"--heatmap {heatmap!r} must name two different grid parameters ({', '.join(names)})")
        axes = (parts[0], parts[1])
    out = out or Path("runs") / f"tune-{config_path.stem}"

    with progress_bar() as progress:
        task = progress.add_task(f"market ({config.data.source})", total=1)
        market = load_config_market(config, Store(store) if store else None)
        progress.update(task, completed=1)
        tasks = {s: progress.add_task(f"{config.strategy.kind}: {s}", total=len(combos))
                 for s in ("decisions", "backtests")}
        result = sweep(config, parsed, market=market, scheduler=scheduler,
                       progress=lambda stage, done, total: progress.update(tasks[stage], completed=done, total=total))

    out.mkdir(parents=True, exist_ok=True)
    result.table().to_csv(out / "results.csv", index_label="row", float_format="%.10g")
    console.print(best_table(result, metric, names))

    lines = [f"{len(result)} combinations of {', '.join(names)}; metric {metric}"]
    rets = result.returns
    try:
        p = pbo(rets, n_blocks=16)
        lines.append(f"probability of backtest overfitting (CSCV, 16 blocks, {p.n_splits} splits, best Sharpe): "
                     f"{p.pbo:.3f}")
    except InputError as exc:
        lines.append(f"probability of backtest overfitting: n/a ({exc})")
    try:
        d = sweep_dsr(rets)
        lines.append(f"deflated Sharpe ratio of the best-Sharpe row {d.best} (on the dates all rows share) over "
                     f"{d.n_trials} trials: {d.dsr:.3f} (daily Sharpe {d.sharpe:.4f} vs expected best of noise "
                     f"{d.sr0:.4f})")
    except InputError as exc:
        lines.append(f"deflated Sharpe ratio: n/a ({exc})")
    if walk_forward is not None:
        wf = run_wf(rets, result.params, metric=metric, mode=walk_forward, train_years=train_years,
                    test_years=test_years)
        view = Table(title=f"walk-forward ({walk_forward}, {train_years:g}y in / {test_years:g}y out)",
                     title_justify="left")
        for col in wf.windows.columns:
            view.add_column(col, justify="right")
        for row in wf.windows.itertuples(index=False):
            view.add_row(*[str(v.date()) if hasattr(v, "date") else _fmt(v) for v in row])
        console.print(view)
        wf.windows.to_csv(out / "walkforward.csv", index=False, float_format="%.10g")
        lines.append(f"walk-forward out-of-sample {metric}: {_fmt(wf.summary[metric])} over "
                     f"{len(wf.oos_returns)} days (in-sample choice, out-of-sample result)")
    for line in lines[1:]:
        console.print(line)
    header = _header(f"hedgeclone tune: {config.strategy.kind}", lines, market.caveats)
    (out / "report.html").write_text(heatmap_html(result, metric, axes, header), encoding="utf-8")
    for caveat in market.caveats:
        console.print(f"[dim]{caveat}[/]")
    console.print(f"wrote {out / 'results.csv'} and {out / 'report.html'}")


def register(app: typer.Typer) -> None:
    app.command("tune")(tune)
