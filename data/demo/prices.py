"""Daily prices of the demo market: factor returns, listings, delistings, dividends and splits.

Model (daily log returns, per stock i in sector s(i) on session t):
``x[t, i] = (alpha[i] - vol[i]**2 / 2) / 252 + beta[i] * mkt[t] + size[i] * smb[t] + sec[t, s(i)]
+ vol[i] * sqrt(regime[t]) * eps[t, i]`` plus an earnings-day jump once a quarter,
with a market factor whose volatility clusters (AR(1) log-volatility, Student-t shocks,
drift pinned so the market compounds about 10% a year), a size factor, sector factors and
Student-t(4) idiosyncratic shocks. `size[i]` grows as market cap shrinks, so small caps
are more volatile, load on the size factor and earn a slightly higher mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgeclone.data.demo.kernels import (
    BANKRUPTCY,
    BUYOUT,
    apply_events_nb,
    factor_returns_nb,
    price_paths_nb,
)

__all__ = ["PricePaths", "simulate_prices", "NO_DELISTING", "BANKRUPTCY", "BUYOUT"]

NO_DELISTING = 0
DAYS = 252.0
MARKET_LOG_DRIFT = np.log(1.10)  # per year
SIZE_LOG_DRIFT = 0.005  # per year, per unit of size score
T_DF = 4.0


@dataclass(frozen=True)
class PricePaths:
    """Arrays (session x stock) of one simulated market and the per-stock facts behind them."""

    close: np.ndarray  # total-return adjusted close; equals raw close on the last session
    raw_close: np.ndarray
    split_factor: np.ndarray  # cumulative shares multiplier from splits (NaN when not listed)
    simple_ret: np.ndarray  # total daily return (NaN when not listed or on the listing day)
    first: np.ndarray  # int64 first session index
    last: np.ndarray  # int64 last session index
    delist_kind: np.ndarray  # int8: NO_DELISTING, BANKRUPTCY or BUYOUT
    delist_return: np.ndarray  # NaN when not delisted
    cap0: np.ndarray  # market cap at listing, USD
    price0: np.ndarray  # raw close at listing
    size_score: np.ndarray  # 0 around $20B, ~1 around $100M


def _student_t(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Student-t(4) draws scaled to unit variance."""
    return rng.standard_t(T_DF, size=shape) / np.sqrt(T_DF / (T_DF - 2.0))


