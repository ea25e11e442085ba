"""`Execution`: how orders are filled and paid for, passed whole instead of as loose keywords.

It carries the costs vectorbt's reference knows (a fee rate, a fixed fee per fill, slippage),
the initial cash, the execution lag and the execution models of `models` (a volume cap, market
impact, fills at the open, whole shares, a yield on cash), each off unless given. The kernels
read its costs as an `ExecutionArrays` NamedTuple and its models as a `ModelParams` one.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.convert import per_asset
from hedgeclone.backtest.engine.models import CashYield, NextOpen, SquareRootImpact, VolumeCap, WholeShares
from hedgeclone.backtest.engine.records import ExecutionArrays, ModelParams
from hedgeclone.errors import InputError

__all__ = ["Execution", "ExecutionArrays"]

_COSTS = ("fees", "fixed_fees", "slippage")
# Largest allowed value of each cost (exclusive): a rate or fraction of 1 or more would give
# away the whole trade; a fixed fee is an amount, so only finite.
_UPPER = {"fees": 1.0, "fixed_fees": None, "slippage": 1.0}
_MODELS = {"cap": VolumeCap, "impact": SquareRootImpact, "fills": NextOpen, "shares": WholeShares,
           "cash_yield": CashYield}


def _is_number(value) -> bool:
    kind = type(value)
    if kind is float or kind is int:  # the common case, without the ABC check
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _check_cost(name: str, value) -> float | pd.Series:
    upper = _UPPER[name]
    bounds = ">= 0" if upper is None else f">= 0 and < {upper:g}"
    if _is_number(value):
        if not (math.isfinite(value) and value >= 0 and (upper is None or value < upper)):
            raise InputError(f"{name} must be finite and {bounds}, got {value!r}")
        return float(value)
    if isinstance(value, pd.Series):
        if pd.api.types.is_bool_dtype(value.dtype) or not pd.api.types.is_numeric_dtype(value.dtype):
            raise InputError(f"{name} must hold one number per ticker, got dtype {value.dtype}")
        arr = value.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(arr) | (arr < 0) | ((arr >= upper) if upper is not None else False)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{name} of {value.index[i]!r} must be finite and {bounds}, got {arr[i]!r}")
        if value.index.has_duplicates:
            raise InputError(f"{name} names ticker {value.index[value.index.duplicated()][0]!r} twice")
        return value.astype(np.float64).copy()
    raise InputError(f"{name} must be a number or a Series of one number per ticker, got {value!r}")


def _key(value):
    return ("series", tuple(value.items())) if isinstance(value, pd.Series) else value


@dataclass(frozen=True, eq=False)
class Execution:
    """Costs, initial cash and lag of a backtest; validated on construction.

    - `fees`: rate on traded value (0.001 = 10 bp), in [0, 1);
    - `fixed_fees`: amount paid per fill, >= 0;
    - `slippage`: fraction of the price by which each fill is worse, in [0, 1);
    - `init_cash`: starting cash, finite and > 0;
    - `lag`: trading days between a rebalance's date and its execution, an integer >= 0;
    - `cap` (`VolumeCap`), `impact` (`SquareRootImpact`), `fills` (`NextOpen`), `shares`
      (`WholeShares`), `cash_yield` (`CashYield`): the execution models, None (off) by default.
      With any of them on, `simulate` runs the execution-model kernel; with none, the vectorbt one.

    Each cost is a number or a Series by ticker (tickers it does not name pay 0). Bad types
    or values raise `InputError` naming the parameter.
    """

    fees: float | pd.Series = 0.0
    fixed_fees: float | pd.Series = 0.0
    slippage: float | pd.Series = 0.0
    init_cash: float = 1.0
    lag: int = 0
    cap: VolumeCap | None = None
    impact: SquareRootImpact | None = None
    fills: NextOpen | None = None
    shares: WholeShares | None = None
    cash_yield: CashYield | None = None

    def __post_init__(self) -> None:
        for name in _COSTS:
            object.__setattr__(self, name, _check_cost(name, getattr(self, name)))
        cash = self.init_cash
        if not (_is_number(cash) and math.isfinite(cash) and cash > 0):
            raise InputError(f"init_cash must be a finite number > 0, got {cash!r}")
        object.__setattr__(self, "init_cash", float(cash))
        lag = self.lag
        whole = type(lag) is int or (isinstance(lag, numbers.Integral) and not isinstance(lag, bool | np.bool_))
        if not (whole and lag >= 0):
            raise InputError(f"lag must be a whole number of trading days >= 0, got {lag!r}")
        object.__setattr__(self, "lag", int(lag))
        for name, kind in _MODELS.items():
            model = getattr(self, name)
            if model is not None and not isinstance(model, kind):
                raise InputError(f"{name} must be a {kind.__name__} (or None), got {model!r}")

    @property
    def models(self) -> tuple:
        """The execution models that are on, in field order (empty: the vectorbt reference)."""
        return tuple(m for m in (getattr(self, name) for name in _MODELS) if m is not None)

    def model_params(self) -> ModelParams:
        """The models' scalar parameters as `simulate_models_nb` reads them (neutral values where off)."""
        values = {"participation": np.inf, "impact": 0.0, "at_open": False, "lot": 0.0, "min_order_value": 0.0}
        for model in self.models:
            values.update(model.params())
        return ModelParams(**values)

    def per_asset(self, columns: pd.Index) -> ExecutionArrays:
        """The costs as the kernels read them for the tickers `columns` (see `ExecutionArrays`).

        Raises `InputError` when a per-ticker cost names a ticker that is not in `columns`.
        """
        return ExecutionArrays(
            fees=per_asset("fees", self.fees, columns, upper=_UPPER["fees"]),
            fixed_fees=per_asset("fixed_fees", self.fixed_fees, columns, upper=_UPPER["fixed_fees"]),
            slippage=per_asset("slippage", self.slippage, columns, upper=_UPPER["slippage"]),
        )

    @property
    def is_scalar(self) -> bool:
        """Whether every cost is one number for all tickers (what the batch kernel takes)."""
        return not any(isinstance(getattr(self, name), pd.Series) for name in _COSTS)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Execution):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def _fields(self) -> tuple:
        return (*(_key(getattr(self, name)) for name in _COSTS), self.init_cash, self.lag,
                *(getattr(self, name) for name in _MODELS))

    def __repr__(self) -> str:
        def show(value) -> str:
            if isinstance(value, pd.Series):
                return f"<{len(value)} tickers, {value.min():g}..{value.max():g}>" if len(value) else "<0 tickers>"
            return f"{value:g}"

        models = "".join(f", {name}={getattr(self, name)!r}" for name in _MODELS if getattr(self, name) is not None)
        return (f"Execution(fees={show(self.fees)}, fixed_fees={show(self.fixed_fees)}, "
                f"slippage={show(self.slippage)}, init_cash={self.init_cash:g}, lag={self.lag}{models})")
