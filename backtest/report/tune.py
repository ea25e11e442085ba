"""Rendering of a sweep (`hedgeclone.backtest.tuning.SweepResult`, taken by duck type): the best
rows as a rich table or a notebook fragment with the overfitting findings, and a self-contained page
with a heatmap of a metric over two parameters."""

from __future__ import annotations

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hedgeclone.backtest.figures import heatmap_figure
from hedgeclone.backtest.metric_sets import SUMMARY_METRICS, format_metric, format_number, higher_is_better
from hedgeclone.backtest.report.page import esc, figure_div, fragment, page, table_html
from hedgeclone.backtest.report.summary import frame_table

__all__ = ["best_table", "best_rows", "sweep_html", "sweep_rich", "tune_page", "BEST_OF"]

BEST_OF = ("sharpe", "cagr", "total_return", "sortino", "calmar", "max_drawdown")


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
        table.add_row(m, format_number(float(col[i])), *[format_number(result.params.loc[i, n]) for n in names], str(i))
    return table


def tune_page(result, metric: str, axes: tuple[str, str] | None, title: str, lines: list[str],
              caveats=()) -> str:
    """A self-contained HTML page (plotly.js embedded): `lines` of findings and the heatmap."""
    body = [f"<h1>{esc(title)}</h1>", "<ul>", *[f"<li>{esc(s)}</li>" for s in lines], "</ul>",
            *[f"<div class='caveat'>{esc(c)}</div>" for c in caveats],
            figure_div(heatmap_figure(result.table(), list(result.params.columns), metric, axes), "heatmap")]
    return page(title, "\n".join(body))


def best_rows(result, metric: str = "sharpe", n: int = 5) -> pd.DataFrame:
    """The `n` best combinations by `metric` (`SweepResult.best`), parameters then metrics, as display strings."""
    rows = result.best(metric, n)
    names = list(result.params.columns)
    shown = [metric] + [m for m in SUMMARY_METRICS if m != metric and m in rows.columns]
    out = pd.DataFrame({**{c: rows[c].map(format_number) for c in names},
                        **{m: rows[m].map(lambda v, m=m: format_metric(m, v)) for m in shown}}, index=rows.index)
    out.index.name = "row"
    return out


def _sweep_title(result) -> str:
    start, end = result.values.index[0], result.values.index[-1]
    return (f"sweep of {result.strategy or 'a strategy'}: {len(result)} combinations of "
            f"{', '.join(result.params.columns)}, {start.date()} .. {end.date()}")


def sweep_html(result, metric: str, findings: list[str], caveats=(), n: int = 5) -> str:
    """A sweep for a notebook: its best rows by `metric`, the overfitting `findings` and the data caveats."""
    body = [f"<h3>{esc(_sweep_title(result))}</h3>",
            *[f"<div class='caveat'>{esc(c)}</div>" for c in caveats],
            f"<p>best {min(n, len(result))} by {esc(metric)}:</p>", table_html(best_rows(result, metric, n)),
            "<ul>", *[f"<li>{esc(s)}</li>" for s in findings], "</ul>",
            "<p class='note'>.plot(metric, axes) draws a heatmap over two parameters; .table() has every row</p>"]
    return fragment("\n".join(body))


def sweep_rich(result, metric: str, findings: list[str], caveats=(), n: int = 5) -> Group:
    """The same for a terminal."""
    return Group(Text(_sweep_title(result), style="bold"),
                 frame_table(best_rows(result, metric, n), f"best {min(n, len(result))} by {metric}", index=True),
                 *[Text(s) for s in findings], *[Text(c, style="yellow") for c in caveats])
