"""Small synthetic runs for the report, run-directory and compare tests (no data files needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone.backtest.run import RunData, build_run

SYNTHETIC = "SYNTHETIC DATA: random walks made up for tests."


def make_run(name: str = "toy", start: str = "2020-01-01", end: str = "2022-06-30", seed: int = 1,
             fees: float = 0.001) -> RunData:
    """A 4-stock random-walk backtest re-picking two names every 21 days, against two benchmarks."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range(start, end)
    steps = rng.normal(0.0004, 0.015, size=(len(index), 6))
    levels = 100 * np.exp(np.cumsum(steps, axis=0))
    close = pd.DataFrame(levels[:, :4], index=index, columns=["AAA", "BBB", "CCC", "DDD"])
    bench = pd.DataFrame(levels[:, 4:], index=index, columns=["market", "smallcap"])
    targets = {}
    for k, date in enumerate(index[::21]):
        pair = close.columns[[k % 4, (k + 1) % 4]]
        targets[date] = {t: 0.5 for t in pair}
    result = hc.simulate(close, hc.Schedule.from_dict(targets), fees=fees, init_cash=1000.0)
    return build_run(name, result, benchmarks=bench, config={"seed": seed, "fees": fees}, caveats=[SYNTHETIC],
                     notes=["a toy run"])


@pytest.fixture
def toy_run_factory():
    return make_run
