"""The one place that turns a config into a market and a run: load, replay, screen, write.

The CLI's `run`, `screen`, `demo` and `tune`, the examples and the figures script all go
through these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from hedgeclone.data.market import Market, load_market
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.errors import DataError, InputError
from hedgeclone.strategies.config import BacktestConfig, DataConfig, RunConfig
from hedgeclone.strategies.consensus import HedgeFundConsensus
from hedgeclone.strategies.view import PointInTimeView

if TYPE_CHECKING:
    from hedgeclone.backtest.engine import Execution
    from hedgeclone.backtest.replay import StrategyRun

# The engine (numba), the replay and the run directory load where they are used, so that a
# screen, which needs none of them, does not pay for their imports.

__all__ = ["demo_config", "execution_of", "load_config_market", "run_start", "run_config", "write_config_run", "market_fingerprint", "screen_config", "risk_free_rate"]


def demo_config(*, top_n: int = 14, fees: float = 0.001, stocks: int = 3000, filers: int = 300,
                seed: int = 7) -> RunConfig:
    """The config of `hedgeclone demo`: the hedge-fund consensus of the top `top_n` on the demo market."""
    return RunConfig(strategy=HedgeFundConsensus(top_n=top_n), backtest=BacktestConfig(fees=fees),
                     data=DataConfig(source="demo", stocks=stocks, filers=filers, seed=seed))


def load_config_market(config: RunConfig, store: Store | None = None) -> Market:
    """The market a config names (demo or store), with its benchmarks."""
    d, b = config.data, config.backtest
    store = store or (Store(d.store) if d.store else None)
    return load_market(d.source, store=store, benchmarks=b.benchmarks, start=b.start, end=b.end,
                       stocks=d.stocks, filers=d.filers, seed=d.seed)


def run_start(config: RunConfig, market: Market) -> pd.Timestamp | None:
    """The config's start; without one, a strategy built on 13F data starts once the first filing is
    public: the session after its filing date (a filing is known from the next session)."""
    start = config.backtest.start
    if start is not None:
        return pd.Timestamp(start)
    if config.strategy.uses_13f and market.holdings is not None and len(market.holdings):
        calendar = market.close.index
        after = calendar[calendar > market.holdings["filed"].min()]
        return after[0] if len(after) else calendar[-1]
    return None


def execution_of(config: RunConfig) -> Execution:
    """The `Execution` of the config's [backtest] section: costs, cash, lag and the execution models it turns on."""
    from hedgeclone.backtest.engine import Execution
    from hedgeclone.backtest.engine.models import (
        CashYield,
        NextOpen,
        SquareRootImpact,
        VolumeCap,
        WholeShares,
    )

    b = config.backtest
    yield_file = _yield_series(config, "cash_yield") if b.cash_yield is not None else None
    return Execution(
        fees=b.fees, fixed_fees=b.fixed_fees, slippage=b.slippage, init_cash=b.init_cash, lag=b.lag,
        cap=VolumeCap(b.participation) if b.participation is not None else None,
        impact=SquareRootImpact(b.impact, b.impact_window) if b.impact > 0 else None,
        fills=NextOpen() if b.fill == "open" else None,
        shares=WholeShares(b.lot, b.min_order_value) if b.lot > 0 or b.min_order_value > 0 else None,
        cash_yield=CashYield.from_yield(yield_file, source=b.cash_yield) if yield_file is not None else None,
    )


def run_config(config: RunConfig, market: Market, on_decision: Callable[[int, int], None] | None = None,
               execution: Execution | None = None) -> StrategyRun:
    """Replay the config's strategy on `market` with its window and `execution` (default: `execution_of(config)`)."""
    from hedgeclone.backtest.replay import run_strategy

    b = config.backtest
    require_holdings(config, market)
    return run_strategy(
        config.strategy, market, start=run_start(config, market), end=pd.Timestamp(b.end) if b.end else None,
        execution=execution or execution_of(config), delisting_returns=market.delisting_returns,
        on_decision=on_decision,
    )


