"""`Result`: what a backtest returns, wrapped back into pandas once, with lazy derived views."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from hedgeclone.backtest import metrics
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.records import ModelOutput, Reason, Side, SimulationOutput

__all__ = ["Result"]


class Result:
    """Daily value, cash and costs of a simulated portfolio, and its filled orders.

    `output` is the kernel's `SimulationOutput` (plain arrays), or the execution-model kernel's
    `ModelOutput` (which adds impact, interest and which order each fill belongs to); the
    properties wrap it into pandas on first use. `execution` is the `Execution` it ran with.
    """

    def __init__(self, *, close: pd.DataFrame, output: SimulationOutput | ModelOutput, execution: Execution) -> None:
        self.close = close
        self.output = output
        self.execution = execution

    @property
    def index(self) -> pd.DatetimeIndex:
        return self.close.index

    @property
    def init_cash(self) -> float:
        return self.execution.init_cash

    @property
    def orders(self) -> np.ndarray:
        """The filled orders as `order_dt` records, in execution order."""
        return self.output.orders

    @cached_property
    def value(self) -> pd.Series:
        """Portfolio value at each close (cash plus positions at their last known price)."""
        return pd.Series(self.output.value, index=self.index, name="value")

    @cached_property
    def returns(self) -> pd.Series:
        """Daily simple returns (`metrics.daily_returns`); the first is relative to `init_cash`."""
        return metrics.daily_returns(self.value, self.init_cash).rename("returns")

    @cached_property
    def cash(self) -> pd.Series:
        """Cash at each close."""
        return pd.Series(self.output.cash, index=self.index, name="cash")

    @cached_property
    def costs(self) -> pd.Series:
        """Fees paid on each day."""
        return pd.Series(self.output.fees_paid, index=self.index, name="costs")

    @cached_property
    def impact(self) -> pd.Series:
        """Market impact paid on each day (0 without the impact model)."""
        paid = getattr(self.output, "impact_paid", None)
        return pd.Series(np.zeros(len(self.index)) if paid is None else paid, index=self.index, name="impact")

    @cached_property
    def interest(self) -> pd.Series:
        """Interest earned on idle cash on each day (0 without a cash yield)."""
        earned = getattr(self.output, "interest", None)
        return pd.Series(np.zeros(len(self.index)) if earned is None else earned, index=self.index, name="interest")

    @cached_property
    def trades(self) -> pd.DataFrame:
        """Every fill: date, ticker, side, shares, price (slippage included), fees (paid), value, reason.

        With execution models on, also the order each fill belongs to: `order_date` (its
        rebalance), `ordered` (the order's shares), `filled` (the share of the order filled by
        this fill and those before it) and `impact` (paid on this fill).
        """
        o = self.orders
        side = np.where(o["side"] == Side.buy, "buy", "sell")
        reason = np.where(o["reason"] == Reason.delisting, "delisting", "rebalance")
        frame = pd.DataFrame(
            {
                "date": self.index[o["row"]],
                "ticker": self.close.columns[o["col"]],
                "side": side,
                "shares": o["size"],
                "price": o["price"],
                "fees": o["fees_paid"],
                "value": o["size"] * o["price"],
                "reason": reason,
            }
        )
        if "order_row" not in (o.dtype.names or ()):
            return frame
        frame["order_date"] = self.index[o["order_row"]]
        frame["ordered"] = o["ordered"]
        done = frame.groupby(["order_date", "ticker", "side"], sort=False)["shares"].cumsum()
        frame["filled"] = (done / frame["ordered"]).clip(upper=1.0)
        frame["impact"] = o["impact_paid"]
        return frame

    def fills(self) -> pd.DataFrame:
        """One row per order placed: order_date, ticker, side, ordered (shares), price (it was sized at),
        filled (shares), value (of the fills), fill_rate, last_fill and sessions (from the order to its last
        fill; 0: filled on its own day; NaN and NaT when nothing filled). Delistings are not orders.

        Without execution models every order is a fill of its own day, filled whole.
        """
        placed = getattr(self.output, "placed", None)
        if placed is None:
            t = self.trades[self.trades["reason"] == "rebalance"]
            return pd.DataFrame({"order_date": t["date"], "ticker": t["ticker"], "side": t["side"],
                                 "ordered": t["shares"], "price": t["price"], "filled": t["shares"],
                                 "value": t["value"], "fill_rate": 1.0, "last_fill": t["date"],
                                 "sessions": 0.0}).reset_index(drop=True)
        some = placed["last_row"] >= 0
        last = np.where(some, placed["last_row"], 0)
        return pd.DataFrame({
            "order_date": self.index[placed["row"]], "ticker": self.close.columns[placed["col"]],
            "side": np.where(placed["side"] == Side.buy, "buy", "sell"), "ordered": placed["ordered"],
            "price": placed["price"], "filled": placed["filled"], "value": placed["value"],
            "fill_rate": np.minimum(placed["filled"] / placed["ordered"], 1.0),
            "last_fill": pd.DatetimeIndex(np.where(some, self.index[last], pd.NaT)),
            "sessions": np.where(some, last - placed["row"], np.nan),
        })

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

    def holdings(self) -> pd.DataFrame:
        """The weights held at the close of each day with trades, long: date, rank, ticker, weight."""
        trades = self.trades
        if not len(trades):
            return pd.DataFrame(columns=["date", "rank", "ticker", "weight"])
        weights = self.weights().loc[pd.DatetimeIndex(trades["date"].unique())]
        long = weights.stack().rename("weight").reset_index()
        long.columns = ["date", "ticker", "weight"]
        long = long[long["weight"].abs() > 1e-12].sort_values(["date", "weight"], ascending=[True, False])
        long.insert(1, "rank", long.groupby("date").cumcount() + 1)
        return long.reset_index(drop=True)

    def stats(self) -> dict[str, float]:
        """The strategy metrics of ``metrics.json``: the summary set plus costs (fees and impact) and turnover (`metrics.trading`)."""
        traded = float((self.orders["size"] * self.orders["price"]).sum())
        fees_paid = float(self.output.fees_paid.sum()) + float(self.impact.sum())
        return {**metrics.summary(self.returns), **metrics.trading(self.output.value, traded, fees_paid)}

    def __repr__(self) -> str:
        if not len(self.index):
            return "Result(empty)"
        value = self.output.value
        return (
            f"Result({self.index[0].date()}..{self.index[-1].date()}, {len(self.orders)} fills, "
            f"value {value[0]:.6g} -> {value[-1]:.6g}, {self.execution!r})"
        )

    # Notebooks and terminals (the renderer and plotly load on first use).
    def _repr_html_(self) -> str:
        from hedgeclone.backtest.engine.display import result_html

        return result_html(self)

    def __rich__(self):
        from hedgeclone.backtest.engine.display import result_rich

        return result_rich(self)

    def plot(self, kind: str = "equity", benchmarks=None):
        """The plotly figure `kind` (one of `hedgeclone.backtest.figures.KINDS`: equity, drawdowns,
        rolling_excess, yearly, holdings, costs), with `benchmarks` ({name: daily levels} or a frame)."""
        from hedgeclone.backtest.engine.display import result_figure

        return result_figure(self, kind, benchmarks)
