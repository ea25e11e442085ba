"""`Liquidity`: the market data the execution models read (dollar volume, open prices, volatility).

It holds whole price histories, longer than a backtest's window, so that the trailing volatility
and average dollar volume of the first sessions are known; `arrays` cuts them to a backtest's
calendar and to the few columns its schedule names (the kernels never see the whole universe).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.records import MarketArrays
from hedgeclone.errors import InputError

__all__ = ["Liquidity"]

_NONE2 = np.zeros((1, 1))


@dataclass(frozen=True, eq=False)
class Liquidity:
    """Volume and open prices by date and ticker, with the close they go with.

    - `close`: the close the backtest values at (total return); its daily returns give the volatility;
    - `volume`: shares traded each day (NaN: unknown); times `traded_close` (the price they
      traded at; `close` when None) it gives the day's dollar volume;
    - `open`: the session's open in the units of `close`, or None.

    Nothing is computed until `arrays` asks for a backtest's few columns.
    """

    close: pd.DataFrame
    volume: pd.DataFrame | None = None
    traded_close: pd.DataFrame | None = None
    open: pd.DataFrame | None = None

    @classmethod
    def of(cls, market) -> Liquidity:
        """From a market's `close`, `volume`, `raw_close` and (where it has one) `open`."""
        return cls(close=market.close, volume=getattr(market, "volume", None),
                   traded_close=getattr(market, "raw_close", None), open=getattr(market, "open", None))

    def dollar_volume(self, tickers: pd.Index) -> pd.DataFrame:
        """The value traded each day in `tickers` (NaN where the volume or the price is unknown)."""
        if self.volume is None:
            raise InputError("the volume cap and market impact need daily volume, but the market has none")
        price = (self.traded_close if self.traded_close is not None else self.close).reindex(columns=tickers)
        volume = self.volume.reindex(columns=tickers)
        return volume.reindex(index=price.index) * price

    def arrays(self, index: pd.DatetimeIndex, columns: pd.Index, cols: np.ndarray, *, cap: bool, impact_window: int,
               at_open: bool, rate: np.ndarray | None) -> MarketArrays:
        """The kernel's `MarketArrays` on `index` for the column numbers `cols` of `columns` (what a schedule names).

        Raises `InputError` when a model needs data this liquidity does not have.
        """
        cols = np.unique(np.asarray(cols, dtype=np.int64))
        slot = np.full(len(columns), -1, dtype=np.int64)
        slot[cols] = np.arange(len(cols))
        tickers = columns[cols]
        need_volume = cap or impact_window > 0
        if at_open and self.open is None:
            raise InputError("fills at the open need open prices, but the market has none")

        def cut(frame: pd.DataFrame) -> np.ndarray:
            return np.ascontiguousarray(frame.reindex(index=index, columns=tickers).to_numpy(dtype=np.float64))

        dollar = adv = vol = opens = _NONE2
        if need_volume:
            dv = self.dollar_volume(tickers)
            dollar = cut(dv)
            if impact_window > 0:
                history = dv.loc[: index[-1]] if len(index) else dv
                adv = cut(history.rolling(impact_window, min_periods=1).mean().shift(1))
                close = self.close.reindex(columns=tickers).loc[: index[-1]] if len(index) else self.close
                returns = close.ffill().pct_change(fill_method=None)
                vol = cut(returns.rolling(impact_window, min_periods=2).std(ddof=1).shift(1))
        if at_open:
            opens = cut(self.open)
        return MarketArrays(slot=slot, dollar_volume=dollar, adv=adv, volatility=vol, open=opens,
                            rate=np.zeros(1) if rate is None else np.ascontiguousarray(rate, dtype=np.float64))
