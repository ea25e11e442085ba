"""The terminal summary printed at the end of each run: rich tables of a metrics document."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table

from hedgeclone.backtest.metric_sets import METRICS, RELATIVE_METRICS, SUMMARY_METRICS, format_metric

__all__ = ["summary_table", "relative_table", "run_summary", "frame_table"]

_COLOURED = ("total_return", "cagr", "alpha", "excess_return_pp")


def _cell(key: str, value) -> str:
    text = format_metric(key, value).removesuffix(" pp")
    if key in _COLOURED and value is not None and value == value:
        return f"[green]{text}[/]" if value > 0 else f"[red]{text}[/]" if value < 0 else text
    return text


def _short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else name[: width - 1] + "\u2026"


def summary_table(doc: dict, strategy_name: str = "strategy", title: str | None = None) -> Table:
    """One row per summary metric, one column per series (the strategy first, then each benchmark)."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("metric", no_wrap=True)
    rows = {strategy_name: doc["strategy"], **doc.get("benchmarks", {})}
    for i, name in enumerate(rows):
        table.add_column(f"[bold]{_short(name)}[/]" if i == 0 else _short(name), justify="right", no_wrap=True)
    for key in SUMMARY_METRICS:
        table.add_row(METRICS[key].short, *[_cell(key, m.get(key)) for m in rows.values()])
    return table


def relative_table(doc: dict, strategy_name: str = "strategy") -> Table:
    """One row per relative metric (beta, alpha, ...), one column per benchmark."""
    table = Table(title=f"{_short(strategy_name, 40)} against each benchmark", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("metric", no_wrap=True)
    rel = doc.get("relative", {})
    for name in rel:
        table.add_column(f"vs {_short(name)}", justify="right", no_wrap=True)
    for key in RELATIVE_METRICS:
        table.add_row(METRICS[key].short, *[_cell(key, m.get(key)) for m in rel.values()])
    return table


def run_summary(doc: dict, strategy_name: str = "strategy", title: str | None = None) -> Group:
    """Both tables plus costs and turnover, ready for ``console.print``."""
    parts: list = [summary_table(doc, strategy_name, title)]
    if doc.get("relative"):
        parts.append(relative_table(doc, strategy_name))
    s = doc["strategy"]
    if s.get("costs") is not None:
        turnover = s.get("turnover_annual")
        parts.append(
            f"costs: fees {s['costs']:,.6g} ({100 * (s.get('costs_pct') or 0):.3f}% of mean value); "
            f"turnover {'n/a' if turnover is None else f'{100 * turnover:.0f}%'} a year"
        )
    return Group(*parts)


def frame_table(frame, title: str | None = None, *, index: bool = False) -> Table:
    """A frame of display strings as a rich table (with its index as the first column when `index`)."""
    table = Table(title=title, title_justify="left")
    if index:
        table.add_column(str(frame.index.name or ""))
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for label, row in frame.iterrows():
        table.add_row(*([str(label)] if index else []), *[str(v) for v in row])
    return table
