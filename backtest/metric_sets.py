"""Every metric's name, label, direction and format, in one place.

The terminal summary, ``metrics.json``, the HTML report, `compare`, `tune` and walk-forward
all read this table: which metrics a set holds, which way is better, and how a value is shown.
The functions that compute them are in `hedgeclone.backtest.metrics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Metric",
    "METRICS",
    "SUMMARY_METRICS",
    "RELATIVE_METRICS",
    "TRADING_METRICS",
    "STRATEGY_METRICS",
    "metric",
    "higher_is_better",
    "format_metric",
    "format_number",
]

Format = Literal["pct", "pct_unsigned", "ratio", "pp", "amount"]


@dataclass(frozen=True)
class Metric:
    """One metric: its key in ``metrics.json``, labels, direction and display format.

    `better` is +1 when higher is better, -1 when lower is better and 0 when neither is
    (beta). `label` is for reports and comparisons, `short` for terminal columns.
    """

    key: str
    label: str
    short: str
    better: int
    format: Format

    def show(self, value, digits: int | None = None) -> str:
        """`value` as people read it: "+17.72%", "0.86", "+264.0 pp"; "n/a" when unknown."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "n/a"
        value = float(value)
        if self.format in ("pct", "pct_unsigned"):
            sign = "+" if self.format == "pct" else ""
            d = digits if digits is not None else (1 if abs(value) >= 10 else 2)
            return f"{100 * value:{sign}.{d}f}%"
        if self.format == "pp":
            return f"{value:+.{1 if digits is None else digits}f} pp"
        if self.format == "amount":
            return f"{value:,.6g}"
        return f"{value:.{2 if digits is None else digits}f}"


_ALL = (
    Metric("total_return", "Total return", "total return", +1, "pct"),
    Metric("cagr", "CAGR", "CAGR", +1, "pct"),
    Metric("volatility", "Volatility", "volatility", -1, "pct_unsigned"),
    Metric("sharpe", "Sharpe", "Sharpe", +1, "ratio"),
    Metric("sortino", "Sortino", "Sortino", +1, "ratio"),
    Metric("max_drawdown", "Max drawdown", "max DD", +1, "pct"),
    Metric("calmar", "Calmar", "Calmar", +1, "ratio"),
    Metric("beta", "Beta", "beta", 0, "ratio"),
    Metric("alpha", "Alpha (annual)", "alpha", +1, "pct"),
    Metric("information_ratio", "Information ratio", "info ratio", +1, "ratio"),
    Metric("tracking_error", "Tracking error", "tracking err", -1, "pct_unsigned"),
    Metric("excess_return_pp", "Excess return (pp)", "excess (pp)", +1, "pp"),
    Metric("up_capture", "Up capture", "up capture", +1, "ratio"),
    Metric("down_capture", "Down capture", "down capture", -1, "ratio"),
    Metric("costs", "Fees paid", "fees paid", -1, "amount"),
    Metric("costs_pct", "Fees / mean value", "fees / mean value", -1, "pct_unsigned"),
    Metric("turnover", "Turnover (whole run)", "turnover", -1, "pct_unsigned"),
    Metric("turnover_annual", "Turnover per year", "turnover per year", -1, "pct_unsigned"),
)
METRICS: dict[str, Metric] = {m.key: m for m in _ALL}

SUMMARY_METRICS = ("total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar")
RELATIVE_METRICS = (
    "beta", "alpha", "information_ratio", "tracking_error", "excess_return_pp", "up_capture", "down_capture",
)
TRADING_METRICS = ("costs", "costs_pct", "turnover", "turnover_annual")
STRATEGY_METRICS = (*SUMMARY_METRICS, *TRADING_METRICS)


def metric(name: str) -> Metric:
    """The `Metric` of `name`, also for relative names such as ``"SPY.alpha"`` or ``"alpha vs SPY"``."""
    key = name.split(" vs ")[0].split(".")[-1]
    try:
        return METRICS[key]
    except KeyError:
        raise KeyError(f"unknown metric {name!r} (known: {', '.join(METRICS)})") from None


def higher_is_better(name: str) -> bool | None:
    """True when a higher `name` is better, False when lower is, None when neither (beta)."""
    better = metric(name).better
    return None if better == 0 else better > 0


def format_metric(name: str, value, digits: int | None = None) -> str:
    """`value` of metric `name` formatted for display (see `Metric.show`)."""
    return metric(name).show(value, digits)


def format_number(value) -> str:
    """A parameter or metric value in a sweep's tables: floats to 4 significant digits, "n/a" if not finite."""
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.4g}"
    return str(value)