def require_holdings(config: RunConfig, market: Market) -> None:
    """Refuse a strategy that reads 13F holdings on a market without them."""
    if config.strategy.uses_13f and market.holdings is None:
        raise InputError(f"{config.strategy.kind} needs 13F holdings, but the data source has none; "
                         "import them with `hedgeclone data 13f import`")


def risk_free_rate(config: RunConfig, index: pd.DatetimeIndex) -> pd.Series | float:
    """The daily risk-free rate on `index` from the config's yield file (0 without one)."""
    if config.backtest.risk_free is None:
        return 0.0
    series = _yield_series(config, "risk_free")
    if series.loc[: index[0]].empty:
        raise InputError(f"backtest.risk_free: {_yield_file(config, 'risk_free')} starts after the run "
                         f"({index[0].date()})")
    from hedgeclone.backtest.metrics import risk_free_from_yield

    return risk_free_from_yield(series, index=index)


def _yield_file(config: RunConfig, key: str) -> Path:
    path = getattr(config.backtest, key)
    base = config.path.parent if config.path is not None else Path.cwd()
    return Path(path) if Path(path).is_absolute() else base / path


def _yield_series(config: RunConfig, key: str) -> pd.Series:
    """The annual yield in percent of the CSV (Date,Close, like Yahoo's ^IRX) that `backtest.<key>` names."""
    file = _yield_file(config, key)
    try:
        frame = pd.read_csv(file, parse_dates=["Date"], index_col="Date")
        series = frame["Close"]
    except FileNotFoundError:
        raise InputError(f"backtest.{key}: no such file {file}") from None
    except (KeyError, ValueError) as exc:
        raise InputError(f"backtest.{key}: {file} needs Date and Close columns ({exc})") from None
    if not isinstance(series.index, pd.DatetimeIndex) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(f"backtest.{key}: {file} needs dates in Date and numbers in Close")
    return series.dropna()


def market_fingerprint(market: Market, threads: int = 2) -> str:
    """The data fingerprint a run directory records for `market`: its closes, benchmarks and 13F holdings
    (`backtest.run.data_fingerprint`, hashing on `threads` threads)."""
    from hedgeclone.backtest.run import data_fingerprint

    return data_fingerprint(market.close, market.benchmarks,
                            *([market.holdings] if market.holdings is not None else []), threads=threads)


def write_config_run(out: Path, config: RunConfig, market: Market, run: StrategyRun,
                     fingerprint: str | None = None) -> Path:
    """Write the run directory of `run` (metrics, values, holdings, trades, report.html); `fingerprint`
    is `market_fingerprint(market)`, computed here unless the caller has it."""
    from hedgeclone.backtest.rundir import write_run

    data = run.to_run_data(config=config.to_dict(), fingerprint=fingerprint or market_fingerprint(market))
    return write_run(out, data, risk_free=risk_free_rate(config, run.result.index))


def screen_config(config: RunConfig, market: Market, as_of) -> pd.DataFrame:
    """Every name the strategy finds eligible on `as_of`, ranked: rank, ticker, score, market_cap, ...

    ``attrs["notes"]`` holds what the strategy's steps said (e.g. names left out for suspect prices)."""
    date = pd.Timestamp(as_of)
    calendar = market.close.index
    if date < calendar[0] or date > calendar[-1]:
        raise InputError(f"--as-of {date.date()} lies outside the data ({calendar[0].date()}..{calendar[-1].date()})")
    index = HoldingsIndex(market.holdings) if market.holdings is not None else None
    view = PointInTimeView(market, date, index)
    picks = config.strategy.rank(view)
    table = picks.table().drop(columns=["weight"])
    if "market_cap" not in table.columns:
        try:
            table["market_cap"] = table["ticker"].map(view.market_cap()).to_numpy()
        except DataError:  # no shares outstanding in this data
            table["market_cap"] = float("nan")
    front = ["rank", "ticker", "score", "market_cap"]
    out = table[front + [c for c in table.columns if c not in front]]
    out.attrs["notes"] = tuple(picks.notes)
    return out
