"""Sparse portfolio kernels: cost grows with names held x days, not with the universe.

The order arithmetic reproduces vectorbt's ``Portfolio.from_orders(size_type="targetpercent",
group_by=True, cash_sharing=True, call_seq="auto")`` step for step (its ``buy_nb``, ``sell_nb``
and ``execute_order_nb``, long side, with vectorbt's tolerances and ``min_size=1e-8``), so
that values agree to floating-point noise. What differs is the bookkeeping: instead of
visiting every column on every row, a kernel keeps a compact list of held columns and
touches a column only when it is held or named by the rebalance being executed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hedgeclone.backtest.engine.records import Reason, Side, Status, order_dt

REL_TOL = 1e-9
ABS_TOL = 1e-12


@njit(cache=True)
def is_close_nb(a: float, b: float) -> bool:
    """Whether `a` and `b` are equal within vectorbt's tolerances (rel 1e-9, abs 1e-12)."""
    if np.isnan(a) or np.isnan(b) or np.isinf(a) or np.isinf(b):
        return False
    if a == b:
        return True
    return abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)


@njit(cache=True)
def add_nb(a: float, b: float) -> float:
    """`a + b`, snapped to exactly zero when the two cancel within tolerance."""
    if np.sign(a) != np.sign(b):
        if is_close_nb(abs(a), abs(b)):
            return 0.0
    elif is_close_nb(a + b, 0.0):
        return 0.0
    return a + b


@njit(cache=True)
def flex_nb(arr: np.ndarray, col: int) -> float:
    """A per-asset parameter read flexibly: one value for all assets, or one per column."""
    return arr[0] if arr.shape[0] == 1 else arr[col]


@njit(cache=True)
def buy_nb(cash: float, position: float, size: float, price: float, fees: float,
           fixed_fees: float, slippage: float, min_size: float) -> tuple[float, float, float, float, float]:
    """Buy `size` shares at `price` plus slippage, partially if cash runs short.

    Returns (new_cash, new_position, filled_size, fill_price, fees_paid); filled_size is 0
    when the order is ignored or rejected (no cash, cannot cover fees, below min_size).
    """
    adj_price = price * (1.0 + slippage)
    cash_limit = cash
    if cash_limit == 0:
        return cash, position, 0.0, adj_price, 0.0
    req_cash = size * adj_price
    req_fees = req_cash * fees + fixed_fees
    total_req_cash = req_cash + req_fees
    if is_close_nb(total_req_cash, cash_limit) or total_req_cash < cash_limit:
        final_size = size
        fees_paid = req_fees
        final_req_cash = total_req_cash
    else:
        max_req_cash = add_nb(cash_limit, -fixed_fees) / (1.0 + fees)
        if max_req_cash <= 0:
            return cash, position, 0.0, adj_price, 0.0
        final_size = max_req_cash / adj_price
        fees_paid = cash_limit - max_req_cash
        final_req_cash = cash_limit
    if is_close_nb(size, 0.0):
        return cash, position, 0.0, adj_price, 0.0
    if not is_close_nb(final_size, min_size) and final_size < min_size:
        return cash, position, 0.0, adj_price, 0.0
    return add_nb(cash, -final_req_cash), add_nb(position, final_size), final_size, adj_price, fees_paid


@njit(cache=True)
def sell_nb(cash: float, position: float, size: float, price: float, fees: float,
            fixed_fees: float, slippage: float, min_size: float) -> tuple[float, float, float, float, float]:
    """Sell `size` shares at `price` less slippage; same return layout as `buy_nb`."""
    adj_price = price * (1.0 - slippage)
    if is_close_nb(size, 0.0):
        return cash, position, 0.0, adj_price, 0.0
    if not is_close_nb(size, min_size) and size < min_size:
        return cash, position, 0.0, adj_price, 0.0
    acq_cash = size * adj_price
    fees_paid = acq_cash * fees + fixed_fees
    final_acq_cash = add_nb(acq_cash, -fees_paid)
    if final_acq_cash < 0:
        return cash, position, 0.0, adj_price, 0.0
    return cash + final_acq_cash, add_nb(position, -size), size, adj_price, fees_paid


@njit(cache=True)
def target_percent_order_nb(cash: float, position: float, weight: float, price: float, val_price: float,
                            value: float, fees: float, fixed_fees: float, slippage: float,
                            min_size: float) -> tuple[float, float, float, float, float, int]:
    """Trade towards `weight` of the group `value`, as vectorbt's `execute_order_nb` does.

    Returns (new_cash, new_position, filled_size, fill_price, fees_paid, side).
    """
    if is_close_nb(cash, 0.0):
        cash = 0.0
    if is_close_nb(position, 0.0):
        position = 0.0
    if is_close_nb(value, 0.0):
        value = 0.0
    if value <= 0 or np.isnan(val_price):
        return cash, position, 0.0, price, 0.0, Side.buy
    order_size = weight * value / val_price - position
    if order_size > 0:
        c, p, s, fp, f = buy_nb(cash, position, order_size, price, fees, fixed_fees, slippage, min_size)
        return c, p, s, fp, f, Side.buy
    c, p, s, fp, f = sell_nb(cash, position, -order_size, price, fees, fixed_fees, slippage, min_size)
    return c, p, s, fp, f, Side.sell


