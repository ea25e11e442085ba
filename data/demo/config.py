"""The demo market's configuration: a frozen dataclass whose values fully determine the market."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

import pandas as pd

from hedgeclone.errors import InputError

__all__ = ["DemoConfig"]


@dataclass(frozen=True)
class DemoConfig:
    """Size, span and seed of a synthetic market; equal configs generate bit-identical markets.

    n_stocks counts every security that trades at some point in the span (IPOs and
    delisted names included); start and end are clipped to NYSE sessions.
    """

    n_stocks: int = 3000
    start: str = "2014-01-02"
    end: str = "2025-12-31"
    n_filers: int = 300
    seed: int = 7

    def __post_init__(self) -> None:
        for name in ("n_stocks", "n_filers", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"DemoConfig.{name} must be an integer, got {value!r}")
        if self.n_stocks < 1:
            raise InputError(f"DemoConfig.n_stocks must be at least 1, got {self.n_stocks}")
        if self.n_stocks > 100_000:
            raise InputError(f"DemoConfig.n_stocks must be at most 100000, got {self.n_stocks}")
        if self.n_filers < 0:
            raise InputError(f"DemoConfig.n_filers must be >= 0, got {self.n_filers}")
        if self.seed < 0:
            raise InputError(f"DemoConfig.seed must be >= 0, got {self.seed}")
        start, end = _parse_date("start", self.start), _parse_date("end", self.end)
        if end <= start:
            raise InputError(f"DemoConfig.end ({self.end}) must be after DemoConfig.start ({self.start})")
        if start < pd.Timestamp("1990-01-01") or end > pd.Timestamp("2100-01-01"):
            raise InputError(f"DemoConfig.start/end must lie in 1990..2100, got {self.start}..{self.end}")

    @property
    def start_ts(self) -> pd.Timestamp:
        return _parse_date("start", self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        return _parse_date("end", self.end)

    def key(self, version: str) -> str:
        """A short stable hash of this config and the generator `version` (the cache key)."""
        payload = json.dumps({"config": dataclasses.asdict(self), "version": version}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _parse_date(option: str, value: object) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InputError(f"DemoConfig.{option} must be a date like 2014-01-02, got {value!r}") from exc
    if ts is pd.NaT or ts.tz is not None:
        raise InputError(f"DemoConfig.{option} must be a timezone-naive date, got {value!r}")
    return ts.normalize()
