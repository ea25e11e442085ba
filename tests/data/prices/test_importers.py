"""Parsing and validation of price files: layouts, formats, repairs and errors."""

from __future__ import annotations

import gzip
import io
import itertools

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.prices.importers import parse_price_file, ticker_from_filename
from hedgeclone.data.prices.validate import validate_prices
from hedgeclone.errors import InputError

LONG = b"ticker,date,adj_close,close,volume\nAAA,2024-01-02,10,11,100\nAAA,2024-01-03,10.5,11.5,200\nBBB,2024-01-02,5,5,50\n"


def clean(payload: bytes, name: str = "x.csv", **kw):
    return validate_prices(parse_price_file(payload, name=name, **{k: v for k, v in kw.items() if k != "strict"}), name, strict=kw.get("strict", False))


def test_long_maps_adjusted_to_close_and_close_to_raw():
    frame, rep = clean(LONG)
    assert list(frame.columns) == ["ticker", "date", "close", "raw_close", "volume"]
    assert frame.loc[1, "close"] == 10.5 and frame.loc[1, "raw_close"] == 11.5
    assert rep.rows == 3 and rep.tickers == 2 and not rep.repairs


def test_wide_single_and_filename_ticker():
    wide, _ = clean(b"date,AAA,BBB\n2024-01-02,1,2\n2024-01-03,1.5,\n", field="raw_close")
    assert set(wide.columns) == {"ticker", "date", "raw_close"} and len(wide) == 3
    single, _ = clean(b"Date,Close\n2024-01-02,3\n2024-01-03,4\n", name="data/brk-b_adjclose.csv")
    assert single["ticker"].unique().tolist() == ["BRK-B"] and single["close"].tolist() == [3, 4]
    given, _ = clean(b"Date,Close\n2024-01-02,3\n", name="prices.csv", ticker="spy")
    assert given["ticker"].iat[0] == "SPY"
    assert ticker_from_filename("DUOT_ohlcv_alpaca_iex_2020_2025.csv") == "DUOT"


def test_gzip_and_parquet_bytes_equal_csv():
    plain, _ = clean(LONG)
    gz, _ = clean(gzip.compress(LONG), name="x.csv.gz")
    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(LONG)).to_parquet(buf)
    pq_frame, _ = clean(buf.getvalue(), name="x.parquet")
    pd.testing.assert_frame_equal(plain, gz)
    pd.testing.assert_frame_equal(plain.drop(columns="date"), pq_frame.drop(columns="date"))


def test_tz_aware_stamps_become_new_york_days():
    frame, _ = clean(b"Date,Open,Close,Adj Close,Volume\n2020-07-27 04:00:00+00:00,1,2,2,10\n", name="DUOT_ohlcv.csv")
    assert frame["date"].iat[0] == pd.Timestamp("2020-07-27")


@pytest.mark.parametrize("ticker", ["../etc", "A/B", "..", "A\\B"])
def test_path_characters_in_ticker_are_an_error_naming_row(ticker):
    payload = f"ticker,date,close\nAAA,2024-01-02,1\n{ticker},2024-01-02,1\n".encode()
    with pytest.raises(InputError, match=r"x.csv: row 3: ticker .* not a valid symbol"):
        clean(payload)


def test_bad_ticker_from_option_is_an_error():
    with pytest.raises(InputError, match="not a valid symbol"):
        clean(b"Date,Close\n2024-01-02,3\n", ticker="../x")


@pytest.mark.parametrize("payload,match", [(b"", "empty file"), (b"Date,Close\n", "no data rows"), (b"ticker,close\nA,1\n", "no date column")])
def test_empty_or_headless_input_is_an_error(payload, match):
    with pytest.raises(InputError, match=match):
        clean(payload)


def test_unreadable_date_names_the_row():
    with pytest.raises(InputError, match="row 3"):
        clean(b"Date,Close\n2024-01-02,1\nnot-a-date,2\n")


def test_repairs_are_counted_and_reported():
    payload = (
        b"ticker,date,close\nBBB,2024-01-03,2\nAAA,2024-01-02,1\nAAA,2024-01-02,1\n"
        b"AAA,2024-01-03,0\nAAA,2024-01-04,-3\nBBB,2024-01-02,2\nBBB,2024-01-02,2.5\n"
    )
    frame, rep = clean(payload)
    assert rep.repairs["identical duplicate rows dropped"] == 1
    assert rep.repairs["conflicting duplicate rows: kept the later row"] == 1
    assert rep.repairs["non-positive or infinite close values set to NaN"] == 2
    assert rep.repairs["rows without any price dropped"] == 2
    assert rep.repairs["rows out of order (sorted by ticker and date)"] >= 1
    assert frame["ticker"].astype(str).tolist() == ["AAA", "BBB", "BBB"]
    assert frame["close"].tolist() == [1, 2.5, 2]  # later row of the conflicting pair kept
    assert any("row" in line for line in rep.lines())
    with pytest.raises(InputError, match=r"BBB has two different rows for 2024-01-02 \(rows 7 and 8\)"):
        clean(payload, strict=True)


def test_unadjusted_split_in_close_is_warned():
    _, rep = clean(b"Date,Close\n2024-01-02,100\n2024-01-03,101\n2024-01-04,50.4\n", name="ABC.csv")
    assert rep.warnings and "unadjusted split" in rep.warnings[0] and "ABC on 2024-01-04" in rep.warnings[0]


@pytest.mark.parametrize("name", ["SPY.csv", "IWC.csv", "IWM.csv", "IJR.csv", "TNX_yield.csv"])
def test_real_benchmark_files_import_as_they_are(prices_dir, name):
    frame, rep = validate_prices(parse_price_file(prices_dir / "benchmarks" / name), name)
    assert rep.tickers == 1 and frame["ticker"].iat[0] == name.split("_")[0].split(".")[0]
    assert frame["date"].is_monotonic_increasing and frame["close"].gt(0).all()


def test_real_ticker_files_import_as_they_are(prices_dir):
    for path in sorted((prices_dir / "tickers").glob("*.csv")):
        frame, rep = validate_prices(parse_price_file(path), path.name)
        assert rep.tickers == 1 and frame["ticker"].iat[0] in ("DUOT", "DERM")
        if "ohlcv" in path.name:
            assert {"close", "raw_close", "volume", "open"} <= set(frame.columns)
            assert frame["date"].dt.hour.eq(0).all()


def _head_bytes(path, lines: int) -> bytes:
    with gzip.open(path, "rb") as fh:
        return b"".join(itertools.islice(fh, lines))


def test_real_universe_slice(prices_dir):
    payload = _head_bytes(prices_dir / "us_stocks_adjclose_2014_2026.csv.gz", 60_001)
    frame, rep = validate_prices(parse_price_file(gzip.compress(payload), name="slice.csv.gz"), "slice")
    assert rep.rows >= 59_000 and list(frame.columns) == ["ticker", "date", "close"]
    assert frame["ticker"].iat[0] == "A" and frame.loc[0, "date"] == pd.Timestamp("2014-01-02")


def test_real_delisted_slice_has_raw_and_adjusted(prices_dir):
    payload = _head_bytes(prices_dir / "us_delisted_by2026_ohlcv_2014_2020.csv.gz", 20_001)
    frame, _ = validate_prices(parse_price_file(payload, name="delisted.csv"), "delisted")
    assert {"close", "raw_close", "volume", "open"} <= set(frame.columns)
    assert np.isfinite(frame["raw_close"]).all()
