"""13F filers of the demo market and what they hold at each quarter end.

Filers are general (large-cap) or small-cap specialists; a minority is skilled. Each quarter
a filer keeps most of last quarter's names (80%) and tops up from its popularity
distribution: general filers favour big, "hot" stocks (so a handful of names are held by
many filers), specialists favour caps around $150M (so micro-caps have several holders).
Skilled filers tilt both choices and position sizes towards stocks whose return over the
next 126 sessions is high: the world knows its future, the backtester only sees filings
after their filed date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone.data.demo.identifiers import make_ciks, make_filer_names
from hedgeclone.data.demo.kernels import select_holdings_nb
from hedgeclone.data.demo.prices import PricePaths

__all__ = ["FilerPopulation", "Positions", "make_filers", "simulate_positions", "forward_score"]

GENERAL, SPECIALIST = 0, 1
SKILL_TILT = 3.0  # log-weight tilt per unit of forward-return rank score (score in [-0.5, 0.5])
FORWARD_SESSIONS = 126


@dataclass(frozen=True)
class FilerPopulation:
    """Per-filer facts (arrays of length n_filers) and per (filer, quarter) activity and size."""

    cik: np.ndarray
    name: np.ndarray
    style: np.ndarray  # GENERAL or SPECIALIST
    skilled: np.ndarray  # bool
    aum: np.ndarray  # USD at the first quarter, grows with the market
    active: np.ndarray  # bool (filer x quarter)
    n_names: np.ndarray  # int64 (filer x quarter)

    def table(self) -> pd.DataFrame:
        """The public filers table: cik, filer_name, skilled, style."""
        return pd.DataFrame(
            {
                "cik": self.cik.astype(np.int64),
                "filer_name": pd.array(self.name, dtype="string"),
                "skilled": self.skilled.astype(bool),
                "style": pd.array(np.where(self.style == SPECIALIST, "small-cap", "general"), dtype="string"),
            }
        )


@dataclass(frozen=True)
class Positions:
    """Long positions at quarter ends: one entry per (filer, quarter, stock)."""

    filer: np.ndarray
    quarter: np.ndarray
    stock: np.ndarray
    shares: np.ndarray
    price: np.ndarray  # raw close on the last session on or before the quarter end


def make_filers(rng: np.random.Generator, n_filers: int, n_quarters: int) -> FilerPopulation:
    """A deterministic population of `n_filers` filers over `n_quarters` quarters."""
    style = np.where(rng.random(n_filers) < 0.2, SPECIALIST, GENERAL)
    skilled = rng.random(n_filers) < 0.2
    most = np.where(style == SPECIALIST, 80, 150)
    base_names = np.exp(rng.uniform(np.log(20), np.log(most)))
    n_names = np.clip(
        np.round(base_names[:, None] * np.exp(rng.normal(0, 0.08, (n_filers, n_quarters)))), 20, 160
    )
    aum = np.where(
        style == SPECIALIST,
        np.exp(rng.normal(np.log(150e6), 0.8, n_filers)),
        np.exp(rng.normal(np.log(2e9), 1.3, n_filers)),
    )
    q = np.arange(n_quarters)[None, :]
    begin = np.where(rng.random(n_filers) < 0.15, rng.integers(0, max(1, 2 * n_quarters // 3), n_filers), 0)
    end = np.where(
        rng.random(n_filers) < 0.1, begin + 8 + rng.integers(0, max(1, n_quarters), n_filers), n_quarters
    )
    active = (q >= begin[:, None]) & (q < end[:, None])
    return FilerPopulation(
        cik=make_ciks(rng, n_filers),
        name=make_filer_names(rng, n_filers),
        style=style,
        skilled=skilled,
        aum=aum,
        active=active,
        n_names=n_names.astype(np.int64),
    )


def forward_score(paths: PricePaths, period_rows: np.ndarray) -> np.ndarray:
    """(quarter x stock) rank of each listed stock's next-126-session total return, in [-0.5, 0.5].

    Delisted stocks earn their delisting return at the end of their series; stocks not listed
    at the quarter end score 0.
    """
    n_days, n = paths.close.shape
    cols = np.arange(n)
    out = np.zeros((period_rows.size, n))
    for g, row in enumerate(period_rows):
        listed = (paths.first <= row) & (paths.last >= row)
        end = np.minimum(np.minimum(row + FORWARD_SESSIONS, n_days - 1), paths.last)
        growth = paths.close[end, cols] / paths.close[row, cols]
        gone = paths.last < min(row + FORWARD_SESSIONS, n_days - 1)
        growth = np.where(gone, growth * (1.0 + np.nan_to_num(paths.delist_return)), growth)
        idx = np.flatnonzero(listed)
        if idx.size:
            ranks = np.argsort(np.argsort(growth[idx], kind="stable"), kind="stable")
            out[g, idx] = (ranks + 0.5) / idx.size - 0.5
    return out


def simulate_positions(
    rng: np.random.Generator,
    filers: FilerPopulation,
    paths: PricePaths,
    cap: np.ndarray,
    shares_out: np.ndarray,
    period_rows: np.ndarray,
    market_level: np.ndarray,
) -> Positions:
    """Each active filer's positions at each quarter end (only stocks listed on that date)."""
    n = cap.shape[1]
    listed = (paths.first[None, :] <= period_rows[:, None]) & (paths.last[None, :] >= period_rows[:, None])
    score = forward_score(paths, period_rows)
    hot = rng.normal(0.0, 0.9, n)
    log_cap = np.log(np.where(listed, cap[period_rows], 1.0))
    log_w = np.empty((period_rows.size, 4, n))
    log_w[:, 0] = 0.9 * (log_cap - log_cap.max(axis=1, keepdims=True)) + hot
    log_w[:, 1] = -0.5 * ((log_cap / np.log(10) - 8.2) / 0.35) ** 2 + 0.5 * hot
    log_w[:, 2] = log_w[:, 0] + SKILL_TILT * score
    log_w[:, 3] = log_w[:, 1] + SKILL_TILT * score
    weights = np.where(listed[:, None, :], np.exp(log_w - log_w.max(axis=2, keepdims=True)), 0.0)
    cdf = np.cumsum(weights, axis=2)
    kind = (filers.style + 2 * filers.skilled).astype(np.int64)
    skill_keep = np.where(filers.skilled, 0.6, 0.0)
    seed = int(rng.integers(0, 2**31 - 1))
    f, q, i = select_holdings_nb(
        cdf, kind, listed, score, filers.n_names, filers.active, 0.8, skill_keep, seed
    )

    # Position sizes: lognormal conviction (tilted to future winners for skilled filers).
    conviction = np.exp(rng.normal(0.0, 0.8, f.size) + np.where(filers.skilled[f], 2.0 * score[q, i], 0.0))
    group = f * period_rows.size + q
    weight = conviction / np.bincount(group, conviction, minlength=filers.active.size)[group]
    aum = filers.aum[f] * market_level[period_rows[q]] / market_level[period_rows[0]]
    rows = period_rows[q]
    price = paths.raw_close[rows, i]
    shares = np.floor(aum * weight / price)
    shares = np.clip(shares, 1.0, np.maximum(1.0, np.floor(0.099 * shares_out[rows, i])))
    return Positions(filer=f, quarter=q, stock=i, shares=shares, price=price)
