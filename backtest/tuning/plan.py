"""The kernel inputs of a sweep: every combination's schedule, built from rankings computed once.

A strategy whose pick steps are `TopN` then `EqualWeight`/`ScoreWeight`/`CappedWeight`, and whose
screen steps are, from the first filter on, per-candidate steps the planner knows (the filters
`MinHolders`, `HolderCount`, `MinPrice`, `MarketCapBand`, `MinDollarVolume`, `MinDaysTraded`; the
scores and marks `Momentum` and `SuspectPrices`), takes the fast path:

- its *base* screen is its screen with the filters neutralised (dropped; `HolderCount` kept at
  minimum 0 for its holder counts); filters only remove candidates and the other steps score
  each candidate alone, so the base ranked once, cut by the filters' bounds, is the ranking the
  full screen gives (a ranked list stays ranked when names leave it);
- each distinct (base, decision date) is ranked once into arrays: the candidates best first as
  price-panel columns, their scores and the fields the filters bound (holders, raw price,
  market cap, dollar volume);
- each combination's schedule is then cut and weighed in numba (`strategies.select.schedule_nb`)
  straight into the engine's `ScheduleArrays`, shared by every cost and lag setting.

`lag_days` only moves decision dates; the 13F index is prepared once for every decision date
of the sweep (`HoldingsIndex.prepare`). Other strategies decide through their steps date by
date (each distinct decision computed once), as a separate run does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.batch import BatchArrays, BatchSet
from hedgeclone.backtest.engine.convert import ScheduleArrays, schedule_arrays
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.backtest.session import require_holdings, run_start
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.errors import InputError
from hedgeclone.strategies.calendar import window
from hedgeclone.strategies.select import WEIGHTING, schedule_nb
from hedgeclone.strategies.steps import (
    CappedWeight,
    EqualWeight,
    HolderCount,
    MarketCapBand,
    MinDaysTraded,
    MinDollarVolume,
    MinHolders,
    MinPrice,
    Momentum,
    Rank,
    ScoreWeight,
    SuspectPrices,
    TopN,
)
from hedgeclone.strategies.view import PointInTimeView

__all__ = ["Progress", "Selection", "plan", "selection"]

Progress = Callable[[str, int, int], None]  # (stage, done, total)

_FILTERS = (MinHolders, HolderCount, MinPrice, MarketCapBand, MinDollarVolume, MinDaysTraded)
_LIQUIDITY = {MinDollarVolume: "dollar_volume", MinDaysTraded: "days_traded"}
# Steps that judge or score each candidate alone: they commute with the filters, so they stay in the base.
_PER_CANDIDATE = (*_FILTERS, Momentum, SuspectPrices)
_WEIGH = {EqualWeight: WEIGHTING.equal, ScoreWeight: WEIGHTING.score, CappedWeight: WEIGHTING.capped}
_WEIGHT_TOL = 1e-9  # as `schedule_arrays` checks weights


@dataclasses.dataclass(frozen=True)
class Selection:
    """A strategy's steps as the fast path reads them: base screen, field bounds, top N, weighting."""

    base: tuple  # the screen steps with the filters neutralised
    bounds: tuple[tuple[tuple, float, float], ...]  # (field, low, high), one per distinct field
    n: int
    weighting: int
    cap: float


def _bound(step) -> tuple[tuple, float, float]:
    inf = float("inf")
    if type(step) in (MinHolders, HolderCount):
        return ("holders",), float(step.minimum), inf
    if type(step) is MinPrice:
        return ("price",), float(step.minimum), inf
    if type(step) is MarketCapBand:
        return ("cap",), float(step.low), float(step.high)
    return (_LIQUIDITY[type(step)], int(step.days)), float(step.minimum), inf


def selection(strategy) -> Selection | None:
    """How the fast path builds the strategy's picks (None: it does not know its steps)."""
    try:
        screen, picks = list(strategy.screen_steps()), list(strategy.pick_steps())
    except (AttributeError, NotImplementedError):
        return None
    if len(picks) != 2 or type(picks[0]) is not TopN or type(picks[1]) not in _WEIGH:
        return None
    first = next((i for i, s in enumerate(screen) if type(s) in _FILTERS), len(screen))
    if any(type(s) not in _PER_CANDIDATE for s in screen[first:]):
        return None
    base, bounds = [], {}
    for step in screen:
        if type(step) in _LIQUIDITY and step.minimum == 0:
            continue  # a floor of 0 keeps every name (it only shows its column)
        if type(step) in _FILTERS:
            field, lo, hi = _bound(step)
            old = bounds.get(field, (-float("inf"), float("inf")))
            bounds[field] = (max(old[0], lo), min(old[1], hi))  # two filters on one field: both hold
            if type(step) is HolderCount:
                base.append(dataclasses.replace(step, minimum=0))  # its counts, without its cut
            continue
        base.append(step)
    weigh = picks[1]
    cap = float(weigh.cap) if type(weigh) is CappedWeight else 1.0
    return Selection(tuple(base), tuple((f, lo, hi) for f, (lo, hi) in sorted(bounds.items())), picks[0].n,
                     _WEIGH[type(weigh)], cap)


