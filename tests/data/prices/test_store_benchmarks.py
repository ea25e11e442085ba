"""Store round trips, benchmark returns on the real ETF files, coverage and market caps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.prices import (
    benchmark_series,
    coverage_of_ranges,
    coverage_warning,
    delisting_dates,
    import_price_file,
    load_prices,
    load_shares,
    market_cap,
    parse_shares_file,
    store_shares,
    ticker_ranges,
    total_return,
    universe_on,
)
from hedgeclone.data.prices.shares import date_from_name, nasdaq_symbol_to_yahoo, resolve_precedence
from hedgeclone.errors import DataError, InputError


@pytest.fixture(scope="module")
def etf_store(tmp_path_factory, prices_dir):
    from hedgeclone.data.store import Store

    store = Store(tmp_path_factory.mktemp("etf") / "store")
    for t in ("SPY", "IWC", "IWM", "IJR"):
        import_price_file(store, prices_dir / "benchmarks" / f"{t}.csv")
    return store


@pytest.mark.parametrize(
    "name,start,end,expected",
    [("sp500", "2024-12-31", "2025-12-31", "+17.72%"), ("russell-microcap", "2025-03-31", "2025-06-30", "+15.41%"),
     ("IWC", "2024-12-31", "2025-03-31", "-14.73%"), ("IWC", "2025-06-30", "2025-09-30", "+17.10%"),
     ("russell-2000", "2024-12-31", "2025-12-31", "+12.66%")],
)
def test_total_returns_on_real_etf_files(etf_store, name, start, end, expected):
    assert f"{total_return(name, start, end, store=etf_store) * 100:+.2f}%" == expected


def test_benchmark_registry_and_user_series(etf_store):
    spy = benchmark_series("sp500", etf_store)
    assert spy.name == "SPY" and spy.loc["2025-12-31"] == pytest.approx(678.3152, abs=1e-3)
    user = pd.Series([100.0, 110.0], index=pd.to_datetime(["2025-01-02", "2025-01-03"]), name="mine")
    assert total_return(user, "2025-01-02", "2025-01-03") == pytest.approx(0.10)
    assert len(benchmark_series("sp600", etf_store)) == 6570
    with pytest.raises(DataError, match="no prices for NOPE"):
        benchmark_series("NOPE", etf_store)
    with pytest.raises(DataError, match="no price on or before 1990-01-02"):
        total_return("SPY", "1990-01-02", "2025-01-02", store=etf_store)
    with pytest.raises(InputError, match="must be after"):
        total_return("SPY", "2025-01-02", "2025-01-01", store=etf_store)


def test_non_trading_start_uses_last_close_before(etf_store):
    # 2025-01-01 is a holiday: the close of 2024-12-31 is what was known
    assert total_return("SPY", "2025-01-01", "2025-12-31", store=etf_store) == pytest.approx(678.3152 / 576.2153 - 1, rel=1e-6)


def test_load_prices_wide_union_calendar_and_incremental_merge(store):
    from hedgeclone.data.prices.load import store_prices
    from hedgeclone.data.prices.validate import validate_prices

    def put(rows, **kw):
        frame = pd.DataFrame(rows, columns=["ticker", "date", "close", "raw_close"])
        frame["date"] = pd.to_datetime(frame["date"])
        frame["ticker"] = frame["ticker"].astype("category")
        clean, rep = validate_prices(frame, "t")
        store_prices(store, clean, rep, "test", **kw)

    put([("AAA", "2024-01-02", 1.0, 2.0), ("BBB", "2024-01-03", 5.0, 5.0)])
    put([("AAA", "2024-01-03", 1.1, np.nan), ("AAA", "2024-01-02", 1.05, np.nan)])
    wide = load_prices(store, ["BBB", "AAA"], fields=("close", "raw_close"))
    assert list(wide["close"].columns) == ["BBB", "AAA"]
    assert list(wide["close"].index) == list(pd.to_datetime(["2024-01-02", "2024-01-03"]))
    assert wide["close"].loc["2024-01-02", "AAA"] == 1.05  # new value wins
    assert wide["raw_close"].loc["2024-01-02", "AAA"] == 2.0  # field absent in the update is kept
    assert np.isnan(wide["close"].loc["2024-01-02", "BBB"])
    assert load_prices(store, ["AAA"], start="2024-01-03")["close"].shape == (1, 1)
    ranges = ticker_ranges(store)
    assert ranges.set_index("ticker").loc["AAA", "rows"] == 2


def test_coverage_and_delistings():
    idx = pd.bdate_range("2024-01-01", periods=30)
    close = pd.DataFrame({"LIVE": 1.0, "GONE": 1.0, "LATE": np.nan}, index=idx)
    close.loc[idx[10]:, "GONE"] = np.nan
    close.loc[idx[5]:, "LATE"] = 2.0
    assert list(delisting_dates(close).index) == ["GONE"]
    assert universe_on(close, idx[3]) == ["LIVE", "GONE"]
    assert universe_on(close, idx[20]) == ["LIVE", "LATE"]
    ranges = pd.DataFrame({"ticker": ["LIVE", "GONE"], "last": [idx[-1], idx[9]]})
    cov = coverage_of_ranges(ranges, idx)
    assert cov.ended == 1 and coverage_warning(cov, "s") is None
    only_live = coverage_of_ranges(ranges.iloc[:1].assign(ticker="X").pipe(lambda f: pd.concat([f, f.assign(ticker="Y")])), idx)
    assert "survivorship bias" in coverage_warning(only_live, "yfinance")


def test_market_cap_is_point_in_time():
    dates = pd.bdate_range("2025-01-01", periods=6)
    raw = pd.DataFrame({"A": 10.0, "B": 2.0}, index=dates)
    shares = pd.DataFrame({
        "ticker": ["A", "A", "B"], "known_from": pd.to_datetime(["2025-01-02", "2025-01-05", "2025-01-07"]),
        "shares": [100.0, 200.0, 50.0],
    })
    cap = market_cap(raw, shares)
    assert np.isnan(cap.loc["2025-01-01", "A"])  # nothing known yet
    assert cap.loc["2025-01-02", "A"] == 1000 and cap.loc["2025-01-03", "A"] == 1000
    assert cap.loc["2025-01-06", "A"] == 2000  # known on a weekend, used from the next trading day
    assert cap.loc["2025-01-07", "B"] == 100 and np.isnan(cap.loc["2025-01-06", "B"])


def test_shares_precedence_same_day():
    frame = pd.DataFrame({
        "ticker": ["A", "A", "A"], "known_from": pd.to_datetime(["2025-01-02"] * 2 + ["2025-02-01"]),
        "shares": [1.0, 2.0, 3.0], "source": ["snapshot", "sec", "snapshot"],
    })
    best = resolve_precedence(frame)
    assert best["shares"].tolist() == [2.0, 3.0]  # sec wins on a tie, a newer snapshot wins later


def test_real_screener_snapshots_give_duot_shares(store, prices_dir):
    files = sorted((prices_dir / "fundamentals").glob("nasdaq_screener_*.csv.gz"))
    for path in files:
        frame, rep = parse_shares_file(path, name=path.name, as_of=None)
        store_shares(store, frame)
        assert rep.first == date_from_name(path.name)
    shares = load_shares(store, ["DUOT", "BRK-B"])
    duot = shares[shares["ticker"] == "DUOT"].set_index("known_from")["shares"]
    assert duot.loc["2024-12-20"] == pytest.approx(8.41e6, rel=0.01)
    assert duot.loc["2025-08-21"] == pytest.approx(19.4e6, rel=0.01)
    assert "BRK-B" in set(shares["ticker"]) and nasdaq_symbol_to_yahoo("ABR^D") == "ABR-PD"
    raw = pd.DataFrame({"DUOT": [6.0, 6.0]}, index=pd.to_datetime(["2025-08-20", "2025-08-21"]))
    cap = market_cap(raw, shares)["DUOT"]
    assert cap.iloc[0] == pytest.approx(6.0 * 8.41e6, rel=0.01) and cap.iloc[1] == pytest.approx(6.0 * 19.4e6, rel=0.01)


def test_screener_without_date_needs_as_of(tmp_path):
    path = tmp_path / "screener.csv"
    path.write_text("Symbol,Name,Last Sale,Market Cap\nAAA,A,$2.00,200.00\n")
    with pytest.raises(InputError, match="--as-of"):
        parse_shares_file(path, name=path.name, as_of=None)
    frame, _ = parse_shares_file(path, name=path.name, as_of=pd.Timestamp("2025-01-02"))
    assert frame["shares"].tolist() == [100.0]


def test_sec_companyfacts_known_from_filing_date_and_classes_summed():
    import json

    from hedgeclone.data.prices.shares import parse_sec_companyfacts

    facts = {"cik": 1, "entityName": "X", "facts": {"dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [
        {"end": "2025-01-31", "val": 100, "accn": "a1", "form": "10-K", "filed": "2025-02-20"},
        {"end": "2025-01-31", "val": 20, "accn": "a1", "form": "10-K", "filed": "2025-02-20"},
        {"end": "2025-04-30", "val": 130, "accn": "a2", "form": "10-Q", "filed": "2025-05-08"},
    ]}}}}}
    frame, rep = parse_sec_companyfacts(json.dumps(facts).encode(), name="CIK1.json", ticker="xx")
    assert frame["known_from"].tolist() == list(pd.to_datetime(["2025-02-20", "2025-05-08"]))
    assert frame["shares"].tolist() == [120.0, 130.0] and set(frame["source"]) == {"sec"}
    with pytest.raises(InputError, match="not SEC company facts"):
        parse_sec_companyfacts(b"{}", name="bad.json", ticker="X")
