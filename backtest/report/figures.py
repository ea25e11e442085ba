"""The plotly figures of a report, each built from a run's daily values, holdings or trades."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from hedgeclone.backtest import metrics

__all__ = ["rebased", "equity_figure", "drawdown_figure", "rolling_excess_figure", "yearly_figure", "costs_figure",
           "equity_overlay"]


def rebased(values: pd.DataFrame) -> pd.DataFrame:
    """Each column divided by its first known value (growth of 1)."""
    return values.apply(lambda s: s / s.dropna().iloc[0] if s.notna().any() else s)


def equity_figure(values: pd.DataFrame, title: str = "Growth of 1 (log scale)") -> go.Figure:
    """Each column's growth of 1 on a log scale; the first column drawn thickest."""
    fig = go.Figure()
    for i, (name, series) in enumerate(rebased(values).items()):
        fig.add_trace(go.Scatter(x=series.index, y=series.to_numpy(), name=str(name), mode="lines",
                                 line=dict(width=2.5 if i == 0 else 1.5)))
    fig.update_layout(title=title, yaxis_type="log", yaxis_title="value (start = 1)", hovermode="x unified")
    return fig


def drawdown_figure(returns: pd.DataFrame) -> go.Figure:
    """Drawdown from the running peak of each column, in percent."""
    fig = go.Figure()
    for name, r in returns.items():
        dd = metrics.drawdown_series(r)
        fig.add_trace(go.Scatter(x=dd.index, y=100 * dd.to_numpy(), name=str(name), mode="lines",
                                 fill="tozeroy" if name == returns.columns[0] else None))
    fig.update_layout(title="Drawdowns", yaxis_title="% below peak", hovermode="x unified")
    return fig


def rolling_excess_figure(returns: pd.DataFrame, strategy: str, window: int = metrics.ANNUALIZATION) -> go.Figure:
    """Trailing 12-month return of `strategy` minus each other column's, in percentage points."""
    fig = go.Figure()
    for name in returns.columns:
        if name == strategy:
            continue
        ex = metrics.rolling_excess_return(returns[strategy], returns[name], window=window)
        fig.add_trace(go.Scatter(x=ex.index, y=100 * ex.to_numpy(), name=f"vs {name}", mode="lines"))
    fig.add_hline(y=0, line_color="#888", line_width=1)
    fig.update_layout(title="Rolling 12-month excess return", yaxis_title="percentage points", hovermode="x unified")
    return fig


def yearly_figure(yearly: pd.DataFrame) -> go.Figure:
    """Grouped bars of calendar-year returns (years x series, fractions), in percent."""
    fig = go.Figure()
    for name, col in yearly.items():
        fig.add_trace(go.Bar(x=[str(y) for y in yearly.index], y=100 * col.to_numpy(), name=str(name)))
    fig.update_layout(title="Calendar-year returns", yaxis_title="%", barmode="group")
    return fig


def costs_figure(trades: pd.DataFrame, values: pd.Series) -> go.Figure:
    """Traded value per day as a share of portfolio value (bars) and cumulative fees (line)."""
    fig = go.Figure()
    if len(trades):
        by_day = trades.groupby("date").agg(traded=("value", lambda v: v.abs().sum()), fees=("fees", "sum"))
        by_day.index = pd.DatetimeIndex(by_day.index)
        share = by_day["traded"] / values.reindex(by_day.index).to_numpy()
        fig.add_trace(go.Bar(x=by_day.index, y=100 * share.to_numpy(), name="traded (% of value)"))
        cum = by_day["fees"].cumsum() / float(values.iloc[0])
        fig.add_trace(go.Scatter(x=cum.index, y=100 * cum.to_numpy(), name="cumulative fees (% of start)",
                                 mode="lines+markers", yaxis="y2"))
    fig.update_layout(title="Turnover and costs", yaxis_title="traded, % of value",
                      yaxis2=dict(title="fees, % of starting value", overlaying="y", side="right"))
    return fig


def equity_overlay(values: pd.DataFrame, runs: list[str]) -> go.Figure:
    """Growth of 1 of each column of `values` on a log scale; columns not in `runs` (benchmarks) dotted."""
    fig = go.Figure()
    for name, series in rebased(values).items():
        bench = name not in runs
        fig.add_trace(go.Scatter(x=series.index, y=np.asarray(series, dtype=float), name=str(name), mode="lines",
                                 line=dict(dash="dot" if bench else "solid", width=1.2 if bench else 2)))
    fig.update_layout(title="Growth of 1 (log scale)", yaxis_type="log", hovermode="x unified")
    return fig
