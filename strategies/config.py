"""TOML run configs that map one to one onto the Python objects.

```toml
[strategy]
kind = "hedge-fund-consensus"   # a key of STRATEGIES; the other keys are the class's fields
top_n = 14
[backtest]
start = "2015-01-02"
end = "2025-12-31"
fees = 0.001
slippage = 0.0
init_cash = 1000000
benchmarks = ["sp500", "russell-microcap"]
[data]
source = "demo"                 # or "store" (with an optional store = "path")
```

Every key is checked against the dataclass it fills when the config loads, before any market is
read: an unknown key, a wrong type, a NaN or infinite number, or an impossible value (fees of 100%
or more, ``top_n = 0``, ``min_cap > max_cap``, a negative price floor, duplicate benchmarks, a lag
beyond any calendar ...) is one `InputError` naming the file and the key. The value rules are in
`RULES` (by key, for whichever dataclass has it) and `_cross_checks` (pairs of keys).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hedgeclone.errors import InputError
from hedgeclone.strategies.basic import BuyAndHold, FixedWeights
from hedgeclone.strategies.consensus import HedgeFundConsensus
from hedgeclone.strategies.microcap import MicrocapScreen

__all__ = ["RULES", "STRATEGIES", "BacktestConfig", "DataConfig", "RunConfig", "load_config", "parse_config", "build"]

STRATEGIES: dict[str, type] = {
    cls.kind: cls for cls in (HedgeFundConsensus, MicrocapScreen, BuyAndHold, FixedWeights)
}


@dataclass(frozen=True)
class BacktestConfig:
    """How the backtest runs: window, costs, cash, execution lag, benchmarks, execution models."""

    start: dt.date | None = None
    end: dt.date | None = None
    fees: float = 0.001
    fixed_fees: float = 0.0
    slippage: float = 0.0
    init_cash: float = 1_000_000.0
    lag: int = 1  # trading days between decision and execution (1 = next close)
    benchmarks: tuple[str, ...] = ("sp500", "russell-microcap")
    risk_free: str | None = None  # CSV of an annual yield in percent (Date,Close), like Yahoo's ^IRX
    # Execution models (README, "Execution models"), all off by default:
    participation: float | None = None  # an order trades at most this fraction of a day's dollar volume
    impact: float = 0.0  # k of the square-root market impact (0: none)
    impact_window: int = 20  # sessions of the trailing volatility and average dollar volume
    fill: Literal["close", "open"] = "close"  # "open": fill at the execution session's open
    lot: int = 0  # shares in multiples of lot (1: whole shares, 100: round lots; 0: fractional)
    min_order_value: float = 0.0  # no order worth less than this (exits excepted)
    cash_yield: str | None = None  # CSV of an annual yield in percent that idle cash earns (like risk_free)

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError(f"backtest.start ({self.start}) is after backtest.end ({self.end})")
        for key in ("fees", "fixed_fees", "slippage"):
            if getattr(self, key) < 0:
                raise InputError(f"backtest.{key} must be >= 0, got {getattr(self, key)}")
        if self.init_cash <= 0:
            raise InputError(f"backtest.init_cash must be > 0, got {self.init_cash}")
        if self.lag < 0:
            raise InputError(f"backtest.lag must be >= 0, got {self.lag}")


@dataclass(frozen=True)
class DataConfig:
    """Where the market comes from: the synthetic demo market or the local store."""

    source: Literal["demo", "store"] = "demo"
    store: str | None = None  # store directory (default: $HEDGECLONE_STORE or the user cache)
    stocks: int = 3000  # demo market size
    filers: int = 300
    seed: int = 7


@dataclass(frozen=True)
class RunConfig:
    """A whole run: the strategy object, the backtest settings and the data source."""

    strategy: Any
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    data: DataConfig = field(default_factory=DataConfig)
    path: Path | None = None

    def to_dict(self) -> dict:
        """The resolved config, every default filled in (what a run directory records)."""
        strat = {"kind": self.strategy.kind, **_plain(dataclasses.asdict(self.strategy))}
        return {"strategy": strat, "backtest": _plain(dataclasses.asdict(self.backtest)),
                "data": _plain(dataclasses.asdict(self.data))}

    def replace_strategy(self, **changes: Any) -> RunConfig:
        """This config with strategy parameters changed (checked like the TOML keys)."""
        table = {"kind": self.strategy.kind, **dataclasses.asdict(self.strategy), **changes}
        return dataclasses.replace(self, strategy=build(STRATEGIES[self.strategy.kind], table, "strategy", "grid"))


def _range(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False, hi_open: bool = False):
    """A rule: the value (when not None) lies in [lo, hi], with open ends as asked."""

    def rule(value: Any) -> str | None:
        if value is None:
            return None
        if lo is not None and (value <= lo if lo_open else value < lo):
            return f"must be {'>' if lo_open else '>='} {lo:g}"
        if hi is not None and (value >= hi if hi_open else value > hi):
            return f"must be {'<' if hi_open else '<='} {hi:g}"
        return None

    return rule


def _unique(value: Any) -> str | None:
    if value is None:
        return None
    keys = [v[0] if isinstance(v, tuple) else v for v in value]
    seen = {k for k in keys if keys.count(k) > 1}
    if seen:
        return f"lists {', '.join(map(str, sorted(seen)))} more than once"
    if any(isinstance(k, str) and not k.strip() for k in keys):
        return "has an empty name"
    return None


def _ciks(value: Any) -> str | None:
    if value is None:
        return None
    bad = [c for c in value if not 0 < c < 10**10]
    return f"has {bad[0]}, not a CIK (a positive number of at most 10 digits)" if bad else _unique(value)


def _weights(value: Any) -> str | None:
    bad = [(t, w) for t, w in value if not w >= 0]
    return f"has {bad[0][0]} = {bad[0][1]:g}, a weight must be >= 0" if bad else _unique(value)


def _text(value: Any) -> str | None:
    return "must not be empty" if value is not None and not value.strip() else None


#: Value rules by key, applied to every dataclass (strategy, backtest, data) that has the key.
#: Calendar lags stop at ten years of days: beyond that no window has a trading day left.
RULES: dict[str, Any] = {
    "fees": _range(0, 1, hi_open=True), "slippage": _range(0, 1, hi_open=True), "fixed_fees": _range(0),
    "init_cash": _range(0, lo_open=True), "lag": _range(0, 2520), "benchmarks": _unique, "risk_free": _text,
    "participation": _range(0, lo_open=True), "impact": _range(0), "impact_window": _range(2, 2520),
    "lot": _range(0, 1_000_000), "min_order_value": _range(0), "cash_yield": _text,
    "top_n": _range(1, 100_000), "min_holders": _range(0, 100_000), "max_weight": _range(0, 1, lo_open=True),
    "lag_days": _range(0, 3650), "min_price": _range(0), "min_cap": _range(0), "max_cap": _range(0, lo_open=True),
    "min_aum": _range(0), "max_aum": _range(0, lo_open=True), "min_positions": _range(0),
    "max_positions": _range(1), "top_filers": _range(1, 100_000), "filer_lookback_quarters": _range(1, 200),
    "min_dollar_volume": _range(0), "min_days_traded": _range(0, 1), "liquidity_days": _range(1, 2520), "ciks": _ciks, "tickers": _unique, "weights": _weights,
    "store": _text, "stocks": _range(1, 1_000_000), "filers": _range(1, 1_000_000), "seed": _range(0, 2**32 - 1),
}

_PAIRS = (("min_cap", "max_cap"), ("min_aum", "max_aum"), ("min_positions", "max_positions"), ("start", "end"))


def _check_values(cls: type, values: dict[str, Any], section: str, where: str) -> None:
    """Apply `RULES` and the min/max pairs to the would-be fields of `cls`; InputError naming the key."""
    for key, value in values.items():
        rule = RULES.get(key)
        problem = rule(value) if rule is not None else None
        if problem:
            raise InputError(f"{where}: {section}.{key} = {_show(value)} {problem}")
        if isinstance(value, dt.date) and not 1900 <= value.year <= 2262:
            raise InputError(f"{where}: {section}.{key} = {value} is out of range (years 1900 to 2262)")
    for lo, hi in _PAIRS:
        a, b = values.get(lo), values.get(hi)
        if a is not None and b is not None and a > b:
            word = "after" if lo == "start" else "above"
            raise InputError(f"{where}: {section}.{lo} = {_show(a)} is {word} {section}.{hi} = {_show(b)}")


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def _defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _coerce(value: Any, tp: Any, key: str, where: str) -> Any:
    """`value` read as type `tp`, or an InputError naming `key`."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    bad = InputError(f"{where}: {key} = {value!r} is not {_describe(tp)}")
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key, where)
            except InputError:
                continue
        raise bad
    if origin is Literal:
        if value not in args:
            raise InputError(f"{where}: {key} = {value!r} must be one of {', '.join(map(repr, args))}")
        return value
    if origin is tuple:
        if args[-1] is Ellipsis and typing.get_origin(args[0]) is tuple:  # {ticker = weight} table
            if not isinstance(value, dict):
                raise bad
            pair = typing.get_args(args[0])
            return tuple((_coerce(k, pair[0], key, where), _coerce(v, pair[1], f"{key}.{k}", where))
                         for k, v in value.items())
        if not isinstance(value, list | tuple):
            raise bad
        return tuple(_coerce(v, args[0], f"{key}[{i}]", where) for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        if not math.isfinite(value):
            raise InputError(f"{where}: {key} = {value!r} is not a finite number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise bad
        return value
    if tp is dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise bad from None
        raise bad
    return value


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp) if a is not type(None))
    if origin is tuple:
        return "a list" if typing.get_origin(typing.get_args(tp)[0]) is not tuple else "a table of ticker = weight"
    if tp is dt.date:
        return "a date (YYYY-MM-DD)"
    return f"a {getattr(tp, '__name__', str(tp))}"


