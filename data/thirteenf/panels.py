"""13F scores for many decision dates at once: (dates x issuers) sparse panels under the counting rules.

``HoldingsIndex(holdings).panels(dates)`` gives a frozen `ScorePanels` whose rows are the
decision dates and whose columns are the counted units (the issuer codes, or tickers/CUSIPs
without share-class merging); ``panels.table(i)`` is, exactly, ``index.issuers_as_of(dates[i])``.

How (one pass, no per-date pandas):

1. Rules 1-3 (which filings count on D) are `HoldingsIndex._kept`, a few NumPy operations per
   date. A filer's kept filings on a date (its base filing plus later NEW HOLDINGS amendments)
   form a *state*; one state usually lasts from one filing to the next, so the states of all
   dates are about as many as the filings. Each date is a row of the active states
   (dates x states, at most one state per filer and date).
2. Rules 4-5 per state, once, in numba: the filer's long-equity positions merged per CUSIP,
   its value per unit, its weights (the unit's share of its long-equity value), its 10 largest
   units; per (unit, ticker) class its weight; the CUSIPs, names and issuers it holds per unit.
3. Per date, the sums over its active states (in CIK order, with pandas' compensated
   summation, so that every float is bit-for-bit what the per-date pandas group-by gives):
   ``holders``, ``value_usd``, ``conviction``, ``top10`` per unit, and per (unit, ticker) class
   the ``class_holders`` and ``class_conviction`` that choose the traded ticker.

Filer subsets: ``filers=None`` (every filer), one iterable of CIKs for every date, or a
sequence with one entry (an iterable of CIKs, or None) per date -- e.g. the top-M filers by
trailing clone return, which change by date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numba as nb
import numpy as np
import pandas as pd
from scipy import sparse

from hedgeclone.data.thirteenf.pointintime import DEFAULT_MAX_AGE_QUARTERS, _as_of
from hedgeclone.errors import InputError
from hedgeclone.labels import Subset
from hedgeclone.sums import pairwise_sum_nb

if TYPE_CHECKING:
    from hedgeclone.data.thirteenf.index import HoldingsIndex, IssuerTable, Traded

__all__ = ["ScorePanels", "build_panels"]

_NO_NAME = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class ScorePanels:
    """Per decision date and counted unit: holders, value, conviction and top-10 counts (CSR).

    `holders`, `value_usd`, `conviction` and `top10` share one sparsity structure: the units
    held on the date (an explicit zero in `conviction` is a unit held with no weight).
    `class_key`/`class_ticker` label the columns of `class_holders`/`class_conviction`: per
    (unit, mapped ticker), the distinct filers holding a CUSIP of that ticker and their
    conviction in it -- what the traded-ticker choice needs. `filers`/`stale` are per date the
    filers counted and those left out as stale; `oldest` the oldest current report quarter.
    """

    dates: pd.DatetimeIndex
    keys: np.ndarray  # unit labels (object), sorted: the columns of the unit panels
    holders: sparse.csr_matrix
    value_usd: sparse.csr_matrix
    conviction: sparse.csr_matrix
    top10: sparse.csr_matrix
    class_key: np.ndarray  # column -> unit position in `keys`
    class_ticker: np.ndarray  # column -> ticker (object)
    class_holders: sparse.csr_matrix
    class_conviction: sparse.csr_matrix
    filers: np.ndarray  # int64 per date
    stale: np.ndarray  # int64 per date
    oldest: tuple  # pd.Period | None per date
    merged: bool
    max_age_quarters: int | None
    _name: np.ndarray = field(repr=False)  # per nonzero of `holders`: min issuer-name code
    _names: np.ndarray = field(repr=False)  # name labels
    _cusips: tuple = field(repr=False)  # (CSR dates x pairs, pair -> unit, pair -> label)
    _issuers: tuple | None = field(repr=False)  # the same for issuer codes (None when merged)

    def position(self, date: object) -> int:
        """Row of `date` (KeyError if it is not one of `dates`)."""
        return int(self.dates.get_loc(_as_of(date)))

    def table(self, i: int, as_of: object | None = None) -> IssuerTable:
        """The `IssuerTable` of date `i`, equal to ``HoldingsIndex.issuers_as_of(dates[i], ...)``."""
        from hedgeclone.data.thirteenf.index import IssuerTable, _empty_table, _finish_table

        when = _as_of(self.dates[i] if as_of is None else as_of)
        lo, hi = self.holders.indptr[i], self.holders.indptr[i + 1]
        meta = (when, int(self.filers[i]), int(self.stale[i]), self.oldest[i], self.merged)
        if hi == lo:
            table, classes = _empty_table()
            return IssuerTable(table, classes, *meta)
        cols = self.holders.indices[lo:hi]
        labels = self.keys[cols]
        names = self._decoded_names(lo, hi)
        issuers = labels if self._issuers is None else _joined(self._issuers, i, cols)
        agg = pd.DataFrame({
            "holders": self.holders.data[lo:hi].astype(np.int64),
            "value_usd": self.value_usd.data[lo:hi],
            "conviction": self.conviction.data[lo:hi],
            "top10": self.top10.data[lo:hi].astype(np.int64),
            "issuer": np.asarray(issuers, dtype=object),
            "name": names,
            "cusips": _joined(self._cusips, i, cols),
        }, index=pd.Index(np.asarray(labels, dtype=object), name="key"))
        clo, chi = self.class_holders.indptr[i], self.class_holders.indptr[i + 1]
        ccols = self.class_holders.indices[clo:chi]
        classes = pd.DataFrame({
            "key": np.asarray(self.keys[self.class_key[ccols]], dtype=object),
            "ticker": np.asarray(self.class_ticker[ccols], dtype=object),
            "holders": self.class_holders.data[clo:chi].astype(np.int64),
            "conviction": self.class_conviction.data[clo:chi],
        })
        if chi == clo:  # as pandas' group-by of no mapped rows gives them
            classes = classes.astype({"key": "str"})
        table = _finish_table(agg, when)
        return IssuerTable(table, classes, *meta)

    # -- the traded ticker of each unit, as `IssuerTable.traded` chooses it --------------------

    @cached_property
    def _key_rank(self) -> np.ndarray:
        return _str_rank(self.keys)

    @cached_property
    def _tickers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(code of each class column's ticker, rank of that ticker as a string, the distinct tickers)."""
        codes, uniques = pd.factorize(np.asarray(self.class_ticker, dtype=object))
        uniques = np.asarray(uniques, dtype=object)
        return codes.astype(np.int64), _str_rank(uniques)[codes], uniques

    def _among(self, priced: Iterable[str] | Subset) -> np.ndarray:
        """Per class column: whether its ticker is one of `priced`. A `Subset` of a unique universe is
        read through the universe positions of the distinct tickers, found once per universe."""
        from hedgeclone.labels import isin

        codes, _, uniques = self._tickers
        if isinstance(priced, Subset) and priced.universe.is_unique:
            seen = self.__dict__.get("_universe_positions")
            if seen is None or seen[0] is not priced.universe:
                seen = self.__dict__["_universe_positions"] = (priced.universe, priced.positions(uniques))
            hit = priced.holds(seen[1])
        else:
            hit = isin(uniques, priced)
        return hit[codes]

    def traded(self, i: int, priced: Iterable[str] | Subset | None = None, by: str = "holders") -> Traded:
        """``table(i).traded_arrays(priced, by)``, from the panels' arrays without building the table."""
        from hedgeclone.data.thirteenf.index import Traded, stale_note

        lo, hi = self.holders.indptr[i], self.holders.indptr[i + 1]
        units = self.holders.indices[lo:hi]
        metric = {"holders": self.holders, "conviction": self.conviction, "top10": self.top10}[by]
        score = metric.data[lo:hi].astype(np.float64)
        conviction = self.conviction.data[lo:hi]
        order = np.lexsort((self._key_rank[units], -conviction, -score))  # as `IssuerTable.ranked`
        clo, chi = self.class_holders.indptr[i], self.class_holders.indptr[i + 1]
        cols = self.class_holders.indices[clo:chi]
        unit = self.class_key[cols]
        codes, ticker_rank, _ = self._tickers
        # per unit, its classes best first: most holders, then highest conviction, then ticker
        by_unit = np.lexsort((ticker_rank[cols], -self.class_conviction.data[clo:chi],
                              -self.class_holders.data[clo:chi].astype(np.float64), self._key_rank[unit]))
        best_any = _first_of_unit(by_unit, unit, cols, len(self.keys))
        if priced is not None:
            by_unit = by_unit[self._among(priced)[cols[by_unit]]]
        chosen = _first_of_unit(by_unit, unit, cols, len(self.keys))[units[order]]
        has = chosen >= 0
        firsts = np.unique(codes[chosen[has]], return_index=True)[1]  # a ticker goes to its first unit only
        take = np.zeros(len(order), dtype=bool)
        take[np.flatnonzero(has)[firsts]] = True
        names = self._decoded_names(lo, hi)
        if hi == lo:  # nothing held: no CUSIPs to join
            cusips = issuers = np.zeros(0, dtype=object)
        else:
            cusips = _joined(self._cusips, i, units)
            issuers = self.keys[units] if self._issuers is None else _joined(self._issuers, i, units)
            issuers = np.asarray(issuers, dtype=object)
        t, r = order[take], order[~take]
        label = np.full(len(r), None, dtype=object)
        fallback = best_any[units[r]]
        label[fallback >= 0] = self.class_ticker[fallback[fallback >= 0]]
        label = np.where(pd.notna(label), label, np.where(pd.notna(names[r]), names[r], self.keys[units[r]]))
        return Traded(
            {"ticker": np.asarray(self.class_ticker[chosen[take]], dtype=object), "name": names[t],
             "issuer": issuers[t], "cusips": cusips[t], "holders": self.holders.data[lo:hi][t].astype(np.int64),
             "top10": self.top10.data[lo:hi][t].astype(np.int64), "conviction": conviction[t], "score": score[t]},
            {"label": label.astype(object), "name": names[r], "issuer": issuers[r], "score": score[r],
             "conviction": conviction[r]},
            stale_note(int(self.stale[i]), int(self.filers[i]), self.oldest[i]))

    def _decoded_names(self, lo: int, hi: int) -> np.ndarray:
        codes = self._name[lo:hi]
        missing = codes == _NO_NAME
        names = np.asarray(self._names[np.where(missing, 0, codes)] if len(self._names) else np.full(hi - lo, None),
                           dtype=object)
        names[missing] = None
        return names


