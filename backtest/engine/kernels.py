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

from hedgeclone.backtest.engine.records import (
    ExecutionArrays,
    OrderResult,
    Reason,
    ScheduleArrays,
    Side,
    SimulationOutput,
    Status,
    order_dt,
)

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
           fixed_fees: float, slippage: float, min_size: float) -> OrderResult:
    """Buy `size` shares at `price` plus slippage, partially if cash runs short.

    `fees` is a rate on traded value and `fixed_fees` an amount per fill. The result's `size`
    is 0 (and the account unchanged) when the order is ignored or rejected: no cash, cannot
    cover the fees, or below `min_size`.
    """
    adj_price = price * (1.0 + slippage)
    cash_limit = cash
    if cash_limit == 0:
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.buy)
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
            return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.buy)
        final_size = max_req_cash / adj_price
        fees_paid = cash_limit - max_req_cash
        final_req_cash = cash_limit
    if is_close_nb(size, 0.0):
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.buy)
    if not is_close_nb(final_size, min_size) and final_size < min_size:
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.buy)
    return OrderResult(add_nb(cash, -final_req_cash), add_nb(position, final_size), final_size, adj_price,
                       fees_paid, Side.buy)


@njit(cache=True)
def sell_nb(cash: float, position: float, size: float, price: float, fees: float,
            fixed_fees: float, slippage: float, min_size: float) -> OrderResult:
    """Sell `size` shares at `price` less slippage; `size` 0 in the result when rejected, as in `buy_nb`."""
    adj_price = price * (1.0 - slippage)
    if is_close_nb(size, 0.0):
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.sell)
    if not is_close_nb(size, min_size) and size < min_size:
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.sell)
    acq_cash = size * adj_price
    fees_paid = acq_cash * fees + fixed_fees
    final_acq_cash = add_nb(acq_cash, -fees_paid)
    if final_acq_cash < 0:
        return OrderResult(cash, position, 0.0, adj_price, 0.0, Side.sell)
    return OrderResult(cash + final_acq_cash, add_nb(position, -size), size, adj_price, fees_paid, Side.sell)


@njit(cache=True)
def target_percent_order_nb(cash: float, position: float, weight: float, price: float, val_price: float,
                            value: float, fees: float, fixed_fees: float, slippage: float,
                            min_size: float) -> OrderResult:
    """Trade towards `weight` of the group `value`, as vectorbt's `execute_order_nb` does."""
    if is_close_nb(cash, 0.0):
        cash = 0.0
    if is_close_nb(position, 0.0):
        position = 0.0
    if is_close_nb(value, 0.0):
        value = 0.0
    if value <= 0 or np.isnan(val_price):
        return OrderResult(cash, position, 0.0, price, 0.0, Side.buy)
    order_size = weight * value / val_price - position
    if order_size > 0:
        return buy_nb(cash, position, order_size, price, fees, fixed_fees, slippage, min_size)
    return sell_nb(cash, position, -order_size, price, fees, fixed_fees, slippage, min_size)


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
def _record_nb(orders: np.ndarray, n_orders: int, row: int, col: int, size: float, price: float,
               fees_paid: float, side: int, reason: int) -> int:
    """Write fill number `n_orders` into the preallocated `orders` records; return the next number."""
    orders[n_orders]["row"] = row
    orders[n_orders]["col"] = col
    orders[n_orders]["size"] = size
    orders[n_orders]["price"] = price
    orders[n_orders]["fees_paid"] = fees_paid
    orders[n_orders]["side"] = side
    orders[n_orders]["reason"] = reason
    return n_orders + 1


