"""Small strategy steps: each does one thing to the candidate set on a decision date.

Steps pass a typed `Picks` along a stack: universe -> filters -> score -> select -> weigh.
Each is a frozen dataclass with ``__call__(view, picks) -> picks`` and can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from backtest.errors import InputError
from strategies.view import PointInTimeView

__all__ = [
    "Picks",
    "Step",
    "Tradable",
    "HolderScore",
    "MinHolders",
    "TopN",
    "EqualWeight",
    "ScoreWeight",
]


@dataclass(frozen=True)
class Picks:
    """Candidates on a decision date: their score, their weight once weighed, and extra columns."""

    tickers: pd.Index
    score: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    weight: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    info: pd.DataFrame = field(default_factory=pd.DataFrame)

    def keep(self, tickers: pd.Index) -> Picks:
        """The same picks restricted to `tickers` (order of `tickers` kept)."""
        return Picks(
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
        return Picks(tickers=view.tradable())


HolderMetric = Literal["holders", "conviction", "top10"]


@dataclass(frozen=True)
class HolderScore:
    """Score: 13F holder count (or summed conviction, or top-10 appearances) known on the date.

    Candidates no filer holds are dropped; ``hf_holders`` is added to the info columns.
    """

    metric: HolderMetric = "holders"

    def __post_init__(self) -> None:
        if self.metric not in ("holders", "conviction", "top10"):
            raise InputError(f"score metric must be holders, conviction or top10, got {self.metric!r}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        agg = view.holders()
        agg = agg[agg["ticker"].notna()]
        by_ticker = agg.groupby("ticker", sort=False).agg(
            holders=("holders", "sum"), conviction=("conviction", "sum"), top10=("top10", "sum")
        )
        tickers = picks.tickers.intersection(by_ticker.index, sort=False)
        chosen = by_ticker.loc[tickers]
        info = pd.DataFrame({"hf_holders": chosen["holders"].astype(np.int64)}, index=tickers)
        return Picks(tickers=tickers, score=chosen[self.metric].astype(float), info=info)


@dataclass(frozen=True)
class MinHolders:
    """Filter: keep candidates held by at least `minimum` filers (needs `HolderScore` first)."""

    minimum: int

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        holders = picks.info["hf_holders"].reindex(picks.tickers)
        return picks.keep(picks.tickers[(holders >= self.minimum).to_numpy()])


@dataclass(frozen=True)
class TopN:
    """Select: the `n` best scores, ties broken by ticker so that runs are reproducible."""

    n: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise InputError(f"top_n must be at least 1, got {self.n}")

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        frame = pd.DataFrame({"score": picks.score.reindex(picks.tickers).to_numpy(), "ticker": picks.tickers})
        frame = frame.sort_values(["score", "ticker"], ascending=[False, True], kind="stable")
        return picks.keep(pd.Index(frame["ticker"].to_numpy()[: self.n]))


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
