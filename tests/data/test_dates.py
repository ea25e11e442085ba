"""UTC midnight is a date, not the previous New York evening; other zones keep their own date."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hedgeclone.data.prices.importers import parse_price_file
from hedgeclone.data.prices.shares import parse_shares_file
from hedgeclone.data.schemas import as_dates
from hedgeclone.data.thirteenf.tables import load_mapping, table_to_holdings

JAN2 = pd.Timestamp("2024-01-02")


@pytest.mark.parametrize("stamp", ["2024-01-02T00:00:00Z", "2024-01-02 00:00:00+00:00", "2024-01-02T00:00:00.000+0000",
                                   "2024-01-02T23:30:00-05:00", "2024-01-02T00:30:00+09:00", "2024-01-02"])
def test_a_csv_stamp_takes_its_own_date(stamp):
    frame = parse_price_file(f"ticker,date,close\nAAA,{stamp},1\n".encode(), name="x.csv")
    assert frame["date"].tolist() == [JAN2]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_a_tz_aware_parquet_column_takes_its_own_date(tz):
    stamps = pd.DatetimeIndex(["2024-01-02 00:00", "2024-01-03 00:00"]).tz_localize(tz)
    buf = io.BytesIO()
    pq.write_table(pa.table({"ticker": ["AAA", "AAA"], "date": stamps, "close": [1.0, 2.0]}), buf)
    frame = parse_price_file(buf.getvalue(), name="x.parquet")
    assert frame["date"].tolist() == [JAN2, pd.Timestamp("2024-01-03")]


def test_shares_and_13f_tables_keep_utc_midnight_dates():
    shares, _ = parse_shares_file(b"ticker,known_from,shares\nAAA,2024-01-02T00:00:00Z,100\n", name="s.csv", as_of=None)
    assert shares["known_from"].tolist() == [JAN2]
    table = pd.DataFrame({"cik": ["1"], "filer_name": ["F"], "period": ["2023-12-31T00:00:00Z"],
                          "filed": ["2024-01-02T00:00:00+00:00"], "accession": ["a"], "form": ["13F-HR"],
                          "amendment_type": [""], "cusip": ["037833100"], "ticker": ["AAPL"], "issuer": ["APPLE"],
                          "value_usd": ["10"], "shares": ["1"], "put_call": [""]}, dtype="string")
    holdings, _ = table_to_holdings(table, load_mapping("hedgeclone"), source="t.csv")
    assert holdings["filed"].tolist() == [JAN2] and holdings["period"].tolist() == [pd.Timestamp("2023-12-31")]


def test_as_dates_marks_unreadable_values_missing():
    out = as_dates(pd.Series(["2024-01-02", None, "garbage"], dtype=object))
    assert out.iloc[0] == JAN2 and out.iloc[1:].isna().all()
