"""`data.market._match_tickers`: 13F tickers respelled to the price data's where only separators differ."""

from __future__ import annotations

import pandas as pd

from hedgeclone.data.market import _match_tickers
from hedgeclone.data.schemas import HOLDINGS, conform


def _holdings(tickers: list) -> pd.DataFrame:
    n = len(tickers)
    return conform(pd.DataFrame({
        "cik": range(1, n + 1), "filer_name": "F", "period": pd.Timestamp("2024-03-31"),
        "filed": pd.Timestamp("2024-05-10"), "accession": [f"a{i}" for i in range(n)], "form": "13F-HR",
        "amendment_type": None, "cusip": [f"{i:06d}101" for i in range(n)], "ticker": tickers,
        "issuer": [f"ISSUER {i}" for i in range(n)], "value_usd": 1.0, "shares": 1.0, "put_call": None,
    }), HOLDINGS, "test holdings")


def test_separator_spellings_are_matched_and_nothing_else_changes():
    priced = pd.Index(["BF-B", "BRK-B", "MSFT", "AB.C", "ABC"], name="ticker")
    holdings = _holdings(["BFB", "MSFT", "BRK.B", "BFB", None, "ABC", "XYZ", "BRK/B"])
    out, renamed = _match_tickers(holdings, priced)
    # BFB and BRK.B/BRK/B have one priced spelling each; ABC is priced as it is; AB.C and ABC share
    # the bare form ABC, so that form is ambiguous and matches neither; XYZ has no price at all.
    assert renamed == 3
    assert out["ticker"].tolist()[:4] == ["BF-B", "MSFT", "BRK-B", "BF-B"]
    assert pd.isna(out["ticker"].iloc[4]) and out["ticker"].tolist()[5:] == ["ABC", "XYZ", "BRK-B"]
    assert out["ticker"].dtype == holdings["ticker"].dtype
    pd.testing.assert_frame_equal(out.drop(columns="ticker"), holdings.drop(columns="ticker"), check_exact=True)
    assert holdings["ticker"].tolist()[0] == "BFB"  # the input is not changed


def test_holdings_already_spelled_as_priced_come_back_as_they_are():
    holdings = _holdings(["MSFT", "BF-B"])
    out, renamed = _match_tickers(holdings, pd.Index(["BF-B", "MSFT"]))
    assert renamed == 0 and out is holdings
