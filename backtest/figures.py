"""The plotly figures of hedgeclone, each a pure function of plain frames (values, returns, holdings, trades).

Each figure of a run or comparison is a *spec*, plotly's figure JSON as a dict (``equity_spec``,
...): reports embed specs as they are, and ``.plot()`` makes them plotly `Figure` objects with
`figure` (validated, as any figure a user builds; validating costs a report more than drawing).
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

__all__ = ["KINDS", "rebased", "figure", "equity_spec", "drawdown_spec", "rolling_excess_spec", "yearly_spec",
           "holdings_spec", "costs_spec", "equity_overlay_spec", "run_spec", "run_figure", "heatmap_figure",
           "capacity_figure"]

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


def _layout(title: str, yaxis_title: str | None = None, **more) -> dict:
    layout = {"title": {"text": title}, **more}
    if yaxis_title is not None:
        layout["yaxis"] = {**layout.get("yaxis", {}), "title": {"text": yaxis_title}}
    return layout


def _lines(x, y, name: str, **more) -> dict:
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines", **more}


def equity_spec(values: pd.DataFrame, title: str = "Growth of 1 (log scale)") -> dict:
    """Each column's growth of 1 on a log scale; the first column drawn thickest."""
    data = [_lines(series.index, series.to_numpy(), str(name), line={"width": 2.5 if i == 0 else 1.5})
            for i, (name, series) in enumerate(rebased(values).items())]
    return {"data": data, "layout": _layout(title, "value (start = 1)", yaxis={"type": "log"}, hovermode="x unified")}


def drawdown_spec(returns: pd.DataFrame) -> dict:
    """Drawdown from the running peak of each column, in percent."""
    data = []
    for name, r in returns.items():
        dd = metrics.drawdown_series(r)
        fill = {"fill": "tozeroy"} if name == returns.columns[0] else {}
        data.append(_lines(dd.index, 100 * dd.to_numpy(), str(name), **fill))
    return {"data": data, "layout": _layout("Drawdowns", "% below peak", hovermode="x unified")}


def rolling_excess_spec(returns: pd.DataFrame, strategy: str, window: int = metrics.ANNUALIZATION) -> dict:
    """Trailing 12-month return of `strategy` minus each other column's, in percentage points."""
    data = []
    for name in returns.columns:
        if name == strategy:
            continue
        ex = metrics.rolling_excess_return(returns[strategy], returns[name], window=window)
        data.append(_lines(ex.index, 100 * ex.to_numpy(), f"vs {name}"))
    zero = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": 0, "y1": 0,
            "line": {"color": "#888", "width": 1}}
    return {"data": data, "layout": _layout("Rolling 12-month excess return", "percentage points",
                                            hovermode="x unified", shapes=[zero])}


def yearly_spec(yearly: pd.DataFrame) -> dict:
    """Grouped bars of calendar-year returns (years x series, fractions), in percent."""
    years = [str(y) for y in yearly.index]
    data = [{"type": "bar", "x": years, "y": 100 * col.to_numpy(), "name": str(name)} for name, col in yearly.items()]
    return {"data": data, "layout": _layout("Calendar-year returns", "%", barmode="group")}


def holdings_spec(holdings: pd.DataFrame) -> dict:
    """Stacked weight of each ticker at each rebalance (a long table: date, ticker, weight), in percent.

    Each weight holds until the next rebalance (step lines); the tickers held longest come first.
    """
    data = []
    if len(holdings):
        wide = holdings.pivot_table(index="date", columns="ticker", values="weight", aggfunc="sum").fillna(0.0)
        wide.index = pd.DatetimeIndex(wide.index)
        order = (wide > 0).sum().sort_values(ascending=False, kind="stable").index
        data = [_lines(wide.index, 100 * wide[ticker].to_numpy(), str(ticker), stackgroup="w",
                       line={"width": 0.5, "shape": "hv"}) for ticker in order]
    return {"data": data, "layout": _layout("Holdings at each rebalance", "weight, %", hovermode="x")}


def costs_spec(trades: pd.DataFrame, values: pd.Series) -> dict:
    """Traded value per day as a share of portfolio value (bars) and cumulative fees (line)."""
    data = []
    if len(trades):
        by_day = trades.groupby("date").agg(traded=("value", lambda v: v.abs().sum()), fees=("fees", "sum"))
        by_day.index = pd.DatetimeIndex(by_day.index)
        share = by_day["traded"] / values.reindex(by_day.index).to_numpy()
        cum = by_day["fees"].cumsum() / float(values.iloc[0])
        data = [{"type": "bar", "x": by_day.index, "y": 100 * share.to_numpy(), "name": "traded (% of value)"},
                {"type": "scatter", "x": cum.index, "y": 100 * cum.to_numpy(), "name": "cumulative fees (% of start)",
                 "mode": "lines+markers", "yaxis": "y2"}]
    return {"data": data, "layout": _layout("Turnover and costs", "traded, % of value", yaxis2={
        "title": {"text": "fees, % of starting value"}, "overlaying": "y", "side": "right"})}


def equity_overlay_spec(values: pd.DataFrame, runs: list[str]) -> dict:
    """Growth of 1 of each column of `values` on a log scale; columns not in `runs` (benchmarks) dotted."""
    data = []
    for name, series in rebased(values).items():
        bench = name not in runs
        data.append(_lines(series.index, np.asarray(series, dtype=float), str(name),
                           line={"dash": "dot" if bench else "solid", "width": 1.2 if bench else 2}))
    return {"data": data, "layout": _layout("Growth of 1 (log scale)", yaxis={"type": "log"}, hovermode="x unified")}


def figure(spec: dict) -> go.Figure:
    """The plotly figure of a spec built here (validated by plotly, as any figure a user builds)."""
    return go.Figure(spec)


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


def run_spec(kind: str, values: pd.DataFrame, returns: pd.DataFrame, *, holdings: pd.DataFrame | None = None,
             trades: pd.DataFrame | None = None) -> dict:
    """The spec (plotly's figure JSON, arrays as NumPy) of the figure `kind` (one of `KINDS`) of one run.

    `values` are daily levels and `returns` daily returns, the strategy's column first and one
    column per benchmark; `holdings` (date, ticker, weight) and `trades` (date, value, fees) are
    needed by the kinds "holdings" and "costs".
    """
    strategy = values.columns[0]
    if kind == "equity":
        return equity_spec(values)
    if kind == "drawdowns":
        return drawdown_spec(returns)
    if kind == "rolling_excess":
        if len(returns.columns) < 2:
            raise InputError("the rolling excess return needs a benchmark; this run has none")
        return rolling_excess_spec(returns, strategy)
    if kind == "yearly":
        return yearly_spec(pd.DataFrame({c: metrics.per_year_returns(returns[c]) for c in returns.columns}))
    if kind == "holdings" and holdings is not None:
        return holdings_spec(holdings)
    if kind == "costs" and trades is not None:
        return costs_spec(trades, values[strategy])
    if kind in KINDS:
        raise InputError(f"the {kind!r} figure needs the run's {kind if kind == 'holdings' else 'trades'}")
    raise InputError(f"unknown figure {kind!r} (known: {', '.join(KINDS)})")


def run_figure(kind: str, values: pd.DataFrame, returns: pd.DataFrame, *, holdings: pd.DataFrame | None = None,
               trades: pd.DataFrame | None = None) -> go.Figure:
    """`run_spec` as a figure."""
    return figure(run_spec(kind, values, returns, holdings=holdings, trades=trades))


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