def _market_factor(rng: np.random.Generator, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily market log returns with volatility clustering, and the volatility regime (mean ~1)."""
    phi, eta = 0.985, 0.30
    h = np.empty(n_days)
    shocks = rng.standard_normal(n_days) * eta * np.sqrt(1 - phi**2)
    h[0] = shocks[0]
    for t in range(1, n_days):
        h[t] = phi * h[t - 1] + shocks[t]
    regime = np.exp(h - eta**2 / 2)
    mkt = 0.0105 * regime * _student_t(rng, (n_days,))
    mkt = mkt - mkt.mean() + MARKET_LOG_DRIFT / DAYS
    return mkt, regime


def _listing_windows(rng: np.random.Generator, n_days: int, n: int, size: np.ndarray):
    """First session, delisting session, kind and delisting return of each stock."""
    years = n_days / DAYS
    ipo = rng.random(n) < min(0.30, 0.025 * years)
    first = np.where(ipo, rng.integers(1, max(2, n_days - 20), n), 0).astype(np.int64)
    hazard_bk = 0.002 + 0.028 * np.clip(size, 0, None) ** 2
    hazard_bo = np.where(size < -0.2, 0.008, 0.022)
    t_bk = rng.exponential(1.0, n) / hazard_bk * DAYS
    t_bo = rng.exponential(1.0, n) / hazard_bo * DAYS
    kind = np.where(t_bk < t_bo, BANKRUPTCY, BUYOUT).astype(np.int8)
    t_ev = first + np.minimum(t_bk, t_bo).astype(np.int64) + 130
    delisted = t_ev < n_days - 1
    kind = np.where(delisted, kind, NO_DELISTING).astype(np.int8)
    last = np.where(delisted, t_ev, n_days - 1).astype(np.int64)
    u = rng.random(n)
    ret = np.where(kind == BANKRUPTCY, -1.0 + 0.7 * u**2, rng.normal(0.002, 0.004, n))
    ret = np.where(kind == NO_DELISTING, np.nan, ret)
    return first, last, kind, ret


def simulate_prices(rng: np.random.Generator, n_days: int, sector: np.ndarray) -> PricePaths:
    """Simulate one stock per entry of `sector` (int codes) over `n_days` sessions.

    Every array of the result is (n_days x n) or (n,).
    """
    n = sector.size
    # Static attributes: size at listing (log10 USD, a few mega-caps), risk, dividends, splits.
    log_cap = rng.normal(9.05, 0.72, n) + np.where(rng.random(n) < 0.04, rng.exponential(0.5, n), 0.0)
    size = np.clip((10.3 - log_cap) / 2.5, -0.7, 1.4)
    first, last, kind, delist_ret = _listing_windows(rng, n_days, n, size)
    beta = np.clip(rng.normal(1.0, 0.25, n) + 0.1 * size, 0.3, 2.0)
    vol = np.clip(0.28 + 0.30 * size, 0.14, 0.9) * np.exp(rng.normal(0, 0.25, n))
    alpha = 0.01 * size + rng.normal(0, 0.03, n)
    pays = rng.random(n) < np.clip(0.45 - 0.45 * size, 0.03, 0.6)
    div_yield = np.where(pays, rng.uniform(0.008, 0.04, n) / 4, 0.0)
    split_above = np.where(rng.random(n) < 0.4, rng.uniform(250, 1200, n), np.inf)
    reverse_below = np.where(rng.random(n) < 0.6, 1.0, 0.0)
    small = log_cap < 9.0
    price0 = np.exp(
        np.where(small, rng.uniform(np.log(2), np.log(40), n), rng.uniform(np.log(12), np.log(300), n))
    )

    # Factor and idiosyncratic returns.
    mkt, regime = _market_factor(rng, n_days)
    smb = 0.006 * _student_t(rng, (n_days,))
    smb += SIZE_LOG_DRIFT / DAYS - smb.mean()  # the size premium is a fact of the world, not luck
    # IPOs list at a size relative to the market level of their listing day.
    log_cap = log_cap + np.cumsum(mkt)[first] / np.log(10) - 0.35 * (first > 0)
    cap0 = 10.0**log_cap
    n_sectors = int(sector.max()) + 1 if n else 1
    sector_ret = 0.005 * _student_t(rng, (n_days, n_sectors))
    sector_ret -= sector_ret.mean(axis=0)
    logret = _student_t(rng, (n_days, n))
    drift = (alpha - vol**2 / 2) / DAYS
    factor_returns_nb(logret, vol / np.sqrt(DAYS), regime, beta, mkt, size, smb, sector, sector_ret, drift)
    _earnings_jumps(rng, logret, size)
    _overlay_delistings(rng, logret, first, last, kind)
    div_phase = rng.integers(0, 63, n)
    close, raw, split, simple = price_paths_nb(
        logret, first, last, price0, div_yield, div_phase, split_above, reverse_below
    )
    return PricePaths(
        close=close,
        raw_close=raw,
        split_factor=split,
        simple_ret=simple,
        first=first,
        last=last,
        delist_kind=kind,
        delist_return=delist_ret,
        cap0=cap0,
        price0=price0,
        size_score=size,
    )


def _earnings_jumps(rng: np.random.Generator, logret: np.ndarray, size: np.ndarray) -> None:
    """Add a quarterly earnings-day jump (Student-t, bigger for small caps) to every stock, in place."""
    n_days, n = logret.shape
    phase = rng.integers(0, 63, n)
    slots = phase[None, :] + 63 * np.arange(n_days // 63 + 1)[:, None]
    jumps = _student_t(rng, slots.shape) * (0.035 + 0.035 * np.clip(size, 0, None))[None, :]
    ok = slots < n_days
    logret[slots[ok], np.broadcast_to(np.arange(n), slots.shape)[ok]] += jumps[ok]


def _overlay_delistings(rng, logret, first, last, kind) -> None:
    """Collapse before bankruptcies, premium jump then calm before buyouts (in place)."""
    idx = np.flatnonzero(kind != NO_DELISTING)
    k = idx.size
    span = np.where(kind[idx] == BANKRUPTCY, rng.integers(60, 180, k), rng.integers(20, 120, k))
    begin = np.maximum(last[idx] - span, first[idx] + 1)
    collapse = np.log(rng.uniform(0.04, 0.25, k))
    premium = np.log1p(rng.uniform(0.15, 0.6, k))
    size = np.where(kind[idx] == BANKRUPTCY, collapse, premium)
    noise = rng.normal(0.0002, 0.003, (int(span.max(initial=0)) + 1, k))
    apply_events_nb(logret, idx.astype(np.int64), kind[idx], begin.astype(np.int64), last[idx], size, noise)
