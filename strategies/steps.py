"""Small strategy steps: each does one thing to the candidate set on a decision date.

Steps pass a typed `Picks` along a stack: universe -> filters -> score -> select -> weigh.
Each is a frozen dataclass with ``__call__(view, picks) -> picks`` and can be tested alone.
Each docstring says what the step *requires* of the `Picks` it receives and which fields it
*sets* (as bt's algos do); fields it does not name pass through unchanged.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from hedgeclone.data.thirteenf.pointintime import DEFAULT_MAX_AGE_QUARTERS
from hedgeclone.errors import InputError
from hedgeclone.labels import isin
from hedgeclone.strategies.view import PointInTimeView

__all__ = [
    "Picks",
    "Step",
    "Tradable",
    "Tickers",
    "HolderScore",
    "HolderCount",
    "MinHolders",
    "MarketCapBand",
    "MinPrice",
    "MinDollarVolume",
    "MinDaysTraded",
    "SuspectPrices",
    "Momentum",
    "Priced",
    "Rank",
    "TopN",
    "EqualWeight",
    "ScoreWeight",
    "CappedWeight",
    "FixedWeight",
]


def _empty_unpriced() -> pd.DataFrame:
    return pd.DataFrame({"score": pd.Series(dtype=float)})


@dataclass(frozen=True)
class Picks:
    """Candidates on a decision date: their score, their weight once weighed, and extra columns.

    `ties` names the `info` columns that break equal scores, in order, each with whether it
    sorts ascending (the ticker breaks any tie left). `unpriced` holds candidates left out for
    want of a price: their score and tie columns, indexed by a label (ticker or name).
    """

    tickers: pd.Index
    score: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    weight: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    info: pd.DataFrame = field(default_factory=pd.DataFrame)
    filers: tuple[int, ...] | None = None  # 13F filers whose holdings count (None: all)
    notes: tuple[str, ...] = ()  # what a step did that a report should say
    unpriced: pd.DataFrame = field(default_factory=_empty_unpriced)
    ties: tuple[tuple[str, bool], ...] = ()

    def keep(self, tickers: pd.Index) -> Picks:
        """The same picks restricted to `tickers` (order of `tickers` kept)."""
        return replace(
            self,
            tickers=pd.Index(tickers),
            score=self.score.reindex(tickers) if len(self.score) else self.score,
            weight=self.weight.reindex(tickers) if len(self.weight) else self.weight,
            info=self.info.reindex(tickers) if len(self.info.columns) else self.info,
        )

    def take(self, positions: np.ndarray) -> Picks:
        """`keep` of ``tickers[positions]`` (a boolean mask or integer positions into `tickers`), without
        looking the labels up again where score, weight and info are aligned with `tickers`."""
        kept = self.tickers[positions]
        return replace(
            self,
            tickers=kept,
            score=_cut(self.score, self.tickers, positions, kept) if len(self.score) else self.score,
            weight=_cut(self.weight, self.tickers, positions, kept) if len(self.weight) else self.weight,
            info=_cut(self.info, self.tickers, positions, kept) if len(self.info.columns) else self.info,
        )

    def note(self, text: str | None) -> Picks:
        """The same picks with `text` added to the notes (nothing if None)."""
        return self if not text else replace(self, notes=(*self.notes, text))

    def ranking_columns(self) -> list[np.ndarray]:
        """Score then tie columns of the candidates, aligned with ``tickers`` (what `Rank` sorts by)."""
        return [_aligned(self.score, self.tickers).astype(float, copy=False),
                *[_aligned(self.info[c], self.tickers) if c in self.info else np.full(len(self.tickers), np.nan)
                  for c, _ in self.ties]]

    def ranking_frame(self) -> pd.DataFrame:
        """Score and tie columns of the candidates, indexed by ticker (what `Rank` sorts)."""
        columns = self.ranking_columns()
        return pd.DataFrame(dict(zip(["score", *[c for c, _ in self.ties]], columns, strict=True)), index=self.tickers)

    def table(self) -> pd.DataFrame:
        """One row per candidate, ranked: rank, ticker, score, weight, then the info columns."""
        n = len(self.tickers)
        data = {"rank": np.arange(1, n + 1), "ticker": self.tickers.array}
        for name, values in (("score", self.score), ("weight", self.weight)):
            data[name] = _aligned(values, self.tickers) if len(values) else np.full(n, np.nan)
        if len(self.info.columns):
            info = self.info.reindex(self.tickers)
            data.update({c: info[c].array for c in info.columns})
        return pd.DataFrame(data)


def _cut(values: pd.Series | pd.DataFrame, labels: pd.Index, positions: np.ndarray, kept: pd.Index):
    """``values.reindex(kept)``, where ``kept = labels[positions]``: by position when `values` is indexed by `labels`."""
    return values.iloc[positions] if values.index.equals(labels) else values.reindex(kept)


def _aligned(values: pd.Series, labels: pd.Index) -> np.ndarray:
    """`values` in the order of `labels` (NaN where it has none), as NumPy."""
    return values.to_numpy() if values.index.equals(labels) else values.reindex(labels).to_numpy()


def _frame_columns(frame: pd.DataFrame, ties: tuple[tuple[str, bool], ...]) -> list[np.ndarray]:
    """The score then the `ties` columns of `frame` as NumPy (NaN for a tie column it lacks)."""
    return [frame["score"].to_numpy(), *[frame[c].to_numpy() if c in frame else np.full(len(frame), np.nan)
                                         for c, _ in ties]]


def _order(frame: pd.DataFrame, ties: tuple[tuple[str, bool], ...]) -> pd.Index:
    """The index of `frame` (score and tie columns) best first: score desc, ties, label asc."""
    return frame.index[_positions(_frame_columns(frame, ties), ties, frame.index)]


def _positions(columns: list[np.ndarray], ties: tuple[tuple[str, bool], ...], labels: pd.Index) -> np.ndarray:
    """Positions of the rows best first, `columns` being the score then the `ties` columns: score desc,
    each tie column as `ties` says, then the label asc (NaN/None last in each)."""
    ascending = [False, *[a for _, a in ties]]
    if _is_ranked(columns, ascending, labels):
        return np.arange(len(labels))  # the usual case: the score step listed them best first
    keys = [_sort_key(values, asc) for values, asc in zip(columns, ascending, strict=True)]
    keys.append(_sort_key(labels.astype(str).to_numpy(), True))
    return np.lexsort(keys[::-1])


def _is_ranked(columns: list[np.ndarray], ascending: list[bool], labels: pd.Index) -> bool:
    """Whether every row already comes before the next in the order `_positions` sorts by.

    Pairs of neighbours are decided column by column; only pairs tied so far look at the next
    column, so that the tie columns and the labels (strings) are rarely compared at all.
    """
    open_ = np.arange(len(labels) - 1)  # pairs (i, i + 1) tied on every column so far
    for values, asc in [*zip(columns, ascending, strict=True), (None, True)]:
        if not len(open_):
            return True
        if values is None:  # the label breaks what is left
            values = labels.astype(str).to_numpy()
        elif values.dtype.kind not in "fiub" and not (asc and not pd.isna(values).any()):
            values = _sort_key(values, asc)  # ranks, as the sort uses them
            asc = True
        a, b = values[open_], values[open_ + 1]
        if values.dtype.kind in "fiub":
            a, b = a.astype(np.float64), b.astype(np.float64)
            first, later = (a < b, a > b) if asc else (a > b, a < b)
            first |= ~np.isnan(a) & np.isnan(b)  # NaN last either way
            later |= np.isnan(a) & ~np.isnan(b)
        else:
            a, b = a.astype(str), b.astype(str)
            first, later = a < b, a > b
        if later.any():
            return False
        open_ = open_[~first]
    return True


def _sort_key(values: np.ndarray, ascending: bool) -> np.ndarray:
    """An array that `np.lexsort` orders as a stable sort of `values` would (NaN/None last either way)."""
    if values.dtype.kind in "fiub":
        return values.astype(np.float64) if ascending else -values.astype(np.float64)  # lexsort puts NaN last
    values = np.asarray(values, dtype=object)
    if ascending and not pd.isna(values).any():
        return values.astype(str)
    codes, uniques = pd.factorize(values, sort=True)  # ranks of the distinct values
    n = len(uniques)
    return np.where(codes < 0, n, codes if ascending else n - 1 - codes)


class Step(Protocol):
    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks: ...


@dataclass(frozen=True)
class Tradable:
    """Universe: every ticker with a price at the decision date's close.

    Requires: nothing. Sets: ``tickers``.
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return replace(picks, tickers=view.tradable())


