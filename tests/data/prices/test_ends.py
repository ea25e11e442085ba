"""Data that ends is not a delisting: source last dates, the delisting file, and the closes they drive.

A store of three small CSV files written here: ``long.csv`` runs to the data's last date, ``short.csv``
stops 20 sessions earlier (its series that stop with it are "data ends"), and each file has a series
that stops before its own file does (a delisting). Backtests over it are checked against a plain
hand computation from the same rows.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.backtest.run import DATA_ENDS, DELISTING
from hedgeclone.data.market import load_market
from hedgeclone.data.prices.coverage import DATA_ENDS as KIND_DATA_ENDS
from hedgeclone.data.prices.coverage import DELISTED, coverage_of_ranges, end_kinds
from hedgeclone.data.prices.delistings import parse_delistings, store_delistings
from hedgeclone.data.prices.ends import FROM_FILE, UNKNOWN
from hedgeclone.data.prices.load import import_price_files
from hedgeclone.data.prices.sources import MISSING_NOTE, SOURCES, source_ends, sources
from hedgeclone.data.prices.store import ticker_ranges
from hedgeclone.errors import InputError
from hedgeclone.strategies.basic import BuyAndHold

CAL = pd.bdate_range("2020-01-01", periods=60)
# ticker -> number of sessions with a close, by file
LONG = {"SPY": 60, "LIVE": 60, "GONE": 30}
SHORT = {"STOP": 40, "EARLY": 20, "OTC": 40, "LIVE": 40}


def _price(ticker: str, i: int) -> float:
    return 10.0 + (sum(map(ord, ticker)) % 5) + 0.25 * (i % 9)


def _write(path, counts: dict[str, int]) -> pd.DataFrame:
    rows = [(t, CAL[i].date().isoformat(), _price(t, i)) for t, n in counts.items() for i in range(n)]
    frame = pd.DataFrame(rows, columns=["ticker", "date", "close"])
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture
def files(tmp_path):
    return {"long": (tmp_path / "long.csv", _write(tmp_path / "long.csv", LONG)),
            "short": (tmp_path / "short.csv", _write(tmp_path / "short.csv", SHORT))}


@pytest.fixture
def market_store(store, files):
    import_price_files(store, [files["long"][0], files["short"][0]])
    return store


def _delisting_file(tmp_path, rows: list[tuple[str, str, str]], name: str = "delistings.csv"):
    path = tmp_path / name
    path.write_text("ticker,date,delisting_return\n" + "".join(f"{t},{d},{r}\n" for t, d, r in rows))
    return path


# -- the rule --------------------------------------------------------------------------------
def test_a_series_ending_on_its_sources_last_date_is_data_ends_and_one_ending_before_is_delisted():
    last = pd.Series([CAL[59], CAL[39], CAL[36], CAL[19], CAL[29]], index=["SPY", "STOP", "NEAR", "EARLY", "GONE"])
    src = pd.Series([CAL[59], CAL[39], CAL[39], CAL[39]], index=["SPY", "STOP", "NEAR", "EARLY"])  # GONE: unknown
    kinds = end_kinds(last, src, CAL)
    # NEAR stops 3 sessions before its source (within the 5-session tolerance); GONE has no source
    # end, so the data's last date stands in for it (the rule before sources were recorded).
    assert kinds.to_dict() == {"STOP": KIND_DATA_ENDS, "NEAR": KIND_DATA_ENDS, "EARLY": DELISTED, "GONE": DELISTED}
    assert end_kinds(last, None, CAL).eq(DELISTED).all() and len(end_kinds(last, None, CAL)) == 4


def test_the_store_records_each_files_tickers_and_last_date_and_the_later_end_wins(market_store, files):
    table = sources(market_store)
    by_file = table.groupby("source")["last"].agg(["min", "max", "count"])
    assert by_file.loc[str(files["long"][0])].tolist() == [CAL[59], CAL[59], 3]
    assert by_file.loc[str(files["short"][0])].tolist() == [CAL[39], CAL[39], 4]
    assert table["sha256"].str.len().eq(64).all()
    ends = source_ends(market_store)
    assert ends["LIVE"] == CAL[59]  # in both files: the later end wins
    assert ends["STOP"] == CAL[39] and ends["GONE"] == CAL[59]
    import_price_files(market_store, [files["short"][0]])  # the same content again replaces its rows
    assert len(sources(market_store)) == len(table)


def test_info_coverage_counts_data_ends_apart_from_delistings(market_store):
    ranges = ticker_ranges(market_store)
    cov = coverage_of_ranges(ranges, source_end=source_ends(market_store))
    assert (cov.ended, cov.data_ends, cov.data_end_dates) == (2, 2, (CAL[39],))  # GONE, EARLY; STOP, OTC
    assert "2 stop where their source stops (data ends: 2020-02-25), not delisted" in cov.summary()
    assert coverage_of_ranges(ranges).ended == 4  # without source dates: every early end is a delisting


def test_market_tells_data_ends_from_delistings_and_says_so(market_store):
    m = load_market("store", store=market_store, benchmarks=("sp500",))
    assert m.ends["kind"].to_dict() == {"EARLY": DELISTED, "GONE": DELISTED, "OTC": KIND_DATA_ENDS,
                                        "STOP": KIND_DATA_ENDS}
    assert m.ends["return_from"][["EARLY", "GONE"]].eq(UNKNOWN).all()
    assert (m.delisting_returns == 0).all()
    text = " ".join(m.caveats)
    assert "2 of 6 series end before their source does and are treated as delistings" in text
    assert "unknown and taken as 0" in text and "Data ends: 2 of 6 series stop on their source's last date (2020-02-25)" in text


def test_a_store_without_source_dates_behaves_as_before_with_a_note(market_store):
    market_store.delete(SOURCES)
    m = load_market("store", store=market_store, benchmarks=("sp500",))
    assert set(m.ends.index) == {"EARLY", "GONE", "OTC", "STOP"} and m.ends["kind"].eq(DELISTED).all()
    assert MISSING_NOTE in m.caveats


# -- the delisting file ----------------------------------------------------------------------
def test_delisting_file_parses_fractions_percentages_and_aliases(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Symbol,Date,DLRET\ncbx,2020-10-19,-35%\nAAWW,2023-03-17,0\nCBX,2020-10-19,-0.35\n")
    frame = parse_delistings(path, "d.csv")
    assert frame.to_dict("list") == {"ticker": ["AAWW", "CBX"], "date": [pd.Timestamp("2023-03-17"), pd.Timestamp("2020-10-19")],
                                     "delisting_return": [0.0, -0.35]}


@pytest.mark.parametrize(("body", "message"), [
    ("ticker,date\nA,2020-01-02\n", "d.csv: no 'delisting_return' column"),
    ("ticker,date,delisting_return\n", "d.csv: no rows"),
    ("ticker,date,delisting_return\nA,2020-01-02,0\n,2020-01-03,0\n", "d.csv: row 3: empty ticker"),
    ("ticker,date,delisting_return\nA,2020-01-02,0\nB,someday,0\n", "d.csv: row 3: ticker B: date 'someday' cannot be read"),
    ("ticker,date,delisting_return\nA,2020-01-02,abc\n", "d.csv: row 2: ticker A: delisting_return 'abc' is not a number"),
    ("ticker,date,delisting_return\nA,2020-01-02,-1.5\n", "d.csv: row 2: ticker A: delisting_return '-1.5' must be finite and >= -1"),
    ("ticker,date,delisting_return\nA,2020-01-02,\n", "d.csv: row 2: ticker A: missing delisting_return"),
    ("ticker,date,delisting_return\nA,2020-01-02,0\nB,2020-01-02,0\nA,2020-01-03,0\n", "d.csv: rows 2 and 4: ticker A has two"),
    ("ticker,date,delisting_return\n../x,2020-01-02,0\n", "d.csv: row 2: ticker '../X' is not a valid symbol"),
])
def test_a_bad_delisting_file_is_one_error_naming_file_and_row(tmp_path, body, message):
    path = tmp_path / "d.csv"
    path.write_text(body)
    with pytest.raises(InputError) as info:
        parse_delistings(path, "d.csv")
    assert message in str(info.value)


def test_market_applies_the_delisting_file_date_and_return(tmp_path, market_store):
    # OTC trades on after its delisting (its prices are cut there); EARLY's data stopped before its
    # delisting date (it closes at its last price with the file's return); LIVE is delisted after the data.
    rows = [("OTC", str(CAL[35].date()), "-0.5"), ("EARLY", str(CAL[25].date()), "-0.2"),
            ("LIVE", "2021-06-01", "-0.9"), ("NOTHERE", "2020-01-10", "0.1")]
    frame = parse_delistings(_delisting_file(tmp_path, rows), "d.csv")
    store_delistings(market_store, frame, source="d.csv", sha256="0" * 64)
    m = load_market("store", store=market_store, benchmarks=("sp500",))
    assert m.close["OTC"].last_valid_index() == CAL[35] and m.close["OTC"].iloc[36:].isna().all()
    assert m.ends.loc["OTC", "date"] == CAL[35] and m.ends.loc["EARLY", "date"] == CAL[19]
    assert m.ends.loc[["OTC", "EARLY"], "return_from"].eq(FROM_FILE).all()
    assert m.delisting_returns[["OTC", "EARLY", "GONE", "STOP"]].tolist() == [-0.5, -0.2, 0.0, 0.0]
    assert "LIVE" not in m.ends.index and "NOTHERE" not in m.delisting_returns.index
    text = " ".join(m.caveats)
    assert "3 of 6 series end before their source does" in text
    assert "2 take their delisting date and return from the imported delisting file (d.csv)" in text
    assert "1 is closed at its last price (the delisting return is unknown and taken as 0)" in text


# -- the backtest ------------------------------------------------------------------------------
def _hand_value(files, weights_from: int, closes: dict[str, tuple[int, float]], live: list[str]) -> float:
    """Buy equal weights at the close of session `weights_from`, then take each closed name's last
    close (session index) times 1 + its return, and the live names' last close: plain arithmetic."""
    frame = pd.concat([files["long"][1], files["short"][1]]).drop_duplicates(["ticker", "date"], keep="last")
    px = frame.pivot(index="date", columns="ticker", values="close")
    px.index = pd.DatetimeIndex(px.index)
    names = [*closes, *live]
    shares = {t: (1.0 / len(names)) / px.at[CAL[weights_from], t] for t in names}
    value = sum(shares[t] * px.at[CAL[i], t] * (1 + r) for t, (i, r) in closes.items())
    return value + sum(shares[t] * px.at[CAL[59], t] for t in live)


