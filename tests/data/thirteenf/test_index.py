"""`HoldingsIndex` must answer exactly what the SQL point-in-time rules answer, on every date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.data.thirteenf.pointintime import holders_as_of


def assert_same_holders(index: HoldingsIndex, holdings: pd.DataFrame, date, ciks=None) -> None:
    got = index.holders_as_of(date, ciks).reset_index(drop=True)
    want = holders_as_of(holdings, date, ciks).reset_index(drop=True)
    assert len(got) == len(want), date
    exact = ["cusip", "ticker", "issuer", "holders", "top10"]
    pd.testing.assert_frame_equal(got[exact], want[exact], check_dtype=False)
    np.testing.assert_allclose(got["value_usd"], want["value_usd"], rtol=1e-12)
    np.testing.assert_allclose(got["conviction"], want["conviction"], rtol=1e-9, atol=1e-12)


def amended_holdings() -> pd.DataFrame:
    """Two filers, one restating and one adding new holdings, both known at chosen dates."""
    def row(cik, period, filed, acc, cusip, value, amendment=None, put_call=None):
        return {"cik": cik, "filer_name": f"F{cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
                "accession": acc, "form": "13F-HR/A" if amendment else "13F-HR", "amendment_type": amendment,
                "cusip": cusip, "ticker": cusip[:3], "issuer": cusip[:3] + " INC", "value_usd": value,
                "shares": 1.0, "put_call": put_call}
    rows = [
        row(1, "2024-03-31", "2024-05-10", "A1", "AAA111111", 100),
        row(1, "2024-03-31", "2024-05-10", "A1", "BBB222222", 50),
        row(1, "2024-03-31", "2024-06-01", "A2", "CCC333333", 70, "RESTATEMENT"),
        row(2, "2024-03-31", "2024-05-14", "B1", "AAA111111", 10),
        row(2, "2024-03-31", "2024-05-20", "B2", "DDD444444", 20, "NEW HOLDINGS"),
        row(2, "2024-03-31", "2024-05-14", "B1", "EEE555555", 5, put_call="CALL"),
        row(2, "2024-06-30", "2024-08-14", "B3", "BBB222222", 30),
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("date", ["2024-05-09", "2024-05-10", "2024-05-15", "2024-05-21", "2024-06-02", "2024-08-14"])
def test_amendments_and_options_follow_the_rules(date):
    holdings = amended_holdings()
    assert_same_holders(HoldingsIndex(holdings), holdings, date)


def test_restatement_replaces_and_new_holdings_add():
    index = HoldingsIndex(amended_holdings())
    assert set(index.holders_as_of("2024-05-21")["cusip"]) == {"AAA111111", "BBB222222", "DDD444444"}
    assert set(index.holders_as_of("2024-06-02")["cusip"]) == {"AAA111111", "CCC333333", "DDD444444"}
    assert index.holders_as_of("2024-05-09").empty


def test_matches_sql_on_the_demo_market(tmp_path):
    from hedgeclone.data.demo import DemoConfig, load_demo
    from hedgeclone.data.store import Store

    market = load_demo(DemoConfig(n_stocks=300, n_filers=40, start="2019-01-02", end="2021-12-31"),
                       store=Store(tmp_path))
    holdings = market.holdings
    assert (holdings["amendment_type"].notna()).any()
    index = HoldingsIndex(holdings)
    for date in ["2019-05-16", "2019-08-20", "2020-02-18", "2021-11-16"]:
        assert_same_holders(index, holdings, date)
    some = holdings["cik"].drop_duplicates().to_numpy()[:7]
    assert_same_holders(index, holdings, "2021-11-16", ciks=some)


def test_matches_sql_on_the_superinvestor_table(superinvestoren_holdings):
    holdings = superinvestoren_holdings[0]
    index = HoldingsIndex(holdings)
    for date in ["2014-02-18", "2016-05-17", "2020-11-17", "2024-05-15", "2025-08-15"]:
        assert_same_holders(index, holdings, date)
