"""Capacity on real 2015-2018 close and volume (../shared/data/prices, SOURCES.md section 6): an equal-weight
book of 20 thinly traded stocks loses return as it grows; one of the 10 most traded stocks barely notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from hedgeclone.backtest.capacity import capacity
from hedgeclone.data.market import Market
from hedgeclone.strategies import FixedWeights
from hedgeclone.strategies.config import BacktestConfig, RunConfig

FILE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "prices" / "us_stocks_close_volume_2014_2024.parquet"
pytestmark = pytest.mark.skipif(not FILE.exists(), reason=f"real data absent: {FILE} (../shared/data)")
AUMS = (1e5, 1e6, 1e7, 1e8)


def _read(tickers=None, start="2015-01-01", end="2019-01-01") -> pd.DataFrame:
    filters = [("date", ">=", dt.date.fromisoformat(start)), ("date", "<", dt.date.fromisoformat(end))]
    if tickers is not None:
        filters.append(("ticker", "in", list(tickers)))
    frame = pd.read_parquet(FILE, columns=["ticker", "date", "close", "volume"], filters=filters)
    frame["ticker"] = frame["ticker"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture(scope="module")
def books():
    # Chosen on 2015 data only, traded 2016-2018: no look-ahead in the choice.
    year = _read(end="2016-01-01")
    year["dollar"] = year["close"].astype(float) * year["volume"]
    median = year.groupby("ticker")["dollar"].median()
    counts = _read(start="2016-01-01").groupby("ticker").size()
    full = counts[counts == counts.max()].index  # priced on every session of 2016-2018
    thin = sorted(median[(median > 5e4) & (median < 2e5) & median.index.isin(full)].index)[:20]
    thick = list(median[median.index.isin(full)].sort_values().index[-10:])
    prices = _read(thin + thick)
    close = prices.pivot(index="date", columns="ticker", values="close").astype(float)
    volume = prices.pivot(index="date", columns="ticker", values="volume").astype(float)
    market = Market(close=close, raw_close=None, volume=volume, shares=None, holdings=None,
                    benchmarks=pd.DataFrame(index=close.index), delisting_returns=pd.Series(dtype=float))
    return market, thin, thick


def _capacity(market, tickers):
    weights = tuple((t, 1.0 / len(tickers)) for t in tickers)
    config = RunConfig(strategy=FixedWeights(weights=weights, rebalance="quarterly"),
                       backtest=BacktestConfig(start=dt.date(2016, 1, 4), end=dt.date(2018, 12, 31), fees=0.001,
                                               benchmarks=()))
    return capacity(config, market, AUMS).table


def test_thin_stocks_lose_return_as_the_book_grows(books):
    market, thin, _ = books
    table = _capacity(market, thin)
    # $100K and $1M trade alike (their orders are small against the volume; which is ahead is noise);
    # from there on every tenfold costs return.
    r = table["total_return"].to_numpy()
    assert r[3] < r[2] < min(r[0], r[1])
    assert table["total_return"].iloc[0] - table["total_return"].iloc[-1] > 0.2
    assert table["fill_rate"].iloc[-1] < 0.5 < table["fill_rate"].iloc[0]
    print(table.to_string())


def test_the_most_traded_stocks_barely_notice(books):
    market, _, thick = books
    table = _capacity(market, thick)
    assert abs(table["total_return"].iloc[-1] - table["total_return"].iloc[0]) < 0.01
    print(table.to_string())
    assert (table["fill_rate"] > 0.995).all() and (table["days_to_fill"] < 0.05).all()  # fees keep the last buy short