def test_backtest_closes_data_ends_at_the_last_price_and_notes_count_each_kind(tmp_path, market_store, files):
    frame = parse_delistings(_delisting_file(tmp_path, [("OTC", str(CAL[35].date()), "-0.5")]), "d.csv")
    store_delistings(market_store, frame, source="d.csv", sha256="0" * 64)
    m = load_market("store", store=market_store, benchmarks=("sp500",))
    run = run_strategy(BuyAndHold(tickers=("GONE", "STOP", "OTC", "LIVE")), m)
    closes = run.to_run_data().trades.query("side == 'sell'").set_index("ticker")
    assert closes["reason"].to_dict() == {"GONE": DELISTING, "OTC": DELISTING, "STOP": DATA_ENDS}
    assert closes.loc["STOP", "date"] == CAL[39] and closes.loc["STOP", "price"] == _price("STOP", 39)
    assert closes.loc["OTC", "price"] == pytest.approx(_price("OTC", 35) * 0.5, rel=1e-12)
    want = _hand_value(files, 1, {"GONE": (29, 0.0), "STOP": (39, 0.0), "OTC": (35, -0.5)}, ["LIVE"])
    assert run.result.value.iloc[-1] == pytest.approx(want, rel=1e-12)
    notes = [n for n in run.notes if "position(s) closed" in n]
    assert notes[0].startswith("2 position(s) closed at a delisting") and "OTC 2020-02-19 (-50.00%, delisting file)" in notes[0]
    assert "GONE 2020-02-11 (+0.00%, unknown, taken as 0)" in notes[0]
    assert notes[1].startswith("1 position(s) closed because their data ended") and "STOP 2020-02-25" in notes[1]
    html = run.report(str(tmp_path / "report.html")).read_text()
    assert "Positions closed by the data" in html and "2 position(s) closed at delistings" in html
    assert "1 closed because their data ended" in html and "delisting return is unknown and taken as 0" in html