def _str_rank(labels: np.ndarray) -> np.ndarray:
    """Each label's rank in string order (what ``lexsort`` of ``labels.astype(str)`` uses)."""
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.argsort(np.asarray(labels, dtype=object).astype(str), kind="stable")] = np.arange(len(labels))
    return rank


def _first_of_unit(order: np.ndarray, unit: np.ndarray, cols: np.ndarray, n_units: int) -> np.ndarray:
    """Per unit, the class column first in `order` (positions into `unit`/`cols`), -1 for none."""
    out = np.full(n_units, -1, dtype=np.int64)
    if len(order):
        u = unit[order]
        first = order[np.r_[True, u[1:] != u[:-1]]]
        out[unit[first]] = cols[first]
    return out


def _joined(presence: tuple, i: int, cols: np.ndarray) -> np.ndarray:
    """Per unit in `cols` (sorted), its labels present on date `i`, sorted and space-joined."""
    matrix, pair_key, pair_label = presence
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    pairs = matrix.indices[lo:hi]  # sorted by (unit, label)
    unit = pair_key[pairs]
    labels = pair_label[pairs]
    first = np.r_[0, np.flatnonzero(unit[1:] != unit[:-1]) + 1]
    ends = np.r_[first[1:], len(pairs)]
    single = ends - first == 1
    out = np.empty(len(first), dtype=object)
    out[single] = labels[first[single]]
    for j in np.flatnonzero(~single):
        out[j] = " ".join(labels[first[j]:ends[j]])
    # every unit held has at least one CUSIP (and one issuer): `first` aligns with `cols`
    if len(out) != len(cols):
        raise AssertionError("13F panels: presence rows do not match the units held")
    return out


