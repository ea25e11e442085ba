"""How an engine `Result` shows itself: its strategy metrics as an HTML table (notebooks) or a rich table
(terminals), and its figures.

The engine has no benchmarks and no data caveats, and it sits below the reports: this renderer
uses only the metric names and formats of `metric_sets` and the figures of `backtest.figures`
(both on the engine's floor). A strategy run (`hedgeclone.run`) shows the full headline.
"""

from __future__ import annotations

import html

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hedgeclone.backtest import metrics
from hedgeclone.backtest.metric_sets import METRICS, STRATEGY_METRICS, format_metric

__all__ = ["stats_frame", "result_html", "result_rich", "result_figure"]

_HINT = "no benchmarks or caveats here: hc.report(result, benchmarks=...) writes the full report"


def stats_frame(stats: dict) -> pd.DataFrame:
    """`Result.stats()` as one column of display strings, rows labelled by `metric_sets`."""
    frame = pd.DataFrame({"value": {METRICS[k].label: format_metric(k, stats.get(k)) for k in STRATEGY_METRICS}})
    frame.index.name = "metric"
    return frame


def _headline(result) -> str:
    if not len(result.index):
        return "empty backtest"
    v = result.output.value
    return (f"backtest {result.index[0].date()} .. {result.index[-1].date()}: {len(result.index)} days, "
            f"{len(result.orders)} fills, value {v[0]:,.6g} -> {v[-1]:,.6g}")


def result_html(result) -> str:
    """The headline and the strategy metrics of `result` as an HTML fragment."""
    table = stats_frame(result.stats()).to_html(border=0)
    return (f"<div class=\"hedgeclone\"><p><b>{html.escape(_headline(result))}</b></p>{table}"
            f"<p style=\"color:#555\">{html.escape(repr(result.execution))}; {html.escape(_HINT)}</p></div>")


def result_rich(result) -> Group:
    """The headline and the strategy metrics of `result` as a rich table."""
    table = Table(title=_headline(result), title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, row in stats_frame(result.stats()).iterrows():
        table.add_row(str(label), row["value"])
    return Group(table, Text(f"{result.execution!r}; {_HINT}", style="dim"))


def result_figure(result, kind: str, benchmarks: pd.DataFrame | dict | None = None):
    """The figure `kind` (`backtest.figures.KINDS`) of `result`, with `benchmarks` (daily levels) beside it."""
    from hedgeclone.backtest import figures  # plotly loads only when a figure is drawn

    values = result.value.rename("strategy").to_frame()
    if benchmarks is not None:
        bench = pd.DataFrame(dict(benchmarks)) if isinstance(benchmarks, dict) else pd.DataFrame(benchmarks)
        values = values.join(bench.reindex(values.index).astype(float))
    returns = pd.DataFrame({c: metrics.daily_returns(values[c], result.init_cash if i == 0 else None)
                            for i, c in enumerate(values.columns)}, index=values.index)
    return figures.run_figure(kind, values, returns, holdings=result.holdings(), trades=result.trades)
