"""Capacity on real 2015-2018 close and volume (../shared/data/prices, SOURCES.md section 6): an equal-weight
book of 20 thinly traded stocks loses return as it grows; one of the 10 most traded stocks barely notices."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # `examples` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from examples.capacity_figures import AUMS, REAL_FILE, real_books, real_config  # noqa: E402
from hedgeclone.backtest.capacity import capacity  # noqa: E402

FILE = ROOT / ".." / "shared" / "data" / REAL_FILE
pytestmark = pytest.mark.skipif(not FILE.exists(), reason=f"real data absent: {FILE} (../shared/data)")


@pytest.fixture(scope="module")
def books():
    return real_books(FILE)


def _capacity(market, tickers):
    return capacity(real_config(tickers), market, AUMS).table


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
