"""SEC XBRL shares outstanding through edgartools, offline.

edgartools' own code runs: its bundled ticker table resolves the CIK and `Company.get_facts()`
loads and parses the company facts, read from its local-storage mode (``EDGAR_USE_LOCAL_DATA``,
``companyfacts/CIK##########.json``) where the test writes a payload in SEC's layout. The share
counts in it come from a real Nasdaq screener snapshot (Market Cap / Last Sale).
"""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from hedgeclone.errors import InputError

TICKER, CIK = "AAPL", 320193
SCREENER = "nasdaq_screener_2025-03-28.csv.gz"


@pytest.fixture
def screener_shares(prices_dir) -> float:
    """AAPL's shares outstanding in the real 2025-03-28 screener: Market Cap / Last Sale."""
    path = prices_dir / "fundamentals" / SCREENER
    if not path.exists():
        pytest.skip(f"real screener snapshot absent: {path}")
    with gzip.open(path, "rt") as fh:
        frame = pd.read_csv(fh, dtype=str)
    row = frame[frame["Symbol"] == TICKER].iloc[0]
    cap = float(row["Market Cap"].replace(",", ""))
    price = float(row["Last Sale"].replace("$", "").replace(",", ""))
    return round(cap / price)


def companyfacts(shares: float) -> dict:
    """A companyfacts document in SEC's layout: two filings, one fact repeated by a later filing."""
    def entry(end, val, accn, fy, fp, form, filed):
        return {"end": end, "val": val, "accn": accn, "fy": fy, "fp": fp, "form": form, "filed": filed}
    earlier = round(shares * 1.012)
    return {
        "cik": CIK, "entityName": "Apple Inc.",
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {
                "label": "Entity Common Stock, Shares Outstanding",
                "description": "Indicate number of shares outstanding of each class of common stock.",
                "units": {"shares": [
                    entry("2024-10-18", earlier, "0000320193-24-000123", 2024, "FY", "10-K", "2024-11-01"),
                    entry("2025-01-17", shares, "0000320193-25-000008", 2025, "Q1", "10-Q", "2025-01-31"),
                ]}}},
            "us-gaap": {"Revenues": {"label": "Revenues", "description": "Revenues", "units": {"USD": [
                {"start": "2024-09-29", "end": "2024-12-28", "val": 124300000000, "accn": "0000320193-25-000008",
                 "fy": 2025, "fp": "Q1", "form": "10-Q", "filed": "2025-01-31"}]}}},
        },
    }


@pytest.fixture
def edgar_local(tmp_path, monkeypatch, screener_shares):
    """edgartools in local-storage mode over a folder holding AAPL's company facts; an identity set."""
    folder = tmp_path / "edgar"
    (folder / "companyfacts").mkdir(parents=True)
    path = folder / "companyfacts" / f"CIK{CIK:010d}.json"
    path.write_text(json.dumps(companyfacts(screener_shares)))
    monkeypatch.setenv("EDGAR_USE_LOCAL_DATA", "1")
    monkeypatch.setenv("EDGAR_LOCAL_DATA_DIR", str(folder))
    monkeypatch.setenv("EDGAR_ALLOW_NETWORK_FALLBACK", "0")
    monkeypatch.setenv("EDGAR_IDENTITY", "hedgeclone tests tests@example.com")
    from edgar.entity.entity_facts import clear_company_facts_cache

    clear_company_facts_cache()
    yield path
    clear_company_facts_cache()


def test_fetch_stores_shares_known_from_filing_dates(store, edgar_local, screener_shares):
    from hedgeclone.data.prices.sec import fetch_sec_shares
    from hedgeclone.data.prices.shares import load_shares

    report = fetch_sec_shares(store, [TICKER.lower()])
    assert report.fetched == [TICKER] and not report.failed and report.rows == 2
    got = load_shares(store, [TICKER])
    assert got["known_from"].tolist() == [pd.Timestamp("2024-11-01"), pd.Timestamp("2025-01-31")]
    assert got["shares"].tolist() == [round(screener_shares * 1.012), screener_shares]


def test_second_run_makes_no_request(store, edgar_local, screener_shares):
    from edgar.entity.entity_facts import clear_company_facts_cache

    from hedgeclone.data.prices.sec import fetch_sec_shares
    from hedgeclone.data.prices.shares import load_shares

    fetch_sec_shares(store, [TICKER])
    edgar_local.unlink()  # any new request for the facts would now fail
    clear_company_facts_cache()
    again = fetch_sec_shares(store, [TICKER])
    assert again.cached == [TICKER] and not again.fetched and not again.failed
    assert load_shares(store, [TICKER])["shares"].iloc[-1] == screener_shares
    stale = fetch_sec_shares(store, [TICKER], now=pd.Timestamp.now() + pd.Timedelta(days=2))
    assert TICKER in stale.failed and "company facts" in stale.failed[TICKER]


def test_sec_wins_over_a_snapshot_on_the_same_day(store, edgar_local, screener_shares):
    from hedgeclone.data.prices.sec import fetch_sec_shares
    from hedgeclone.data.prices.shares import load_shares, store_shares

    snapshot = pd.DataFrame({"ticker": [TICKER], "known_from": [pd.Timestamp("2025-01-31")], "shares": [1.0],
                             "source": ["snapshot"]})
    store_shares(store, snapshot)
    fetch_sec_shares(store, [TICKER])
    assert load_shares(store, [TICKER])["shares"].iloc[-1] == screener_shares


def test_missing_identity_is_a_clear_error(store, edgar_local, monkeypatch):
    from hedgeclone.data.prices.sec import fetch_sec_shares

    monkeypatch.delenv("EDGAR_IDENTITY")
    with pytest.raises(InputError, match="EDGAR_IDENTITY"):
        fetch_sec_shares(store, [TICKER])


def test_cli_fetch_source_sec(tmp_path, edgar_local, screener_shares):
    from hedgeclone.backtest.cli.app import app

    result = CliRunner().invoke(app, ["data", "shares", "fetch", TICKER, "--source", "sec",
                                      "--store", str(tmp_path / "cli-store")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "1 ticker(s) fetched from SEC company facts" in result.output


def test_nan_and_infinite_share_counts_never_reach_the_store(tmp_path):
    import numpy as np
    import pandas as pd
    import pytest

    from hedgeclone.data.prices.shares import load_shares, parse_shares_file, store_shares
    from hedgeclone.data.store import Store
    from hedgeclone.errors import InputError

    frame, rep = parse_shares_file(b"ticker,known_from,shares\nAAA,2024-01-02,100\nAAA,2024-02-01,inf\nAAA,2024-03-01,nan\n",
                                   name="s.csv", as_of=None)
    assert frame["shares"].tolist() == [100.0] and any("finite" in line for line in rep.lines())
    store = Store(tmp_path)
    store_shares(store, frame)
    later = pd.DataFrame({"ticker": ["AAA"], "known_from": [pd.Timestamp("2024-04-01")], "shares": [np.nan],
                          "source": ["user"]})
    with pytest.raises(InputError, match="not a positive finite number"):
        store_shares(store, later)
    assert load_shares(store)["shares"].tolist() == [100.0]
