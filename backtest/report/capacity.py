"""Rendering of a capacity table (`hedgeclone.backtest.capacity.Capacity`, taken by duck type): a
figure of return and fill rate against portfolio size, and a self-contained page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hedgeclone.backtest.report.page import esc, figure_div, num, page, pct, table_html

__all__ = ["capacity_figure", "capacity_page", "capacity_display"]


def capacity_figure(table: pd.DataFrame, strategy: str = "") -> go.Figure:
    """CAGR and costs (left axis, %) and fill rate (right axis, %) against the portfolio size (log scale)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = table["aum"].to_numpy()
    fig.add_trace(go.Scatter(x=x, y=100 * table["cagr"].to_numpy(), name="CAGR (%)", mode="lines+markers"))
    fig.add_trace(go.Scatter(x=x, y=100 * table["costs_pct"].to_numpy(), name="costs (% of mean value)",
                             mode="lines+markers", line=dict(dash="dot")))
    fig.add_trace(go.Scatter(x=x, y=100 * table["fill_rate"].to_numpy(), name="fill rate (%)", mode="lines+markers",
                             line=dict(dash="dash")), secondary_y=True)
    fig.update_xaxes(type="log", title_text="portfolio size (initial cash)")
    fig.update_yaxes(title_text="CAGR, costs (%)", secondary_y=False)
    fig.update_yaxes(title_text="fill rate (%)", range=[0, 105], secondary_y=True)
    fig.update_layout(title=f"Capacity{': ' + strategy if strategy else ''}", hovermode="x unified")
    return fig


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


def capacity_page(result) -> str:
    """A self-contained HTML page of a `Capacity`: what ran, the table, the figure and the caveats."""
    title = f"hedgeclone capacity: {result.strategy}"
    body = [f"<h1>{esc(title)}</h1>", f"<p>{esc(repr(result.execution))}</p>",
            table_html(capacity_display(result.table), index=False),
            figure_div(capacity_figure(result.table, result.strategy), "capacity"),
            *[f"<div class='caveat'>{esc(c)}</div>" for c in result.caveats]]
    return page(title, "\n".join(body))
