"""How a run and a walk-forward show themselves: an HTML fragment for notebooks (``_repr_html_``) and a
rich renderable for terminals (``__rich__``).

Renderers take plain data: a run as `RunData` with its metrics document, a walk-forward result by
duck type (`windows`, `summary`, `metric`, `mode`, `oos_returns`); they import none of the models
that call them. Metric labels and formats come from `metric_sets`.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hedgeclone.backtest.figures import KINDS
from hedgeclone.backtest.metric_sets import METRICS, SUMMARY_METRICS, format_metric, format_number
from hedgeclone.backtest.report import metrics_tables
from hedgeclone.backtest.report.page import esc, fragment, pct, table_html
from hedgeclone.backtest.report.summary import frame_table, run_summary

__all__ = ["run_html", "run_rich", "caveats_html", "walkforward_table", "walkforward_html", "walkforward_rich"]

_PLOTS = ", ".join(f"'{k}'" for k in KINDS)


def caveats_html(caveats) -> str:
    """One highlighted block per data caveat."""
    return "".join(f"<div class='caveat'>{esc(c)}</div>" for c in caveats)


def _caveats_rich(caveats) -> list[Text]:
    return [Text(c, style="yellow") for c in caveats]


def _subtitle(run) -> str:
    start, end = run.window
    dates = pd.DatetimeIndex(run.holdings["date"].unique()) if len(run.holdings) else []
    return (f"{start.date()} .. {end.date()} · {len(run.values)} trading days · {len(dates)} rebalances · "
            f"{len(run.trades)} fills")


def run_html(run, doc: dict) -> str:
    """The headline of a run for a notebook: window, data caveats, metrics against each benchmark, costs."""
    absolute, relative = metrics_tables(doc, run.name)
    s = doc["strategy"]
    body = [f"<h3>{esc(run.name)}</h3>", f"<p class='note'>{esc(_subtitle(run))}</p>", caveats_html(run.caveats),
            table_html(absolute)]
    if len(relative.columns):
        body.append(table_html(relative))
    if s.get("costs") is not None:
        body.append(f"<p class='note'>fees {esc(format_metric('costs', s['costs']))} "
                    f"({pct(s.get('costs_pct'), 3, False)} of mean value); turnover "
                    f"{pct(s.get('turnover_annual'), 0, False)} a year</p>")
    if run.notes:
        body.append(f"<details><summary>{len(run.notes)} notes</summary><ul>"
                    + "".join(f"<li>{esc(n)}</li>" for n in run.notes) + "</ul></details>")
    body.append(f"<p class='note'>.plot(kind) draws {esc(_PLOTS)}; .report() writes and opens the full report</p>")
    return fragment("\n".join(body))


def run_rich(run, doc: dict) -> Group:
    """The same headline for a terminal: the summary tables of ``hedgeclone run`` under the window."""
    parts: list = [Text(run.name, style="bold"), Text(_subtitle(run), style="dim"),
                   run_summary(doc, run.name), *_caveats_rich(run.caveats)]
    if run.notes:
        parts.append(Text(f"{len(run.notes)} notes (.notes)", style="dim"))
    return Group(*parts)


def _cell(value) -> str:
    return str(value.date()) if isinstance(value, pd.Timestamp) else format_number(value)


def walkforward_table(wf, title: str | None = None) -> Table:
    """One row per walk-forward window: its dates, the chosen combination and the metric in and out of sample."""
    return frame_table(wf.windows.map(_cell), title or f"walk-forward ({wf.mode}), chosen on {wf.metric}")


def _oos_line(wf) -> str:
    r = wf.oos_returns
    span = f"{r.index[0].date()} .. {r.index[-1].date()}" if len(r) else "no days"
    shown = ", ".join(f"{METRICS[k].short} {format_metric(k, wf.summary.get(k))}" for k in SUMMARY_METRICS)
    return f"out of sample, stitched ({span}, {len(r)} days): {shown}"


def walkforward_html(wf) -> str:
    """The windows of a walk-forward and the summary of its stitched out-of-sample returns."""
    windows = wf.windows.map(_cell)
    return fragment("\n".join([
        f"<h3>Walk-forward ({esc(wf.mode)}), chosen on {esc(wf.metric)}: {len(wf.windows)} windows</h3>",
        f"<p>{esc(_oos_line(wf))}</p>", table_html(windows, index=False),
        "<p class='note'>.plot() draws the stitched out-of-sample growth of 1</p>",
    ]))


def walkforward_rich(wf) -> Group:
    return Group(walkforward_table(wf), Text(_oos_line(wf)))
