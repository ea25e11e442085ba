"""Benchmark registry and total return over a window.

A benchmark is a registry name (`BENCHMARKS`), any stored ticker, or a user series. Its level
is the stored ``close`` (total-return, dividends reinvested) series, so the return of an ETF
includes its distributions and is net of its fees.
"""

from __future__ import annotations

import pandas as pd

from hedgeclone.data.store import Store
from hedgeclone.errors import DataError, InputError

__all__ = ["BENCHMARKS", "resolve_benchmark", "benchmark_series", "total_return", "close_on_or_before"]

BENCHMARKS: dict[str, str] = {
    "sp500": "SPY",
    "russell-microcap": "IWC",
    "russell-2000": "IWM",
    "sp600": "IJR",
}
MAX_STALE_DAYS = 7


def resolve_benchmark(name: str) -> str:
    """The ticker behind a registry name (``sp500`` -> SPY); any other name is taken as a ticker."""
    return BENCHMARKS.get(name.strip().lower(), name.strip().upper())


def benchmark_series(name: str | pd.Series, store: Store | None = None, field: str = "close") -> pd.Series:
    """The benchmark's daily level (a float Series on its trading dates, NaNs dropped), named by ticker."""
    if isinstance(name, pd.Series):
        series = name.dropna().astype("float64")
        if series.empty:
            raise InputError(f"benchmark series {name.name!r} is empty")
        series.index = pd.DatetimeIndex(series.index)
        return series.sort_index()
    if store is None:
        raise InputError(f"benchmark {name!r}: a store is needed to read it")
    from hedgeclone.data.prices.load import load_prices

    ticker = resolve_benchmark(name)
    wide = load_prices(store, [ticker], fields=(field,))[field]
    return wide[ticker].dropna().rename(ticker)


def close_on_or_before(series: pd.Series, date: pd.Timestamp, what: str) -> tuple[pd.Timestamp, float]:
    """The last value of `series` at or before `date`; `DataError` if none within `MAX_STALE_DAYS`."""
    upto = series.loc[:date]
    if upto.empty:
        raise DataError(f"{what}: no price on or before {date.date()} (series starts {series.index[0].date()})")
    when = upto.index[-1]
    if (date - when).days > MAX_STALE_DAYS:
        raise DataError(f"{what}: last price before {date.date()} is from {when.date()} (series ends or has a gap)")
    return when, float(upto.iloc[-1])


def total_return(
    series_or_ticker: str | pd.Series, start: str | pd.Timestamp, end: str | pd.Timestamp, store: Store | None = None
) -> float:
    """Total return from the close of `start` to the close of `end` (a fraction: 0.1772 for +17.72%).

    When a date is not a trading day, the last close before it is used (what was known then).
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end <= start:
        raise InputError(f"--end {end.date()} must be after --start {start.date()}")
    series = benchmark_series(series_or_ticker, store)
    what = str(series.name if series.name is not None else "series")
    _, p0 = close_on_or_before(series, start, what)
    _, p1 = close_on_or_before(series, end, what)
    return p1 / p0 - 1.0
