"""The real close/volume and delisted Parquet files, the SEC shares snapshot and a screen without 13F data.

Subsets of ../shared/data/prices (a few tickers, written as Parquet with the source files' own column
types) go through the CLI imports; the oracles read the raw files with pyarrow and pandas.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
VOLUME = SHARED / "prices" / "us_stocks_close_volume_2014_2024.parquet"
DELISTED = SHARED / "prices" / "us_delisted_by2026_ohlcv_2021_2024.parquet"
ADJCLOSE = SHARED / "prices" / "us_stocks_adjclose_2014_2026.csv.gz"
SNAPSHOT = SHARED / "prices" / "fundamentals" / "sec_shares_snapshot_2025-09-12.json"
COMPANY_TICKERS = SHARED / "raw13f" / "cusip_maps" / "sec_company_tickers.json"
TICKERS = ["DUOT", "DERM", "AIR", "ACU", "PPCB", "AAPL"]

pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in (VOLUME, DELISTED, ADJCLOSE, SNAPSHOT, COMPANY_TICKERS)),
    reason=f"real data absent: {SHARED} (the shared data folder beside the checkout)",
)


def _subset(table: pa.Table, tickers) -> pa.Table:
    return table.filter(pc.is_in(pc.cast(table["ticker"], pa.string()), pa.array(tickers)))


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from hedgeclone.backtest.cli.app import main

    root = tmp_path_factory.mktemp("liquidity")
    volume = _subset(pq.read_table(VOLUME), TICKERS)
    pq.write_table(volume, root / "close_volume.parquet")
    delisted = pq.read_table(DELISTED)
    gone = sorted(set(pc.cast(delisted["ticker"], pa.string()).to_pylist()))[:3]
    pq.write_table(_subset(delisted, gone), root / "delisted.parquet")
    adj = pacsv.read_csv(ADJCLOSE)
    pacsv.write_csv(_subset(adj, TICKERS), root / "adjclose.csv")
    store = root / "store"
    for args in (["data", "prices", "import", str(root / "adjclose.csv"), str(root / "delisted.parquet")],
                 ["data", "prices", "import", str(root / "close_volume.parquet"), "--field", "raw_close"],
                 ["data", "shares", "import", str(SNAPSHOT), "--company-tickers", str(COMPANY_TICKERS)]):
        with pytest.raises(SystemExit) as info:
            main([*args, "--store", str(store)])
            raise SystemExit(0)
        assert info.value.code == 0, args
    return {"store": store, "root": root, "volume": volume.to_pandas(), "gone": gone,
            "delisted": _subset(delisted, gone).to_pandas(), "adj": _subset(adj, TICKERS).to_pandas()}


def test_the_parquet_files_keep_their_types_and_feed_the_documented_fields(real):
    from hedgeclone.data.prices import load_prices
    from hedgeclone.data.store import Store

    schema = pq.read_schema(real["root"] / "close_volume.parquet")
    assert pa.types.is_dictionary(schema.field("ticker").type) and schema.field("date").type == pa.date32()
    assert schema.field("close").type == pa.float32() and schema.field("volume").type == pa.int64()
    store = Store(real["store"])
    wide = load_prices(store, ["DUOT", *real["gone"]], fields=("close", "raw_close", "volume", "open"))
    raw = real["volume"][real["volume"]["ticker"] == "DUOT"].set_index("date")
    raw.index = pd.to_datetime(raw.index)
    # close x volume file -> raw_close and volume; the adjusted closes of the CSV stay the total-return close
    np.testing.assert_array_equal(wide["raw_close"]["DUOT"].dropna().to_numpy(), raw["close"].to_numpy(dtype="float64"))
    np.testing.assert_array_equal(wide["volume"]["DUOT"].dropna().to_numpy(), raw["volume"].to_numpy(dtype="float64"))
    adj = real["adj"][real["adj"]["ticker"] == "DUOT"]
    np.testing.assert_allclose(wide["close"]["DUOT"].dropna().to_numpy(), adj["adj_close"].to_numpy(), rtol=0)
    # delisted OHLCV: adj_close -> close, close -> raw_close, open -> open
    d = real["delisted"][real["delisted"]["ticker"] == real["gone"][0]].set_index("date")
    got = {f: wide[f][real["gone"][0]].dropna().to_numpy() for f in ("close", "raw_close", "open")}
    np.testing.assert_array_equal(got["close"], d["adj_close"].to_numpy(dtype="float64"))
    np.testing.assert_array_equal(got["raw_close"], d["close"].to_numpy(dtype="float64"))


def test_dollar_volume_and_days_traded_are_point_in_time(real):
    from hedgeclone.data.market import load_market
    from hedgeclone.data.store import Store
    from hedgeclone.strategies.view import PointInTimeView

    market = load_market("store", store=Store(real["store"]), benchmarks=())
    raw = real["volume"].copy()
    raw["date"] = pd.to_datetime(raw["date"])
    for day in ("2024-03-08", "2023-09-29"):
        view = PointInTimeView(market, pd.Timestamp(day))
        dollar, traded = view.dollar_volume(20), view.days_traded(20)
        for ticker in ("DUOT", "DERM", "AAPL"):
            rows = raw[(raw["ticker"] == ticker) & (raw["date"] <= day)].tail(20)
            value = rows["close"].astype("float64") * rows["volume"].astype("float64")
            assert dollar[ticker] == pytest.approx(float(value.median()), rel=1e-12)
            assert traded[ticker] == pytest.approx(float((rows["volume"] > 0).mean()))
    assert dollar["AAPL"] > 1e9 > 1e6 > dollar["DUOT"]


def test_sec_snapshot_counts_are_known_from_a_conservative_public_date(real):
    from hedgeclone.data.prices import load_shares
    from hedgeclone.data.store import Store

    shares = load_shares(Store(real["store"])).set_index("ticker")
    doc = json.loads(SNAPSHOT.read_text())["data"]
    # DUOT (CIK 1396536): 12,319,838 at 2025-06-30; +90 days is after the snapshot was built: known from its date.
    assert doc["1396536"]["shares_outstanding"] == shares.loc["DUOT", "shares"] == 12_319_838
    assert shares.loc["DUOT", "known_from"] == pd.Timestamp("2025-09-12")
    # AAR (CIK 1750, ticker AIR): 35,600,000 at its fiscal year end 2025-05-31, known from 90 days later.
    assert shares.loc["AIR", "shares"] == doc["1750"]["shares_outstanding"]
    assert shares.loc["AIR", "known_from"] == pd.Timestamp(doc["1750"]["shares_date"]) + pd.Timedelta(days=90)


def test_microcap_screen_without_13f_on_real_prices_and_sec_shares(real, tmp_path, call):
    config = tmp_path / "screen.toml"
    config.write_text(f"""[strategy]
kind = "microcap-screen"
min_cap = 50e6
max_cap = 300e6
min_holders = 0
min_price = 1.0
exclude_suspect_prices = false
[backtest]
benchmarks = []
[data]
source = "store"
store = "{real['store']}"
""")
    code, out = call("screen", str(config), "--as-of", "2025-12-31", "--csv")
    assert code == 0, out
    table = pd.read_csv(io.StringIO(out)).set_index("ticker")
    close = real["adj"].set_index(["ticker", "date"])["adj_close"]
    # No raw close in 2025 (the volume file stops in March 2024): the adjusted close stands in.
    want = float(close.loc[("DUOT", pd.Timestamp("2025-12-31").date())]) * 12_319_838
    assert table.loc["DUOT", "market_cap"] == pytest.approx(want, rel=1e-5)
    assert "hf_holders" not in table.columns and "dollar_volume" not in table.columns  # no volumes in 2025
    config.write_text(config.read_text().replace("min_holders = 0", "min_holders = 0\nmin_dollar_volume = 1e5"))
    code, out = call("screen", str(config), "--as-of", "2025-12-31")
    assert code == 2 and "min_dollar_volume = 100000 needs daily volumes" in out
