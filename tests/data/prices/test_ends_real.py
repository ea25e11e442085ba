"""Data that ends is not a delisting, on the real files of ../shared/data/prices (SOURCES.md 1, 2, 7).

A few tickers of each file are written to tmp_path (the big CSVs are sorted by ticker, so reading
stops past the last one wanted) and imported through the real import path:

- ``us_delisted_by2026_ohlcv_2014_2020.csv.gz`` stops on 2020-12-11 (its download day): CBX stops on
  2020-10-19 (a delisting), AAWW on 2020-12-11 (data ends: Atlas Air traded until 2023), AAMC goes on
  in the 2021-2024 file;
- ``us_delisted_by2026_ohlcv_2021_2024.parquet`` stops on 2024-03-08: AAMC ends there (data ends),
  the warrant AIMAW ends on 2024-02-15 (a delisting);
- ``us_stocks_adjclose_2014_2026.csv.gz`` (A, AA) runs to 2026-07, so the market goes on past both.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from hedgeclone.backtest.replay import run_strategy
from hedgeclone.backtest.run import DATA_ENDS, DELISTING
from hedgeclone.data.market import load_market
from hedgeclone.data.prices.coverage import DATA_ENDS as KIND_DATA_ENDS
from hedgeclone.data.prices.coverage import DELISTED, coverage_of_ranges
from hedgeclone.data.prices.load import import_price_files
from hedgeclone.data.prices.sources import source_ends
from hedgeclone.data.prices.store import ticker_ranges
from hedgeclone.data.store import Store
from hedgeclone.strategies.basic import BuyAndHold

FILE2 = "us_delisted_by2026_ohlcv_2014_2020.csv.gz"
FILE7 = "us_delisted_by2026_ohlcv_2021_2024.parquet"
FILE1 = "us_stocks_adjclose_2014_2026.csv.gz"
PICKS = {FILE2: ["AAMC", "AAWW", "CBX"], FILE7: ["AAMC", "AIMAW"], FILE1: ["A", "AA"]}


def _sorted_csv_rows(path, tickers: list[str]) -> pa.Table:
    """Rows of `tickers` from a long CSV sorted by ticker, read block by block until past the last one."""
    want = pa.array(sorted(tickers))
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 22),
                            convert_options=pacsv.ConvertOptions(column_types={"ticker": pa.string(), "date": pa.string()}))
    parts = []
    for batch in reader:
        table = pa.Table.from_batches([batch])
        parts.append(table.filter(pc.is_in(table.column("ticker"), value_set=want)))
        if pc.min(table.column("ticker")).as_py() > want[-1].as_py():
            break
    return pa.concat_tables(parts)


@pytest.fixture(scope="module")
def real(prices_dir, tmp_path_factory):
    """(store, {file: the rows written}) with the three subsets imported in the order 2, 7, 1."""
    if not all((prices_dir / f).exists() for f in PICKS):
        pytest.skip(f"real price files absent from {prices_dir}: {', '.join(PICKS)}")
    tmp = tmp_path_factory.mktemp("real-ends")
    rows, paths = {}, []
    for name, tickers in PICKS.items():
        if name.endswith(".parquet"):
            table = pq.read_table(prices_dir / name, filters=[("ticker", "in", tickers)])
            table = table.set_column(0, "ticker", table.column("ticker").cast(pa.string()))
            out = tmp / "subset_2021_2024.parquet"
            pq.write_table(table, out)
        else:
            table = _sorted_csv_rows(prices_dir / name, tickers)
            out = tmp / name.replace(".csv.gz", "_subset.csv")
            pacsv.write_csv(table, out)
        frame = table.to_pandas()
        frame["date"] = pd.to_datetime(frame["date"].astype(str))
        assert sorted(frame["ticker"].unique()) == sorted(tickers)
        rows[name] = frame
        paths.append(out)
    store = Store(tmp / "store")
    import_price_files(store, paths)
    return store, rows


def test_sources_record_each_files_last_date_and_the_later_end_wins(real):
    store, rows = real
    ends = source_ends(store)
    assert ends[["AAWW", "CBX"]].eq(pd.Timestamp("2020-12-11")).all()  # file 2's download day
    assert ends["AAMC"] == pd.Timestamp("2024-03-08")  # in files 2 and 7: the later end wins
    assert ends["AIMAW"] == pd.Timestamp("2024-03-08") and ends["A"] == rows[FILE1]["date"].max()
    cov = coverage_of_ranges(ticker_ranges(store), source_end=ends)
    assert (cov.ended, cov.data_ends) == (2, 2)  # CBX, AIMAW delisted; AAWW, AAMC data ends
    assert cov.data_end_dates == (pd.Timestamp("2020-12-11"), pd.Timestamp("2024-03-08"))


def test_a_name_ending_on_its_sources_last_date_is_data_ends_an_earlier_one_a_delisting(real):
    store, _ = real
    m = load_market("store", store=store, benchmarks=("A",))
    assert m.close.index[-1] >= pd.Timestamp("2026-07-13")
    assert m.ends["kind"].to_dict() == {"AAMC": KIND_DATA_ENDS, "AAWW": KIND_DATA_ENDS, "AIMAW": DELISTED, "CBX": DELISTED}
    assert m.ends["date"].to_dict() == {"AAMC": pd.Timestamp("2024-03-08"), "AAWW": pd.Timestamp("2020-12-11"),
                                        "AIMAW": pd.Timestamp("2024-02-15"), "CBX": pd.Timestamp("2020-10-19")}
    text = " ".join(m.caveats)
    assert "2 of 6 series end before their source does and are treated as delistings" in text
    assert "Data ends: 2 of 6 series stop on their source's last date (2020-12-11, 2024-03-08)" in text


def test_a_backtest_over_them_closes_at_the_last_price_with_notes_counting_each_kind(real):
    store, rows = real
    m = load_market("store", store=store, benchmarks=("A",), start="2020-06-01")
    run = run_strategy(BuyAndHold(tickers=("AAMC", "AAWW", "CBX", "A")), m, start="2020-06-01")
    trades = run.to_run_data().trades
    closes = trades[trades["side"] == "sell"].set_index("ticker")
    assert closes["reason"].to_dict() == {"CBX": DELISTING, "AAWW": DATA_ENDS, "AAMC": DATA_ENDS}

    # Oracle: the raw files read with plain pandas (adjusted close; the later file wins on AAMC's overlap).
    raw = pd.concat([rows[FILE2], rows[FILE7], rows[FILE1]])
    adj = raw.drop_duplicates(["ticker", "date"], keep="last").pivot(index="date", columns="ticker", values="adj_close")
    for ticker, day in (("CBX", "2020-10-19"), ("AAWW", "2020-12-11"), ("AAMC", "2024-03-08")):
        assert closes.loc[ticker, "date"] == pd.Timestamp(day)
        assert closes.loc[ticker, "price"] == float(adj.at[pd.Timestamp(day), ticker])  # last price, return 0
    fill = trades[trades["side"] == "buy"]["date"].iloc[0]
    shares = {t: 0.25 / float(adj.at[fill, t]) for t in ("AAMC", "AAWW", "CBX", "A")}
    want = sum(shares[t] * float(closes.loc[t, "price"]) for t in ("AAMC", "AAWW", "CBX"))
    want += shares["A"] * float(adj["A"].dropna().iloc[-1])
    assert run.result.value.iloc[-1] == pytest.approx(want, rel=1e-12)

    notes = [n for n in run.notes if "position(s) closed" in n]
    assert notes == [
        "1 position(s) closed at a delisting, at the last price times 1 + the delisting return: "
        "CBX 2020-10-19 (+0.00%, unknown, taken as 0)",
        "2 position(s) closed because their data ended (the source stops there; not a delisting), at the last "
        "price: AAWW 2020-12-11, AAMC 2024-03-08",
    ]
