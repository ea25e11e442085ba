"""`simulate`: the one pandas-facing entry point of the engine. Convert once, call the kernel, wrap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.convert import check_close, per_asset, schedule_arrays
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.kernels import simulate_nb
from hedgeclone.backtest.engine.liquidity import Liquidity
from hedgeclone.backtest.engine.model_kernel import simulate_models_nb
from hedgeclone.backtest.engine.records import Status
from hedgeclone.backtest.engine.result import Result
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.errors import InputError

__all__ = ["simulate"]

_DEFAULTS = {name: getattr(Execution(), name) for name in ("fees", "fixed_fees", "slippage", "init_cash", "lag")}


def _is_default(value, default) -> bool:
    if isinstance(value, pd.Series | np.ndarray | bool | np.bool_ | str | bytes):
        return False
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _execution(execution: Execution | None, **keywords) -> Execution:
    if execution is None:
        return Execution(**keywords)
    if not isinstance(execution, Execution):
        raise InputError(f"execution must be an Execution, got {type(execution).__name__}")
    given = [name for name, value in keywords.items() if not _is_default(value, _DEFAULTS[name])]
    if given:
        raise InputError(f"pass {', '.join(given)} inside execution=Execution(...), not beside it")
    return execution


def simulate(
    close: pd.DataFrame,
    weights: pd.DataFrame | Schedule,
    *,
    execution: Execution | None = None,
    fees: float | pd.Series = 0.0,
    fixed_fees: float | pd.Series = 0.0,
    slippage: float | pd.Series = 0.0,
    init_cash: float = 1.0,
    lag: int = 0,
    delisting: bool = False,
    delisting_returns: pd.Series | None = None,
    allow_leverage: bool = False,
    min_size: float = 1e-8,
    liquidity: Liquidity | None = None,
) -> Result:
    """Backtest a long-only portfolio that rebalances to target weights at the close.

    `close` is dates x tickers (NaN where a ticker does not trade). `weights` is either a dense
    frame of the same shape, NaN on rows without a rebalance (vectorbt's convention: a NaN
    cell on a rebalance row leaves that ticker alone), or a sparse `Schedule`. With the
    defaults, ``Result.value`` equals vectorbt's ``Portfolio.from_orders(close, weights,
    size_type="targetpercent", group_by=True, cash_sharing=True, call_seq="auto", fees=...,
    fixed_fees=..., slippage=..., init_cash=...).value()``.

    The costs, cash and lag are given either as the keywords `fees` (a rate), `fixed_fees`,
    `slippage`, `init_cash` and `lag`, or as one `execution=Execution(...)`; not both.

    Beyond that reference: `lag` executes each rebalance that many trading days after its
    date; `delisting` sells a held ticker whose prices end before the last date at its last
    close times ``1 + delisting_returns[ticker]`` (0 where not given), without fees. A ticker
    whose price is NaN on a rebalance day is not traded that day and keeps its last price. A held
    ticker's zero, negative or infinite close on a day it does not trade is missing too (its last
    price stands); where an order must trade at such a price, `InputError` names the date and ticker.

    With execution models on (``execution.models``), the execution-model kernel runs instead
    (`model_kernel.simulate_models_nb`): orders may fill over several sessions, and the trades
    say which order each fill belongs to. The volume cap and impact read `liquidity`'s dollar
    volume, fills at the open its open prices (`Liquidity.of(market)` builds it from a market);
    a model whose data is missing raises `InputError`.
    """
    execution = _execution(execution, fees=fees, fixed_fees=fixed_fees, slippage=slippage,
                           init_cash=init_cash, lag=lag)
    check_close(close)
    arrays = schedule_arrays(weights, close, lag=execution.lag, allow_leverage=allow_leverage)
    costs = execution.per_asset(close.columns)
    prices = close.to_numpy(dtype=np.float64)
    returns_at_delisting = np.zeros(1) if delisting_returns is None else per_asset(
        "delisting_returns", delisting_returns, close.columns, lower=-1.0
    )
    if execution.models:
        params = execution.model_params()
        rate = execution.cash_yield.on(close.index) if execution.cash_yield is not None else None
        impact_window = execution.impact.window if execution.impact is not None else 0
        needs_market = params.participation < np.inf or impact_window > 0 or params.at_open
        if needs_market and liquidity is None:
            raise InputError(f"{', '.join(map(repr, execution.models))} need(s) market data: pass "
                             "liquidity=Liquidity.of(market) (volume and open prices)")
        source = liquidity if needs_market else Liquidity(close=close)
        market = source.arrays(close.index, close.columns, arrays.target_cols, cap=params.participation < np.inf,
                               impact_window=impact_window, at_open=params.at_open, rate=rate)
        output = simulate_models_nb(prices, arrays, costs, execution.init_cash, float(min_size), bool(delisting),
                                    returns_at_delisting, params, market)
    else:
        output = simulate_nb(prices, arrays, costs, execution.init_cash, float(min_size), bool(delisting),
                             returns_at_delisting)
    if output.status == Status.bad_price:
        row, col = output.bad_row, output.bad_col
        raise InputError(
            f"price of {close.columns[col]!r} on {close.index[row].date()} is "
            f"{prices[row, col]!r}, but an order must trade there (prices must be finite and > 0)"
        )
    return Result(close=close, output=output, execution=execution)
