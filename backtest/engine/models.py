"""Execution models: small objects with one job each, carried by `Execution` (zipline `finance/slippage.py`).

Each validates its parameters on construction, prints them in its `__repr__`, and says what it
changes in `params()`, the part of `ModelParams` the kernel reads. All are off unless given, so
an `Execution` without them runs the vectorbt reference kernel unchanged.

- `VolumeCap(0.1)`: an order trades at most 10% of a day's dollar volume; the rest waits;
- `SquareRootImpact(k)`: each fill's price moves by ``k x volatility x sqrt(fill value / adv)``;
- `NextOpen()`: fills at the session's open where one is known (else its close);
- `WholeShares(lot=1, min_order_value=0)`: whole shares (or round lots) and a minimum order;
- `CashYield(rates)`: idle cash earns a daily rate (see `CashYield.from_yield`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgeclone.backtest.metrics import risk_free_from_yield
from hedgeclone.errors import InputError

__all__ = ["CashYield", "NextOpen", "SquareRootImpact", "VolumeCap", "WholeShares"]


def _number(owner: str, name: str, value, *, lo: float, lo_open: bool = False, inf_ok: bool = False) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InputError(f"{owner}: {name} must be a number, got {value!r}")
    v = float(value)
    finite = math.isfinite(v) or (inf_ok and v == math.inf)
    if not finite or v < lo or (lo_open and v == lo):
        bound = f"> {lo:g}" if lo_open else f">= {lo:g}"
        raise InputError(f"{owner}: {name} must be {'a number' if not inf_ok else 'a number (or inf)'} {bound}, "
                         f"got {value!r}")
    return v


@dataclass(frozen=True)
class VolumeCap:
    """An order trades at most `participation` of each day's dollar volume (close x volume).

    What it cannot trade carries to the next sessions until filled or replaced by the next
    rebalance; a day without volume (zero or unknown) trades nothing, and unspent cash stays
    cash. ``VolumeCap(math.inf)`` caps nothing (the same result as no cap).
    """

    participation: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "participation",
                           _number("VolumeCap", "participation", self.participation, lo=0.0, lo_open=True,
                                   inf_ok=True))

    def params(self) -> dict:
        return {"participation": self.participation}

    def __repr__(self) -> str:
        return f"VolumeCap({self.participation:g})"


@dataclass(frozen=True)
class SquareRootImpact:
    """Each fill's price moves against the trader by ``k x volatility x sqrt(fill value / adv)`` (at most 99%).

    `volatility` is the standard deviation of the name's daily returns and `adv` its mean dollar
    volume, both over the `window` sessions before the fill's day (point in time). A name
    without that history (fewer than two returns, or no volume) does not trade until it has one.
    """

    k: float = 1.0
    window: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _number("SquareRootImpact", "k", self.k, lo=0.0))
        w = self.window
        if isinstance(w, bool | np.bool_) or not isinstance(w, numbers.Integral) or w < 2:
            raise InputError(f"SquareRootImpact: window must be a whole number of sessions >= 2, got {w!r}")
        object.__setattr__(self, "window", int(w))

    def params(self) -> dict:
        return {"impact": self.k}

    def __repr__(self) -> str:
        return f"SquareRootImpact(k={self.k:g}, window={self.window})"


@dataclass(frozen=True)
class NextOpen:
    """Orders fill at the open of their execution session, where an open price is known (else at its close).

    With the default lag of one session, a decision made at a close fills at the next open.
    """

    def params(self) -> dict:
        return {"at_open": True}

    def __repr__(self) -> str:
        return "NextOpen()"


@dataclass(frozen=True)
class WholeShares:
    """Orders in whole multiples of `lot` shares (1: whole shares, 100: round lots); no order below `min_order_value`.

    Buys round down, so cash is never overspent; an order that would close a position is always
    placed whatever its value.
    """

    lot: int = 1
    min_order_value: float = 0.0

    def __post_init__(self) -> None:
        lot = self.lot
        if isinstance(lot, bool | np.bool_) or not isinstance(lot, numbers.Integral) or lot < 1:
            raise InputError(f"WholeShares: lot must be a whole number of shares >= 1, got {lot!r}")
        object.__setattr__(self, "lot", int(lot))
        object.__setattr__(self, "min_order_value",
                           _number("WholeShares", "min_order_value", self.min_order_value, lo=0.0))

    def params(self) -> dict:
        return {"lot": float(self.lot), "min_order_value": self.min_order_value}

    def __repr__(self) -> str:
        return f"WholeShares(lot={self.lot}, min_order_value={self.min_order_value:g})"


@dataclass(frozen=True, eq=False)
class CashYield:
    """Idle cash earns `rates[date]` (a daily simple rate) overnight into each session.

    `rates` is a Series by date; each session earns the last rate known on or before the
    session before it (point in time: the rate is set when the cash is left overnight).
    `CashYield.from_yield` builds it from an annual yield in percent such as ^IRX.
    """

    rates: pd.Series = field(repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        r = self.rates
        if not isinstance(r, pd.Series) or not isinstance(r.index, pd.DatetimeIndex):
            raise InputError("CashYield: rates must be a Series indexed by date")
        if not pd.api.types.is_numeric_dtype(r.dtype) or pd.api.types.is_bool_dtype(r.dtype):
            raise InputError(f"CashYield: rates must be numbers, got dtype {r.dtype}")
        r = r.dropna().astype(np.float64).sort_index()
        if r.index.has_duplicates:
            raise InputError(f"CashYield: rates name the date {r.index[r.index.duplicated()][0].date()} twice")
        bad = ~np.isfinite(r.to_numpy()) | (r.to_numpy() <= -1.0)
        if bad.any():
            raise InputError(f"CashYield: the rate on {r.index[np.argmax(bad)].date()} is {r.iloc[np.argmax(bad)]!r}")
        object.__setattr__(self, "rates", r)

    @classmethod
    def from_yield(cls, yield_percent: pd.Series, *, annualization: int = 252, source: str = "") -> CashYield:
        """Daily rates ``yield / 100 / annualization`` from an annual yield in percent (e.g. ^IRX's close)."""
        return cls(risk_free_from_yield(yield_percent, annualization=annualization), source=source)

    def on(self, index: pd.DatetimeIndex) -> np.ndarray:
        """The rate each session of `index` earns: the last known on or before the previous session (0 first)."""
        r = self.rates
        known = r.reindex(r.index.union(index)).ffill().reindex(index).to_numpy(dtype=np.float64)
        out = np.zeros(len(index))
        out[1:] = np.nan_to_num(known[:-1], nan=0.0)
        return out

    def params(self) -> dict:
        return {}

    def __eq__(self, other) -> bool:
        return isinstance(other, CashYield) and self.rates.equals(other.rates)

    def __hash__(self) -> int:
        return hash((len(self.rates), float(self.rates.sum())))

    def __repr__(self) -> str:
        if not len(self.rates):
            return "CashYield(<no rates>)"
        where = f"{self.source}, " if self.source else ""
        return (f"CashYield({where}{self.rates.index[0].date()}..{self.rates.index[-1].date()}, "
                f"mean {self.rates.mean() * 252:.2%} a year)")
