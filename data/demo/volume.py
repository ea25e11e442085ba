"""Daily trading volume in shares: turnover of the shares outstanding, busier on big moves."""

from __future__ import annotations

import numpy as np

from hedgeclone.data.demo.prices import PricePaths

__all__ = ["simulate_volume"]


def simulate_volume(rng: np.random.Generator, paths: PricePaths, shares: np.ndarray) -> np.ndarray:
    """Shares traded per session (float64, whole shares, at least 100), NaN when not listed.

    Daily turnover is ~0.5% of shares outstanding for large caps and lower for micro-caps,
    with lognormal day-to-day noise and more trading on days with large absolute returns.
    """
    n_days, n = shares.shape
    turnover = 0.005 * np.exp(rng.normal(0.0, 0.45, n) - 0.35 * np.clip(paths.size_score, 0, None))
    noise = rng.standard_normal((n_days, n))
    noise *= 0.5
    noise -= 0.125
    np.exp(noise, out=noise)
    move = np.nan_to_num(np.abs(paths.simple_ret), nan=0.0)
    move *= 8.0
    move += 1.0
    volume = shares * turnover[None, :]
    volume *= noise
    volume *= move
    np.round(volume, out=volume)
    np.maximum(volume, 100.0, out=volume)  # NaN stays NaN
    return volume