def test_a_run_that_ends_on_the_sources_last_date_closes_nothing_there(market_store):
    m = load_market("store", store=market_store, benchmarks=("sp500",), end=CAL[39])
    run = run_strategy(BuyAndHold(tickers=("GONE", "STOP")), m)
    trades = run.to_run_data().trades
    assert trades.groupby("reason").size().to_dict() == {"rebalance": 2, DELISTING: 1}
    assert trades.loc[trades["reason"] == DELISTING, "ticker"].tolist() == ["GONE"]  # STOP is held to the end
    assert not any("data ended" in n for n in run.notes)


# -- the demo market ---------------------------------------------------------------------------
def test_demo_delistings_are_real_delistings_closed_with_their_returns(tmp_path):
    from hedgeclone.data.store import Store

    m = load_market("demo", store=Store(tmp_path / "demo-store"), stocks=120, filers=20, seed=3)
    assert len(m.ends) and m.ends["kind"].eq(DELISTED).all() and not m.ends["kind"].eq(KIND_DATA_ENDS).any()
    assert (m.ends["delisting_return"] == m.delisting_returns.reindex(m.ends.index)).all()
    calendar = m.close.index
    later = m.ends[(m.ends["date"] > calendar[300]) & (m.ends["date"] < calendar[-2])].sort_values("date").head(3)
    survivor = next(t for t in m.close.columns if t not in m.ends.index and pd.notna(m.close.at[calendar[250], t]))
    tickers = (*later.index, survivor)
    run = run_strategy(BuyAndHold(tickers=tickers), m, start=calendar[250])
    closes = run.to_run_data().trades.query("side == 'sell'").set_index("ticker")
    assert sorted(closes.index) == sorted(later.index) and closes["reason"].eq(DELISTING).all()
    for ticker, row in later.iterrows():
        last = m.close.at[row["date"], ticker]
        assert closes.loc[ticker, "date"] == row["date"]
        assert closes.loc[ticker, "price"] == pytest.approx(last * (1 + row["delisting_return"]), rel=1e-12)
    notes = [n for n in run.notes if "position(s) closed" in n]
    assert len(notes) == 1 and notes[0].startswith("3 position(s) closed at a delisting")
    assert "demo market (synthetic)" in notes[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 59), st.one_of(st.none(), st.integers(0, 59))), min_size=1, max_size=12))
