"""Several run directories side by side: one metrics table with the best value of each row marked.

``compare([dir_a, dir_b])`` refuses runs over different windows (their metrics would not be
comparable) unless ``align=True``, which restricts every run to the common window and
recomputes all metrics there from the runs' daily values.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hedgeclone.atomic import write_directory
from hedgeclone.backtest import metrics
from hedgeclone.backtest.metric_sets import RELATIVE_METRICS, SUMMARY_METRICS, higher_is_better
from hedgeclone.backtest.run import STRATEGY, LoadedRun, RunData, metrics_document, returns_of
from hedgeclone.backtest.rundir import load_run
from hedgeclone.errors import InputError

__all__ = ["Comparison", "compare"]

_STRATEGY_ROWS = (*SUMMARY_METRICS, "costs_pct", "turnover_annual")


@dataclass(frozen=True)
class Comparison:
    """Runs compared over one `window`: `table` (metric rows x run columns, floats), `best` per row."""

    labels: list[str]
    runs: list[RunData]
    window: tuple[pd.Timestamp, pd.Timestamp]
    aligned: bool
    table: pd.DataFrame
    best: dict[str, str | None]
    values: pd.DataFrame

    def __rich__(self):
        from hedgeclone.backtest.report.comparison import (
            rich_view,  # the renderer loads rich and plotly on use
        )

        return rich_view(self)

    def _repr_html_(self) -> str:
        from hedgeclone.backtest.report.comparison import html_fragment

        return html_fragment(self)

    def to_html(self) -> str:
        """A self-contained page: the marked metrics table and the overlaid equity curves."""
        from hedgeclone.backtest.report.comparison import html_page  # the renderer loads plotly on use

        return html_page(self)

    def plot(self, kind: str = "equity"):
        """The plotly figure of the runs side by side: "equity" (growth of 1, log scale, benchmarks
        dotted, as compare.html draws it) or "drawdowns" (from each curve's first close in the window)."""
        from hedgeclone.backtest import figures  # plotly loads only when a figure is drawn

        if kind == "equity":
            return figures.figure(figures.equity_overlay_spec(self.values, self.labels))
        if kind == "drawdowns":
            # measured from each curve's first close in the window (a benchmark's convention)
            return figures.figure(figures.drawdown_spec(self.values.apply(lambda v: metrics.daily_returns(v, None))))
        raise InputError(f"unknown comparison figure {kind!r} (known: equity, drawdowns)")

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write ``compare.html`` and ``compare.json`` (the table and best marks) as the folder `out_dir`.

        The folder is written whole (`atomic.write_directory`); an existing comparison there is
        replaced, any other non-empty folder refused.
        """
        doc = {
            "window": [str(self.window[0].date()), str(self.window[1].date())], "aligned": self.aligned,
            "runs": {lab: str(getattr(r, "path", "")) for lab, r in zip(self.labels, self.runs, strict=True)},
            "metrics": {row: {c: (None if pd.isna(v) else float(v)) for c, v in self.table.loc[row].items()}
                        for row in self.table.index},
            "best": self.best,
        }

        def build(tmp: Path) -> None:
            (tmp / "compare.html").write_text(self.to_html(), encoding="utf-8")
            (tmp / "compare.json").write_text(json.dumps(doc, indent=2) + "\n")

        return write_directory(out_dir, build, marker="compare.json", what="hedgeclone comparison") / "compare.html"


def _labels(runs: Sequence[RunData]) -> list[str]:
    names = [r.name for r in runs]
    labels = []
    for r in runs:
        label = r.name
        if names.count(label) > 1 and isinstance(r, LoadedRun):
            label = f"{r.name} ({r.path.name})"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def _restrict(run: RunData, start: pd.Timestamp, end: pd.Timestamp) -> RunData:
    values = run.values.loc[start:end]
    trades = run.trades
    if len(trades):
        dates = pd.DatetimeIndex(trades["date"])
        trades = trades[(dates >= start) & (dates <= end)]
    # A run already under way at `start` is measured from its value at that close (first return 0,
    # as a benchmark's); one that starts there keeps its initial cash, so its entry costs count.
    initial = run.initial if start <= run.values.index[0] else float(values[STRATEGY].iloc[0])
    return RunData(name=run.name, values=values, holdings=run.holdings, trades=trades, config=run.config,
                   caveats=run.caveats, notes=run.notes, fingerprint=run.fingerprint, initial=initial)


def _best(row: str, values: pd.Series) -> str | None:
    v = values.dropna()
    better = higher_is_better(row)
    if not len(v) or v.nunique() < 2 or better is None:
        return None
    return str(v.idxmax() if better else v.idxmin())


def compare(runs: Sequence, *, align: bool = False) -> Comparison:
    """Compare run directories, `RunData` or strategy runs (`hedgeclone.run`) over one window; see the
    module docstring.

    Raises `InputError` when the runs cover different windows and `align` is False, or when
    `align` leaves no common date.
    """
    loaded = [r if isinstance(r, RunData) else r.to_run_data() if hasattr(r, "to_run_data") else load_run(r)
              for r in runs]
    if not loaded:
        raise InputError("compare needs at least one run directory")
    labels = _labels(loaded)
    windows = [r.window for r in loaded]
    if len(set(windows)) > 1:
        listing = "; ".join(f"{lab} {a.date()}..{b.date()}" for lab, (a, b) in zip(labels, windows, strict=True))
        if not align:
            raise InputError(f"runs cover different windows ({listing}); pass --align to compare them "
                             "over their common window")
    start, end = max(w[0] for w in windows), min(w[1] for w in windows)
    if start >= end:
        raise InputError(f"runs have no common window to align on ({'; '.join(labels)})")
    restricted = [_restrict(r, start, end) for r in loaded]
    common = [b for b in restricted[0].benchmarks if all(b in r.benchmarks for r in restricted[1:])]
    columns = {}
    for lab, run in zip(labels, restricted, strict=True):
        rets = returns_of(run)
        doc = metrics_document(rets[STRATEGY], {b: rets[b] for b in common}, trades=run.trades,
                               values=run.values[STRATEGY])
        col = {k: doc["strategy"].get(k) for k in _STRATEGY_ROWS}
        for b in common:
            col.update({f"{k} vs {b}": doc["relative"][b].get(k) for k in RELATIVE_METRICS})
        columns[lab] = col
    table = pd.DataFrame(columns).astype(float)
    best = {row: _best(row, table.loc[row]) for row in table.index}
    values = pd.DataFrame({lab: r.values[STRATEGY] for lab, r in zip(labels, restricted, strict=True)})
    for b in common:
        values[f"{b} (benchmark)"] = restricted[0].values[b]
    return Comparison(labels=labels, runs=loaded, window=(start, end), aligned=align and len(set(windows)) > 1,
                      table=table, best=best, values=values)
