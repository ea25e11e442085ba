"""The batch kernel gives what `simulate` gives, bit for bit, set by set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone.backtest.engine.batch import BatchArrays, BatchSet, batch_simulate
from hedgeclone.backtest.engine.convert import schedule_arrays
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.errors import InputError


def _market(rng, n_days=300, n_cols=40):
    steps = rng.normal(0.0003, 0.02, size=(n_days, n_cols))
    close = 50 * np.exp(np.cumsum(steps, axis=0))
    for c in rng.choice(n_cols, 6, replace=False):  # some names list late or delist early
        if rng.random() < 0.5:
            close[: rng.integers(1, n_days // 2), c] = np.nan
        else:
            close[rng.integers(n_days // 2, n_days - 1):, c] = np.nan
    index = pd.bdate_range("2020-01-01", periods=n_days)
    return pd.DataFrame(close, index=index, columns=[f"T{i:02d}" for i in range(n_cols)])


def _random_set(rng, close):
    n_days = len(close)
    t0 = int(rng.integers(0, n_days // 3))
    t1 = int(rng.integers(2 * n_days // 3, n_days + 1))
    dates = close.index[np.sort(rng.choice(np.arange(t0, t1), size=int(rng.integers(1, 8)), replace=False))]
    dates = dates.insert(0, close.index[t0]).unique()
    targets = {}
    for d in dates:
        row = close.loc[d]
        live = row.index[row.notna().to_numpy()]
        k = int(rng.integers(0, min(8, len(live)) + 1))
        picks = rng.choice(live, size=k, replace=False)
        w = rng.dirichlet(np.ones(k)) * rng.uniform(0.5, 1.0) if k else []
        targets[d] = dict(zip(picks, w, strict=True))
    return t0, t1, hc.Schedule.from_dict(targets), dict(
        fees=float(rng.choice([0.0, 0.001, 0.01])), fixed_fees=float(rng.choice([0.0, 1.0])),
        slippage=float(rng.choice([0.0, 0.002])), init_cash=float(rng.choice([1000.0, 1e6])),
        lag=int(rng.integers(0, 3)))


@pytest.mark.parametrize("seed", range(4))
def test_batch_equals_simulate_exactly(seed):
    rng = np.random.default_rng(seed)
    close = _market(rng)
    dr = pd.Series(rng.uniform(-0.5, 0.1, len(close.columns)), index=close.columns)
    sets, expected = [], []
    for _ in range(12):
        t0, t1, schedule, p = _random_set(rng, close)
        window = close.iloc[t0:t1]
        res = hc.simulate(window, schedule, delisting=True, delisting_returns=dr, **p)
        expected.append((t0, t1, res))
        sets.append(BatchSet(t0, t1, schedule_arrays(schedule, window, lag=p["lag"]).shift(t0), Execution(**p)))
    batch = BatchArrays.from_sets(sets)
    values, traded, paid = batch_simulate(close.to_numpy(), batch, delisting=True, delisting_returns=dr.to_numpy())
    for p, (t0, t1, res) in enumerate(expected):
        assert np.array_equal(values[p, t0:t1], res.output.value)
        assert np.isnan(values[p, :t0]).all() and np.isnan(values[p, t1:]).all()
        assert paid[p] == pytest.approx(res.trades["fees"].sum(), rel=1e-12, abs=1e-12)
        assert traded[p] == pytest.approx(res.trades["value"].abs().sum(), rel=1e-12, abs=1e-12)
    # chunks give the same as the whole batch
    part, _, _ = batch_simulate(close.to_numpy(), batch.take(3, 9), delisting=True,
                                delisting_returns=dr.to_numpy())
    assert np.array_equal(part, values[3:9], equal_nan=True)


def test_bad_price_names_the_set():
    close = pd.DataFrame({"A": [1.0, 2.0, -1.0, 3.0]}, index=pd.bdate_range("2021-01-01", periods=4))
    schedule = hc.Schedule.from_dict({close.index[2]: {"A": 1.0}})
    batch = BatchArrays.from_sets([BatchSet(0, 4, schedule_arrays(schedule, close), Execution())])
    with pytest.raises(InputError, match="parameter set 0"):
        batch_simulate(close.to_numpy(), batch)