def build(cls: type, table: dict, section: str, where: str) -> Any:
    """An instance of dataclass `cls` from TOML `table`, every key checked."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")]
    kwargs = {}
    for key, value in table.items():
        if key == "kind" and section == "strategy":
            continue
        if key not in names:
            raise InputError(f"{where}: unknown key {section}.{key} (known: {', '.join(names)})")
        kwargs[key] = _coerce(value, hints[key], f"{section}.{key}", where)
    _check_values(cls, {**_defaults(cls), **kwargs}, section, where)
    try:
        return cls(**kwargs)
    except InputError as exc:
        raise InputError(f"{where}: [{section}] {exc}") from None


def parse_config(doc: dict, where: str = "config") -> RunConfig:
    """A `RunConfig` from a parsed TOML document; `where` names it in errors."""
    unknown = set(doc) - {"strategy", "backtest", "data"}
    if unknown:
        raise InputError(f"{where}: unknown section [{sorted(unknown)[0]}] (known: strategy, backtest, data)")
    strat = doc.get("strategy")
    if not isinstance(strat, dict) or "kind" not in strat:
        raise InputError(f"{where}: [strategy] needs kind = one of {', '.join(STRATEGIES)}")
    kind = strat["kind"]
    if kind not in STRATEGIES:
        raise InputError(f"{where}: strategy.kind = {kind!r} is unknown (known: {', '.join(STRATEGIES)})")
    for section in ("backtest", "data"):
        if section in doc and not isinstance(doc[section], dict):
            raise InputError(f"{where}: [{section}] must be a table")
    return RunConfig(
        strategy=build(STRATEGIES[kind], strat, "strategy", where),
        backtest=build(BacktestConfig, doc.get("backtest", {}), "backtest", where),
        data=build(DataConfig, doc.get("data", {}), "data", where),
    )


def load_config(path: str | Path) -> RunConfig:
    """Read and check a TOML run config."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a config file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the config as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read config ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    return dataclasses.replace(parse_config(doc, str(path)), path=path)