@dataclass(frozen=True)
class Tickers:
    """Universe: a fixed list of tickers, kept where they trade on the decision date.

    Requires: nothing. Sets: ``tickers`` (in the price data's column order). A ticker the market
    has no prices for at all is an `InputError` (it would otherwise be held as cash, silently).
    """

    tickers: tuple[str, ...]

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        unknown = pd.Index(self.tickers).difference(view.market.close.columns)
        if len(unknown):
            raise InputError(f"tickers {', '.join(map(repr, unknown))} have no prices in this market "
                             f"(it has {view.market.close.shape[1]} tickers)")
        return replace(picks, tickers=view.tradable().intersection(pd.Index(self.tickers), sort=False))


_FUND_NAME = r"\b(?:ETF|ETFS|FUND|ISHARES|SPDR|INDEX|TRUST SERIES)\b"
_HOLDER_TIES = (("conviction", False), ("issuer", True))
_HOLDER_INFO = (("issuer", "issuer"), ("hf_holders", "holders"), ("conviction", "conviction"), ("top10", "top10"),
                ("cusips", "cusips"))


_FUND_PATTERN = re.compile(_FUND_NAME, re.ASCII)


@functools.cache
def _is_fund(name: object) -> bool:
    return isinstance(name, str) and _FUND_PATTERN.search(name.upper()) is not None


