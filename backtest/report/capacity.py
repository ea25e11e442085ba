"""Rendering of a capacity table (`hedgeclone.backtest.capacity.Capacity`, taken by duck type): a
figure of return and fill rate against portfolio size, and a self-contained page."""

from __future__ import annotations

import pandas as pd

from hedgeclone.backtest.figures import capacity_figure
from hedgeclone.backtest.report.page import esc, figure_div, fragment, num, page, pct, table_html
from hedgeclone.backtest.report.summary import frame_table

__all__ = ["capacity_page", "capacity_display", "capacity_html", "capacity_rich"]


def capacity_display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: sizes as amounts, returns, costs and fill rates in percent, days with one decimal."""
    return pd.DataFrame({
        "aum": [f"{a:,.0f}" for a in table["aum"]],
        "total return": [pct(v) for v in table["total_return"]],
        "CAGR": [pct(v) for v in table["cagr"]],
        "costs": [f"{v:,.0f}" for v in table["costs"]],
        "costs (% of mean value)": [pct(v, sign=False) for v in table["costs_pct"]],
        "fill rate": [pct(v, 1, sign=False) for v in table["fill_rate"]],
        "days to fill": [num(v, 1) for v in table["days_to_fill"]],
    })


def capacity_html(result) -> str:
    """A `Capacity` as a notebook cell shows it: what ran, the table and the caveats."""
    body = [f"<h3>{esc('Capacity: ' + result.strategy)}</h3>", f"<p>{esc(repr(result.execution))}</p>",
            table_html(capacity_display(result.table), index=False),
            *[f"<div class='caveat'>{esc(c)}</div>" for c in result.caveats]]
    return fragment("\n".join(body))


def capacity_rich(result):
    """A `Capacity` as a rich renderable for the terminal: the table, titled with the strategy."""
    return frame_table(capacity_display(result.table), f"Capacity: {result.strategy}")


def capacity_page(result) -> str:
    """A self-contained HTML page of a `Capacity`: what ran, the table, the figure and the caveats."""
    title = f"hedgeclone capacity: {result.strategy}"
    body = [f"<h1>{esc(title)}</h1>", f"<p>{esc(repr(result.execution))}</p>",
            table_html(capacity_display(result.table), index=False),
            figure_div(capacity_figure(result.table, result.strategy), "capacity"),
            *[f"<div class='caveat'>{esc(c)}</div>" for c in result.caveats]]
    return page(title, "\n".join(body))
