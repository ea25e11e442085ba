"""report.html: one self-contained, offline page per run (plotly.js embedded, no network).

Sections: data caveats; metrics of the strategy and its benchmarks; equity against the
benchmarks on a log scale; drawdowns; rolling 12-month excess return; calendar-year returns
(table and bars); holdings at each rebalance with names and weights; costs and turnover;
positions the data closed (delistings apart from data ends), when there are any; notes and the
resolved configuration.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from hedgeclone.atomic import atomic_write_bytes
from hedgeclone.backtest import figures, metrics
from hedgeclone.backtest.metric_sets import METRICS, RELATIVE_METRICS, SUMMARY_METRICS, format_metric
from hedgeclone.backtest.report import browser
from hedgeclone.backtest.report.page import (
    esc,
    figure_div,
    num,
    page,
    page_bytes,
    pct,
    table_html,
    table_of_rows,
    table_rows,
)
from hedgeclone.backtest.run import (
    DATA_ENDS,
    DELISTING,
    STRATEGY,
    RunData,
    build_run,
    returns_of,
    run_metrics,
)
from hedgeclone.version import __version__

__all__ = ["render_report", "render_report_bytes", "write_report", "report", "metrics_tables", "run_frames", "run_figure"]


def metrics_tables(doc: dict, strategy_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(absolute, relative) tables of a metrics document, formatted for display."""
    cols = {strategy_name: doc["strategy"], **doc["benchmarks"]}
    absolute = pd.DataFrame({c: {METRICS[k].label: format_metric(k, m.get(k)) for k in SUMMARY_METRICS}
                             for c, m in cols.items()})
    absolute.index.name = "metric"
    relative = pd.DataFrame({f"vs {b}": {METRICS[k].label: format_metric(k, m.get(k)) for k in RELATIVE_METRICS}
                             for b, m in doc["relative"].items()})
    relative.index.name = "metric"
    return absolute, relative


