"""Capacity: one strategy's decisions traded at several portfolio sizes under the volume cap and impact.

A small portfolio of micro-caps fills at once; a large one waits for volume and moves prices.
`capacity` decides once (the decisions do not depend on the portfolio's size) and simulates each
size with the same execution models, so the table shows what size alone costs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine import Execution, Result
from hedgeclone.backtest.engine.models import SquareRootImpact, VolumeCap
from hedgeclone.backtest.replay import StrategyRun, decide_all, simulate_picks
from hedgeclone.backtest.session import execution_of, require_holdings, run_start
from hedgeclone.data.market import Market
from hedgeclone.errors import InputError
from hedgeclone.strategies.calendar import window
from hedgeclone.strategies.config import RunConfig

__all__ = ["CAPACITY_COLUMNS", "Capacity", "capacity", "capacity_row", "parse_aums"]

#: The columns of `Capacity.table` and ``capacity.csv``, in order.
CAPACITY_COLUMNS = ("aum", "total_return", "cagr", "costs", "costs_pct", "fill_rate", "days_to_fill", "sharpe",
                    "max_drawdown")
DEFAULT_PARTICIPATION = 0.1  # 10% of a day's dollar volume: a common ceiling for a patient trader
DEFAULT_IMPACT = 1.0  # k of the square-root law: order-of-one in the empirical literature


def parse_aums(text: str) -> tuple[float, ...]:
    """Portfolio sizes from ``1e5,1e6,...``: positive, finite, distinct; `InputError` naming the bad one."""
    sizes = []
    for part in text.split(","):
        try:
            size = float(part.strip())
        except ValueError:
            raise InputError(f"--aum: {part.strip()!r} is not a number (e.g. --aum 1e5,1e6,1e7)") from None
        if not (np.isfinite(size) and size > 0):
            raise InputError(f"--aum: {part.strip()} must be a finite amount > 0")
        if size in sizes:
            raise InputError(f"--aum lists {part.strip()} twice")
        sizes.append(size)
    return tuple(sizes)


def capacity_row(result: Result) -> dict[str, float]:
    """One size's line: return, CAGR, costs (fees and impact, in currency and over the mean value), fill rate, days to fill.

    `fill_rate` is the share of the value ordered that filled (each order valued at the price it was
    sized at): how much of the target weights the portfolio reached. `days_to_fill` is the mean,
    weighted by value, of the sessions from an order to its last fill, over the orders that filled
    completely (0: each filled on its own day).
    """
    stats = result.stats()
    fills = result.fills()
    ordered = fills["ordered"] * fills["price"]
    total = float(ordered.sum())
    done = fills["fill_rate"] >= 1.0 - 1e-9
    days = float(np.average(fills.loc[done, "sessions"], weights=ordered[done])) if done.any() else np.nan
    return {
        "aum": result.init_cash, "total_return": stats["total_return"], "cagr": stats["cagr"],
        "costs": stats["costs"], "costs_pct": stats["costs_pct"],
        "fill_rate": float((fills["filled"] * fills["price"]).sum()) / total if total > 0 else np.nan,
        "days_to_fill": days, "sharpe": stats["sharpe"], "max_drawdown": stats["max_drawdown"],
    }


@dataclass(frozen=True)
class Capacity:
    """The capacity table of one strategy (`CAPACITY_COLUMNS`, one row per size) and each size's run."""

    strategy: str
    execution: Execution
    table: pd.DataFrame
    runs: dict[float, StrategyRun] = field(repr=False)
    caveats: tuple[str, ...] = field(default=(), repr=False)

    def plot(self):
        """The plotly figure of the table, as the report draws it: return and fill rate against size (log scale)."""
        from hedgeclone.backtest.figures import capacity_figure  # plotly loads only when drawn

        return capacity_figure(self.table, self.strategy)

    def _repr_html_(self) -> str:
        from hedgeclone.backtest.report.capacity import capacity_html

        return capacity_html(self)

    def __rich__(self):
        from hedgeclone.backtest.report.capacity import capacity_rich

        return capacity_rich(self)

    def page(self) -> str:
        """A self-contained HTML page: the table, the figure and the data's caveats."""
        from hedgeclone.backtest.report.capacity import capacity_page

        return capacity_page(self)

    def __repr__(self) -> str:
        lines = [f"Capacity({self.strategy}, {self.execution!r})"]
        for row in self.table.itertuples(index=False):
            lines.append(f"  aum {row.aum:>12,.0f}: total return {row.total_return:+.2%}, cagr {row.cagr:+.2%}, "
                         f"costs {row.costs_pct:.2%} of mean value, fill rate {row.fill_rate:.1%}, "
                         f"days to fill {row.days_to_fill:.1f}")
        return "\n".join(lines)


def capacity(config: RunConfig, market: Market, aums: Sequence[float], *, participation: float | None = None,
             impact: float | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> Capacity:
    """Run `config`'s strategy on `market` at each portfolio size of `aums` with the volume cap and impact on.

    The config's own execution models are kept; a cap or impact it does not set is turned on at
    `participation` (default 10% of dollar volume) and `impact` (default k = 1); the arguments
    override the config. Decisions are made once. ``progress(stage, done, total)`` reports the
    stages "decisions" and "sizes". Returns a `Capacity` (`table` is sorted by size).
    """
    sizes = sorted(float(a) for a in aums)
    if not sizes or any(not (np.isfinite(a) and a > 0) for a in sizes) or len(set(sizes)) != len(sizes):
        raise InputError(f"aums must be distinct finite amounts > 0, got {list(aums)!r}")
    if market.volume is None:
        raise InputError("capacity needs daily volume, but the market has none; import prices with volume")
    require_holdings(config, market)
    base = execution_of(config)
    cap = VolumeCap(participation) if participation is not None else base.cap or VolumeCap(DEFAULT_PARTICIPATION)
    window_k = base.impact.window if base.impact is not None else config.backtest.impact_window
    if impact is not None:
        hit = SquareRootImpact(impact, window_k) if impact > 0 else None
    else:
        hit = base.impact or SquareRootImpact(DEFAULT_IMPACT, window_k)
    execution = replace(base, cap=cap, impact=hit)
    b = config.backtest
    lo, hi = window(market.close.index, run_start(config, market), pd.Timestamp(b.end) if b.end else None)
    dates = config.strategy.decision_dates(market, lo, hi)
    if not len(dates):
        raise InputError(f"{config.strategy.name}: no decision date between {lo.date()} and {hi.date()}")

    def decided(done: int, total: int) -> None:
        if progress is not None:
            progress("decisions", done, total)

    picks, notes = decide_all(config.strategy, market, dates, decided)
    runs: dict[float, StrategyRun] = {}
    rows = []
    for i, size in enumerate(sizes):
        run = simulate_picks(config.strategy, market, picks, notes, hi, replace(execution, init_cash=size),
                             market.delisting_returns)
        runs[size] = run
        rows.append(capacity_row(run.result))
        if progress is not None:
            progress("sizes", i + 1, len(sizes))
    table = pd.DataFrame(rows, columns=list(CAPACITY_COLUMNS))
    return Capacity(strategy=config.strategy.name, execution=execution, table=table, runs=runs,
                    caveats=tuple(market.caveats))