def _date_filers(dates: pd.DatetimeIndex, filers) -> list:
    if filers is None:
        return [None] * len(dates)
    if isinstance(filers, Sequence) and not isinstance(filers, str | bytes) and len(filers) == len(dates) and (
            len(filers) == 0 or all(f is None or (isinstance(f, Iterable) and not isinstance(f, str | bytes))
                                    for f in filers)):
        return [None if f is None else np.asarray([int(c) for c in f], dtype=np.int64) for f in filers]
    if isinstance(filers, Iterable) and not isinstance(filers, str | bytes):
        ciks = np.asarray([int(c) for c in filers], dtype=np.int64)
        return [ciks] * len(dates)
    raise InputError("filers must be None, an iterable of CIKs, or one iterable of CIKs (or None) per date")


def build_panels(index: HoldingsIndex, dates, *, max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
                 merge_share_classes: bool = True, filers=None) -> ScorePanels:
    """The `ScorePanels` of `dates` over `index` (see the module docstring)."""
    days = pd.DatetimeIndex([_as_of(d) for d in dates])
    per_date = _date_filers(days, filers)
    fil_cik = index.filings["cik"].to_numpy(dtype=np.int64)
    # -- 1. the states active on each date ---------------------------------------------------
    sig_parts, cik_parts, counts = [], [], np.zeros(len(days), dtype=np.int64)
    stale = np.zeros(len(days), dtype=np.int64)
    oldest = []
    multi: dict[tuple[int, ...], int] = {}
    for i, (day, ciks) in enumerate(zip(days, per_date, strict=True)):
        fids, n_stale, old = index._kept(day, ciks, max_age_quarters)
        stale[i], counts[i] = n_stale, 0
        oldest.append(old)
        fc = fil_cik[fids]
        order = np.lexsort((fids, fc))
        fids, fc = fids[order], fc[order]
        first = np.r_[True, fc[1:] != fc[:-1]] if len(fc) else np.zeros(0, dtype=bool)
        sig = fids[first].astype(np.int64)
        if len(fids) > first.sum():  # some filer has NEW HOLDINGS amendments: its state is a set
            group = np.cumsum(first) - 1
            sizes = np.bincount(group)
            for g in np.flatnonzero(sizes > 1):
                members = tuple(int(f) for f in fids[group == g])
                sig[g] = -1 - multi.setdefault(members, len(multi))
        sig_parts.append(sig)
        cik_parts.append(fc[first])
        counts[i] = len(sig)
    all_sig = np.concatenate(sig_parts) if sig_parts else np.zeros(0, dtype=np.int64)
    all_cik = np.concatenate(cik_parts) if cik_parts else np.zeros(0, dtype=np.int64)
    uniq, inverse = np.unique(all_sig, return_inverse=True)
    ucik = np.zeros(len(uniq), dtype=np.int64)
    ucik[inverse] = all_cik
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.lexsort((uniq, ucik))] = np.arange(len(uniq))
    date_states = rank[inverse]
    date_ptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
    for i in range(len(days)):  # one state per filer and date: CIK order is state order
        date_states[date_ptr[i]:date_ptr[i + 1]].sort()
    sorted_sig = np.empty(len(uniq), dtype=np.int64)
    sorted_sig[rank] = uniq
    members_of = {v: k for k, v in multi.items()}
    sizes = np.array([1 if s >= 0 else len(members_of[-1 - s]) for s in sorted_sig], dtype=np.int64)
    state_ptr = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    state_fids = np.empty(state_ptr[-1], dtype=np.int64)
    single = sorted_sig >= 0
    state_fids[state_ptr[:-1][single]] = sorted_sig[single]
    for s in np.flatnonzero(~single):
        state_fids[state_ptr[s]:state_ptr[s + 1]] = members_of[-1 - int(sorted_sig[s])]

    # -- 2. per state: its entries per unit, class, CUSIP and issuer ---------------------------
    pos = index._pos
    n_tick, n_cus, n_iss = len(index._tickers), len(index._cusips), len(index._issuers)
    if merge_share_classes:
        keys = np.asarray(index._issuers, dtype=object)
        ckey = index._issuer_of.astype(np.int64)
        tkey = np.zeros(0, dtype=np.int64)
    else:
        keys = np.unique(np.concatenate([np.asarray(index._tickers, dtype=object).astype(str),
                                         np.asarray(index._cusips, dtype=object).astype(str)])).astype(object)
        tkey = np.searchsorted(keys, np.asarray(index._tickers, dtype=object).astype(str)).astype(np.int64)
        ckey = np.searchsorted(keys, np.asarray(index._cusips, dtype=object).astype(str)).astype(np.int64)
    (k_ptr, k_col, k_f, k_top, k_name, c_ptr, c_pair, c_w, u_ptr, u_pair, i_ptr, i_pair,
     *flags) = _state_entries(
        state_ptr, state_fids, index._starts.astype(np.int64), pos["cusip"].astype(np.int64),
        pos["ticker"].astype(np.int64), pos["name"].astype(np.int64), pos["value_usd"].astype(np.float64),
        merge_share_classes, ckey, tkey, index._issuer_of.astype(np.int64), max(n_tick, 1), max(n_cus, 1),
        max(n_iss, 1))

    # -- 3. per date: sums over its active states ----------------------------------------------
    var_b, red_d, var_e = _date_modes(date_ptr, date_states, *flags)
    n_dates, n_keys = len(days), len(keys)
    indptr, cols, fsum, isum, imin, count = _accumulate(
        date_ptr, date_states, k_ptr, k_col, k_f, k_top, k_name, n_keys, var_b, red_d)

    def csr(data, ncols, ptr=indptr, idx=cols):
        return sparse.csr_matrix((data, idx, ptr), shape=(n_dates, ncols))

    class_codes, class_pairs = _codes(c_pair)
    always = np.ones(n_dates, dtype=np.int64)
    cptr, ccols, cfsum, _, _, ccount = _accumulate(date_ptr, date_states, c_ptr, class_codes, c_w,
                                                    np.zeros((len(c_w), 0), dtype=np.int64),
                                                    np.zeros(0, dtype=np.int64), len(class_pairs), var_e, always)
    cusips = _presence(date_ptr, date_states, u_ptr, u_pair, n_cus, np.asarray(index._cusips, dtype=object), n_dates)
    issuers = None if merge_share_classes else _presence(date_ptr, date_states, i_ptr, i_pair, n_iss,
                                                         np.asarray(index._issuers, dtype=object), n_dates)
    return ScorePanels(
        dates=days, keys=keys,
        holders=csr(count, n_keys), value_usd=csr(fsum[:, 0], n_keys), conviction=csr(fsum[:, 1], n_keys),
        top10=csr(isum[:, 0], n_keys),
        class_key=(class_pairs // max(n_tick, 1)).astype(np.int64),
        class_ticker=np.asarray(index._tickers, dtype=object)[class_pairs % max(n_tick, 1)] if len(class_pairs)
        else np.zeros(0, dtype=object),
        class_holders=sparse.csr_matrix((ccount, ccols, cptr), shape=(n_dates, len(class_pairs))),
        class_conviction=sparse.csr_matrix((cfsum[:, 0], ccols, cptr), shape=(n_dates, len(class_pairs))),
        filers=counts, stale=stale, oldest=tuple(oldest), merged=merge_share_classes,
        max_age_quarters=max_age_quarters, _name=imin, _names=np.asarray(index._names, dtype=object),
        _cusips=cusips, _issuers=issuers,
    )


def _codes(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of int64 `pairs`, numbered in sorted order, and the sorted distinct pairs."""
    codes, uniques = pd.factorize(pairs, sort=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes].astype(np.int64), np.asarray(uniques, dtype=np.int64)[order]


def _presence(date_ptr, date_states, ptr, pairs, n_second, labels, n_dates) -> tuple:
    codes, distinct = _codes(pairs)
    zeros = np.zeros(len(date_ptr) - 1, dtype=np.int64)
    indptr, cols, _, _, _, count = _accumulate(date_ptr, date_states, ptr, codes, np.zeros((len(codes), 0)),
                                               np.zeros((len(codes), 0), dtype=np.int64),
                                               np.zeros(0, dtype=np.int64), len(distinct), zeros, zeros)
    matrix = sparse.csr_matrix((count, cols, indptr), shape=(n_dates, len(distinct)))
    return matrix, distinct // n_second, labels[distinct % n_second] if len(distinct) else np.zeros(0, dtype=object)


# -- numba kernels ------------------------------------------------------------------------------
#
# pandas (3.x) sums a group-by either with a compensated (Kahan) loop or, when the group ids are
# already sorted, with ``np.add.reduceat`` (the first term plus NumPy's pairwise sum of the rest).
# Which one it takes depends on the rows of the date; the kernels compute what each date needs
# with the same arithmetic, so that every float equals the per-date pandas result bit for bit.

_BIG = 9223372036854775807


@nb.njit(cache=True, inline="always")
def _kahan(total, comp, value):
    """One step of pandas' compensated group sum: (new total, new compensation)."""
    y = value - comp
    t = total + y
    c = t - total - y
    if c != c:
        c = 0.0
    return t, c


@nb.njit(cache=True)
def _reduceat(a, lo, n):
    """``np.add.reduceat`` of one segment ``a[lo:lo + n]``."""
    if n == 1:
        return a[lo]
    return a[lo] + pairwise_sum_nb(a, lo + 1, n - 1)


@nb.njit(cache=True)
def _group_sums(key, val, n, out_key, out_k, out_r):
    """Per distinct `key` (ascending; rows of a key kept in row order): Kahan and reduceat sums."""
    sorted_ = True
    for r in range(1, n):
        if key[r] < key[r - 1]:
            sorted_ = False
            break
    if sorted_:
        o = np.arange(n)
    else:
        o = np.argsort(key[:n], kind="mergesort")
    buf = np.empty(n, np.float64)
    g = 0
    r = 0
    while r < n:
        k = key[o[r]]
        v, c = 0.0, 0.0
        m = 0
        while r < n and key[o[r]] == k:
            v, c = _kahan(v, c, val[o[r]])
            buf[m] = val[o[r]]
            m += 1
            r += 1
        out_key[g] = k
        out_k[g] = v
        out_r[g] = _reduceat(buf, 0, m)
        g += 1
    return g


@nb.njit(cache=True)
def _state_entries(state_ptr, state_fids, starts, p_cusip, p_ticker, p_name, p_value, merged, ckey, tkey,
                   issuer_of, n_tick, n_cus, n_iss):
    """Per state: its unit, class, CUSIP and issuer entries, both summation variants, and order flags.

    Unit entries hold, per variant v (0: compensated, 1: reduceat sums over the state's CUSIPs),
    value, weight and top-10 flag. Per state and variant: whether its units by (value desc,
    unit asc) are in unit order, and the first and last unit in that order; whether its units
    along its CUSIPs are in unit order; the same for (unit, ticker) classes.
    """
    n_states = len(state_ptr) - 1
    bound = 0
    for s in range(n_states):
        for j in range(state_ptr[s], state_ptr[s + 1]):
            f = state_fids[j]
            bound += starts[f + 1] - starts[f]
    k_ptr = np.zeros(n_states + 1, np.int64)
    k_col = np.empty(bound, np.int64)
    k_f = np.empty((bound, 4), np.float64)  # value_k, weight_k, value_r, weight_r
    k_top = np.zeros((bound, 2), np.int64)
    k_name = np.empty(bound, np.int64)
    c_ptr = np.zeros(n_states + 1, np.int64)
    c_pair = np.empty(bound, np.int64)
    c_w = np.empty((bound, 2), np.float64)
    u_ptr = np.zeros(n_states + 1, np.int64)
    u_pair = np.empty(bound, np.int64)
    i_ptr = np.zeros(n_states + 1, np.int64)
    i_pair = np.empty(bound if not merged else 0, np.int64)
    mono_b = np.ones(n_states, np.bool_)
    mono_d = np.ones((n_states, 2), np.bool_)
    first_d = np.full((n_states, 2), -1, np.int64)
    last_d = np.full((n_states, 2), -1, np.int64)
    mono_e = np.ones(n_states, np.bool_)
    first_e = np.full(n_states, -1, np.int64)
    last_e = np.full(n_states, -1, np.int64)
    nk = 0
    nc = 0
    nu = 0
    ni = 0
    for s in range(n_states):
        a, b = state_ptr[s], state_ptr[s + 1]
        m = 0
        for j in range(a, b):
            f = state_fids[j]
            m += starts[f + 1] - starts[f]
        if b - a == 1:  # one filing: already one row per CUSIP, in CUSIP order
            lo, hi = starts[state_fids[a]], starts[state_fids[a] + 1]
            cus, tick, name, val = p_cusip[lo:hi], p_ticker[lo:hi], p_name[lo:hi], p_value[lo:hi]
            n = m
        else:  # base plus amendments: merge per CUSIP as `HoldingsIndex._rows` does
            g_cus = np.empty(m, np.int64)
            g_tick = np.empty(m, np.int64)
            g_name = np.empty(m, np.int64)
            g_val = np.empty(m, np.float64)
            q = 0
            for j in range(a, b):
                f = state_fids[j]
                for r in range(starts[f], starts[f + 1]):
                    g_cus[q] = p_cusip[r]
                    g_tick[q] = p_ticker[r]
                    g_name[q] = p_name[r]
                    g_val[q] = p_value[r]
                    q += 1
            o1 = np.argsort(-g_val, kind="mergesort")
            o2 = np.argsort(g_cus[o1], kind="mergesort")
            o = o1[o2]
            cus = np.empty(m, np.int64)
            tick = np.empty(m, np.int64)
            name = np.empty(m, np.int64)
            val = np.empty(m, np.float64)
            n = -1
            prev = -1
            for r in range(m):
                x = o[r]
                if n < 0 or g_cus[x] != prev:
                    n += 1
                    prev = g_cus[x]
                    cus[n] = prev
                    tick[n] = -1
                    name[n] = _BIG
                    val[n] = 0.0
                val[n] += g_val[x]
                if g_tick[x] > tick[n]:
                    tick[n] = g_tick[x]
                if g_name[x] < name[n]:
                    name[n] = g_name[x]
            n += 1
            cus, tick, name, val = cus[:n], tick[:n], name[:n], val[:n]
        if n == 0:
            k_ptr[s + 1] = nk
            c_ptr[s + 1] = nc
            u_ptr[s + 1] = nu
            i_ptr[s + 1] = ni
            continue
        key = np.empty(n, np.int64)
        for r in range(n):
            if merged or tick[r] < 0:
                key[r] = ckey[cus[r]]
            else:
                key[r] = tkey[tick[r]]
            if r and key[r] < key[r - 1]:
                mono_b[s] = False
        total = _reduceat(val, 0, n)  # the filer's long-equity value (sorted group ids)
        # per unit: value both ways, weight, min name
        uk = np.empty(n, np.int64)
        vk = np.empty(n, np.float64)
        vr = np.empty(n, np.float64)
        g = _group_sums(key, val, n, uk, vk, vr)
        o = np.arange(n) if mono_b[s] else np.argsort(key, kind="mergesort")
        r = 0
        for t in range(g):
            nm = _BIG
            while r < n and key[o[r]] == uk[t]:
                if name[o[r]] < nm:
                    nm = name[o[r]]
                r += 1
            e = nk + t
            k_col[e] = uk[t]
            k_f[e, 0] = vk[t]
            k_f[e, 1] = vk[t] / total if total != 0 else 0.0
            k_f[e, 2] = vr[t]
            k_f[e, 3] = vr[t] / total if total != 0 else 0.0
            k_name[e] = nm
        for v in range(2):  # top 10 by (value desc, unit asc) and the order flags
            x = k_f[nk:nk + g, 2 * v]
            if g <= 10:
                k_top[nk:nk + g, v] = 1
            else:
                best = np.empty(10, np.int64)  # the 10 best so far, best first
                nb_ = 0
                for t in range(g):  # units ascending: a later equal value ranks below
                    if nb_ == 10 and not x[t] > x[best[9]]:
                        continue
                    p = nb_ if nb_ < 10 else 9
                    while p > 0 and x[t] > x[best[p - 1]]:
                        if p < 10:
                            best[p] = best[p - 1]
                        p -= 1
                    best[p] = t
                    if nb_ < 10:
                        nb_ += 1
                for t in range(10):
                    k_top[nk + best[t], v] = 1
            hi_t, lo_t = 0, 0
            for t in range(1, g):
                if x[t] > x[hi_t]:
                    hi_t = t
                if not x[t] > x[lo_t]:  # the last of the smallest ranks last
                    lo_t = t
                if x[t] > x[t - 1]:
                    mono_d[s, v] = False
            first_d[s, v] = uk[hi_t]
            last_d[s, v] = uk[lo_t]
        nk += g
        k_ptr[s + 1] = nk
        # per (unit, ticker) class: weight both ways
        pair = np.empty(n, np.int64)
        pval = np.empty(n, np.float64)
        npair = 0
        for r in range(n):
            if tick[r] >= 0:
                pair[npair] = key[r] * n_tick + tick[r]
                pval[npair] = val[r]
                if npair and pair[npair] < pair[npair - 1]:
                    mono_e[s] = False
                npair += 1
        if npair:
            first_e[s] = pair[0]
            last_e[s] = pair[npair - 1]
            pk = np.empty(npair, np.int64)
            pvk = np.empty(npair, np.float64)
            pvr = np.empty(npair, np.float64)
            gp = _group_sums(pair, pval, npair, pk, pvk, pvr)
            for t in range(gp):
                c_pair[nc] = pk[t]
                c_w[nc, 0] = pvk[t] / total if total != 0 else 0.0
                c_w[nc, 1] = pvr[t] / total if total != 0 else 0.0
                nc += 1
        c_ptr[s + 1] = nc
        for r in range(n):
            u_pair[nu] = key[r] * n_cus + cus[r]
            nu += 1
            if not merged:
                i_pair[ni] = key[r] * n_iss + issuer_of[cus[r]]
                ni += 1
        u_ptr[s + 1] = nu
        i_ptr[s + 1] = ni
    return (k_ptr, k_col[:nk], k_f[:nk], k_top[:nk], k_name[:nk], c_ptr, c_pair[:nc], c_w[:nc], u_ptr,
            u_pair[:nu], i_ptr, i_pair[:ni], mono_b, mono_d, first_d, last_d, mono_e, first_e, last_e)


@nb.njit(cache=True)
def _date_modes(date_ptr, date_states, mono_b, mono_d, first_d, last_d, mono_e, first_e, last_e):
    """Per date: the within-filer variant of unit sums, whether pandas sums units across filers
    by reduceat, and the within-filer variant of class sums (see `_state_entries`)."""
    n_dates = len(date_ptr) - 1
    var_b = np.zeros(n_dates, np.int64)
    red_d = np.zeros(n_dates, np.int64)
    var_e = np.zeros(n_dates, np.int64)
    for d in range(n_dates):
        ok = True
        for j in range(date_ptr[d], date_ptr[d + 1]):
            if not mono_b[date_states[j]]:
                ok = False
        v = 1 if ok else 0
        var_b[d] = v
        ok = True
        prev = -1
        for j in range(date_ptr[d], date_ptr[d + 1]):
            s = date_states[j]
            if first_d[s, v] < 0:
                continue
            if not mono_d[s, v] or first_d[s, v] < prev:
                ok = False
            prev = last_d[s, v]
        red_d[d] = 1 if ok else 0
        ok = True
        prev = -1
        for j in range(date_ptr[d], date_ptr[d + 1]):
            s = date_states[j]
            if first_e[s] < 0:
                continue
            if not mono_e[s] or first_e[s] < prev:
                ok = False
            prev = last_e[s]
        var_e[d] = 1 if ok else 0
    return var_b, red_d, var_e


@nb.njit(cache=True)
def _accumulate(date_ptr, date_states, ptr, col, fvals, ivals, mins, ncols, var, reduce):
    """Per date, over its states in order, per column: count, float sums, int sums, min.

    Entries carry their float and int columns once per variant (``fvals[:, var * m:(var + 1) * m]``);
    date d uses variant ``var[d]`` and sums floats across states with Kahan (``reduce[d] == 0``)
    or as ``np.add.reduceat`` does (``reduce[d] == 1``).
    """
    n_dates = len(date_ptr) - 1
    nvar = 2
    nf = fvals.shape[1] // nvar
    ni = ivals.shape[1] // nvar
    has_min = len(mins) > 0
    seen = np.full(ncols, -1, np.int64)
    nnz = 0
    for d in range(n_dates):
        for j in range(date_ptr[d], date_ptr[d + 1]):
            s = date_states[j]
            for e in range(ptr[s], ptr[s + 1]):
                k = col[e]
                if seen[k] != d:
                    seen[k] = d
                    nnz += 1
    indptr = np.zeros(n_dates + 1, np.int64)
    cols = np.empty(nnz, np.int64)
    fsum = np.zeros((nnz, nf), np.float64)
    isum = np.zeros((nnz, ni), np.int64)
    imin = np.empty(nnz if has_min else 0, np.int64)
    count = np.zeros(nnz, np.int64)
    acc_f = np.zeros((ncols, nf), np.float64)
    acc_c = np.zeros((ncols, nf), np.float64)
    acc_i = np.zeros((ncols, ni), np.int64)
    acc_m = np.full(ncols if has_min else 0, _BIG, np.int64)
    acc_n = np.zeros(ncols, np.int64)
    touched = np.empty(ncols, np.int64)
    offset = np.zeros(ncols + 1, np.int64)
    fill = np.zeros(ncols, np.int64)
    seen[:] = -1
    out = 0
    for d in range(n_dates):
        fo = var[d] * nf
        io = var[d] * ni
        nt = 0
        for j in range(date_ptr[d], date_ptr[d + 1]):
            s = date_states[j]
            for e in range(ptr[s], ptr[s + 1]):
                k = col[e]
                if seen[k] != d:
                    seen[k] = d
                    touched[nt] = k
                    nt += 1
                acc_n[k] += 1
                for q in range(nf):
                    acc_f[k, q], acc_c[k, q] = _kahan(acc_f[k, q], acc_c[k, q], fvals[e, fo + q])
                for q in range(ni):
                    acc_i[k, q] += ivals[e, io + q]
                if has_min and mins[e] < acc_m[k]:
                    acc_m[k] = mins[e]
        ks = np.sort(touched[:nt])
        if reduce[d] and nf:  # gather each column's terms in state order, then reduceat
            total = 0
            for t in range(nt):
                offset[t] = total
                fill[ks[t]] = t
                total += acc_n[ks[t]]
            terms = np.empty((total, nf), np.float64)
            cursor = offset[:nt].copy()
            for j in range(date_ptr[d], date_ptr[d + 1]):
                s = date_states[j]
                for e in range(ptr[s], ptr[s + 1]):
                    t = fill[col[e]]
                    for q in range(nf):
                        terms[cursor[t], q] = fvals[e, fo + q]
                    cursor[t] += 1
            for t in range(nt):
                k = ks[t]
                for q in range(nf):
                    acc_f[k, q] = _reduceat(terms[:, q], offset[t], acc_n[k])
        for t in range(nt):
            k = ks[t]
            cols[out] = k
            count[out] = acc_n[k]
            acc_n[k] = 0
            for q in range(nf):
                fsum[out, q] = acc_f[k, q]
                acc_f[k, q] = 0.0
                acc_c[k, q] = 0.0
            for q in range(ni):
                isum[out, q] = acc_i[k, q]
                acc_i[k, q] = 0
            if has_min:
                imin[out] = acc_m[k]
                acc_m[k] = _BIG
            out += 1
        indptr[d + 1] = out
    return indptr, cols, fsum, isum, imin, count
