"""The selection kernels equal the steps: top N in `_order`'s ranking, equal / score / capped weights.

The oracle of the weights is the plain-pandas rule the steps had before they called the kernel
(kept here, so that the kernel and its reference cannot drift together); the oracle of the cut
is `Rank` + `TopN` on `Picks` restricted by the filter steps' comparisons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgeclone.strategies.select import WEIGHTING, eligible_nb, schedule_nb, top_n_nb, weights_nb
from hedgeclone.strategies.steps import CappedWeight, EqualWeight, Picks, Rank, ScoreWeight, TopN
from hedgeclone.strategies.steps import _order as rank_order


def _score_oracle(score: pd.Series) -> pd.Series:
    score = score.clip(lower=0.0)
    total = float(score.sum())
    return score / total if total > 0 else pd.Series(0.0, index=score.index)


def _capped_oracle(score: pd.Series, cap: float) -> pd.Series:
    weight = _score_oracle(score).copy()
    for _ in range(len(weight)):
        over = weight > cap + 1e-15
        if not over.any():
            break
        excess = float((weight[over] - cap).sum())
        weight[over] = cap
        free = ~over & (weight < cap)
        if not free.any() or weight[free].sum() <= 0:
            break
        weight[free] += excess * weight[free] / weight[free].sum()
    return weight


# Scores with ties (few distinct values), zeros, negatives and the odd NaN.
_scores = st.lists(st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0]), st.floats(-1, 50, allow_nan=False),
                             st.just(float("nan"))), min_size=0, max_size=40)


def _same(got: np.ndarray, want: pd.Series) -> None:
    assert np.array_equal(got, want.to_numpy(dtype=float), equal_nan=True), (got, want.to_numpy())


@settings(max_examples=300, deadline=None)
@given(_scores, st.floats(0.02, 1.0))
def test_weights_equal_the_pandas_rule_and_the_steps(values, cap):
    tickers = pd.Index([f"T{i:02d}" for i in range(len(values))])
    score = pd.Series(values, index=tickers, dtype=float)
    picks = Picks(tickers=tickers, score=score)
    arr = score.to_numpy()
    _same(weights_nb(arr, WEIGHTING.score, 1.0), _score_oracle(score))
    _same(weights_nb(arr, WEIGHTING.capped, cap), _capped_oracle(score, cap))
    _same(weights_nb(arr, WEIGHTING.equal, 1.0), EqualWeight()(None, picks).weight)
    _same(ScoreWeight()(None, picks).weight.to_numpy(), _score_oracle(score))
    _same(CappedWeight(cap)(None, picks).weight.to_numpy(), _capped_oracle(score, cap))


_candidates = st.lists(
    st.tuples(st.sampled_from([1.0, 2.0, 3.0, 5.0]),  # score (ties)
              st.sampled_from([0.1, 0.2, 0.3]),  # conviction (ties)
              st.sampled_from(["A00001", "B00002", "C00003", "D00004"]),  # issuer
              st.integers(0, 6),  # holders
              st.one_of(st.floats(0.5, 20.0), st.just(float("nan")))),  # price
    min_size=0, max_size=30)


@settings(max_examples=200, deadline=None)
@given(_candidates, st.integers(1, 12), st.integers(0, 6), st.floats(0.0, 10.0),
       st.sampled_from(["equal", "score", "capped"]))
def test_top_n_under_bounds_equals_filter_rank_top_n_weigh(rows, n, min_holders, min_price, weighting):
    tickers = pd.Index([f"X{i:02d}" for i in np.random.default_rng(len(rows)).permutation(len(rows))], dtype=object)
    frame = pd.DataFrame(rows, columns=["score", "conviction", "issuer", "hf_holders", "price"], index=tickers)
    frame = frame.astype({"score": float, "conviction": float, "issuer": object, "hf_holders": float, "price": float})
    ties = (("conviction", False), ("issuer", True))
    picks = Picks(tickers=tickers, score=frame["score"], info=frame[["conviction", "issuer", "hf_holders"]], ties=ties)
    cap = max(1.0 / n, 0.3)
    weigh = {"equal": EqualWeight(), "score": ScoreWeight(), "capped": CappedWeight(cap)}[weighting]
    # the steps: filter (as MinHolders and MinPrice compare), then TopN and the weighting
    keep = ((frame["hf_holders"] >= min_holders) & (frame["price"] >= min_price)).to_numpy()
    want = weigh(None, TopN(n)(None, picks.keep(tickers[keep])))
    # the kernels: rank once, then cut by the bounds
    ranked = Rank()(None, picks)
    fields = frame.loc[ranked.tickers, ["hf_holders", "price"]].to_numpy(dtype=float)
    ok = eligible_nb(np.ascontiguousarray(fields), np.array([min_holders, min_price], dtype=float),
                     np.array([np.inf, np.inf]), np.array([True, True]))
    chosen = top_n_nb(ok, n)
    assert list(ranked.tickers[chosen]) == list(want.tickers)
    code = getattr(WEIGHTING, weighting)
    got = weights_nb(ranked.score.reindex(ranked.tickers).to_numpy(dtype=float)[chosen], code, cap)
    _same(got, want.weight)
    # and the whole schedule kernel on this one date: columns ascending, executed at row 7
    cols = np.arange(len(ranked.tickers), dtype=np.int64)[::-1].copy()
    rows_, offsets, tcols, tw = schedule_nb(
        np.array([0, len(cols)], dtype=np.int64), cols, ranked.score.reindex(ranked.tickers).to_numpy(dtype=float),
        np.ascontiguousarray(fields), np.array([0], dtype=np.int64), np.array([7], dtype=np.int64), n,
        np.array([min_holders, min_price], dtype=float), np.array([np.inf, np.inf]), np.array([True, True]),
        code, cap)
    order = np.argsort(cols[chosen], kind="stable")
    assert list(rows_) == [7] and list(offsets) == [0, len(chosen)]
    assert np.array_equal(tcols, cols[chosen][order]) and np.array_equal(tw, got[order], equal_nan=True)


def test_eligibility_bounds_fail_on_nan_and_skip_inactive_fields():
    fields = np.array([[1.0, np.nan], [np.nan, 5.0], [3.0, 2.0]])
    ok = eligible_nb(fields, np.array([2.0, 0.0]), np.array([np.inf, 4.0]), np.array([True, False]))
    assert list(ok) == [False, False, True]
    ok = eligible_nb(fields, np.array([2.0, 0.0]), np.array([np.inf, 4.0]), np.array([False, True]))
    assert list(ok) == [False, False, True]
    assert list(top_n_nb(np.array([False, True, True, True]), 2)) == [1, 2]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.sampled_from([0.0, -0.0, 1.0, 2.5]), st.just(float("nan"))),
                          st.one_of(st.sampled_from([0.1, 0.2]), st.just(float("nan"))),
                          st.one_of(st.sampled_from(["A1", "B2", "b2"]), st.none()),
                          st.sampled_from(["AAA", "BBB", "aaa", "Z", "ZZ"])), max_size=25),
       st.booleans(), st.booleans())
def test_rank_order_equals_a_stable_multi_column_sort(rows, conviction_asc, issuer_asc):
    frame = pd.DataFrame([r[:3] for r in rows], columns=["score", "conviction", "issuer"],
                         index=pd.Index([r[3] for r in rows], dtype=object))
    frame = frame.astype({"score": float, "conviction": float, "issuer": object})
    ties = (("conviction", conviction_asc), ("issuer", issuer_asc))
    want = frame.assign(_label=frame.index.astype(str)).sort_values(
        ["score", "conviction", "issuer", "_label"], ascending=[False, conviction_asc, issuer_asc, True],
        kind="stable")
    got = rank_order(frame, ties)
    assert list(got) == list(want.index)
