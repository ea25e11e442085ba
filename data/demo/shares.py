"""Shares outstanding: quarterly reports known ~25-75 days after quarter end, issuance, buybacks, splits.

The point-in-time share count of a stock on a session is the last reported count times the
splits since; the long table holds one row each time that count changes (first row on the
listing day), so ``raw_close x ffill(shares by known_from)`` is the market cap on every session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.data.demo.prices import PricePaths
from hedgeclone.data.demo.sessions import session_on_or_after
from hedgeclone.data.schemas import SHARES, conform

__all__ = ["simulate_shares", "shares_table"]


def simulate_shares(
    rng: np.random.Generator, paths: PricePaths, calendar: pd.DatetimeIndex, quarters: pd.DatetimeIndex
) -> np.ndarray:
    """Dense (session x stock) point-in-time shares outstanding, NaN when not listed."""
    n_days, n = paths.raw_close.shape
    n_q = len(quarters)
    size = paths.size_score
    # Report lag in calendar days: 10-Q within ~45 days, 10-K (Q4) within ~75.
    is_q4 = np.asarray(quarters.month == 12)[:, None]
    lag = np.where(is_q4, rng.integers(45, 76, (n_q, n)), rng.integers(25, 46, (n_q, n)))
    report_day = quarters.to_numpy()[:, None] + lag.astype("timedelta64[D]")
    report_row = session_on_or_after(calendar, report_day.ravel()).reshape(n_q, n)
    q_row = session_on_or_after(calendar, quarters.to_numpy())[:, None]
    valid = (q_row >= paths.first[None, :]) & (report_row <= paths.last[None, :]) & (report_row < n_days)

    issue_p = 0.02 + 0.08 * np.clip(size, 0, None)
    buyback_p = np.where(size < 0.5, 0.25, 0.06)
    issue = rng.random((n_q, n)) < issue_p[None, :]
    buyback = ~issue & (rng.random((n_q, n)) < buyback_p[None, :])
    change = rng.normal(0.0, 0.002, (n_q, n))
    change += np.where(issue, np.log1p(rng.uniform(0.03, 0.25, (n_q, n))), 0.0)
    change += np.where(buyback, np.log1p(-rng.uniform(0.005, 0.03, (n_q, n))), 0.0)

    qi, si = np.nonzero(valid)
    flat = report_row[qi, si] * n + si
    steps = np.bincount(flat, weights=change[qi, si], minlength=n_days * n).reshape(n_days, n)
    base = np.log(paths.cap0 / paths.price0)[None, :] + np.cumsum(steps, axis=0)
    shares = np.round(np.exp(base) * paths.split_factor)
    return shares  # NaN outside the listing window through split_factor


def shares_table(shares: np.ndarray, calendar: pd.DatetimeIndex, tickers: pd.Index) -> pd.DataFrame:
    """Long SHARES table: a row on each stock's first listed session and whenever its count changes."""
    listed = ~np.isnan(shares)
    prev = np.vstack([np.full((1, shares.shape[1]), np.nan), shares[:-1]])
    starts = listed & np.isnan(prev)
    changed = listed & ~np.isnan(prev) & (shares != prev)
    rows, cols = np.nonzero((starts | changed).T)  # stock-major order: sorted by ticker, then date
    frame = pd.DataFrame(
        {
            "ticker": tickers.to_numpy()[rows],
            "known_from": calendar.to_numpy()[cols],
            "shares": shares[cols, rows],
        }
    )
    return conform(frame, SHARES, "demo shares")
