"""Parameter grids: which names may be swept, how CLI text becomes values, and the combinations.

A grid maps parameter names to value lists. A name is a field of the config's strategy
(``top_n``, ``lag_days``, ``weighting``, ...) or one of the backtest settings in
`BACKTEST_PARAMS`; ``strategy.NAME`` and ``backtest.NAME`` say which explicitly. Each
combination becomes a `RunConfig` checked exactly like a TOML file.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from hedgeclone.errors import InputError
from hedgeclone.strategies.config import BacktestConfig, build

__all__ = ["BACKTEST_PARAMS", "Grid", "parse_grid_option", "parse_value", "resolve_grid", "combinations"]

BACKTEST_PARAMS = ("fees", "fixed_fees", "slippage", "init_cash", "lag")

Grid = Mapping[str, Sequence[Any]]


def parse_value(text: str) -> Any:
    """A grid value from text: an int, a float, true/false, none, or else the text itself."""
    s = text.strip()
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(s)
        except ValueError:
            pass
    return s


def parse_grid_option(options: Sequence[str]) -> dict[str, list[Any]]:
    """``["top_n=5,10", "lag_days=0,15"]`` -> ``{"top_n": [5, 10], "lag_days": [0, 15]}``.

    Raises `InputError` naming the option that is not ``NAME=V1,V2,...``, has an empty value,
    or repeats a name.
    """
    grid: dict[str, list[Any]] = {}
    for opt in options:
        name, sep, rest = opt.partition("=")
        name = name.strip()
        if not sep or not name or not rest.strip():
            raise InputError(f"--grid {opt!r} must look like NAME=V1,V2,... (e.g. top_n=5,10,14)")
        parts = [p for p in rest.split(",")]
        if any(not p.strip() for p in parts):
            raise InputError(f"--grid {opt!r} has an empty value (values are separated by single commas)")
        if name in grid:
            raise InputError(f"--grid names {name!r} twice; give all its values in one option")
        grid[name] = [parse_value(p) for p in parts]
    return grid


def resolve_grid(config, grid: Grid) -> list[tuple[str, str, list[Any]]]:
    """Each grid name as (section, field, values), section "strategy" or "backtest".

    Raises `InputError` for an unknown name (listing the known ones) or an empty value list.
    """
    strat_fields = [f.name for f in dataclasses.fields(config.strategy) if f.init and not f.name.startswith("_")]
    out = []
    if not grid:
        raise InputError("the grid is empty: give at least one --grid NAME=V1,V2,...")
    for name, values in grid.items():
        section, _, field = name.rpartition(".")
        if section == "strategy" and field in strat_fields or not section and field in strat_fields:
            where = "strategy"
        elif section in ("backtest", "") and field in BACKTEST_PARAMS:
            where = "backtest"
        else:
            known = ", ".join([*strat_fields, *BACKTEST_PARAMS])
            raise InputError(f"unknown grid parameter {name!r} for {config.strategy.kind} (known: {known})")
        vals = list(values) if isinstance(values, list | tuple | range) else [values]
        if not vals:
            raise InputError(f"grid parameter {name!r} has no values")
        out.append((where, field, vals))
    fields = [f for _, f, _ in out]
    dup = {f for f in fields if fields.count(f) > 1}
    if dup:
        raise InputError(f"grid names parameter {sorted(dup)[0]!r} twice")
    return out


def combinations(config, grid: Grid) -> tuple[list[str], list[tuple], list]:
    """(parameter names, one tuple of values per combination, one `RunConfig` per combination).

    Combinations run in ``itertools.product`` order (the first name varies slowest). A value
    that does not fit its field is one `InputError` naming the parameter and the value.
    """
    resolved = resolve_grid(config, grid)
    names = [f for _, f, _ in resolved]
    combos, configs = [], []
    base_bt = dataclasses.asdict(config.backtest)
    for values in itertools.product(*[v for _, _, v in resolved]):
        strat = {f: v for (s, f, _), v in zip(resolved, values, strict=True) if s == "strategy"}
        bt = {f: v for (s, f, _), v in zip(resolved, values, strict=True) if s == "backtest"}
        cfg = config.replace_strategy(**strat) if strat else config
        if bt:
            cfg = dataclasses.replace(cfg, backtest=build(BacktestConfig, {**base_bt, **bt}, "backtest", "grid"))
        combos.append(tuple(values))
        configs.append(cfg)
    return names, combos, configs
