"""The execution-model kernel: orders that fill over several sessions under a volume cap, pay a
square-root market impact, fill at the open, come in whole shares or lots, and idle cash that
earns a yield.

`simulate_nb` (the vectorbt reference) stays untouched; `simulate` calls this kernel only when
one of the models is on. Its order arithmetic reuses the reference's `buy_nb` and `sell_nb`, so
with no cap binding, no impact, close fills, fractional shares and no yield it gives the
reference's values (a test holds it to that). It is sparse like the reference: each session
touches the held names and the names with an unfilled order, never the whole universe.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from hedgeclone.backtest.engine.kernels import (
    _insert_argsort_nb,
    _last_valid_row_nb,
    _merge_tail_nb,
    buy_nb,
    flex_nb,
    is_close_nb,
    sell_nb,
)
from hedgeclone.backtest.engine.records import (
    ExecutionArrays,
    MarketArrays,
    ModelOutput,
    ModelParams,
    Reason,
    ScheduleArrays,
    Side,
    Status,
    fill_dt,
    placed_dt,
)

MAX_IMPACT = 0.99  # the square-root law stops meaning anything long before an order moves the price 100%


@njit(cache=True)
def _valid_nb(p: float) -> bool:
    return p > 0.0 and p < np.inf


@njit(cache=True)
def _fill_price_nb(close: np.ndarray, market: MarketArrays, at_open: bool, t: int, col: int) -> float:
    """The price an order of `col` fills at on row `t`: the open where asked for and valid, else the close."""
    if at_open:
        s = market.slot[col]
        if s >= 0:
            p = market.open[t, s]
            if _valid_nb(p):
                return p
    return close[t, col]


@njit(cache=True)
def _grow_nb(orders: np.ndarray, n_orders: int) -> np.ndarray:
    if n_orders < orders.shape[0]:
        return orders
    bigger = np.empty(2 * orders.shape[0] + 16, dtype=orders.dtype)
    bigger[:n_orders] = orders[:n_orders]
    return bigger


@njit(cache=True)
def impact_nb(k: float, volatility: float, value: float, adv: float) -> float:
    """The square-root impact as a fraction of the price: ``k x volatility x sqrt(value / adv)``, at most 0.99.

    NaN when it cannot be known (no volatility, or no positive average dollar volume).
    """
    if not (adv > 0.0) or np.isnan(volatility):
        return np.nan
    frac = k * volatility * np.sqrt(value / adv)
    return min(frac, MAX_IMPACT)


@njit(cache=True)
def _lots_nb(shares: float, lot: float) -> float:
    # Whole lots not above `shares` (a hair of rounding slack so 300.0000000001 lots stay 300).
    return np.floor(shares / lot + 1e-9) * lot


@njit(cache=True)
def _hold_nb(held: np.ndarray, held_slot: np.ndarray, n_held: int, col: int) -> int:
    """Append `col` to the held list; return the new count."""
    held_slot[col] = n_held
    held[n_held] = col
    return n_held + 1


@njit(cache=True)
def _release_nb(held: np.ndarray, held_slot: np.ndarray, n_held: int, col: int) -> int:
    """Remove `col` from the held list (the last one takes its place); return the new count."""
    s = held_slot[col]
    n_held -= 1
    held[s] = held[n_held]
    held_slot[held[s]] = s
    held_slot[col] = -1
    return n_held


@njit(cache=True)
def _still_open_nb(active: np.ndarray, n_active: int, pending: np.ndarray) -> int:
    """Keep in `active` only the columns with shares still pending; return how many."""
    kept = 0
    for a in range(n_active):
        c = active[a]
        if pending[c] != 0.0:
            active[kept] = c
            kept += 1
    return kept


@njit(cache=True)
def simulate_models_nb(
    close: np.ndarray,
    schedule: ScheduleArrays,
    execution: ExecutionArrays,
    init_cash: float,
    min_size: float,
    delisting: bool,
    delisting_returns: np.ndarray,
    params: ModelParams,
    market: MarketArrays,
) -> ModelOutput:
    """Simulate the portfolio of `simulate_nb` with the execution models of `params` on `market`.

    Rebalance k places, at row ``rebalance_rows[k]``, one order per target (and per held name
    it does not name, when ``close_unlisted[k]``): the shares that bring the name to its target
    weight of the portfolio value at the fill prices of that row, in whole `lot`s when ``lot >
    0``; an order worth less than `min_order_value` is not placed unless it closes the position.
    A rebalance cancels every order still open. Each session, open orders trade in vectorbt's auto
    call order (sells first), each at most ``participation x`` the day's dollar volume (NaN or
    zero volume: nothing), at the open (``at_open``, where valid) or the close, worse by slippage
    and by the impact ``impact x volatility x sqrt(fill value / adv)`` (`impact_nb`; a session
    whose impact is unknown trades nothing); a buy never spends more cash than there is. What is
    left carries to the next session. Before each row but the first the cash held overnight earns
    ``rate[t]``. Delistings are as in `simulate_nb`, on the row the prices end (after its trades),
    and cancel the name's open order.

    Returns a `ModelOutput`; its orders are `fill_dt` records (which order each fill belongs to,
    its size, and the impact paid). `status` is `Status.bad_price` when an order had to be placed
    at a non-finite or non-positive price (``bad_row``, ``bad_col`` say where).
    """
    rebalance_rows = schedule.rebalance_rows
    target_offsets = schedule.target_offsets
    target_cols = schedule.target_cols
    target_weights = schedule.target_weights
    close_unlisted = schedule.close_unlisted
    n_rows, n_cols = close.shape
    value_out = np.empty(n_rows)
    cash_out = np.empty(n_rows)
    fees_out = np.zeros(n_rows)
    impact_out = np.zeros(n_rows)
    interest_out = np.zeros(n_rows)
    orders = np.empty(2 * target_cols.shape[0] + 16, dtype=fill_dt)
    n_orders = 0

    position = np.zeros(n_cols)
    last_price = np.full(n_cols, np.nan)
    last_valid_row = np.full(n_cols, -2, dtype=np.int64)
    held = np.empty(n_cols, dtype=np.int64)
    held_slot = np.full(n_cols, -1, dtype=np.int64)
    n_held = 0
    target = np.full(n_cols, np.nan)
    pending = np.zeros(n_cols)  # signed shares still to trade
    ordered = np.zeros(n_cols)  # the open order's whole size (shares, > 0)
    order_row = np.full(n_cols, -1, dtype=np.int64)
    active = np.empty(n_cols, dtype=np.int64)  # columns with an open order
    n_active = 0
    part_col = np.empty(n_cols, dtype=np.int64)
    part_key = np.empty(n_cols)
    part_order = np.empty(n_cols, dtype=np.int64)
    exec_price = np.full(n_cols, np.nan)
    order_key = np.zeros(n_cols)
    order_id = np.full(n_cols, -1, dtype=np.int64)
    short = np.zeros(n_cols, dtype=np.bool_)  # a buy cash cut short today
    placed = np.empty(target_cols.shape[0] + 16, dtype=placed_dt)
    n_placed = 0

    cap = params.participation
    k_impact = params.impact
    lot = params.lot
    has_rate = market.rate.shape[0] == n_rows
    cash = float(init_cash)
    k = 0
    n_rebalances = rebalance_rows.shape[0]
    for t in range(n_rows):
        if t > 0 and has_rate and cash > 0.0:
            earned = cash * market.rate[t]
            if earned == earned:  # NaN rate: nothing earned
                cash += earned
                interest_out[t] = earned
        if k < n_rebalances and rebalance_rows[k] == t:
            # Cancel what the last rebalance left open, then place this one's orders.
            for a in range(n_active):
                pending[active[a]] = 0.0
            n_active = 0
            value_now = cash
            for h in range(n_held):
                c = held[h]
                p = _fill_price_nb(close, market, params.at_open, t, c)
                if not _valid_nb(p):
                    p = last_price[c]
                value_now += position[c] * p
            lo = target_offsets[k]
            hi = target_offsets[k + 1]
            for e in range(lo, hi):
                target[target_cols[e]] = target_weights[e]
            n_part = 0
            for e in range(lo, hi):
                c = target_cols[e]
                if np.isnan(close[t, c]) or (position[c] == 0.0 and target_weights[e] == 0.0):
                    continue
                part_col[n_part] = c
                n_part += 1
            n_named = n_part
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
                p = _fill_price_nb(close, market, params.at_open, t, c)
                if not _valid_nb(p):
                    return ModelOutput(value_out, cash_out, fees_out, orders[:n_orders], Status.bad_price, t, c,
                                       impact_out, interest_out, placed[:n_placed])
                goal = target[c] * value_now / p if value_now > 0.0 else position[c]
                if lot > 0.0 and target[c] > 0.0:
                    goal = _lots_nb(goal, lot)
                size = goal - position[c]
                exits = target[c] == 0.0
                if is_close_nb(size, 0.0) or (not exits and abs(size) * p < params.min_order_value):
                    continue
                pending[c] = size
                # The reference's sort key, so that ties (equal targets) keep the reference's order.
                order_key[c] = target[c] * value_now - position[c] * p
                ordered[c] = abs(size)
                order_row[c] = t
                placed = _grow_nb(placed, n_placed)
                q = placed[n_placed]
                q["row"] = t
                q["col"] = c
                q["side"] = Side.buy if size > 0 else Side.sell
                q["ordered"] = abs(size)
                q["price"] = p
                q["filled"] = 0.0
                q["value"] = 0.0
                q["last_row"] = -1
                order_id[c] = n_placed
                n_placed += 1
                active[n_active] = c
                n_active += 1
            for e in range(lo, hi):
                target[target_cols[e]] = np.nan
            for j in range(n_part):
                target[part_col[j]] = np.nan
            k += 1
        if n_active:
            # Today's fills: sells first, by signed order value, as the reference's call sequence.
            for a in range(n_active):
                c = active[a]
                exec_price[c] = _fill_price_nb(close, market, params.at_open, t, c)
                part_key[a] = order_key[c] if order_row[c] == t else pending[c] * exec_price[c]
                part_order[a] = c
            _insert_argsort_nb(part_key, part_order, n_active)
            for a in range(n_active):
                c = part_order[a]
                p = exec_price[c]
                if not _valid_nb(p):
                    continue  # no price today: the order waits
                want = abs(pending[c])
                if cap < np.inf:
                    s = market.slot[c]
                    dv = market.dollar_volume[t, s]
                    room = cap * dv / p if dv > 0.0 else 0.0
                    if room < want:
                        want = _lots_nb(room, lot) if lot > 0.0 else room
                if want <= 0.0:
                    continue
                frac = 0.0
                if k_impact > 0.0:
                    s = market.slot[c]
                    frac = impact_nb(k_impact, market.volatility[t, s], want * p, market.adv[t, s])
                    if np.isnan(frac):
                        continue  # impact unknown (no trailing history): the order waits
                fees = flex_nb(execution.fees, c)
                fixed = flex_nb(execution.fixed_fees, c)
                slip = flex_nb(execution.slippage, c)
                was_held = position[c] != 0.0
                if pending[c] > 0.0:
                    res = buy_nb(cash, position[c], want, p * (1.0 + frac), fees, fixed, slip, min_size)
                    short[c] = res.size < want
                    if lot > 0.0 and res.size > 0.0 and res.size < want:
                        whole = _lots_nb(res.size, lot)
                        if whole <= 0.0:
                            continue
                        res = buy_nb(cash, position[c], whole, p * (1.0 + frac), fees, fixed, slip, min_size)
                    paid = res.size * p * (1.0 + slip) * frac
                    signed = res.size
                else:
                    res = sell_nb(cash, position[c], want, p * (1.0 - frac), fees, fixed, slip, min_size)
                    paid = res.size * p * (1.0 - slip) * frac
                    signed = -res.size
                if res.size <= 0.0:
                    continue
                cash = res.cash
                position[c] = res.position
                orders = _grow_nb(orders, n_orders)
                o = orders[n_orders]
                o["row"] = t
                o["col"] = c
                o["size"] = res.size
                o["price"] = res.price
                o["fees_paid"] = res.fees_paid
                o["side"] = res.side
                o["reason"] = Reason.rebalance
                o["order_row"] = order_row[c]
                o["ordered"] = ordered[c]
                o["impact_paid"] = paid
                n_orders += 1
                fees_out[t] += res.fees_paid
                impact_out[t] += paid
                q = placed[order_id[c]]
                q["filled"] += res.size
                q["value"] += res.size * res.price
                q["last_row"] = t
                left = pending[c] - signed
                pending[c] = 0.0 if is_close_nb(abs(left), 0.0) or abs(left) < min_size else left
                if position[c] != 0.0 and not was_held:
                    n_held = _hold_nb(held, held_slot, n_held, c)
                    if delisting and last_valid_row[c] == -2:
                        last_valid_row[c] = _last_valid_row_nb(close, c)
                elif position[c] == 0.0 and was_held:
                    n_held = _release_nb(held, held_slot, n_held, c)
            # A buy that cash cut short waits only while sells of its rebalance may still bring cash;
            # once none is open, what cash could not pay for is dropped (as the reference drops it).
            selling = False
            for a in range(n_active):
                if pending[active[a]] < 0.0:
                    selling = True
            for a in range(n_active):
                c = active[a]
                if short[c] and not selling:
                    pending[c] = 0.0
                short[c] = False
            n_active = _still_open_nb(active, n_active, pending)
        # Close: the held names' last valid close; delist those whose prices end here; then value.
        h = 0
        while h < n_held:
            c = held[h]
            p = close[t, c]
            if _valid_nb(p):
                last_price[c] = p
            if not (delisting and last_valid_row[c] == t and t < n_rows - 1):
                h += 1
                continue
            fill = close[t, c] * (1.0 + flex_nb(delisting_returns, c))
            cash += position[c] * fill
            orders = _grow_nb(orders, n_orders)
            o = orders[n_orders]
            o["row"] = t
            o["col"] = c
            o["size"] = position[c]
            o["price"] = fill
            o["fees_paid"] = 0.0
            o["side"] = Side.sell
            o["reason"] = Reason.delisting
            o["order_row"] = t
            o["ordered"] = position[c]
            o["impact_paid"] = 0.0
            n_orders += 1
            position[c] = 0.0
            pending[c] = 0.0
            n_held = _release_nb(held, held_slot, n_held, c)  # held[h] is now the last one: look at it next
        value = cash
        for h in range(n_held):
            c = held[h]
            value += position[c] * last_price[c]
        value_out[t] = value
        cash_out[t] = cash
        if n_active:  # a delisting above may have closed an order
            n_active = _still_open_nb(active, n_active, pending)
    return ModelOutput(value_out, cash_out, fees_out, orders[:n_orders], Status.ok, -1, -1, impact_out,
                       interest_out, placed[:n_placed])