def test_end_kinds_equal_a_per_ticker_reading_of_the_rule(cases):
    """Oracle: per ticker, with the calendar's positions: it ends early if its last session is more
    than 5 before the data's last; it is a data end if its last session is no more than 5 before
    its source's last (a ticker without a source end takes the data's)."""
    names = [f"T{i}" for i in range(len(cases))]
    last = pd.Series([CAL[a] for a, _ in cases], index=names)
    src = pd.Series([CAL[max(a, b)] if b is not None else pd.NaT for a, b in cases], index=names)
    end = max(a for a, _ in cases)
    want = {}
    for name, (a, b) in zip(names, cases, strict=True):
        if a < end - 5:
            source = max(a, b) if b is not None else end
            want[name] = KIND_DATA_ENDS if a >= source - 5 else DELISTED
    assert end_kinds(last, src, CAL).to_dict() == want


def test_a_download_is_a_live_source_without_an_end_of_its_own(store, files):
    from hedgeclone.data.prices.load import store_prices
    from hedgeclone.data.prices.validate import validate_prices

    import_price_files(store, [files["short"][0]])
    frame = files["short"][1].query("ticker == 'STOP'").assign(date=lambda f: pd.to_datetime(f["date"]))
    clean, report = validate_prices(frame.assign(ticker=frame["ticker"].astype("category")), "yfinance")
    store_prices(store, clean, report, kind="yfinance")
    assert pd.isna(source_ends(store)["STOP"])  # downloaded: its end is the data's, not the file's
    assert source_ends(store)["OTC"] == CAL[39]


def test_series_imported_before_sources_were_recorded_are_delistings_with_a_note(store, files, tmp_path):
    import_price_files(store, [files["short"][0]])
    store.delete(SOURCES)  # as a store written before this version
    import_price_files(store, [files["long"][0]])  # a later import records only its own file
    m = load_market("store", store=store, benchmarks=("sp500",))
    assert m.ends["kind"].to_dict() == {"EARLY": DELISTED, "GONE": DELISTED, "OTC": DELISTED, "STOP": DELISTED}
    assert any(c.startswith("3 series that end early have no recorded source") for c in m.caveats)
