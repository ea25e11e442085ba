"""Is the best backtest real? Probability of backtest overfitting and the deflated Sharpe ratio.

- `pbo`: combinatorially symmetric cross-validation (CSCV), Bailey, Borwein, López de Prado
  and Zhu, "The Probability of Backtest Overfitting" (2014/2017). The T x N matrix of daily
  returns (N strategy variants) is cut into S equal blocks of consecutive rows; for each of
  the C(S, S/2) ways to pick half of the blocks as in-sample (the rest out-of-sample), the
  variant with the best in-sample Sharpe is found and its out-of-sample rank r among the N
  variants (1 = worst) becomes the logit ``log(w / (1 - w))`` with ``w = r / (N + 1)``. PBO is
  the share of splits whose logit is <= 0: how often the in-sample winner ends up at or
  below the out-of-sample median.
- `deflated_sharpe`: Bailey and López de Prado, "The Deflated Sharpe Ratio" (2014). The
  probability that the true Sharpe ratio exceeds the one expected from the best of N
  trials of a strategy with no skill, given the returns' skewness, kurtosis and length:
  ``DSR = Phi((SR - SR0) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2))`` with
  ``SR0 = sqrt(V) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))``, all Sharpe
  ratios per period (not annualised), g4 the (non-excess) kurtosis, gamma Euler's constant.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd
from numba import njit

from hedgeclone.errors import InputError

__all__ = ["PBOResult", "pbo", "deflated_sharpe", "expected_max_sharpe", "DSRResult", "sweep_dsr", "Overfitting",
           "overfitting"]

EULER_GAMMA = 0.5772156649015329
_N = NormalDist()


@dataclass(frozen=True)
class PBOResult:
    """PBO (a probability), the logit of each split, and the splits' sizes."""

    pbo: float
    logits: np.ndarray = field(repr=False)
    n_splits: int
    n_blocks: int
    n_variants: int
    n_rows: int

    def __repr__(self) -> str:
        return (f"PBOResult(pbo={self.pbo:.3f}, {self.n_splits} splits of {self.n_blocks} blocks, "
                f"{self.n_variants} variants x {self.n_rows} days)")


@njit(cache=True)
def _sharpe(s1: float, s2: float, n: float) -> float:
    """Sharpe of `n` returns from their sum and sum of squares (+-inf or 0 without variance)."""
    mean = s1 / n
    var = (s2 - n * mean * mean) / (n - 1.0)
    if var > 1e-300:
        return mean / np.sqrt(var)
    return np.inf if mean > 0 else (-np.inf if mean < 0 else 0.0)


@njit(cache=True)
def _split_logits(s1: np.ndarray, s2: np.ndarray, ins: np.ndarray, outs: np.ndarray, n: float) -> np.ndarray:
    """Per split (rows of `ins` and `outs`: its in- and out-of-sample blocks, `n` returns each): the
    logit of the out-of-sample rank of the variant with the best in-sample Sharpe (the first best on
    ties); rank ties count half.

    `s1`, `s2` are (blocks x variants) sums and sums of squares; one pass, no (splits x variants)
    arrays (those were 13,000 x 1,000 per temporary for a 1,000-combination sweep)."""
    n_var = s1.shape[1]
    in1, in2 = np.empty(n_var), np.empty(n_var)
    out1, out2 = np.empty(n_var), np.empty(n_var)
    out = np.empty(len(ins))
    for c in range(len(ins)):
        in1[:], in2[:], out1[:], out2[:] = 0.0, 0.0, 0.0, 0.0
        for b in ins[c]:
            in1 += s1[b]
            in2 += s2[b]
        for b in outs[c]:
            out1 += s1[b]
            out2 += s2[b]
        best, best_sr = 0, -np.inf
        for j in range(n_var):
            sr = _sharpe(in1[j], in2[j], n)
            if sr > best_sr or j == 0:
                best, best_sr = j, sr
        chosen = _sharpe(out1[best], out2[best], n)
        below, equal = 0, 0
        for j in range(n_var):
            sr = _sharpe(out1[j], out2[j], n)
            below += sr < chosen
            equal += sr == chosen
        w = (below + 0.5 * (equal + 1)) / (n_var + 1.0)
        out[c] = np.log(w / (1.0 - w))
    return out


