"""Small strategy steps: each does one thing to the candidate set on a decision date.

Steps pass a typed `Picks` along a stack: universe -> filters -> score -> select -> weigh.
Each is a frozen dataclass with ``__call__(view, picks) -> picks`` and can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from hedgeclone.errors import InputError
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
    "Momentum",
    "Priced",
    "Rank",
    "TopN",
    "EqualWeight",
    "ScoreWeight",
    "CappedWeight",
    "FixedWeight",
]


@dataclass(frozen=True)
class Picks:
    """Candidates on a decision date: their score, their weight once weighed, and extra columns."""

    tickers: pd.Index
    score: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    weight: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    info: pd.DataFrame = field(default_factory=pd.DataFrame)
    filers: tuple[int, ...] | None = None  # 13F filers whose holdings count (None: all)
    notes: tuple[str, ...] = ()  # what a step did that a report should say
    unpriced: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # score of names left out for no price

    def keep(self, tickers: pd.Index) -> Picks:
        """The same picks restricted to `tickers` (order of `tickers` kept)."""
        return replace(
            self,
            tickers=pd.Index(tickers),
            score=self.score.reindex(tickers) if len(self.score) else self.score,
            weight=self.weight.reindex(tickers) if len(self.weight) else self.weight,
            info=self.info.reindex(tickers) if len(self.info.columns) else self.info,
        )

    def table(self) -> pd.DataFrame:
        """One row per candidate, ranked: rank, ticker, score, weight, then the info columns."""
        out = pd.DataFrame({"ticker": self.tickers})
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        out["score"] = self.score.reindex(self.tickers).to_numpy() if len(self.score) else np.nan
        out["weight"] = self.weight.reindex(self.tickers).to_numpy() if len(self.weight) else np.nan
        if len(self.info.columns):
            out = out.join(self.info.reindex(self.tickers).reset_index(drop=True))
        return out


class Step(Protocol):
    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks: ...


@dataclass(frozen=True)
class Tradable:
    """Universe: every ticker with a price at the decision date's close."""

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return replace(picks, tickers=view.tradable())


@dataclass(frozen=True)
class Tickers:
    """Universe: a fixed list of tickers, kept where they trade on the decision date."""

    tickers: tuple[str, ...]

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return replace(picks, tickers=view.tradable().intersection(pd.Index(self.tickers), sort=False))


_FUND_NAME = r"\b(?:ETF|ETFS|FUND|ISHARES|SPDR|INDEX|TRUST SERIES)\b"


def _holder_table(view: PointInTimeView, filers: tuple[int, ...] | None, exclude_funds: bool = False) -> pd.DataFrame:
    """Holders, conviction and top-10 counts per ticker known on the view date."""
    agg = view.holders(ciks=filers)
    agg = agg[agg["ticker"].notna()]
    if exclude_funds:
        agg = agg[~agg["issuer"].fillna("").str.upper().str.contains(_FUND_NAME, regex=True)]
    return agg.groupby("ticker", sort=False).agg(
        holders=("holders", "sum"), conviction=("conviction", "sum"), top10=("top10", "sum")
    )


def _with_info(picks: Picks, **columns: pd.Series) -> Picks:
    info = picks.info.reindex(picks.tickers) if len(picks.info.columns) else pd.DataFrame(index=picks.tickers)
    for name, values in columns.items():
        info[name] = values.reindex(picks.tickers).to_numpy()
    return replace(picks, info=info)


HolderMetric = Literal["holders", "conviction", "top10"]