@njit(cache=True)
def _value_segment_nb(close: np.ndarray, start_row: int, stop_row: int, cash: float, position: np.ndarray,
                      last_price: np.ndarray, last_valid_row: np.ndarray, held: np.ndarray,
                      held_slot: np.ndarray, n_held: int, delisting: bool, delisting_returns: np.ndarray,
                      value_out: np.ndarray, cash_out: np.ndarray, orders: np.ndarray,
                      n_orders: int) -> tuple[float, int, int]:
    """Write the closing value and cash of rows ``[start_row, stop_row)``, on which nothing is traded.

    The value of a row is `cash` plus each held column (``held[:n_held]``, with ``held_slot[col]``
    its place in that list, -1 when not held) at its last known price: ``position[col]`` shares
    times the latest positive, finite close (NaN, zero, negative and infinite closes are
    missing: the last price stands), starting from ``last_price[col]``. Each held column's prices
    are read as one contiguous run, not day by day across the universe.

    With `delisting`, a held column whose prices end on a row d of the segment before the
    calendar's last row (``last_valid_row[col]``) is sold on row d at its last close times
    ``1 + delisting_returns[col]``, without fees: the sale is recorded in `orders` (from number
    `n_orders`), its proceeds join the cash from row d on, and the column leaves the held list.

    Updates `position`, `last_price`, `held` and `held_slot` in place. Returns the cash after
    the segment, the number of held columns and the number of orders recorded.
    """
    n_rows = close.shape[0]
    for t in range(start_row, stop_row):
        value_out[t] = cash
        cash_out[t] = cash
    h = 0
    while h < n_held:
        col = held[h]
        shares = position[col]
        price = last_price[col]
        last_row = last_valid_row[col]
        ends = delisting and last_row >= start_row and last_row < stop_row and last_row < n_rows - 1
        stop = last_row if ends else stop_row
        # The product is formed once per price change, not fused into the add: numba's parallel
        # build would otherwise use a fused multiply-add where the serial build does not, and
        # a sweep would differ from a single run in the last bit.
        held_value = shares * price
        for t in range(start_row, stop):
            p = close[t, col]
            if p > 0.0 and p < np.inf:  # NaN, zero, negative or infinite: the last price stands
                price = p
                held_value = shares * price
            value_out[t] += held_value
        if not ends:
            last_price[col] = price
            h += 1
            continue
        price = close[last_row, col]
        last_price[col] = price
        fill = price * (1.0 + flex_nb(delisting_returns, col))
        proceeds = shares * fill
        for t in range(last_row, stop_row):
            value_out[t] += proceeds
            cash_out[t] += proceeds
        cash += proceeds
        n_orders = _record_nb(orders, n_orders, last_row, col, shares, fill, 0.0, Side.sell, Reason.delisting)
        position[col] = 0.0
        n_held -= 1
        held[h] = held[n_held]
        held_slot[held[h]] = h
        held_slot[col] = -1
    return cash, n_held, n_orders


