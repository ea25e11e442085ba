"""The SEC shares snapshot reader: CIK joined to tickers, counts known from a conservative public date."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hedgeclone.data.prices.shares import parse_company_tickers, parse_sec_snapshot
from hedgeclone.errors import InputError

SNAPSHOT = {"metadata": {"generated": "2025-09-12T17:38:22"}, "data": {
    "1": {"entity_name": "TWO CLASSES", "shares_outstanding": 1000, "shares_date": "2025-06-30"},
    "2": {"entity_name": "A YEAR END", "shares_outstanding": 500, "shares_date": "2025-03-31"},
    "3": {"entity_name": "NO TICKER", "shares_outstanding": 10, "shares_date": "2025-06-30"},
    "4": {"entity_name": "NO COUNT", "shares_outstanding": 0, "shares_date": "2025-06-30"},
}}
TICKERS = {"0": {"cik_str": 1, "ticker": "BRK.B", "title": "X"}, "1": {"cik_str": 1, "ticker": "BRKA", "title": "X"},
           "2": {"cik_str": 2, "ticker": "yrz", "title": "Y"}, "3": {"cik_str": 4, "ticker": "NOC", "title": "Z"}}


def test_every_ticker_of_a_cik_gets_the_count_known_from_the_later_deadline_or_the_build_date():
    ciks = parse_company_tickers(json.dumps(TICKERS), name="t.json")
    frame, report = parse_sec_snapshot(json.dumps(SNAPSHOT), name="s.json", tickers=ciks)
    rows = frame.set_index("ticker")
    assert sorted(rows.index) == ["BRK-B", "BRKA", "YRZ"] and set(frame["source"]) == {"sec"}
    assert rows.loc["BRK-B", "shares"] == rows.loc["BRKA", "shares"] == 1000
    assert rows.loc["BRKA", "known_from"] == pd.Timestamp("2025-09-12")  # 2025-06-30 + 90 days is later
    assert rows.loc["YRZ", "known_from"] == pd.Timestamp("2025-03-31") + pd.Timedelta(days=90)
    lines = " ".join(report.lines())
    assert "1 entries without a positive count" in lines and "1 companies without a ticker" in lines


def test_bad_snapshots_name_the_file():
    ciks = parse_company_tickers(json.dumps(TICKERS), name="t.json")
    with pytest.raises(InputError, match="s.json: not valid JSON"):
        parse_sec_snapshot("{", name="s.json", tickers=ciks)
    with pytest.raises(InputError, match="s.json: not an SEC shares snapshot"):
        parse_sec_snapshot(json.dumps({"data": []}), name="s.json", tickers=ciks)
    with pytest.raises(InputError, match="t.json: not SEC company tickers"):
        parse_company_tickers(json.dumps({"0": {"ticker": "A"}}), name="t.json")


def test_the_cli_asks_for_the_company_tickers_file(tmp_path, capsys):
    from hedgeclone.backtest.cli.app import main

    path = tmp_path / "sec_shares_snapshot.json"
    path.write_text(json.dumps(SNAPSHOT))
    with pytest.raises(SystemExit) as info:
        main(["data", "shares", "import", str(path), "--store", str(tmp_path / "store")])
    assert info.value.code == 2 and "--company-tickers" in capsys.readouterr().err