@njit(cache=True)
def _insert_argsort_nb(keys: np.ndarray, idx: np.ndarray, n: int) -> None:
    # vectorbt's insertion argsort: stable, NaN keys sink to the end.
    for j in range(1, n):
        key = keys[j]
        ix = idx[j]
        i = j - 1
        while i >= 0 and (keys[i] > key or np.isnan(keys[i])):
            keys[i + 1] = keys[i]
            idx[i + 1] = idx[i]
            i -= 1
        keys[i + 1] = key
        idx[i + 1] = ix


@njit(cache=True)
def _merge_tail_nb(cols: np.ndarray, n_sorted: int, n: int, scratch: np.ndarray) -> None:
    # cols[:n_sorted] is sorted; sort cols[n_sorted:n] (few) and merge, all in O(n).
    for j in range(n_sorted + 1, n):
        x = cols[j]
        i = j - 1
        while i >= n_sorted and cols[i] > x:
            cols[i + 1] = cols[i]
            i -= 1
        cols[i + 1] = x
    a, b, o = 0, n_sorted, 0
    while a < n_sorted or b < n:
        if b >= n or (a < n_sorted and cols[a] <= cols[b]):
            scratch[o] = cols[a]
            a += 1
        else:
            scratch[o] = cols[b]
            b += 1
        o += 1
    cols[:n] = scratch[:n]


@njit(cache=True)
def _last_valid_row_nb(close: np.ndarray, col: int) -> int:
    for t in range(close.shape[0] - 1, -1, -1):
        if not np.isnan(close[t, col]):
            return t
    return -1


@njit(cache=True)
def _record_nb(orders: np.ndarray, n: int, row: int, col: int, size: float, price: float,
               fees: float, side: int, reason: int) -> int:
    orders[n]["row"] = row
    orders[n]["col"] = col
    orders[n]["size"] = size
    orders[n]["price"] = price
    orders[n]["fees"] = fees
    orders[n]["side"] = side
    orders[n]["reason"] = reason
    return n + 1


@njit(cache=True)
def _value_segment_nb(close, a, b, cash, pos, last_price, last_valid, held, slot, n_held, delist, delist_ret,
                      value, cash_out, orders, n_orders):
    # Closing values of rows [a, b): cash plus each held name at its last known price; a held
    # name whose prices end on row d < last row is sold there (see `simulate_nb`).
    n_rows = close.shape[0]
    for t in range(a, b):
        value[t] = cash
        cash_out[t] = cash
    h = 0
    while h < n_held:
        c = held[h]
        q = pos[c]
        lp = last_price[c]
        d = last_valid[c]
        ends = delist and d >= a and d < b and d < n_rows - 1
        stop = d if ends else b
        # The product is formed once per price change, not fused into the add: numba's parallel
        # build would otherwise use a fused multiply-add where the serial build does not, and
        # a sweep would differ from a single run in the last bit.
        held_value = q * lp
        for t in range(a, stop):
            p = close[t, c]
            if not np.isnan(p):
                lp = p
                held_value = q * lp
            value[t] += held_value
        if not ends:
            last_price[c] = lp
            h += 1
            continue
        lp = close[d, c]
        last_price[c] = lp
        fill = lp * (1.0 + flex_nb(delist_ret, c))
        proceeds = q * fill
        for t in range(d, b):
            value[t] += proceeds
            cash_out[t] += proceeds
        cash += proceeds
        n_orders = _record_nb(orders, n_orders, d, c, q, fill, 0.0, Side.sell, Reason.delisting)
        pos[c] = 0.0
        n_held -= 1
        held[h] = held[n_held]
        slot[held[h]] = h
        slot[c] = -1
    return cash, n_held, n_orders


