"""Numba kernels of the demo market: plain arrays in, arrays out, 2-D inputs are (time x stock)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "apply_events_nb",
    "factor_returns_nb",
    "price_paths_nb",
    "cap_weighted_index_nb",
    "select_holdings_nb",
]

BANKRUPTCY = 1
BUYOUT = 2


@njit(cache=True)
def apply_events_nb(logret, stock, kind, begin, end, size, noise):
    """Overlay delisting stories on daily log returns, in place.

    For event k on column stock[k] over sessions begin[k]..end[k] (inclusive):
    a BANKRUPTCY spreads a collapse of total log return size[k] (< 0) over the window and
    doubles the noise; a BUYOUT adds a jump of size[k] on begin[k] and then replaces the
    returns by the merger-arbitrage noise noise[t - begin[k], k] until end[k].
    """
    for k in range(stock.shape[0]):
        i = stock[k]
        b = begin[k]
        e = end[k]
        if kind[k] == BANKRUPTCY:
            n = e - b + 1
            drift = size[k] / n
            for t in range(b, e + 1):
                logret[t, i] = 2.0 * logret[t, i] + drift
        elif kind[k] == BUYOUT:
            logret[b, i] = size[k] + noise[0, k]
            for t in range(b + 1, e + 1):
                logret[t, i] = noise[t - b, k]


@njit(cache=True)
def factor_returns_nb(eps, idio_vol, regime, beta, mkt, size, smb, sector, sector_ret, drift):
    """Turn unit shocks eps (session x stock) into daily log returns, in place.

    eps[t, i] becomes drift[i] + beta[i] * mkt[t] + size[i] * smb[t] + sector_ret[t, sector[i]]
    + idio_vol[i] * sqrt(regime[t]) * eps[t, i].
    """
    n_days, n_stocks = eps.shape
    for t in range(n_days):
        scale = np.sqrt(regime[t])
        for i in range(n_stocks):
            common = beta[i] * mkt[t] + size[i] * smb[t] + sector_ret[t, sector[i]]
            eps[t, i] = drift[i] + common + idio_vol[i] * scale * eps[t, i]


@njit(cache=True)
def price_paths_nb(logret, first, last, price0, div_yield, div_phase, split_above, reverse_below):
    """Adjusted and raw closes of every stock from its daily total log returns.

    Column i trades on sessions first[i]..last[i] (NaN elsewhere). Total return on session
    t > first[i] is expm1(logret[t, i]). The raw close starts at price0[i]; on ex-dividend
    sessions (every 63 sessions from div_phase[i], when div_yield[i] > 0) it also drops by
    div_yield[i]; when it rises above split_above[i] a forward split (2, 3, 4 or 10 for 1)
    divides it, when it falls below reverse_below[i] a 1-for-10 reverse split multiplies it
    (at most once a year). The adjusted close compounds the total return and equals the raw
    close on the last session. Returns (close, raw, split_factor, simple_return) where
    split_factor is the cumulative share multiplier and simple_return is NaN on first[i].
    """
    n_days, n_stocks = logret.shape
    close = np.full((n_days, n_stocks), np.nan)
    raw = np.full((n_days, n_stocks), np.nan)
    factor = np.full((n_days, n_stocks), np.nan)
    simple = np.full((n_days, n_stocks), np.nan)
    price = price0.copy()
    cum = np.ones(n_stocks)
    tri = np.ones(n_stocks)
    last_reverse = np.full(n_stocks, -1000)
    for t in range(n_days):
        for i in range(n_stocks):
            if t < first[i] or t > last[i]:
                continue
            if t > first[i]:
                r = np.expm1(logret[t, i])
                simple[t, i] = r
                tri[i] *= 1.0 + r
                gross = 1.0 + r
                if div_yield[i] > 0.0 and t >= div_phase[i] and (t - div_phase[i]) % 63 == 0:
                    gross -= div_yield[i]
                if gross < 0.001:
                    gross = 0.001
                p = price[i] * gross
                if p > split_above[i]:
                    ratio = p / (split_above[i] / 3.0)
                    k = 10.0 if ratio >= 8.0 else (4.0 if ratio >= 3.5 else (3.0 if ratio >= 2.5 else 2.0))
                    p /= k
                    cum[i] *= k
                elif p < reverse_below[i] and t - last_reverse[i] > 252:
                    p *= 10.0
                    cum[i] /= 10.0
                    last_reverse[i] = t
                price[i] = p
            raw[t, i] = price[i]
            factor[t, i] = cum[i]
            close[t, i] = tri[i]
    scale = np.empty(n_stocks)
    for i in range(n_stocks):
        scale[i] = raw[last[i], i] / close[last[i], i]
    for t in range(n_days):
        for i in range(n_stocks):
            close[t, i] *= scale[i]
    return close, raw, factor, simple


@njit(cache=True)
def cap_weighted_index_nb(close, cap, rebalance_rows, members, last, delisting_return):
    """Daily levels (starting at 100) of a total-return index weighted by market cap.

    Members for the return of session t are members[g] with g the last rebalance whose row
    rebalance_rows[g] <= t - 1; each weighs cap[t-1, i] and earns close[t, i] / close[t-1, i] - 1,
    or delisting_return[i] on the session after its last trading day last[i]. A day with
    no member keeps the level unchanged.
    """
    n_days, n_stocks = close.shape
    level = np.empty(n_days)
    level[0] = 100.0
    g = 0
    for t in range(1, n_days):
        while g + 1 < rebalance_rows.shape[0] and rebalance_rows[g + 1] <= t - 1:
            g += 1
        num = 0.0
        den = 0.0
        for i in range(n_stocks):
            if not members[g, i]:
                continue
            c0 = close[t - 1, i]
            w = cap[t - 1, i]
            if np.isnan(c0) or np.isnan(w):
                continue
            c1 = close[t, i]
            if not np.isnan(c1):
                r = c1 / c0 - 1.0
            elif last[i] == t - 1 and not np.isnan(delisting_return[i]):
                r = delisting_return[i]
            else:
                r = 0.0
            num += w * r
            den += w
        level[t] = level[t - 1] * (1.0 + num / den) if den > 0.0 else level[t - 1]
    return level


@njit(cache=True)
def select_holdings_nb(cdf, kind, listed, score, n_names, active, keep_prob, skill_keep, seed):
    """Choose each filer's stocks quarter by quarter, with persistence.

    cdf[q, k] is the cumulative popularity of the stocks for weight kind k in quarter q (zero
    weight for stocks not listed at the quarter end); filer f uses kind[f]. In each quarter
    where active[f, q], filer f keeps each of last quarter's names still listed[q] with
    probability keep_prob + skill_keep[f] * score[q, i] (a skilled filer keeps its future
    winners), then draws new names from its cdf until it holds n_names[f, q] distinct stocks.
    Returns rows (filer, quarter, stock) in that order. Deterministic for `seed`.
    """
    np.random.seed(seed)
    n_filers, n_quarters = active.shape
    n_stocks = listed.shape[1]
    cap = 0
    for f in range(n_filers):
        for q in range(n_quarters):
            if active[f, q]:
                cap += n_names[f, q]
    out_f = np.empty(cap, np.int64)
    out_q = np.empty(cap, np.int64)
    out_i = np.empty(cap, np.int64)
    mark = np.full(n_stocks, -1, np.int64)
    prev = np.empty(n_stocks, np.int64)
    cur = np.empty(n_stocks, np.int64)
    n_out = 0
    for f in range(n_filers):
        n_prev = 0
        for q in range(n_quarters):
            if not active[f, q]:
                n_prev = 0
                continue
            stamp = f * n_quarters + q
            target = n_names[f, q]
            n_cur = 0
            for j in range(n_prev):
                i = prev[j]
                if listed[q, i] and n_cur < target:
                    p = keep_prob + skill_keep[f] * score[q, i]
                    if np.random.random() < p:
                        cur[n_cur] = i
                        n_cur += 1
                        mark[i] = stamp
            total = cdf[q, kind[f], n_stocks - 1]
            attempts = 0
            while n_cur < target and total > 0.0 and attempts < 50 * target:
                attempts += 1
                i = np.searchsorted(cdf[q, kind[f]], np.random.random() * total, side="right")
                if i >= n_stocks or mark[i] == stamp or not listed[q, i]:
                    continue
                mark[i] = stamp
                cur[n_cur] = i
                n_cur += 1
            for j in range(n_cur):
                out_f[n_out] = f
                out_q[n_out] = q
                out_i[n_out] = cur[j]
                n_out += 1
                prev[j] = cur[j]
            n_prev = n_cur
    return out_f[:n_out], out_q[:n_out], out_i[:n_out]
