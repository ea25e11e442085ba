"""Rendering of a comparison of runs (`hedgeclone.backtest.compare.Comparison`, taken by duck type):
a rich table for the terminal, an HTML fragment for notebooks and an HTML page."""

from __future__ import annotations

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from hedgeclone.backtest.figures import equity_overlay_spec
from hedgeclone.backtest.metric_sets import format_metric, metric
from hedgeclone.backtest.report.page import esc, figure_div, fragment, page, table_html

__all__ = ["rich_table", "rich_view", "html_page", "html_fragment", "formatted"]


def _label(row: str) -> str:
    key, _, bench = row.partition(" vs ")
    base = metric(key).label
    return f"{base} vs {bench}" if bench else base


def _fmt(row: str, value) -> str:
    return format_metric(row, None if pd.isna(value) else float(value))


def formatted(comparison) -> pd.DataFrame:
    """The comparison table as display strings, rows labelled for people."""
    out = pd.DataFrame({c: [_fmt(r, v) for r, v in comparison.table[c].items()] for c in comparison.table.columns},
                       index=[_label(r) for r in comparison.table.index])
    out.index.name = "metric"
    return out


def rich_table(comparison) -> Table:
    """Metrics side by side; the best value of each row in bold green with a star."""
    start, end = comparison.window
    note = " (aligned to the common window)" if comparison.aligned else ""
    table = Table(title=f"{start.date()} .. {end.date()}{note}", title_justify="left")
    table.add_column("metric")
    for lab in comparison.labels:
        table.add_column(lab, justify="right")
    shown = formatted(comparison)
    for row, (label, cells) in zip(comparison.table.index, shown.iterrows(), strict=True):
        best = comparison.best.get(row)
        table.add_row(label, *[f"[bold green]{v} *[/]" if c == best else v for c, v in cells.items()])
    return table


def rich_view(comparison) -> Group:
    """`rich_table` followed by the runs' data caveats (what ``console.print(comparison)`` shows)."""
    return Group(rich_table(comparison), *[Text(c, style="yellow") for c in _caveats(comparison)])


def _marked(comparison) -> tuple[pd.DataFrame, dict]:
    shown = formatted(comparison)
    cols = list(shown.columns)
    best = {(i, cols.index(comparison.best[row])): True
            for i, row in enumerate(comparison.table.index) if comparison.best.get(row) in cols}
    return shown, best


def _heading(comparison) -> str:
    start, end = comparison.window
    note = " &middot; aligned to the common window" if comparison.aligned else ""
    return f"{start.date()} .. {end.date()}{note} &middot; &#9733; marks the best value of each row"


def _caveats(comparison) -> list[str]:
    return sorted({c for r in comparison.runs for c in r.caveats})


def html_fragment(comparison) -> str:
    """The marked table for a notebook (``_repr_html_``), under the window and the runs' data caveats."""
    shown, best = _marked(comparison)
    body = [f"<h3>Run comparison: {esc(', '.join(comparison.labels))}</h3>",
            f"<p class='note'>{_heading(comparison)}</p>",
            *[f"<div class='caveat'>{esc(c)}</div>" for c in _caveats(comparison)],
            table_html(shown, best=best),
            "<p class='note'>.plot() draws the overlaid equity curves; .write(dir) the comparison page</p>"]
    return fragment("\n".join(body))


def html_page(comparison) -> str:
    """A self-contained page with the marked table and the overlaid equity curves."""
    shown, best = _marked(comparison)
    body = [
        "<h1>Run comparison</h1>",
        f"<p class='sub'>{_heading(comparison)}</p>",
        *[f"<div class='caveat'>{esc(c)}</div>" for c in _caveats(comparison)],
        table_html(shown, best=best),
        figure_div(equity_overlay_spec(comparison.values, comparison.labels), "equity"),
    ]
    return page("hedgeclone: run comparison", "\n".join(body))