@njit(cache=True)
def simulate_nb(
    close: np.ndarray,
    reb_rows: np.ndarray,
    reb_ptr: np.ndarray,
    ent_cols: np.ndarray,
    ent_w: np.ndarray,
    close_unlisted: np.ndarray,
    fees: np.ndarray,
    fixed_fees: np.ndarray,
    slippage: np.ndarray,
    init_cash: float,
    min_size: float,
    delist: bool,
    delist_ret: np.ndarray,
):
    """Simulate a long-only, cash-sharing portfolio rebalanced to target weights.

    close: (T, N) prices, NaN where a name does not trade. Rebalance k executes at row
    ``reb_rows[k]`` (strictly increasing) with targets ``ent_cols[reb_ptr[k]:reb_ptr[k+1]]``
    (sorted, distinct) and weights ``ent_w[...]`` as fractions of the portfolio value at that
    row's close. A held name not named keeps its shares, unless ``close_unlisted[k]``, which
    sells it. A name whose price is NaN on the row is not traded that day. Orders run in
    vectorbt's auto call sequence (by approximate order value, sells first). If `delist`, a
    held name whose prices end before the last row is sold at its last close times
    ``1 + delist_ret[col]`` (no fees) on that row.

    Returns (value, cash, fees_paid, orders, status, bad_row, bad_col) with daily arrays of
    length T and the filled orders as `order_dt` records. `status` is `Status.bad_price`
    (and nothing else is meaningful) when a name had to trade at a non-finite or
    non-positive price.
    """
    n_rows, n_cols = close.shape
    value = np.empty(n_rows)
    cash_out = np.empty(n_rows)
    fees_out = np.zeros(n_rows)
    orders = np.empty(2 * ent_cols.shape[0] + 1, dtype=order_dt)
    n_orders = 0

    pos = np.zeros(n_cols)
    last_price = np.full(n_cols, np.nan)
    last_valid = np.full(n_cols, -2, dtype=np.int64)
    held = np.empty(n_cols, dtype=np.int64)
    slot = np.full(n_cols, -1, dtype=np.int64)
    n_held = 0
    target = np.full(n_cols, np.nan)

    max_part = n_cols
    part_col = np.empty(max_part, dtype=np.int64)
    part_key = np.empty(max_part)
    part_idx = np.empty(max_part, dtype=np.int64)

    cash = float(init_cash)
    n_reb = reb_rows.shape[0]
    seg = 0  # first row not yet valued
    for k in range(n_reb + 1):
        # Value rows [seg, stop) where nothing is traded: each held name's prices are read as
        # one contiguous run (no day-by-day hop across the universe), delistings included.
        stop = reb_rows[k] if k < n_reb else n_rows
        cash, n_held, n_orders = _value_segment_nb(
            close, seg, stop, cash, pos, last_price, last_valid, held, slot, n_held, delist, delist_ret,
            value, cash_out, orders, n_orders,
        )
        if k == n_reb:
            break
        t = stop
        seg = t
        lo = reb_ptr[k]
        hi = reb_ptr[k + 1]
        # Valuation prices at this row: close if it trades, else the last known price.
        value_now = cash
        for h in range(n_held):
            c = held[h]
            p = close[t, c]
            if not np.isnan(p):
                last_price[c] = p
            value_now += pos[c] * last_price[c]
        # Participants: named names (and held names, when unlisted ones are closed)
        # that trade today and would change.
        for e in range(lo, hi):
            target[ent_cols[e]] = ent_w[e]
        n_part = 0
        for e in range(lo, hi):
            c = ent_cols[e]
            if np.isnan(close[t, c]) or (pos[c] == 0.0 and ent_w[e] == 0.0):
                continue
            part_col[n_part] = c
            n_part += 1
        n_named = n_part  # sorted by column, as the entries are
        if close_unlisted[k]:
            for h in range(n_held):
                c = held[h]
                if np.isnan(target[c]) and not np.isnan(close[t, c]):
                    target[c] = 0.0
                    part_col[n_part] = c
                    n_part += 1
            _merge_tail_nb(part_col, n_named, n_part, part_idx)
        for j in range(n_part):
            c = part_col[j]
            p = close[t, c]
            if not (p > 0.0 and p < np.inf):
                return value, cash_out, fees_out, orders[:n_orders], Status.bad_price, t, c
            part_key[j] = target[c] * value_now - pos[c] * p
            part_idx[j] = c
        _insert_argsort_nb(part_key, part_idx, n_part)
        for j in range(n_part):
            c = part_idx[j]
            p = close[t, c]
            was_held = pos[c] != 0.0
            cash, new_pos, size, fill, paid, side = target_percent_order_nb(
                cash, pos[c], target[c], p, p, value_now,
                flex_nb(fees, c), flex_nb(fixed_fees, c), flex_nb(slippage, c), min_size,
            )
            pos[c] = new_pos
            if size > 0.0:
                n_orders = _record_nb(orders, n_orders, t, c, size, fill, paid, side, Reason.rebalance)
                fees_out[t] += paid
                last_price[c] = p
            if new_pos != 0.0 and not was_held:
                slot[c] = n_held
                held[n_held] = c
                n_held += 1
                if delist and last_valid[c] == -2:
                    last_valid[c] = _last_valid_row_nb(close, c)
            elif new_pos == 0.0 and was_held:
                s = slot[c]
                n_held -= 1
                held[s] = held[n_held]
                slot[held[s]] = s
                slot[c] = -1
        for e in range(lo, hi):
            target[ent_cols[e]] = np.nan
        for j in range(n_part):
            target[part_col[j]] = np.nan
    return value, cash_out, fees_out, orders[:n_orders], Status.ok, -1, -1