def pbo(returns: pd.DataFrame | np.ndarray, n_blocks: int = 16) -> PBOResult:
    """Probability of backtest overfitting of choosing the best-Sharpe column, by CSCV.

    `returns` is T x N (one column per variant); rows with a NaN in any column are dropped
    first (a common sample), and the last ``T mod n_blocks`` rows too, so blocks are equal.
    `n_blocks` must be even and at least 2; 16 (12,870 splits) is the paper's usual choice.
    Ties in out-of-sample performance get their average rank.
    """
    m = np.asarray(returns, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] < 2:
        raise InputError("pbo needs a 2-D array of returns with at least two variants (columns)")
    if n_blocks < 2 or n_blocks % 2:
        raise InputError(f"n_blocks must be an even number >= 2, got {n_blocks}")
    m = m[~np.isnan(m).any(axis=1)]
    rows = (m.shape[0] // n_blocks) * n_blocks
    if rows < 2 * n_blocks:
        raise InputError(f"pbo needs at least {2 * n_blocks} common rows of returns, got {m.shape[0]}")
    m = m[:rows]
    blocks = m.reshape(n_blocks, rows // n_blocks, m.shape[1])
    s1, s2 = blocks.sum(axis=1), (blocks * blocks).sum(axis=1)  # (blocks, variants)
    ins = np.array(list(itertools.combinations(range(n_blocks), n_blocks // 2)), dtype=np.int64)
    rest = np.ones((len(ins), n_blocks), dtype=bool)
    rest[np.arange(len(ins))[:, None], ins] = False
    outs = np.nonzero(rest)[1].reshape(len(ins), n_blocks // 2)
    logits = _split_logits(s1, s2, ins, outs, float(rows // n_blocks * (n_blocks // 2)))
    n_var = m.shape[1]
    return PBOResult(pbo=float(np.mean(logits <= 0.0)), logits=logits, n_splits=len(ins),
                     n_blocks=n_blocks, n_variants=n_var, n_rows=rows)


def expected_max_sharpe(n_trials: int, variance: float) -> float:
    """SR0: the expected maximum of `n_trials` Sharpe ratios of no-skill strategies whose
    estimates have `variance` (per-period units), by the paper's approximation."""
    if n_trials < 2:
        return 0.0
    a = _N.inv_cdf(1.0 - 1.0 / n_trials)
    b = _N.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(variance) * ((1.0 - EULER_GAMMA) * a + EULER_GAMMA * b)


def deflated_sharpe(sharpe: float, n_obs: int, n_trials: int, sharpe_variance: float,
                    skew: float = 0.0, kurtosis: float = 3.0) -> float:
    """The deflated Sharpe ratio: P(true Sharpe > SR0) for an observed per-period `sharpe`.

    `n_obs` returns were used; `n_trials` variants were tried, whose per-period Sharpe
    estimates have variance `sharpe_variance`; `skew` and `kurtosis` (normal: 0 and 3) are
    those of the chosen variant's returns. With one trial this is the probabilistic Sharpe
    ratio against 0.
    """
    if n_obs < 2:
        raise InputError(f"deflated_sharpe needs at least 2 observations, got {n_obs}")
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if denom <= 0:
        return float("nan")
    z = (sharpe - sr0) * math.sqrt(n_obs - 1) / math.sqrt(denom)
    return _N.cdf(z)


@dataclass(frozen=True)
class DSRResult:
    """The deflated Sharpe ratio of the best variant, with the numbers that went into it."""

    dsr: float
    best: int
    sharpe: float  # per period
    sr0: float  # per period
    n_obs: int
    n_trials: int
    skew: float
    kurtosis: float


def sweep_dsr(returns: pd.DataFrame | np.ndarray) -> DSRResult:
    """DSR of the variant (column) with the highest Sharpe, deflated by all the columns tried.

    Rows with a NaN anywhere are dropped first (a common sample); variants without dispersion
    are left out of the Sharpe variance.
    """
    m = np.asarray(returns, dtype=np.float64)
    m = m[~np.isnan(m).any(axis=1)]
    if m.shape[0] < 3:
        raise InputError(f"the deflated Sharpe ratio needs at least 3 common rows of returns, got {m.shape[0]}")
    sd = m.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = np.where(sd > 0, m.mean(axis=0) / sd, np.nan)
    if np.all(np.isnan(sr)):
        raise InputError("no variant has returns with any dispersion")
    best = int(np.nanargmax(sr))
    r = m[:, best]
    z = (r - r.mean()) / r.std(ddof=0)
    skew, kurt = float(np.mean(z**3)), float(np.mean(z**4))
    finite = sr[np.isfinite(sr)]
    var = float(np.var(finite, ddof=1)) if finite.size > 1 else 0.0
    n_trials = m.shape[1]
    dsr = deflated_sharpe(float(sr[best]), m.shape[0], n_trials, var, skew, kurt)
    return DSRResult(dsr=dsr, best=best, sharpe=float(sr[best]), sr0=expected_max_sharpe(n_trials, var),
                     n_obs=m.shape[0], n_trials=n_trials, skew=skew, kurtosis=kurt)


@dataclass(frozen=True)
class Overfitting:
    """A sweep's overfitting figures: PBO and the deflated Sharpe ratio of its best row.

    Either is None when the returns cannot give it; `pbo_error` / `dsr_error` then say why.
    """

    pbo: PBOResult | None
    dsr: DSRResult | None
    pbo_error: str = ""
    dsr_error: str = ""

    def lines(self) -> list[str]:
        """One sentence per figure, as `hedgeclone tune` prints them."""
        p, d = self.pbo, self.dsr
        return [
            f"probability of backtest overfitting (CSCV, {p.n_blocks} blocks, {p.n_splits} splits, best Sharpe): "
            f"{p.pbo:.3f}" if p is not None else f"probability of backtest overfitting: n/a ({self.pbo_error})",
            f"deflated Sharpe ratio of the best-Sharpe row {d.best} (on the dates all rows share) over "
            f"{d.n_trials} trials: {d.dsr:.3f} (daily Sharpe {d.sharpe:.4f} vs expected best of noise "
            f"{d.sr0:.4f})" if d is not None else f"deflated Sharpe ratio: n/a ({self.dsr_error})",
        ]


def overfitting(returns: pd.DataFrame | np.ndarray, n_blocks: int = 16) -> Overfitting:
    """`pbo` (with `n_blocks`) and `sweep_dsr` of a sweep's daily returns (dates x combination)."""
    found: dict = {}
    for key, fn in (("pbo", lambda: pbo(returns, n_blocks=n_blocks)), ("dsr", lambda: sweep_dsr(returns))):
        try:
            found[key] = fn()
        except InputError as exc:
            found[key], found[f"{key}_error"] = None, str(exc)
    return Overfitting(**found)