@njit(cache=True)
def simulate_nb(
    close: np.ndarray,
    schedule: ScheduleArrays,
    execution: ExecutionArrays,
    init_cash: float,
    min_size: float,
    delisting: bool,
    delisting_returns: np.ndarray,
) -> SimulationOutput:
    """Simulate a long-only, cash-sharing portfolio rebalanced to target weights.

    close: (T, N) prices, NaN where a name does not trade. Rebalance k of `schedule` executes
    at row ``rebalance_rows[k]`` with targets ``target_cols[target_offsets[k]:target_offsets[k+1]]``
    at ``target_weights[...]``, fractions of the portfolio value at that row's close (see
    `ScheduleArrays`). A held name not named keeps its shares, unless ``close_unlisted[k]``,
    which sells it. A name whose price is NaN on the row is not traded that day. Orders run in
    vectorbt's auto call sequence (by approximate order value, sells first) and pay the costs of
    `execution` (each read per column with `flex_nb`). If `delisting`, a held name whose prices
    end before the last row is sold at its last close times ``1 + delisting_returns[col]``
    (no fees) on that row.

    Returns a `SimulationOutput`: value, cash and fees paid per row, and the filled orders as
    `order_dt` records; its `status` is `Status.bad_price` (and nothing else is meaningful)
    when a name had to trade at a non-finite or non-positive price.
    """
    rebalance_rows = schedule.rebalance_rows
    target_offsets = schedule.target_offsets
    target_cols = schedule.target_cols
    target_weights = schedule.target_weights
    close_unlisted = schedule.close_unlisted
    n_rows, n_cols = close.shape
    value_out = np.empty(n_rows)
    cash_out = np.empty(n_rows)
    fees_paid_out = np.zeros(n_rows)
    orders = np.empty(2 * target_cols.shape[0] + 1, dtype=order_dt)
    n_orders = 0

    position = np.zeros(n_cols)
    last_price = np.full(n_cols, np.nan)
    last_valid_row = np.full(n_cols, -2, dtype=np.int64)  # -2: not looked up yet
    held = np.empty(n_cols, dtype=np.int64)
    held_slot = np.full(n_cols, -1, dtype=np.int64)
    n_held = 0
    target = np.full(n_cols, np.nan)

    # Participants of one rebalance: the columns that trade, their sort keys and call order.
    part_col = np.empty(n_cols, dtype=np.int64)
    part_key = np.empty(n_cols)
    part_order = np.empty(n_cols, dtype=np.int64)

    cash = float(init_cash)
    n_rebalances = rebalance_rows.shape[0]
    seg = 0  # first row not yet valued
    for k in range(n_rebalances + 1):
        # Value rows [seg, stop) where nothing is traded, delistings included.
        stop = rebalance_rows[k] if k < n_rebalances else n_rows
        cash, n_held, n_orders = _value_segment_nb(
            close, seg, stop, cash, position, last_price, last_valid_row, held, held_slot, n_held, delisting,
            delisting_returns, value_out, cash_out, orders, n_orders,
        )
        if k == n_rebalances:
            break
        t = stop
        seg = t
        lo = target_offsets[k]
        hi = target_offsets[k + 1]
        # Valuation prices at this row: close if it trades, else the last known price.
        value_now = cash
        for h in range(n_held):
            c = held[h]
            p = close[t, c]
            if p > 0.0 and p < np.inf:  # as in `_value_segment_nb`: a bad price values nothing
                last_price[c] = p
            value_now += position[c] * last_price[c]
        # Participants: named names (and held names, when unlisted ones are closed)
        # that trade today and would change.
        for e in range(lo, hi):
            target[target_cols[e]] = target_weights[e]
        n_part = 0
        for e in range(lo, hi):
            c = target_cols[e]
            if np.isnan(close[t, c]) or (position[c] == 0.0 and target_weights[e] == 0.0):
                continue
            part_col[n_part] = c
            n_part += 1
        n_named = n_part  # sorted by column, as the targets are
        if close_unlisted[k]:
            for h in range(n_held):
                c = held[h]
                if np.isnan(target[c]) and not np.isnan(close[t, c]):
                    target[c] = 0.0
                    part_col[n_part] = c
                    n_part += 1
            _merge_tail_nb(part_col, n_named, n_part, part_order)
        for j in range(n_part):
            c = part_col[j]
            p = close[t, c]
            if not (p > 0.0 and p < np.inf):
                return SimulationOutput(value_out, cash_out, fees_paid_out, orders[:n_orders], Status.bad_price, t, c)
            part_key[j] = target[c] * value_now - position[c] * p
            part_order[j] = c
        _insert_argsort_nb(part_key, part_order, n_part)
        for j in range(n_part):
            c = part_order[j]
            p = close[t, c]
            was_held = position[c] != 0.0
            res = target_percent_order_nb(
                cash, position[c], target[c], p, p, value_now,
                flex_nb(execution.fees, c), flex_nb(execution.fixed_fees, c), flex_nb(execution.slippage, c),
                min_size,
            )
            cash = res.cash
            new_position = res.position
            position[c] = new_position
            if res.size > 0.0:
                n_orders = _record_nb(orders, n_orders, t, c, res.size, res.price, res.fees_paid, res.side,
                                      Reason.rebalance)
                fees_paid_out[t] += res.fees_paid
                last_price[c] = p
            if new_position != 0.0 and not was_held:
                held_slot[c] = n_held
                held[n_held] = c
                n_held += 1
                if delisting and last_valid_row[c] == -2:
                    last_valid_row[c] = _last_valid_row_nb(close, c)
            elif new_position == 0.0 and was_held:
                s = held_slot[c]
                n_held -= 1
                held[s] = held[n_held]
                held_slot[held[s]] = s
                held_slot[c] = -1
        for e in range(lo, hi):
            target[target_cols[e]] = np.nan
        for j in range(n_part):
            target[part_col[j]] = np.nan
    return SimulationOutput(value_out, cash_out, fees_paid_out, orders[:n_orders], Status.ok, -1, -1)
