"""PBO and DSR on cases with known answers."""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest

from hedgeclone.backtest.tuning import deflated_sharpe, pbo, sweep_dsr
from hedgeclone.backtest.tuning.overfit import expected_max_sharpe
from hedgeclone.errors import InputError


def test_pbo_of_pure_noise_is_about_one_half():
    values = [pbo(np.random.default_rng(s).normal(0, 0.01, (640, 20)), n_blocks=16).pbo for s in range(12)]
    assert 0.35 <= np.mean(values) <= 0.7


def test_pbo_of_a_planted_edge_is_low():
    m = np.random.default_rng(1).normal(0, 0.01, (1000, 30))
    m[:, 11] += 0.002  # a real edge: Sharpe ~ 3 a year
    result = pbo(m, n_blocks=16)
    assert result.pbo < 0.05
    assert result.n_splits == 12870 and result.n_variants == 30


def _cscv_by_hand(m: np.ndarray, n_blocks: int) -> np.ndarray:
    """Each split's logit, straight from the definition: slice the rows, take Sharpe ratios, rank."""
    rows = m.shape[0] // n_blocks * n_blocks
    blocks = np.split(np.arange(rows), n_blocks)
    logits = []
    for split in itertools.combinations(range(n_blocks), n_blocks // 2):
        inside = np.concatenate([blocks[b] for b in split])
        outside = np.setdiff1d(np.arange(rows), inside)
        sharpe_in = m[inside].mean(axis=0) / m[inside].std(axis=0, ddof=1)
        sharpe_out = m[outside].mean(axis=0) / m[outside].std(axis=0, ddof=1)
        chosen = sharpe_out[np.argmax(sharpe_in)]
        rank = (sharpe_out < chosen).sum() + 0.5 * ((sharpe_out == chosen).sum() + 1)
        w = rank / (m.shape[1] + 1)
        logits.append(math.log(w / (1 - w)))
    return np.array(logits)


def test_pbo_equals_cscv_by_hand_with_tied_variants():
    m = np.random.default_rng(4).normal(0, 0.01, (333, 12))
    m[:, 7] = m[:, 3]  # two combinations that trade alike: tied in every split
    m[:, 5] += 0.001
    result = pbo(m, n_blocks=8)
    hand = _cscv_by_hand(m, 8)
    np.testing.assert_allclose(result.logits, hand, rtol=0, atol=1e-12)
    assert result.pbo == np.mean(hand <= 0) and result.n_rows == 328


def test_pbo_checks_its_input():
    with pytest.raises(InputError, match="even"):
        pbo(np.zeros((100, 3)), n_blocks=5)
    with pytest.raises(InputError, match="two variants"):
        pbo(np.zeros((100, 1)))


def test_dsr_matches_the_papers_example():
    # Bailey & Lopez de Prado (2014), numerical example: annual SR 2.5 over 1250 days, 100 trials
    # with annualised Sharpe variance 1/2, skewness -3, kurtosis 10: SR0 ~ 0.1132, DSR ~ 0.9004.
    sr, n, trials, var, g3, g4 = 2.5 / math.sqrt(250), 1250, 100, 0.5 / 250, -3.0, 10.0
    nd = NormalDist()
    g = 0.5772156649015329
    sr0 = math.sqrt(var) * ((1 - g) * nd.inv_cdf(1 - 1 / trials) + g * nd.inv_cdf(1 - 1 / (trials * math.e)))
    hand = nd.cdf((sr - sr0) * math.sqrt(n - 1) / math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2))
    assert expected_max_sharpe(trials, var) == pytest.approx(sr0, rel=1e-14)
    assert deflated_sharpe(sr, n, trials, var, g3, g4) == pytest.approx(hand, rel=1e-14)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    assert hand == pytest.approx(0.9004, abs=5e-5)


def test_dsr_of_noise_is_unremarkable_and_of_an_edge_is_high():
    m = np.random.default_rng(3).normal(0, 0.01, (1500, 40))
    assert sweep_dsr(m).dsr < 0.95
    m[:, 5] += 0.002
    d = sweep_dsr(m)
    assert d.best == 5 and d.dsr > 0.99