def _funds(names: np.ndarray) -> np.ndarray:
    # Each distinct issuer name is matched once per process: a run asks about the same names on every date.
    return np.fromiter(map(_is_fund, names), dtype=bool, count=len(names))


def _with_info(picks: Picks, **columns: pd.Series | np.ndarray) -> Picks:
    """`picks` with `columns` added to (or replaced in) its info; an array is aligned with ``tickers``."""
    tickers = picks.tickers
    data = {c: picks.info[c].reindex(tickers).to_numpy() for c in picks.info.columns}
    for name, values in columns.items():
        data[name] = values if isinstance(values, np.ndarray) else values.reindex(tickers).to_numpy()
    return replace(picks, info=pd.DataFrame(data, index=tickers))


HolderMetric = Literal["holders", "conviction", "top10"]


@dataclass(frozen=True)
class HolderScore:
    """Score: 13F holders per issuer (or conviction, or top-10 appearances) known on the date.

    Counts follow the 13F counting rules (`data.thirteenf.pointintime`): filings filed before
    the date, each filer's latest period, stale filers (latest period more than
    `max_age_quarters` before the last quarter end) left out, long equity only; with
    `merge_share_classes` a company's CUSIPs count as one issuer (CUSIP[:6]) held once per
    filer, and the issuer is traded under its priced ticker held by the most filers (then
    highest conviction, then alphabetical). Without it each ticker counts on its own.
    With `exclude_funds`, issuers whose name says ETF, fund, iShares, SPDR, index or trust
    series are left out (copying them is not stock picking).

    Requires: ``filers`` (None = every filer); ``tickers`` unless `universe`.
    Sets: ``tickers`` (the traded ticker of each held issuer: with `universe`, every issuer
    with a ticker priced on the date; otherwise only those among the incoming tickers),
    ``score`` (the metric), ``info`` columns ``issuer``, ``hf_holders`` (distinct filers),
    ``conviction``, ``top10``, ``cusips``; ``ties`` (conviction desc, then issuer asc);
    ``unpriced`` (with `universe`: held issuers without a priced ticker, by label); a note
    saying how many filers were stale.
    """

    metric: HolderMetric = "holders"
    exclude_funds: bool = False
    universe: bool = False
    merge_share_classes: bool = True
    max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS

    def __post_init__(self) -> None:
        if self.metric not in ("holders", "conviction", "top10"):
            raise InputError(f"score metric must be holders, conviction or top10, got {self.metric!r}")
        if self.max_age_quarters is not None and self.max_age_quarters < 0:
            raise InputError(f"max_filing_age_quarters must be >= 0, got {self.max_age_quarters}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        candidates = view.priced() if self.universe else picks.tickers
        units = view.traded(picks.filers, self.max_age_quarters, self.merge_share_classes, candidates, self.metric)
        if self.exclude_funds:
            units = units.where(~_funds(units.traded["name"]), ~_funds(units.unpriced["name"]))
        traded, unpriced = units.traded, units.unpriced
        tickers = pd.Index(traded["ticker"])
        kept = picks.keep(tickers)
        out = replace(kept, score=pd.Series(traded["score"], index=tickers, name=self.metric), ties=_HOLDER_TIES)
        out = _with_info(out, **{name: traded[column] for name, column in _HOLDER_INFO})
        if self.universe and len(unpriced["label"]):
            lost = pd.DataFrame({"score": unpriced["score"], "conviction": unpriced["conviction"],
                                 "issuer": unpriced["issuer"]}, index=pd.Index(unpriced["label"]))
            out = replace(out, unpriced=pd.concat([picks.unpriced, lost]) if len(picks.unpriced) else lost)
        return out.note(units.stale_note)


@dataclass(frozen=True)
class HolderCount:
    """Filter: keep candidates held by at least `minimum` distinct 13F filers known on the date.

    Counts follow the 13F counting rules (see `HolderScore`): a ticker has the holders of its
    issuer (with `merge_share_classes`; each ticker alone without it).

    Requires: ``tickers``, ``filers`` (None = every filer).
    Sets: ``tickers`` (those with enough holders), ``info`` column ``hf_holders``; a note
    saying how many filers were stale (if `minimum` > 0). The score is left as it is. With
    `minimum` 0 on a market without 13F holdings it changes nothing.
    """

    minimum: int = 1
    merge_share_classes: bool = True
    max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        if self.minimum <= 0 and not view.has_holdings:
            return picks  # nothing to require and nothing to show: a market of prices and shares only
        counts = view.issuers(picks.filers, self.max_age_quarters, self.merge_share_classes)
        holders = counts.for_tickers()["holders"].reindex(picks.tickers).fillna(0).astype(np.int64)
        kept = picks.take((holders >= self.minimum).to_numpy())
        return _with_info(kept, hf_holders=holders).note(counts.stale_note() if self.minimum > 0 else None)


@dataclass(frozen=True)
class MinHolders:
    """Filter: keep candidates held by at least `minimum` filers.

    Requires: ``tickers``, ``info["hf_holders"]`` (set by `HolderScore` or `HolderCount`).
    Sets: ``tickers``.
    """

    minimum: int

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        holders = picks.info["hf_holders"].reindex(picks.tickers)
        return picks.take((holders >= self.minimum).to_numpy())


@dataclass(frozen=True)
class Priced:
    """Filter: keep candidates with a price on the decision date.

    The scores (and tie columns) of those left out -- not in the price data, or not trading
    that day -- go to ``unpriced``, so that `TopN` can say how many of its picks they would
    have been.

    Requires: ``tickers``; ``score`` to report what was left out. Sets: ``tickers``, ``unpriced``.
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        priced = view.last_close().reindex(picks.tickers).notna().to_numpy()
        if priced.all():
            return picks
        lost = picks.ranking_frame()[~priced]
        unpriced = pd.concat([picks.unpriced, lost]) if len(picks.unpriced) else lost
        return replace(picks.take(priced), unpriced=unpriced)


@dataclass(frozen=True)
class MarketCapBand:
    """Filter: market cap (raw close x shares known on the date) within [low, high] dollars.

    Requires: ``tickers``. Sets: ``tickers``, ``info`` column ``market_cap``.
    """

    low: float = 50e6
    high: float = 300e6

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        cap = view.market_cap().reindex(picks.tickers)
        kept = picks.take(((cap >= self.low) & (cap <= self.high)).to_numpy())
        return _with_info(kept, market_cap=cap)


@dataclass(frozen=True)
class MinPrice:
    """Filter: raw close on the date at least `minimum` (adjusted close where raw is unknown).

    Requires: ``tickers``. Sets: ``tickers``.
    """

    minimum: float

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        price = view.last_raw_close().reindex(picks.tickers)
        return picks.take((price >= self.minimum).to_numpy())


def _liquidity_floor(view: PointInTimeView, picks: Picks, option: str, minimum: float, days: int) -> Picks:
    """Keep the candidates whose measure (``min_dollar_volume``: `view.dollar_volume`; ``min_days_traded``:
    `view.days_traded`) over `days` sessions is at least `minimum`, and show it as an info column. Without
    volumes in the window: unchanged if `minimum` is 0, else an `InputError` naming `option`."""
    if view.volume(days) is None:
        if minimum > 0:
            raise InputError(f"{option} = {minimum:g} needs daily volumes, but this market has none in the {days} "
                             f"sessions to {view.date.date()}; import prices with a volume column, or set {option} = 0")
        return picks
    column, measure = {"min_dollar_volume": ("dollar_volume", view.dollar_volume),
                       "min_days_traded": ("days_traded", view.days_traded)}[option]
    values = measure(days).reindex(picks.tickers)
    kept = picks.take((values >= minimum).to_numpy()) if minimum > 0 else picks
    return _with_info(kept, **{column: values})


@dataclass(frozen=True)
class MinDollarVolume:
    """Filter: median daily dollar volume (raw close x volume) over the last `days` sessions, up to the
    decision date's close, at least `minimum` (0 keeps every name and only shows the column).

    Requires: ``tickers`` (and volumes in the window when `minimum` > 0: an `InputError` naming
    ``min_dollar_volume`` otherwise). Sets: ``tickers``, ``info`` column ``dollar_volume`` (when the
    market has volumes in the window).
    """

    minimum: float
    days: int = 20

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return _liquidity_floor(view, picks, "min_dollar_volume", self.minimum, self.days)


@dataclass(frozen=True)
class MinDaysTraded:
    """Filter: share of the last `days` sessions, up to the decision date's close, on which the name
    traded (volume > 0) at least `minimum` (in [0, 1]; 0 keeps every name and only shows the column).

    Requires: ``tickers`` (and volumes in the window when `minimum` > 0: an `InputError` naming
    ``min_days_traded`` otherwise). Sets: ``tickers``, ``info`` column ``days_traded`` (when the
    market has volumes in the window).
    """

    minimum: float
    days: int = 20

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= 1:
            raise InputError(f"min_days_traded must be a share of sessions in [0, 1], got {self.minimum:g}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return _liquidity_floor(view, picks, "min_days_traded", self.minimum, self.days)


def _ratio(r: float) -> str:
    """A move as people write it: x2, x62,500, x1/10."""
    big = r if r >= 1 else 1 / r
    text = f"{big:,.0f}" if big >= 100 else f"{big:.3g}"
    return f"x{text}" if r >= 1 else f"x1/{text}"


@dataclass(frozen=True)
class SuspectPrices:
    """Filter: names with an unrepaired suspect move (a split-like one-day move of the close, see
    `data.prices.suspect`) inside the look-back window: the last `sessions` sessions up to the decision
    date, or from the year's first session with ``sessions = "ytd"``. A move counts from its own close.

    With `exclude` they are left out and a note names them; without it they stay, marked.
    Requires: ``tickers``. Sets: ``tickers``; ``info`` column ``suspect`` (``"2025-01-29 x62,500"``,
    empty for clean names; only without `exclude`); a note. Changes nothing on a market without marks.
    """

    sessions: int | Literal["ytd"] = 252
    exclude: bool = True

    def window_start(self, view: PointInTimeView) -> pd.Timestamp:
        """The first day of the look-back window on the view date."""
        if self.sessions == "ytd":
            return pd.Timestamp(year=view.date.year, month=1, day=1)
        return view.session_start(int(self.sessions))

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        marks = view.suspect_since(self.window_start(view))
        if not marks.empty:
            marks = marks[isin(marks["ticker"], picks.tickers)]
        if marks.empty:
            return picks
        last = marks.sort_values("date", kind="stable").drop_duplicates("ticker", keep="last").set_index("ticker")
        label = pd.Series([f"{d.date()} {_ratio(r)}" for d, r in zip(last["date"], last["ratio"], strict=True)], index=last.index)
        shown = ", ".join(f"{t} ({label[t]})" for t in list(label.index)[:8]) + (" ..." if len(label) > 8 else "")
        if self.exclude:
            kept = picks.take(~isin(picks.tickers, label.index))
            return kept.note(f"{len(label)} name(s) left out for unrepaired suspect prices (a split-like one-day move "
                             f"in the look-back window): {shown}; repair them with `hedgeclone data splits import` "
                             "or set exclude_suspect_prices = false")
        out = _with_info(picks, suspect=label.reindex(picks.tickers).fillna(""))
        return out.note(f"{len(label)} name(s) marked for unrepaired suspect prices: {shown}")


MomentumWindow = Literal["ytd", "3m", "6m", "12m"]
_SESSIONS = {"3m": 63, "6m": 126, "12m": 252}


@dataclass(frozen=True)
class Momentum:
    """Score: total return to the date's close, year to date or over the last 3/6/12 months.

    Year to date starts at the last close of the previous year; a ticker listed during the
    year starts at its first close. Trailing windows need a price at their start.

    Requires: ``tickers``. Sets: ``tickers`` (those with a return), ``score`` (the return),
    ``info`` column ``ytd_return`` or ``return_3m``/``return_6m``/``return_12m``.
    """

    window: MomentumWindow = "ytd"

    def __post_init__(self) -> None:
        if self.window not in ("ytd", *_SESSIONS):
            raise InputError(f"rank_by must be one of ytd, 3m, 6m, 12m, got {self.window!r}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        end = view.last_close().reindex(picks.tickers)
        if self.window == "ytd":
            hist = view.close(lookback=400)
            year_start = pd.Timestamp(year=view.date.year, month=1, day=1)
            before = hist[hist.index < year_start][picks.tickers]
            during = hist[hist.index >= year_start][picks.tickers]
            start = before.iloc[-1] if len(before) else pd.Series(np.nan, index=picks.tickers)
            start = start.fillna(during.bfill().iloc[0] if len(during) else np.nan)
        else:
            hist = view.close(lookback=_SESSIONS[self.window] + 1)[picks.tickers]
            start = hist.iloc[0]
        ret = (end / start - 1.0).astype(float)
        kept = picks.take(ret.notna().to_numpy())
        name = "ytd_return" if self.window == "ytd" else f"return_{self.window}"
        return _with_info(replace(kept, score=ret.reindex(kept.tickers)), **{name: ret})


@dataclass(frozen=True)
class Rank:
    """Order candidates by score, best first; ties broken by the ``ties`` columns, then ticker.

    Requires: ``tickers``, ``score`` (and the ``info`` columns named in ``ties``). Sets: ``tickers`` (order).
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return picks.take(_positions(picks.ranking_columns(), picks.ties, picks.tickers))


@dataclass(frozen=True)
class TopN:
    """Select: the `n` best, ranked as `Rank` does, so that runs are reproducible.

    If candidates were left out for want of a price (``unpriced``), a note says how many of
    the `n` best, had every candidate had a price, had none and were replaced.

    Requires: ``tickers``, ``score`` (``ties``, ``unpriced`` if set). Sets: ``tickers``; a note.
    """

    n: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise InputError(f"top_n must be at least 1, got {self.n}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        columns = picks.ranking_columns()
        top = _positions(columns, picks.ties, picks.tickers)[: self.n]
        chosen = picks.take(top)
        if not len(picks.unpriced):
            return chosen
        # The n best of priced and unpriced together (a label with a price counts once, as priced):
        # `_positions` is a total order, so they are the n best of each part's n best.
        labels, others = _best_unpriced(picks.unpriced, picks.tickers, picks.ties, self.n)
        both = [np.concatenate([mine[top], theirs]) for mine, theirs in zip(columns, others, strict=True)]
        ranked = _positions(both, picks.ties, picks.tickers[top].append(labels))[: self.n]
        lost = [str(t) for t in labels[ranked[ranked >= len(top)] - len(top)]]
        if not lost:
            return chosen
        shown = ", ".join(lost[:8]) + (" ..." if len(lost) > 8 else "")
        return chosen.note(f"{len(ranked) - len(lost)} of the top {len(ranked)} by score had prices; "
                           f"{len(lost)} without ({shown}) replaced by the next-ranked")


def _best_unpriced(unpriced: pd.DataFrame, priced: pd.Index, ties: tuple[tuple[str, bool], ...],
                   n: int) -> tuple[pd.Index, list[np.ndarray]]:
    """The `n` best rows of `unpriced` whose label is not `priced` (a label's first row only), best first:
    their labels and their score and tie columns.

    Where `unpriced` is already ranked (as `HolderScore` lists it), the first rows that pass are the
    best, so only a prefix a few times `n` long is looked up instead of every held issuer."""
    columns = _frame_columns(unpriced, ties)
    if _is_ranked(columns, [False, *[a for _, a in ties]], unpriced.index):
        size = 4 * n
        while True:
            head = unpriced.index[:size]
            keep = np.flatnonzero(~isin(head, priced) & ~head.duplicated(keep="first"))
            if len(keep) >= n or size >= len(unpriced):
                keep = keep[:n]
                return head[keep], [c[keep] for c in columns]
            size *= 4
    passing = np.flatnonzero(~isin(unpriced.index, priced) & ~unpriced.index.duplicated(keep="first"))
    labels, columns = unpriced.index[passing], [c[passing] for c in columns]
    best = _positions(columns, ties, labels)[:n]
    return labels[best], [c[best] for c in columns]


def _weighed(picks: Picks, weighting: str, cap: float) -> Picks:
    """`picks` weighed by the selection kernel (`strategies.select.weights_nb`, the one home of the rule)."""
    from hedgeclone.strategies.select import WEIGHTING, weights_nb  # numba loads only when a step weighs

    score = picks.score.reindex(picks.tickers).to_numpy(dtype=np.float64)
    weight = weights_nb(score, getattr(WEIGHTING, weighting), float(cap))
    return replace(picks, weight=pd.Series(weight, index=picks.tickers, dtype=float))


@dataclass(frozen=True)
class EqualWeight:
    """Weigh: 1/n each.

    Requires: ``tickers``. Sets: ``weight``.
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        n = len(picks.tickers)
        weight = pd.Series(1.0 / n if n else 0.0, index=picks.tickers, dtype=float)
        return replace(picks, weight=weight)


@dataclass(frozen=True)
class ScoreWeight:
    """Weigh: proportional to score (negative scores count as 0; all zero gives zero weights).

    Requires: ``tickers``, ``score``. Sets: ``weight``.
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return _weighed(picks, "score", 1.0)


@dataclass(frozen=True)
class CappedWeight:
    """Weigh: proportional to score, no name above `cap`; the excess goes to the others.

    Requires: ``tickers``, ``score``. Sets: ``weight``.
    """

    cap: float

    def __post_init__(self) -> None:
        if not 0 < self.cap <= 1:
            raise InputError(f"max_weight must be in (0, 1], got {self.cap}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return _weighed(picks, "capped", self.cap)


@dataclass(frozen=True)
class FixedWeight:
    """Weigh: the configured weight of each candidate (NaN for a candidate without one).

    Requires: ``tickers``. Sets: ``weight``.
    """

    weights: tuple[tuple[str, float], ...]

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return replace(picks, weight=pd.Series(dict(self.weights), dtype=float).reindex(picks.tickers))
