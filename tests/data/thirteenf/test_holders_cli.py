"""``hedgeclone data 13f holders``: one row per issuer, distinct filers, the traded ticker chosen."""

from __future__ import annotations

import io

import pandas as pd
from typer.testing import CliRunner

from hedgeclone.data.prices import import_price_file
from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.storage import StoreHoldings


def cli():
    from hedgeclone.backtest.cli.app import app

    return app


def row(cik, cusip, ticker, value, period="2024-03-31", filed="2024-05-10"):
    return {"cik": cik, "filer_name": f"F{cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
            "accession": f"{cik}-{period}", "form": "13F-HR", "amendment_type": None, "cusip": cusip,
            "ticker": ticker, "issuer": f"CO {cusip[:6]}", "value_usd": float(value), "shares": 1.0, "put_call": None}


def test_holders_lists_issuers_with_their_cusips_and_traded_ticker(tmp_path):
    store = Store(tmp_path / "s")
    rows = [row(1, "02079K305", "GOOGL", 50), row(1, "02079K107", "GOOG", 50),
            row(2, "02079K107", "GOOG", 10), row(3, "02079K107", "GOOG", 10), row(4, "02079K305", "GOOGL", 5),
            row(1, "084670702", "BRK.B", 10), row(2, "084670702", "BRK.B", 10),
            row(5, "594918104", "MSFT", 10, period="2023-09-30", filed="2023-11-10"),  # stale on 2024-05-20
            row(6, "594918104", "MSFT", 10, filed="2024-05-20")]  # filed on the day: not yet known
    StoreHoldings(store).write_batch("t", conform(pd.DataFrame(rows), HOLDINGS, "t"))
    dates = pd.bdate_range("2024-05-01", "2024-05-31")
    prices = tmp_path / "wide.csv"
    # GOOG has no price: the issuer trades as GOOGL although GOOG has more filers; BRK.B is unpriced.
    pd.DataFrame({"date": dates, "GOOGL": 100.0, "MSFT": 50.0}).to_csv(prices, index=False)
    import_price_file(store, prices)
    res = CliRunner().invoke(cli(), ["data", "13f", "holders", "--as-of", "2024-05-20", "--csv",
                                     "--store", str(store.root)])
    assert res.exit_code == 0, res.output
    out = pd.read_csv(io.StringIO(res.stdout), dtype=str, keep_default_na=False)
    assert out.columns.tolist() == ["issuer", "ticker", "name", "holders", "value_usd", "conviction", "top10", "cusips"]
    assert out["issuer"].tolist() == ["02079K", "084670"]  # MSFT's only holder is stale, the other not yet known
    assert out["holders"].tolist() == ["4", "2"]
    assert out["ticker"].tolist() == ["GOOGL", ""]
    assert out["cusips"].tolist() == ["02079K107 02079K305", "084670702"]
    res = CliRunner().invoke(cli(), ["data", "13f", "holders", "--as-of", "2024-05-21", "--csv",
                                     "--max-filing-age-quarters", "3", "--store", str(store.root)])
    out = pd.read_csv(io.StringIO(res.stdout), dtype=str, keep_default_na=False).set_index("issuer")
    assert out.loc["594918", "holders"] == "2" and out.loc["594918", "ticker"] == "MSFT"