def run_frames(run: RunData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(daily levels, daily returns) of `run`, the strategy's column named after the run, benchmarks after it."""
    return (run.values.rename(columns={STRATEGY: run.name}),
            returns_of(run).rename(columns={STRATEGY: run.name}))


def run_figure(run: RunData, kind: str = "equity"):
    """The figure `kind` of `run` (one of `hedgeclone.backtest.figures.KINDS`), as its report draws it."""
    values, rets = run_frames(run)
    return figures.run_figure(kind, values, rets, holdings=run.holdings, trades=run.trades)


def _yearly_table(yearly: pd.DataFrame, strategy: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    out = yearly.map(lambda v: pct(v))
    for b in yearly.columns:
        if b != strategy:
            out[f"excess vs {b}"] = (100 * (yearly[strategy] - yearly[b])).map(
                lambda v: "n/a" if pd.isna(v) else f"{v:+.1f} pp")
    # A year the run covers only in part says so, so that it is not read as a full year.
    labels = {y: str(y) for y in out.index}
    if start.year in labels and (start.month, start.day) > (1, 7):
        labels[start.year] = f"{start.year} (from {start:%b %d})"
    if end.year in labels and (end.month, end.day) < (12, 24):
        labels[end.year] = f"{end.year} (to {end:%b %d})"
    out.index = pd.Index([labels[y] for y in out.index], name="year")
    return out


def _holdings_section(holdings: pd.DataFrame) -> str:
    if not len(holdings):
        return "<p class='note'>No holdings: the strategy never invested.</p>"
    parts = []
    dates = sorted(pd.DatetimeIndex(holdings["date"].unique()))
    show = [c for c in ("rank", "ticker", "name", "weight", "score") if c in holdings.columns]
    extra = [c for c in holdings.columns if c not in show and c != "date"]
    shown = holdings[show + extra].copy()  # formatted once, then cut by date
    shown["weight"] = shown["weight"].map(lambda w: pct(w, sign=False))
    if "score" in shown:
        shown["score"] = shown["score"].map(lambda s: num(s, 3))
    shown = shown.astype(object).where(shown.notna(), "")
    day = pd.DatetimeIndex(holdings["date"]).to_numpy()
    rows = np.asarray(table_rows(shown, index=False), dtype=object)  # each row written once, then cut by date
    for i, date in enumerate(reversed(dates)):
        cut = list(rows[day == date.to_datetime64()])
        label = f"{date.date()}: {len(cut)} names"
        opened = " open" if i == 0 else ""
        parts.append(f"<details{opened}><summary>{esc(label)}</summary>{table_of_rows(shown, cut, index=False)}</details>")
    return (f"<p>{len(dates)} rebalances, latest first.</p>"
            + "".join(parts))


def _costs_section(doc: dict, run, figure: str) -> str:
    s = doc["strategy"]
    start, end = float(run.values[STRATEGY].iloc[0]), float(run.values[STRATEGY].iloc[-1])
    rows = pd.DataFrame({"value": {
        "Fees paid": "n/a" if s.get("costs") is None else f"{s['costs']:,.6g} ({pct(s['costs'] / start, 3, False)} of start)",
        "Fees / mean value": pct(s.get("costs_pct"), 3, False),
        "Turnover (whole run)": pct(s.get("turnover"), 1, False),
        "Turnover per year": pct(s.get("turnover_annual"), 1, False),
        "Fills": str(len(run.trades)),
        "Start -> end value": f"{start:,.6g} -> {end:,.6g}",
    }})
    rows.index.name = "cost"
    return table_html(rows) + figure


def _closes_section(trades: pd.DataFrame) -> str:
    """The positions the data closed: delistings and data ends counted apart, then each close."""
    closed = trades[trades["reason"].isin([DELISTING, DATA_ENDS])] if len(trades) else trades
    if not len(closed):
        return ""
    gone, stopped = int((closed["reason"] == DELISTING).sum()), int((closed["reason"] == DATA_ENDS).sum())
    rows = closed[["date", "ticker", "reason", "shares", "price", "value"]].copy()
    rows["date"] = pd.DatetimeIndex(rows["date"]).date
    for c in ("shares", "price", "value"):
        rows[c] = rows[c].map(lambda v: num(v, 4))
    return (f"<p>{gone} position(s) closed at delistings (at the last price times 1 + the delisting return: "
            f"the data caveats say where the returns come from); {stopped} closed because their data ended "
            "(the source stops; not delistings), at the last price.</p>" + table_html(rows, index=False))


def render_report(run, doc: dict) -> str:
    """The report of `run` (a `hedgeclone.backtest.run.RunData`) with its metrics document `doc`, as HTML."""
    return page(*_report(run, doc))


def render_report_bytes(run, doc: dict) -> bytes:
    """``render_report(run, doc)`` as UTF-8 bytes (built as bytes: what a file write wants)."""
    return page_bytes(*_report(run, doc))


def _report(run, doc: dict) -> tuple[str, str]:
    """(title, body) of the report of `run`."""
    values, shown_rets = run_frames(run)
    start, end = run.window
    absolute, relative = metrics_tables(doc, run.name)
    yearly = pd.DataFrame({c: metrics.per_year_returns(shown_rets[c]) for c in shown_rets.columns})
    caveats = list(run.caveats) or ["No data caveats were recorded for this run; check the data's survivorship coverage."]

    def figure(kind: str) -> str:
        return figure_div(figures.run_spec(kind, values, shown_rets, holdings=run.holdings, trades=run.trades),
                          kind.replace("_", "-"))

    body = [
        f"<h1>{esc(run.name)}</h1>",
        f"<p class='sub'>{start.date()} .. {end.date()} &middot; {len(values)} trading days &middot; "
        f"hedgeclone {esc(__version__)} &middot; data fingerprint <code>{esc(run.fingerprint[:16])}</code></p>",
        "<h2>Data caveats</h2>",
        *[f"<div class='caveat'>{esc(c)}</div>" for c in caveats],
        "<h2>Performance</h2>", table_html(absolute),
    ]
    if len(relative.columns):
        body += ["<h3>Against the benchmarks</h3>", table_html(relative)]
    body += [figure("equity"), figure("drawdowns")]
    if len(run.benchmarks):
        body.append(figure("rolling_excess"))
    body += [
        "<h2>Calendar-year returns</h2>", table_html(_yearly_table(yearly, run.name, start, end)),
        figure("yearly"),
        "<h2>Holdings at each rebalance</h2>",
    ]
    if len(run.holdings):
        body.append(figure("holdings"))
    body += [_holdings_section(run.holdings), "<h2>Costs and turnover</h2>", _costs_section(doc, run, figure("costs"))]
    closes = _closes_section(run.trades)
    if closes:
        body += ["<h2>Positions closed by the data</h2>", closes]
    if run.notes:
        body += ["<h2>Notes</h2>", "<ul>", *[f"<li>{esc(n)}</li>" for n in run.notes], "</ul>"]
    config = json.dumps(dict(run.config), indent=2, default=str)
    body += ["<h2>Configuration</h2>", f"<details><summary>resolved config</summary><pre>{esc(config)}</pre></details>"]
    return f"{run.name}: hedgeclone report", "\n".join(body)


def write_report(path: str | os.PathLike[str], run, doc: dict | None = None) -> Path:
    """Write the report of `run` to `path` atomically (metrics computed from the run when `doc` is None)."""
    path = Path(path)
    atomic_write_bytes(path, render_report_bytes(run, doc if doc is not None else run_metrics(run)))
    return path


def report(obj, path: str | os.PathLike[str] = "report.html", *, benchmarks=None, name: str | None = None,
           caveats: tuple[str, ...] | list[str] = (), show: bool | None = None) -> Path:
    """Write the self-contained report of a strategy run, a `RunData` or an engine `Result` to `path`.

    A strategy run (anything with ``to_run_data()``) carries its own benchmarks and caveats;
    for a bare `Result`, `benchmarks` are daily levels ({name: series} or a frame) compared over
    its dates, and `caveats` are printed at the top. Then the report is opened in the web browser
    when one is available (`show=None`; `browser.show` says when), always (`True`, still never
    failing without one) or never (`False`); when it is not opened, its path is printed.
    Returns the path written.
    """
    if hasattr(obj, "to_run_data"):
        run = obj.to_run_data()
    elif isinstance(obj, RunData):
        run = obj
    else:
        run = build_run(name or "backtest", obj, benchmarks=benchmarks, caveats=caveats)
    written = write_report(path, run)
    if show is not False:
        browser.show(written, force=bool(show))
    return written
