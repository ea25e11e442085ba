"""`Result`: what a backtest returns, wrapped back into pandas once, with lazy derived views."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from hedgeclone.backtest import metrics
from hedgeclone.backtest.engine.records import Reason, Side

__all__ = ["Result"]


class Result:
    """Daily value, cash and costs of a simulated portfolio, and its filled orders."""

    def __init__(self, *, close: pd.DataFrame, value: np.ndarray, cash: np.ndarray, fees: np.ndarray,
                 orders: np.ndarray, init_cash: float) -> None:
        self.close = close
        self.value_ = value
        self.cash_ = cash
        self.fees_ = fees
        self.orders = orders
        self.init_cash = init_cash

    @property
    def index(self) -> pd.DatetimeIndex:
        return self.close.index

    @cached_property
    def value(self) -> pd.Series:
        """Portfolio value at each close (cash plus positions at their last known price)."""
        return pd.Series(self.value_, index=self.index, name="value")

    @cached_property
    def returns(self) -> pd.Series:
        """Daily simple returns (`metrics.daily_returns`); the first is relative to `init_cash`."""
        return metrics.daily_returns(self.value, self.init_cash).rename("returns")

    @cached_property
    def cash(self) -> pd.Series:
        """Cash at each close."""
        return pd.Series(self.cash_, index=self.index, name="cash")

    @cached_property
    def costs(self) -> pd.Series:
        """Fees paid on each day."""
        return pd.Series(self.fees_, index=self.index, name="costs")

    @cached_property
    def trades(self) -> pd.DataFrame:
        """Every fill: date, ticker, side, shares, price (slippage included), fees, value, reason."""
        o = self.orders
        side = np.where(o["side"] == Side.buy, "buy", "sell")
        reason = np.where(o["reason"] == Reason.delisting, "delisting", "rebalance")
        return pd.DataFrame(
            {
                "date": self.index[o["row"]],
                "ticker": self.close.columns[o["col"]],
                "side": side,
                "shares": o["size"],
                "price": o["price"],
                "fees": o["fees"],
                "value": o["size"] * o["price"],
                "reason": reason,
            }
        )

    @cached_property
    def positions(self) -> pd.DataFrame:
        """Shares held at each close, one column per ticker ever held (dense only over those)."""
        o = self.orders
        cols, inverse = np.unique(o["col"], return_inverse=True)
        flow = np.zeros((len(self.index), len(cols)))
        signed = np.where(o["side"] == Side.buy, o["size"], -o["size"])
        np.add.at(flow, (o["row"], inverse), signed)
        held = np.cumsum(flow, axis=0)
        held[np.abs(held) < 1e-12] = 0.0
        return pd.DataFrame(held, index=self.index, columns=self.close.columns[cols])

    def weights(self) -> pd.DataFrame:
        """Weight of each held ticker in the portfolio value at each close."""
        pos = self.positions
        px = self.close[pos.columns].ffill()
        return (pos * px).fillna(0.0).div(self.value, axis=0)

    def stats(self) -> dict[str, float]:
        """The strategy metrics of ``metrics.json``: the summary set plus costs and turnover (`metrics.trading`)."""
        traded = float((self.orders["size"] * self.orders["price"]).sum())
        return {**metrics.summary(self.returns), **metrics.trading(self.value_, traded, float(self.fees_.sum()))}

    def report(self, path, *, benchmarks: pd.DataFrame | dict | None = None, name: str = "backtest",
               caveats: tuple[str, ...] | list[str] = ()):
        """Write a self-contained `report.html` of this result to `path` and return its `Path`.

        `benchmarks` are daily levels (a frame or {name: series}) compared over this result's
        dates; `caveats` are printed at the top (e.g. `data.demo.SYNTHETIC_NOTICE`). For the
        full run directory use `backtest.rundir.build_run` and `write_run`.
        """
        from hedgeclone.backtest.report import write_report
        from hedgeclone.backtest.run import build_run

        return write_report(path, build_run(name, self, benchmarks=benchmarks, caveats=caveats))

    def __repr__(self) -> str:
        if not len(self.index):
            return "Result(empty)"
        return (
            f"Result({self.index[0].date()}..{self.index[-1].date()}, {len(self.orders)} fills, "
            f"value {self.value_[0]:.6g} -> {self.value_[-1]:.6g})"
        )