@dataclass(frozen=True)
class HolderScore:
    """Score: 13F holder count (or summed conviction, or top-10 appearances) known on the date.

    Candidates no filer holds are dropped; ``hf_holders`` is added to the info columns. With
    ``universe=True`` the step is the universe itself: every ticker any filer holds, priced or
    not (follow it with `Priced`, which reports what had no price).
    With `exclude_funds`, securities whose issuer name says ETF, fund, iShares, SPDR, index
    or trust series are left out (13F reports hold many of them; copying them is not stock
    picking).
    """

    metric: HolderMetric = "holders"
    exclude_funds: bool = False
    universe: bool = False

    def __post_init__(self) -> None:
        if self.metric not in ("holders", "conviction", "top10"):
            raise InputError(f"score metric must be holders, conviction or top10, got {self.metric!r}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        by_ticker = _holder_table(view, picks.filers, self.exclude_funds)
        tickers = by_ticker.index if self.universe else picks.tickers.intersection(by_ticker.index, sort=False)
        chosen = by_ticker.loc[tickers]
        kept = picks.keep(tickers)
        return _with_info(replace(kept, score=chosen[self.metric].astype(float)),
                          hf_holders=chosen["holders"].astype(np.int64))


@dataclass(frozen=True)
class HolderCount:
    """Filter: keep candidates held by at least `minimum` 13F filers known on the date.

    Adds ``hf_holders`` to the info columns; the score is left as it is.
    """

    minimum: int = 1

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        holders = _holder_table(view, picks.filers)["holders"].reindex(picks.tickers).fillna(0).astype(np.int64)
        kept = picks.keep(picks.tickers[(holders >= self.minimum).to_numpy()])
        return _with_info(kept, hf_holders=holders)


@dataclass(frozen=True)
class MinHolders:
    """Filter: keep candidates held by at least `minimum` filers (needs `HolderScore` first)."""

    minimum: int

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        holders = picks.info["hf_holders"].reindex(picks.tickers)
        return picks.keep(picks.tickers[(holders >= self.minimum).to_numpy()])


@dataclass(frozen=True)
class Priced:
    """Filter: keep candidates with a price on the decision date.

    The scores of those left out (not in the price data, or not trading that day) are kept
    in ``Picks.unpriced``, so that `TopN` can say how many of its picks they would have been.
    """

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        priced = view.last_close().reindex(picks.tickers).notna().to_numpy()
        score = picks.score.reindex(picks.tickers)
        unpriced = pd.concat([picks.unpriced, score[~priced]])
        return replace(picks.keep(picks.tickers[priced]), unpriced=unpriced)


@dataclass(frozen=True)
class MarketCapBand:
    """Filter: market cap (raw close x shares known on the date) within [low, high] dollars."""

    low: float = 50e6
    high: float = 300e6

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        cap = view.market_cap().reindex(picks.tickers)
        kept = picks.keep(picks.tickers[((cap >= self.low) & (cap <= self.high)).to_numpy()])
        return _with_info(kept, market_cap=cap)


@dataclass(frozen=True)
class MinPrice:
    """Filter: raw close on the date at least `minimum` (adjusted close where raw is unknown)."""

    minimum: float

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        price = view.last_raw_close().reindex(picks.tickers)
        return picks.keep(picks.tickers[(price >= self.minimum).to_numpy()])


@dataclass(frozen=True)
class MinDollarVolume:
    """Filter: median daily dollar volume over the last `days` sessions at least `minimum`."""

    minimum: float
    days: int = 20

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        dollar = view.dollar_volume(self.days).reindex(picks.tickers)
        return picks.keep(picks.tickers[(dollar >= self.minimum).to_numpy()])


MomentumWindow = Literal["ytd", "3m", "6m", "12m"]
_SESSIONS = {"3m": 63, "6m": 126, "12m": 252}


@dataclass(frozen=True)
class Momentum:
    """Score: total return to the date's close, year to date or over the last 3/6/12 months.

    Year to date starts at the last close of the previous year; a ticker listed during the
    year starts at its first close. Trailing windows need a price at their start.
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
        kept = picks.keep(picks.tickers[ret.notna().to_numpy()])
        name = "ytd_return" if self.window == "ytd" else f"return_{self.window}"
        return _with_info(replace(kept, score=ret.reindex(kept.tickers)), **{name: ret})


@dataclass(frozen=True)
class Rank:
    """Order candidates by score, best first, ties broken by ticker."""

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        frame = pd.DataFrame({"score": picks.score.reindex(picks.tickers).to_numpy(), "ticker": picks.tickers})
        frame = frame.sort_values(["score", "ticker"], ascending=[False, True], kind="stable")
        return picks.keep(pd.Index(frame["ticker"].to_numpy()))


@dataclass(frozen=True)
class TopN:
    """Select: the `n` best scores, ties broken by ticker so that runs are reproducible."""

    n: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise InputError(f"top_n must be at least 1, got {self.n}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        ranked = Rank()(view, picks)
        chosen = ranked.keep(ranked.tickers[: self.n])
        if not len(picks.unpriced):
            return chosen
        # Which of the n best, had every candidate had a price, had none (see `Priced`).
        everyone = pd.concat([picks.score.reindex(picks.tickers), picks.unpriced])
        best = Rank()(view, Picks(tickers=pd.Index(everyone.index), score=everyone)).tickers[: self.n]
        lost = [t for t in best if t in picks.unpriced.index]
        if not lost:
            return chosen
        shown = ", ".join(lost[:8]) + (" ..." if len(lost) > 8 else "")
        note = (f"{len(best) - len(lost)} of the top {len(best)} by score had prices; "
                f"{len(lost)} without ({shown}) replaced by the next-ranked")
        return replace(chosen, notes=(*chosen.notes, note))


@dataclass(frozen=True)
class EqualWeight:
    """Weigh: 1/n each."""

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        n = len(picks.tickers)
        weight = pd.Series(1.0 / n if n else 0.0, index=picks.tickers, dtype=float)
        return replace(picks, weight=weight)


@dataclass(frozen=True)
class ScoreWeight:
    """Weigh: proportional to score."""

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        score = picks.score.reindex(picks.tickers).clip(lower=0.0)
        total = float(score.sum())
        weight = score / total if total > 0 else pd.Series(0.0, index=picks.tickers)
        return replace(picks, weight=weight)


@dataclass(frozen=True)
class CappedWeight:
    """Weigh: proportional to score, no name above `cap`; the excess goes to the others."""

    cap: float

    def __post_init__(self) -> None:
        if not 0 < self.cap <= 1:
            raise InputError(f"max_weight must be in (0, 1], got {self.cap}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        weight = ScoreWeight()(view, picks).weight.copy()
        for _ in range(len(weight)):
            over = weight > self.cap + 1e-15
            if not over.any():
                break
            excess = float((weight[over] - self.cap).sum())
            weight[over] = self.cap
            free = ~over & (weight < self.cap)
            if not free.any() or weight[free].sum() <= 0:
                break
            weight[free] += excess * weight[free] / weight[free].sum()
        return replace(picks, weight=weight)


@dataclass(frozen=True)
class FixedWeight:
    """Weigh: the configured weight of each candidate."""

    weights: tuple[tuple[str, float], ...]

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        return replace(picks, weight=pd.Series(dict(self.weights), dtype=float).reindex(picks.tickers))