class _Ranked:
    """Ranked candidates of many decision dates of one base screen, as compressed rows."""

    def __init__(self, fields: list[tuple]) -> None:
        self.fields = fields
        self.row: dict[pd.Timestamp, int] = {}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.arrays: tuple | None = None

    def add(self, date: pd.Timestamp, cols: np.ndarray, score: np.ndarray, fields: np.ndarray) -> None:
        self.row[date] = len(self.parts)
        self.parts.append((cols, score, fields))
        self.arrays = None

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if self.arrays is None:
            ptr = np.r_[0, np.cumsum([len(c) for c, _, _ in self.parts])].astype(np.int64)
            cols = [np.zeros(0, np.int64)] + [c for c, _, _ in self.parts]
            scores = [np.zeros(0)] + [s for _, s, _ in self.parts]
            fields = [np.zeros((0, len(self.fields)))] + [f for _, _, f in self.parts]
            self.arrays = (ptr, np.concatenate(cols).astype(np.int64), np.concatenate(scores).astype(np.float64),
                           np.ascontiguousarray(np.concatenate(fields), dtype=np.float64))
        return self.arrays


class _Planner:
    """Decisions and schedules for many configs over one market, each computed once."""

    def __init__(self, market, progress: Progress | None, fast: bool = True) -> None:
        self.market = market
        self.fast = fast
        self.index = HoldingsIndex(market.holdings) if market.holdings is not None else None
        self.progress = progress
        self._dates: dict = {}
        self._picks: dict = {}
        self._arrays: dict = {}
        self._ranked: dict = {}
        self._fields: dict = {}  # base -> fields its configs bound

    def dates(self, strategy, lo, hi) -> pd.DatetimeIndex:
        key = (strategy, lo, hi)
        if key not in self._dates:
            self._dates[key] = strategy.decision_dates(self.market, lo, hi)
        return self._dates[key]

    def prepare(self, requests: list[tuple]) -> None:
        """Index the 13F holdings for every decision date and note the fields each base needs."""
        days = [self.dates(s, lo, hi) for s, lo, hi, _ in requests]
        if self.index is not None and days:
            self.index.prepare(pd.DatetimeIndex(np.concatenate([d.asi8 for d in days])).unique().sort_values())
        for strategy, *_ in requests:
            sel = selection(strategy)
            if sel is not None:
                key = (type(strategy), sel.base)
                self._fields.setdefault(key, set()).update(f for f, _, _ in sel.bounds)

    def _view(self, date):
        return PointInTimeView(self.market, date, self.index)

    def picks(self, strategy, date):
        """The strategy's weighted picks on `date`, equal to ``strategy.decide(view)``."""
        key = (strategy, date)
        if key not in self._picks:
            self._picks[key] = strategy.decide(self._view(date))
        return self._picks[key]

    def _field(self, view: PointInTimeView, picks, field: tuple) -> pd.Series:
        if field[0] == "holders":
            return picks.info["hf_holders"]
        if field[0] == "price":
            return view.last_raw_close()
        if field[0] == "cap":
            return view.market_cap()
        if view.volume(field[1]) is None:
            return None  # the steps path raises the error naming the option, as a separate run does
        return view.dollar_volume(field[1]) if field[0] == "dollar_volume" else view.days_traded(field[1])

    def ranked(self, strategy, sel: Selection, dates: pd.DatetimeIndex) -> _Ranked | None:
        """The base screen's ranking on each of `dates` (None if a candidate has no price column)."""
        key = (type(strategy), sel.base)
        if key not in self._ranked:
            self._ranked[key] = _Ranked(sorted(self._fields.get(key, {f for f, _, _ in sel.bounds})))
        ranked = self._ranked[key]
        if ranked is None:
            return None
        columns = self.market.close.columns
        for date in dates:
            if date in ranked.row:
                continue
            view = self._view(date)
            picks = strategy.run_steps(view, [*sel.base, Rank()])
            tickers = picks.tickers
            cols = columns.get_indexer(tickers)
            if (cols < 0).any() or ("holders",) in ranked.fields and "hf_holders" not in picks.info:
                self._ranked[key] = None  # the steps path raises what a separate run raises
                return None
            score = picks.score.reindex(tickers).to_numpy(dtype=np.float64)
            fields = np.empty((len(tickers), len(ranked.fields)))
            for j, field in enumerate(ranked.fields):
                values = self._field(view, picks, field)
                if values is None:
                    self._ranked[key] = None
                    return None
                fields[:, j] = values.reindex(tickers).to_numpy(dtype=np.float64)
            ranked.add(date, cols, score, fields)
        return ranked

    def _fast(self, strategy, dates, t0: int, t1: int, lag: int) -> ScheduleArrays | None:
        sel = selection(strategy) if self.fast else None
        if sel is None:
            return None
        ranked = self.ranked(strategy, sel, dates)
        if ranked is None:
            return None
        ptr, cand_col, cand_score, cand_fields = ranked.csr()
        low = np.full(len(ranked.fields), -np.inf)
        high = np.full(len(ranked.fields), np.inf)
        active = np.zeros(len(ranked.fields), dtype=np.bool_)
        for field, lo, hi in sel.bounds:
            j = ranked.fields.index(field)
            low[j], high[j], active[j] = lo, hi, True
        date_of = np.array([ranked.row[d] for d in dates], dtype=np.int64)
        rows = self.market.close.index.searchsorted(dates) + lag
        rows = np.where(rows < t1, rows, -1).astype(np.int64)
        reb, offsets, cols, weights = schedule_nb(ptr, cand_col, cand_score, cand_fields, date_of, rows, sel.n,
                                                  low, high, active, sel.weighting, sel.cap)
        sums = np.add.reduceat(weights, offsets[:-1]) if len(weights) else np.zeros(0)
        if not np.isfinite(weights).all() or ((sums > 1.0 + _WEIGHT_TOL) & (np.diff(offsets) > 0)).any():
            return None  # the steps path raises the error a separate run raises
        return ScheduleArrays(rebalance_rows=reb, target_offsets=offsets, target_cols=cols, target_weights=weights,
                              close_unlisted=np.ones(len(reb), dtype=np.bool_))

    def arrays(self, strategy, lo, hi, lag: int) -> tuple[int, int, ScheduleArrays]:
        """(start row, end row, kernel arrays with absolute rows) of the strategy's schedule."""
        key = (strategy, lo, hi, lag)
        if key in self._arrays:
            return self._arrays[key]
        dates = self.dates(strategy, lo, hi)
        if not len(dates):
            raise InputError(f"{strategy.name}: no decision date between {lo.date()} and {hi.date()}")
        calendar = self.market.close.index
        t0 = int(calendar.searchsorted(dates[0], side="left"))
        t1 = int(calendar.searchsorted(hi, side="right"))
        arrays = self._fast(strategy, dates, t0, t1, lag)
        if arrays is None:
            schedule = Schedule.from_dict({d: self.picks(strategy, d).weight.to_dict() for d in dates})
            arrays = schedule_arrays(schedule, self.market.close.iloc[t0:t1], lag=lag).shift(t0)
        out = (t0, t1, arrays)
        self._arrays[key] = out
        return out


def _window(config, market) -> tuple[pd.Timestamp, pd.Timestamp]:
    return window(market.close.index, run_start(config, market), config.backtest.end)


def plan(configs: list, market, progress: Progress | None = None, *, fast: bool = True) -> BatchArrays:
    """The batch of kernel inputs for `configs` (one set per config) over `market`.

    With ``fast=False`` every schedule is decided through the strategy's steps (the reference
    the fast path is tested against).
    """
    planner = _Planner(market, progress, fast)
    requests = []
    for cfg in configs:
        require_holdings(cfg, market)
        lo, hi = _window(cfg, market)
        b = cfg.backtest
        execution = Execution(fees=b.fees, fixed_fees=b.fixed_fees, slippage=b.slippage, init_cash=b.init_cash,
                              lag=b.lag)
        requests.append((cfg.strategy, lo, hi, execution))
    planner.prepare(requests)
    sets = []
    for i, (strategy, lo, hi, execution) in enumerate(requests):
        t0, t1, arrays = planner.arrays(strategy, lo, hi, execution.lag)
        sets.append(BatchSet(t0, t1, arrays, execution))
        if progress is not None:
            progress("decisions", i + 1, len(configs))
    return BatchArrays.from_sets(sets)
