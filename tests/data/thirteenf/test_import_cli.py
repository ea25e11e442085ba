"""Import into the store (all or nothing), the CLI, and the EDGAR fetch driven offline."""

from __future__ import annotations

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from hedgeclone.backtest.cli.data_13f import register
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.fetch import edgar_identity, fetch_ciks
from hedgeclone.data.thirteenf.importers import import_paths
from hedgeclone.data.thirteenf.storage import StoreHoldings
from hedgeclone.errors import InputError

LTS = "13F-HR_0001894188-23-000007_LTS-One_2023Q3.txt"
ACORN = "13F-HR_0001951757-25-000093_AcornCreek_2024Q4.nc"


def cli() -> typer.Typer:
    app, data_app = typer.Typer(), typer.Typer()
    app.add_typer(data_app, name="data")
    register(data_app)
    return app


def snapshot(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_failed_import_leaves_store_unchanged(tmp_path, raw13f):
    store = Store(tmp_path / "s")
    import_paths(store, [raw13f / LTS])
    before = snapshot(store.root)
    bad = tmp_path / "bad.csv"
    bad.write_text("cik,filer_name,period,filed,accession,form,amendment_type,cusip,ticker,issuer,value_usd,"
                   "shares,put_call\n1,F,2023-12-31,2024-02-01,a,13F-HR,,037833100,,APPLE,10,1,\n"
                   "1,F,2023-12-31,2024-02-01,a,13F-HR,,594918104,,MSFT,ten,1,\n")
    with pytest.raises(InputError, match=r"bad.csv row 3: non-numeric value"):
        import_paths(store, [raw13f / ACORN, bad])
    assert snapshot(store.root) == before


def test_reimport_is_idempotent_and_duplicates_skipped(tmp_path, raw13f):
    store = Store(tmp_path)
    first = import_paths(store, [raw13f / LTS])
    again = import_paths(store, [raw13f / LTS])
    assert first.batches == again.batches and again.holdings == 14
    assert len(StoreHoldings(store).all()) == 14


def test_cli_import_holdings_holders(tmp_path, raw13f):
    runner, store = CliRunner(), str(tmp_path / "s")
    res = runner.invoke(cli(), ["data", "13f", "import", str(raw13f / LTS), str(raw13f / ACORN), "--store", store])
    assert res.exit_code == 0, res.output
    assert "stored 2 filings, 91 holdings" in res.output
    res = runner.invoke(cli(), ["data", "13f", "holdings", "--cik", "1894188", "--as-of", "2023-11-14",
                                "--csv", "--store", store])
    frame = pd.read_csv(__import__("io").StringIO(res.stdout), dtype={"cusip": str})
    assert {"cik", "period", "filed", "cusip", "ticker", "issuer", "value_usd", "shares", "put_call"} <= set(frame)
    assert len(frame) == 14
    assert frame.set_index("ticker").loc["AMZN", "value_usd"] == 17_479_000
    res = runner.invoke(cli(), ["data", "13f", "holdings", "--cik", "1894188", "--as-of", "2023-11-13",
                                "--csv", "--store", store])
    assert res.stdout.strip().count("\n") == 0  # header only: not yet filed
    res = runner.invoke(cli(), ["data", "13f", "holders", "--as-of", "2023-11-15", "--top", "3", "--csv",
                                "--store", store])
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "issuer,ticker,name,holders,value_usd,conviction,top10,cusips" and len(lines) == 4


def test_fetch_needs_identity(monkeypatch, tmp_path):
    monkeypatch.delenv("EDGAR_IDENTITY", raising=False)
    with pytest.raises(InputError, match="EDGAR_IDENTITY"):
        edgar_identity()
    res = CliRunner().invoke(cli(), ["data", "13f", "fetch", "--cik", "1894188", "--store", str(tmp_path)])
    assert isinstance(res.exception, InputError)


def test_fetch_offline_with_real_edgartools_filings_then_cached(tmp_path, raw13f):
    from edgar import Filing

    calls = []

    def lister(cik: int):
        calls.append(cik)
        return [Filing.from_sgml(raw13f / LTS)]

    store = Store(tmp_path)
    now = pd.Timestamp("2026-01-02 10:00")
    report = fetch_ciks(store, [1894188], list_filings=lister, now=now)
    assert report.holdings == 14 and calls == [1894188]
    again = fetch_ciks(store, [1894188], list_filings=lister, now=now + pd.Timedelta(hours=1))
    assert calls == [1894188] and again.holdings == 0  # no request within max_age
    later = fetch_ciks(store, [1894188], list_filings=lister, now=now + pd.Timedelta(days=2))
    assert later.skipped["filing already stored"] == 1 and later.holdings == 0
    assert len(StoreHoldings(store).holdings_as_of("2024-01-01")) == 14


def test_reimport_replaces_a_corrupt_batch(tmp_path):
    table = tmp_path / "h.csv"
    table.write_text("cik,filer_name,period,filed,accession,form,amendment_type,cusip,ticker,issuer,value_usd,"
                     "shares,put_call\n1,F,2023-12-31,2024-02-01,a,13F-HR,,037833100,AAPL,APPLE,10,1,\n")
    store = Store(tmp_path / "s")
    batch = import_paths(store, [table], mapping="hedgeclone").batches[0]
    store.path(batch).write_bytes(b"PAR1 not really")
    again = import_paths(store, [table], mapping="hedgeclone")
    assert again.holdings == 1 and len(StoreHoldings(store).all()) == 1
    assert store.check().clean
