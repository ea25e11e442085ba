"""Walk-forward: choose in-sample, report out-of-sample, never overlapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgeclone.backtest.tuning import walk_forward
from hedgeclone.errors import InputError


def _returns(seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2010-01-01", periods=252 * 6)
    r = pd.DataFrame(rng.normal(0, 0.01, (len(idx), 4)), index=idx)
    r.iloc[: 252 * 3, 2] += 0.003  # column 2 is best in the first half, column 0 later
    r.iloc[252 * 3 :, 0] += 0.003
    return r


@pytest.mark.parametrize("mode", ["rolling", "anchored"])
def test_windows_choose_in_sample_and_report_out_of_sample(mode):
    r = _returns()
    params = pd.DataFrame({"top_n": [5, 10, 15, 20]})
    wf = walk_forward(r, params, metric="sharpe", mode=mode, train_years=2, test_years=1)
    w = wf.windows
    assert len(w) == 4
    assert (w["test_start"].iloc[1:].to_numpy() > w["test_end"].iloc[:-1].to_numpy()).all()
    assert (w["train_end"] < w["test_start"]).all()
    assert w["chosen"].iloc[0] == 2 and w["top_n"].iloc[0] == 15
    if mode == "anchored":
        assert (w["train_start"] == r.index[0]).all()
    else:
        assert w["chosen"].iloc[-1] == 0
    assert wf.oos_returns.index.is_unique and wf.oos_returns.index[0] == r.index[504]
    first = w.iloc[0]
    assert first["out_of_sample_sharpe"] == pytest.approx(
        wf.windows.iloc[0]["out_of_sample_sharpe"])  # recorded, not recomputed differently


def test_too_short_is_one_clear_error():
    with pytest.raises(InputError, match="walk-forward needs"):
        walk_forward(_returns().iloc[:300], train_years=2)
    with pytest.raises(InputError, match="metric"):
        walk_forward(_returns(), metric="alpha")
