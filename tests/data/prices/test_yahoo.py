"""yfinance source, driven offline through yfinance's real code path (fake requests transport)."""

from __future__ import annotations

import pandas as pd
import pytest
import requests

from hedgeclone.data.prices import load_prices, total_return
from hedgeclone.data.prices.yahoo import SURVIVORSHIP_WARNING, RetryPolicy, fetch_prices, history_to_long
from hedgeclone.errors import DataError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")


def no_sleep(waits):
    return lambda seconds: waits.append(seconds)


def test_fetch_matches_the_files_and_spy_2025(store, yahoo):
    session, adapter = yahoo
    rep = fetch_prices(store, ["SPY", "IWC"], "2024-12-01", "2025-12-31", session=session, sleep=no_sleep([]))
    assert sorted(rep.fetched) == ["IWC", "SPY"] and not rep.failed
    assert SURVIVORSHIP_WARNING in rep.warnings
    wide = load_prices(store, ["SPY"], fields=("close", "raw_close", "volume", "open"))
    assert wide["close"].index[-1] == pd.Timestamp("2025-12-31")
    assert f"{total_return('SPY', '2024-12-31', '2025-12-31', store=store) * 100:+.2f}%" == "+17.72%"
    assert f"{total_return('IWC', '2025-06-30', '2025-09-30', store=store) * 100:+.2f}%" == "+17.10%"
    assert wide["volume"].iloc[0, 0] == 1_000_000


def test_incremental_update_asks_only_for_missing_dates(store, yahoo):
    session, adapter = yahoo
    fetch_prices(store, ["SPY"], "2025-01-02", "2025-06-30", session=session)
    before = len(adapter.chart_calls)
    rep = fetch_prices(store, ["SPY"], "2025-01-02", "2025-09-30", session=session)
    assert rep.fetched == ["SPY"] and not rep.refetched
    ticker, params = adapter.chart_calls[before]
    assert pd.Timestamp(int(params["period1"]), unit="s") >= pd.Timestamp("2025-06-30")
    again = fetch_prices(store, ["SPY"], "2025-01-02", "2025-09-30", session=session)
    assert again.up_to_date == ["SPY"] and len(adapter.chart_calls) == before + 1  # nothing asked
    expected = adapter.bars["SPY"].loc["2025-01-02":"2025-09-30", "adjclose"]
    pd.testing.assert_series_equal(load_prices(store, ["SPY"])["close"]["SPY"], expected, check_names=False, check_index_type=False, check_freq=False)


def test_readjusted_history_is_fetched_again_in_full(store, yahoo):
    session, adapter = yahoo
    fetch_prices(store, ["IWC"], "2025-01-02", "2025-03-31", session=session)
    bars = adapter.bars["IWC"].copy()
    bars["adjclose"] = bars["adjclose"] * 0.99  # a dividend re-based Yahoo's adjusted history
    adapter.bars["IWC"] = bars
    rep = fetch_prices(store, ["IWC"], "2025-01-02", "2025-04-30", session=session)
    assert rep.refetched == ["IWC"]
    close = load_prices(store, ["IWC"], fields=("close",))["close"]["IWC"]
    assert close.loc["2025-01-02"] == pytest.approx(bars.loc["2025-01-02", "adjclose"])


def test_rate_limits_and_connection_errors_are_retried_with_backoff(store, yahoo):
    session, adapter = yahoo
    adapter.failures["SPY"] = [429, 429, requests.ConnectionError("reset by peer")]
    waits: list[float] = []
    rep = fetch_prices(store, ["SPY"], "2023-01-03", "2023-03-31", session=session, sleep=no_sleep(waits), policy=RetryPolicy(retries=4, backoff=1.5))
    assert rep.fetched == ["SPY"] and rep.retries == len(waits) >= 2
    assert waits == [1.5 * 2**i for i in range(len(waits))]


def test_exhausted_retries_and_unknown_tickers_fail_clearly(store, yahoo):
    session, adapter = yahoo
    adapter.failures["IWC"] = [429] * 10
    rep = fetch_prices(store, ["SPY", "IWC", "ZZZZ"], "2023-01-03", "2023-02-28", session=session, sleep=no_sleep([]), policy=RetryPolicy(retries=1))
    assert rep.fetched == ["SPY"] and set(rep.failed) == {"IWC", "ZZZZ"}
    assert "RateLimit" in rep.failed["IWC"]
    with pytest.raises(DataError, match="nothing fetched"):
        fetch_prices(store, ["ZZZZ"], "2023-01-03", "2023-02-28", session=session, sleep=no_sleep([]))


def test_history_to_long_pure():
    idx = pd.DatetimeIndex(["2025-01-02 00:00"]).tz_localize("America/New_York")
    hist = pd.DataFrame({"Open": [1.0], "Close": [2.0], "Adj Close": [1.9], "Volume": [10]}, index=idx)
    rows = history_to_long(hist, "X")
    assert rows.iloc[0].to_dict() == {"ticker": "X", "date": pd.Timestamp("2025-01-02"), "close": 1.9, "raw_close": 2.0, "volume": 10.0, "open": 1.0}


def test_interrupted_download_resumes_with_the_missing_tickers(store, yahoo):
    session, adapter = yahoo
    adapter.bars["IWM"] = adapter.bars["SPY"] * 0.4
    seen: list[str] = []

    def stop_after_first_chunk(ticker: str) -> None:
        seen.append(ticker)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_prices(store, ["SPY", "IWC", "IWM"], "2024-01-02", "2024-03-28", session=session, chunk=1, on_ticker=stop_after_first_chunk)
    assert set(load_prices(store, fields=("close",))["close"].columns) == {"SPY"}  # the finished chunk was kept
    rep = fetch_prices(store, ["SPY", "IWC", "IWM"], "2024-01-02", "2024-03-28", session=session)
    assert rep.up_to_date == ["SPY"] and sorted(rep.fetched) == ["IWC", "IWM"]


def test_share_history_through_yfinance(store, yahoo, prices_dir):
    from hedgeclone.data.prices import load_shares, parse_shares_file
    from hedgeclone.data.prices.yahoo import fetch_shares

    session, adapter = yahoo
    counts = {}
    for path in sorted((prices_dir / "fundamentals").glob("*.csv.gz"))[1:]:
        frame, _ = parse_shares_file(path, name=path.name, as_of=None)
        row = frame[frame["ticker"] == "DUOT"].iloc[0]
        counts[row["known_from"]] = row["shares"]
    adapter.shares["DUOT"] = pd.Series(counts)
    adapter.bars["DUOT"] = adapter.bars["SPY"] / 100
    rep = fetch_shares(store, ["DUOT"], "2024-06-01", "2026-03-01", session=session)
    assert rep.fetched == ["DUOT"]
    shares = load_shares(store, ["DUOT"]).set_index("known_from")["shares"]
    assert shares.loc["2025-08-21"] == pytest.approx(19.4e6, rel=0.01)
