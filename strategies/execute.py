"""Run a `RunConfig` end to end: load its market, replay its strategy, write its run directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hedgeclone.data.market import Market, load_market
from hedgeclone.data.store import Store
from hedgeclone.errors import DataError, InputError
from hedgeclone.strategies.config import RunConfig
from hedgeclone.strategies.runner import StrategyRun, run_strategy
from hedgeclone.strategies.view import PointInTimeView

__all__ = ["load_config_market", "run_config", "write_config_run", "screen_config"]


def load_config_market(config: RunConfig, store: Store | None = None) -> Market:
    """The market a config names (demo or store), with its benchmarks."""
    d, b = config.data, config.backtest
    store = store or (Store(d.store) if d.store else None)
    return load_market(d.source, store=store, benchmarks=b.benchmarks, start=b.start, end=b.end,
                       stocks=d.stocks, filers=d.filers, seed=d.seed)


def _start(config: RunConfig, market: Market) -> pd.Timestamp | None:
    # Without a start, a strategy built on 13F data starts once the first filing is public.
    start = config.backtest.start
    if start is not None:
        return pd.Timestamp(start)
    if config.strategy.uses_13f and market.holdings is not None and len(market.holdings):
        return max(market.close.index[0], market.holdings["filed"].min())
    return None


def run_config(config: RunConfig, market: Market, on_decision: Callable[[int, int], None] | None = None) -> StrategyRun:
    """Replay the config's strategy on `market` with its costs, lag and window."""
    b = config.backtest
    if config.strategy.uses_13f and market.holdings is None:
        raise InputError(f"{config.strategy.kind} needs 13F holdings, but the data source has none; "
                         "import them with `hedgeclone data 13f import`")
    return run_strategy(
        config.strategy, market, start=_start(config, market), end=pd.Timestamp(b.end) if b.end else None,
        fees=b.fees, fixed_fees=b.fixed_fees, slippage=b.slippage, init_cash=b.init_cash, lag=b.lag,
        delisting_returns=market.delisting_returns, on_decision=on_decision,
    )


def risk_free_rate(config: RunConfig, index: pd.DatetimeIndex) -> pd.Series | float:
    """The daily risk-free rate on `index` from the config's yield file (0 without one)."""
    path = config.backtest.risk_free
    if path is None:
        return 0.0
    from hedgeclone.backtest.metrics import risk_free_from_yield

    base = config.path.parent if config.path is not None else Path.cwd()
    file = Path(path) if Path(path).is_absolute() else base / path
    try:
        frame = pd.read_csv(file, parse_dates=["Date"], index_col="Date")
        series = frame["Close"]
    except FileNotFoundError:
        raise InputError(f"backtest.risk_free: no such file {file}") from None
    except (KeyError, ValueError) as exc:
        raise InputError(f"backtest.risk_free: {file} needs Date and Close columns ({exc})") from None
    if series.loc[: index[0]].empty:
        raise InputError(f"backtest.risk_free: {file} starts after the run ({index[0].date()})")
    return risk_free_from_yield(series.dropna(), index=index)


def write_config_run(out: Path, config: RunConfig, market: Market, run: StrategyRun) -> Path:
    """Write the run directory of `run` (metrics, values, holdings, trades, report.html)."""
    from hedgeclone.backtest.rundir import build_run, data_fingerprint, holdings_from_picks, write_run

    data = build_run(
        run.strategy.name, run.result, benchmarks=market.benchmarks, config=config.to_dict(),
        caveats=list(market.caveats), notes=run.notes,
        holdings=holdings_from_picks(run.picks, market.issuers),
        fingerprint=data_fingerprint(market.close, market.benchmarks,
                                     *([market.holdings] if market.holdings is not None else [])),
    )
    return write_run(out, data, risk_free=risk_free_rate(config, run.result.index))


def screen_config(config: RunConfig, market: Market, as_of) -> pd.DataFrame:
    """Every name the strategy finds eligible on `as_of`, ranked: rank, ticker, score, market_cap, ..."""
    date = pd.Timestamp(as_of)
    calendar = market.close.index
    if date < calendar[0] or date > calendar[-1]:
        raise InputError(f"--as-of {date.date()} lies outside the data ({calendar[0].date()}..{calendar[-1].date()})")
    from hedgeclone.data.thirteenf.index import HoldingsIndex

    index = HoldingsIndex(market.holdings) if market.holdings is not None else None
    view = PointInTimeView(market, date, index)
    table = config.strategy.rank(view).table().drop(columns=["weight"])
    if "market_cap" not in table.columns:
        try:
            table["market_cap"] = table["ticker"].map(view.market_cap()).to_numpy()
        except DataError:  # no shares outstanding in this data
            table["market_cap"] = float("nan")
    front = ["rank", "ticker", "score", "market_cap"]
    return table[front + [c for c in table.columns if c not in front]]
