"""The reference contract: `simulate` equals vectorbt's from_orders (targetpercent, cash sharing,
call_seq auto) to 1e-9 relative on random inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc

vbt = pytest.importorskip("vectorbt", reason="vectorbt is the reference implementation (test extra)")

N_CASES = 120


def random_case(seed: int):
    """A random market and rebalance plan; the seed fixes everything."""
    rng = np.random.default_rng(seed)
    n_rows = int(rng.integers(30, 260))
    n_cols = int(rng.choice([5, 40, 300, 2000]))
    index = pd.bdate_range("2019-01-01", periods=n_rows)
    shocks = rng.standard_t(4, size=(n_rows, n_cols)) * rng.uniform(0.005, 0.04)
    close = pd.DataFrame(
        np.exp(np.cumsum(shocks, axis=0)) * rng.uniform(1, 200, n_cols),
        index=index,
        columns=[f"S{i:04d}" for i in range(n_cols)],
    )
    values = close.to_numpy(copy=True)
    values[rng.random(values.shape) < rng.choice([0.0, 0.01, 0.05])] = np.nan  # gaps
    for col in rng.choice(n_cols, size=n_cols // 8, replace=False):  # late listings
        values[: rng.integers(1, n_rows), col] = np.nan
    for col in rng.choice(n_cols, size=n_cols // 8, replace=False):  # delistings
        values[rng.integers(1, n_rows) :, col] = np.nan
    close = pd.DataFrame(values, index=index, columns=close.columns)

    weights = np.full((n_rows, n_cols), np.nan)
    every = int(rng.integers(1, 64))
    n_names = int(rng.integers(1, min(50, n_cols) + 1))
    turnover = float(rng.choice([0.0, 0.3, 1.0]))
    names = rng.choice(n_cols, size=n_names, replace=False)
    for row in range(int(rng.integers(0, every)), n_rows, every):
        n_new = int(round(turnover * n_names))
        if n_new:
            fresh = rng.choice(np.setdiff1d(np.arange(n_cols), names), size=min(n_new, n_cols - n_names), replace=False)
            names = np.concatenate([rng.permutation(names)[: n_names - len(fresh)], fresh])
        target = np.zeros(n_cols)
        w = rng.random(len(names)) if rng.random() < 0.5 else np.ones(len(names))
        target[names] = w / w.sum() * rng.choice([1.0, rng.uniform(0.3, 1.0)])
        if rng.random() < 0.25:  # vectorbt meaning of NaN on a rebalance row: leave alone
            target[rng.random(n_cols) < 0.5] = np.nan
        weights[row] = target
    costs = {
        "fees": float(rng.choice([0.0, 0.001, 0.01])),
        "fixed_fees": float(rng.choice([0.0, 1e-4])),
        "slippage": float(rng.choice([0.0, 0.0005, 0.005])),
        "init_cash": float(rng.choice([1.0, 1e6])),
    }
    return close, pd.DataFrame(weights, index=index, columns=close.columns), costs


def vectorbt_value(close, weights, costs) -> np.ndarray:
    pf = vbt.Portfolio.from_orders(
        close, weights, size_type="targetpercent", group_by=True, cash_sharing=True, call_seq="auto",
        engine="numba", **costs,
    )
    return pf.value().to_numpy()


@pytest.mark.slow
def test_value_equals_vectorbt_on_random_cases():
    worst = 0.0
    for seed in range(N_CASES):
        close, weights, costs = random_case(seed)
        expected = vectorbt_value(close, weights, costs)
        got = hc.simulate(close, weights, **costs).value.to_numpy()
        rel = np.max(np.abs(got / expected - 1.0))
        assert rel <= 1e-9, f"case {seed}: value differs from vectorbt by {rel:.3g} relative"
        worst = max(worst, rel)
    assert worst <= 1e-9


def test_sparse_schedule_equals_dense_frame_when_every_rebalance_names_all_holdings():
    close, weights, costs = random_case(7)
    dense = weights.fillna(0.0).where(weights.notna().any(axis=1), np.nan, axis=0)
    rows = dense.dropna(how="all")
    picks = {date: row[row > 0].to_dict() for date, row in rows.iterrows()}
    sparse = hc.Schedule.from_dict(picks)
    a = hc.simulate(close, dense, **costs).value
    b = hc.simulate(close, sparse, **costs).value
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.to_numpy(), vectorbt_value(close, dense, costs), rtol=1e-9)
