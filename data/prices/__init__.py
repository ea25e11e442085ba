"""Prices, shares outstanding, market caps and benchmarks: import, fetch, store and read point in time.

Store layout and merge rules: `data.prices.store`; import layouts: `data.prices.importers`;
repairs: `data.prices.validate`; shares precedence: `data.prices.shares`.
"""

from hedgeclone.data.prices.benchmarks import BENCHMARKS, benchmark_series, resolve_benchmark, total_return
from hedgeclone.data.prices.coverage import (
    Coverage,
    coverage_of_ranges,
    coverage_warning,
    delisting_dates,
    universe_on,
)
from hedgeclone.data.prices.importers import parse_price_file, ticker_from_filename
from hedgeclone.data.prices.load import import_price_file, load_prices, store_prices, to_wide
from hedgeclone.data.prices.marketcap import market_cap, shares_on_dates
from hedgeclone.data.prices.shares import (
    SOURCE_PRIORITY,
    load_shares,
    parse_sec_companyfacts,
    parse_shares_file,
    store_shares,
)
from hedgeclone.data.prices.store import imports, read_long, ticker_ranges, write_prices
from hedgeclone.data.prices.validate import ImportReport, validate_prices
from hedgeclone.data.prices.yahoo import FetchReport, RetryPolicy, fetch_prices, fetch_shares

__all__ = [
    "BENCHMARKS", "Coverage", "FetchReport", "ImportReport", "RetryPolicy", "SOURCE_PRIORITY", "fetch_prices", "fetch_shares",
    "parse_sec_companyfacts",
    "benchmark_series", "coverage_of_ranges", "coverage_warning", "delisting_dates", "import_price_file",
    "imports", "load_prices", "load_shares", "market_cap", "parse_price_file", "parse_shares_file",
    "read_long", "resolve_benchmark", "shares_on_dates", "store_prices", "store_shares", "ticker_from_filename",
    "ticker_ranges", "to_wide", "total_return", "universe_on", "validate_prices", "write_prices",
]
