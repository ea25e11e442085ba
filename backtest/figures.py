"""The plotly figures of hedgeclone, each a pure function of plain frames (values, returns, holdings, trades).

One set serves the HTML reports (`hedgeclone.backtest.report`) and every result's ``.plot()``;
it sits on the engine's floor, beside the metrics it draws, so that the engine's own `Result`
can plot itself without importing the reports above it. `KINDS` names the figures of a run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from hedgeclone.backtest import metrics
from hedgeclone.backtest.metric_sets import format_number, higher_is_better
from hedgeclone.errors import InputError

__all__ = ["KINDS", "rebased", "equity_figure", "drawdown_figure", "rolling_excess_figure", "yearly_figure",
           "holdings_figure", "costs_figure", "equity_overlay", "heatmap_figure", "capacity_figure", "run_figure"]

# the figures of one run, in the report's order: kind -> what it shows
KINDS = {
    "equity": "growth of 1 of the strategy and its benchmarks, log scale",
    "drawdowns": "drawdown from the running peak, in percent",
    "rolling_excess": "trailing 12-month return minus each benchmark's, in percentage points",
    "yearly": "calendar-year returns, grouped bars",
    "holdings": "weight of each name at each rebalance, stacked",
    "costs": "traded value per day and cumulative fees",
}


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


def holdings_figure(holdings: pd.DataFrame) -> go.Figure:
    """Stacked weight of each ticker at each rebalance (a long table: date, ticker, weight), in percent.

    Each weight holds until the next rebalance (step lines); the tickers held longest come first.
    """
    fig = go.Figure()
    if len(holdings):
        wide = holdings.pivot_table(index="date", columns="ticker", values="weight", aggfunc="sum").fillna(0.0)
        wide.index = pd.DatetimeIndex(wide.index)
        order = (wide > 0).sum().sort_values(ascending=False, kind="stable").index
        for ticker in order:
            fig.add_trace(go.Scatter(x=wide.index, y=100 * wide[ticker].to_numpy(), name=str(ticker), mode="lines",
                                     stackgroup="w", line=dict(width=0.5, shape="hv")))
    fig.update_layout(title="Holdings at each rebalance", yaxis_title="weight, %", hovermode="x")
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


def heatmap_figure(table: pd.DataFrame, names: list[str], metric: str,
                   axes: tuple[str, str] | None = None) -> go.Figure:
    """A heatmap of `metric` over two of the parameters `names` (columns of `table`, one row per combination).

    The first two parameters unless `axes` names them; other parameters are collapsed to the
    best value of `metric` at each cell.
    """
    if metric not in table.columns:
        raise InputError(f"unknown metric {metric!r} (known: {', '.join(c for c in table.columns if c not in names)})")
    x, y = axes if axes else (names[0], names[1] if len(names) > 1 else None)
    for axis in (x, y):
        if axis is not None and axis not in names:
            raise InputError(f"heatmap axis {axis!r} is not a grid parameter ({', '.join(names)})")
    agg = "min" if higher_is_better(metric) is False else "max"
    if y is None:
        grid = table.groupby(x, sort=True)[metric].agg(agg).to_frame().T
        ylabels = [metric]
    else:
        grid = table.pivot_table(index=y, columns=x, values=metric, aggfunc=agg, sort=True)
        ylabels = [str(v) for v in grid.index]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[str(v) for v in grid.columns], y=ylabels,
                               colorscale="Viridis", colorbar={"title": metric},
                               text=[[format_number(float(v)) for v in row] for row in grid.to_numpy()],
                               texttemplate="%{text}"))
    others = [n for n in names if n not in (x, y)]
    note = f" ({agg} over {', '.join(others)})" if others else ""
    fig.update_layout(title=f"{metric} by {x}" + (f" and {y}" if y else "") + note,
                      xaxis_title=x, yaxis_title=y or "")
    return fig


def run_figure(kind: str, values: pd.DataFrame, returns: pd.DataFrame, *, holdings: pd.DataFrame | None = None,
               trades: pd.DataFrame | None = None) -> go.Figure:
    """The figure `kind` (one of `KINDS`) of one run.

    `values` are daily levels and `returns` daily returns, the strategy's column first and one
    column per benchmark; `holdings` (date, ticker, weight) and `trades` (date, value, fees) are
    needed by the kinds "holdings" and "costs".
    """
    strategy = values.columns[0]
    if kind == "equity":
        return equity_figure(values)
    if kind == "drawdowns":
        return drawdown_figure(returns)
    if kind == "rolling_excess":
        if len(returns.columns) < 2:
            raise InputError("the rolling excess return needs a benchmark; this run has none")
        return rolling_excess_figure(returns, strategy)
    if kind == "yearly":
        return yearly_figure(pd.DataFrame({c: metrics.per_year_returns(returns[c]) for c in returns.columns}))
    if kind == "holdings" and holdings is not None:
        return holdings_figure(holdings)
    if kind == "costs" and trades is not None:
        return costs_figure(trades, values[strategy])
    if kind in KINDS:
        raise InputError(f"the {kind!r} figure needs the run's {kind if kind == 'holdings' else 'trades'}")
    raise InputError(f"unknown figure {kind!r} (known: {', '.join(KINDS)})")


def capacity_figure(table: pd.DataFrame, strategy: str = "") -> go.Figure:
    """CAGR and costs (left axis, %) and fill rate (right axis, %) against the portfolio size (log scale)."""
    from plotly.subplots import make_subplots

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
