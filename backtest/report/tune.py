"""Rendering of a sweep (`hedgeclone.backtest.tuning.SweepResult`, taken by duck type): the best
rows as a rich table, and a self-contained page with a heatmap of a metric over two parameters."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from rich.table import Table

from hedgeclone.backtest.metric_sets import higher_is_better
from hedgeclone.backtest.report.page import esc, figure_div, page

__all__ = ["best_table", "heatmap_figure", "tune_page", "BEST_OF"]

BEST_OF = ("sharpe", "cagr", "total_return", "sortino", "calmar", "max_drawdown")


def _fmt(value) -> str:
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.4g}"
    return str(value)


def _best_row(column):
    return column.idxmin() if higher_is_better(column.name) is False else column.idxmax()


def best_table(result, metric: str, names: list[str]) -> Table:
    """The best combination for each of a few metrics (and `metric`), with its parameters."""
    table = Table(title="best combination by metric", title_justify="left")
    table.add_column("metric")
    table.add_column("best", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("row", justify="right")
    shown = [metric] + [m for m in BEST_OF if m != metric and m in result.metrics.columns]
    for m in shown:
        col = result.metrics[m]
        if col.notna().sum() == 0:
            continue
        i = _best_row(col)
        table.add_row(m, _fmt(float(col[i])), *[_fmt(result.params.loc[i, n]) for n in names], str(i))
    return table


def heatmap_figure(result, metric: str, axes: tuple[str, str] | None = None) -> go.Figure:
    """A heatmap of `metric` over two grid parameters (the first two unless `axes` names them).

    Other grid parameters are collapsed to the best value of `metric` at each cell.
    """
    table = result.table()
    names = list(result.params.columns)
    x, y = axes if axes else (names[0], names[1] if len(names) > 1 else None)
    agg = "min" if higher_is_better(metric) is False else "max"
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
                      xaxis_title=x, yaxis_title=y or "")
    return fig


def tune_page(result, metric: str, axes: tuple[str, str] | None, title: str, lines: list[str],
              caveats=()) -> str:
    """A self-contained HTML page (plotly.js embedded): `lines` of findings and the heatmap."""
    body = [f"<h1>{esc(title)}</h1>", "<ul>", *[f"<li>{esc(s)}</li>" for s in lines], "</ul>",
            *[f"<div class='caveat'>{esc(c)}</div>" for c in caveats],
            figure_div(heatmap_figure(result, metric, axes), "heatmap")]
    return page(title, "\n".join(body))
