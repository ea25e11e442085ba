"""The fast store path of `StoreHoldings.holders_as_of` must answer exactly what the SQL answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.filings import FILINGS_PREFIX
from hedgeclone.data.thirteenf.pointintime import holders_as_of
from hedgeclone.data.thirteenf.storage import StoreHoldings, _read_kept, _row_groups


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    exact = ["cusip", "ticker", "issuer", "holders", "top10"]
    assert len(got) == len(want), what
    pd.testing.assert_frame_equal(got[exact], want[exact], obj=what)
    np.testing.assert_allclose(got["value_usd"], want["value_usd"], rtol=1e-12, err_msg=what)
    np.testing.assert_allclose(got["conviction"], want["conviction"], rtol=1e-9, atol=1e-12, err_msg=what)


def random_holdings(seed: int) -> pd.DataFrame:
    """Filers over four quarters with late filings, restatements, new-holdings amendments,
    options, unmapped tickers, tied values, and one accession number shared by two filers."""
    rng = np.random.default_rng(seed)
    cusips = [f"{i:08d}{i % 10}" for i in range(25)]
    rows = []
    acc = 0
    for cik in range(1, 13):
        for period in pd.date_range("2023-03-31", periods=4, freq="QE"):
            if rng.random() < 0.15:
                continue  # a quarter this filer skipped
            filed = period + pd.Timedelta(days=int(rng.integers(10, 120)))
            kinds = [None] + [k for k in ("RESTATEMENT", "NEW HOLDINGS") if rng.random() < 0.3]
            for kind in kinds:
                acc += 1
                when = filed + pd.Timedelta(days=int(rng.integers(0, 40))) if kind else filed
                for cusip in rng.choice(cusips, size=int(rng.integers(1, 14)), replace=True):
                    rows.append(dict(
                        cik=cik, filer_name=f"F{cik}", period=period, filed=when, accession=f"A{acc:05d}",
                        form="13F-HR/A" if kind else "13F-HR", amendment_type=kind, cusip=cusip,
                        ticker=None if cusip.endswith("7") else ["T", "U"][int(rng.integers(2))] + cusip[-3:],
                        issuer=f"ISSUER {cusip[-3:]}", value_usd=float(rng.choice([10, 20, 35, rng.uniform(1, 99)])),
                        shares=1.0, put_call=["PUT", "CALL", None, None, None][int(rng.integers(5))]))
    frame = pd.DataFrame(rows)
    shared = frame[frame["accession"] == "A00003"].assign(cik=99, filer_name="F99")
    return conform(pd.concat([frame, shared], ignore_index=True), HOLDINGS, "random holdings")


def stored(tmp_path, holdings: pd.DataFrame, parts: int, seed: int) -> StoreHoldings:
    db = StoreHoldings(Store(tmp_path))
    accessions = holdings["accession"].unique()
    batch_of = dict(zip(accessions, np.random.default_rng(seed).integers(0, parts, len(accessions)), strict=True))
    batch = holdings["accession"].map(batch_of)
    batch[holdings["cik"] == 99] = parts  # the shared accession number lives in two batches
    for b in sorted(batch.unique()):
        db.write_batch(f"b{b}", holdings[(batch == b).to_numpy()])
    return db


DATES = pd.date_range("2023-04-01", "2024-06-30", freq="23D")


@pytest.mark.parametrize("seed", [0, 1])
def test_fast_path_equals_sql(tmp_path, seed):
    holdings = random_holdings(seed)
    db = stored(tmp_path, holdings, parts=3, seed=seed)
    assert db._filing_facts().exact  # every batch has its facts table: the NumPy resolution runs
    for day in DATES:
        want = holders_as_of(holdings, day)
        assert_same(db.holders_as_of(day), want, f"seed {seed} {day.date()}")
    day = DATES[-1]
    assert_same(db.holders_as_of_sql(day), holders_as_of(holdings, day), "store SQL")
    for ciks in ([1, 2, 99], [5], []):
        assert_same(db.holders_as_of(day, ciks), holders_as_of(holdings, day, ciks), f"ciks {ciks}")


def test_legacy_store_falls_back_then_backfills(tmp_path):
    holdings = random_holdings(3)
    db = stored(tmp_path, holdings, parts=2, seed=3)
    db.store.delete(FILINGS_PREFIX + "b1")
    assert db._filing_facts() is None
    day = DATES[-3]
    assert_same(db.holders_as_of(day), holders_as_of(holdings, day), "fallback")
    assert db.backfill_filings() == ["13f/holdings/b1"]
    assert db._filing_facts() is not None
    assert_same(db.holders_as_of(day), holders_as_of(holdings, day), "backfilled")


def test_empty_store_and_early_date(tmp_path):
    db = StoreHoldings(Store(tmp_path))
    assert db.holders_as_of("2024-01-01").empty
    db.write_batch("b", random_holdings(4))
    assert db.holders_as_of("2000-01-01").empty


def test_row_groups_pruned_by_filing_date(tmp_path):
    """Only row groups whose filing dates can hold a kept filing are read (batches sorted by date)."""
    holdings = random_holdings(5).sort_values(["filed", "accession"], ignore_index=True)
    path = tmp_path / "batch.parquet"
    pq.write_table(pa.Table.from_pandas(holdings, preserve_index=False), path, row_group_size=7)
    meta = pq.ParquetFile(path).metadata
    first = holdings.iloc[:7]
    kept = first.drop_duplicates("accession")[["cik", "accession", "filed"]]
    groups = _row_groups(meta, kept["filed"].to_numpy(dtype="datetime64[ns]"))
    assert 0 in groups and len(groups) < meta.num_row_groups / 4
    rows = _read_kept(path, kept, holdings["filed"].max()).to_pandas()
    want = holdings[holdings["accession"].isin(kept["accession"]) & holdings["put_call"].isna()]
    assert sorted(rows["value_usd"]) == sorted(want["value_usd"])


def test_top10_ties_go_to_the_smaller_cusip(tmp_path):
    """Twelve equal positions: the ten with the smallest CUSIPs count as top 10 (SQL's ORDER BY v DESC, cusip)."""
    base = dict(cik=7, filer_name="F7", period=pd.Timestamp("2024-03-31"), filed=pd.Timestamp("2024-05-01"),
                accession="T1", form="13F-HR", amendment_type=None, ticker=None, issuer="X", shares=1.0,
                put_call=None)
    rows = [dict(base, cusip=f"{i:09d}", value_usd=10.0) for i in (12, 3, 7, 1, 11, 5, 2, 9, 4, 10, 8, 6)]
    rows.append(dict(base, cusip="000000013", value_usd=5.0))
    holdings = conform(pd.DataFrame(rows), HOLDINGS, "ties")
    db = StoreHoldings(Store(tmp_path))
    db.write_batch("t", holdings)
    got = db.holders_as_of("2024-06-01").set_index("cusip")["top10"]
    assert got[got == 1].index.tolist() == [f"{i:09d}" for i in range(1, 11)]
    assert_same(db.holders_as_of("2024-06-01"), holders_as_of(holdings, "2024-06-01"), "ties")


def test_a_filing_stored_twice_resolves_through_sql(tmp_path):
    """The same (cik, accession) in two batches: facts resolved by the SQL rules, rows of both read."""
    holdings = random_holdings(6)
    db = stored(tmp_path, holdings, parts=2, seed=6)
    again = holdings[holdings["accession"] == holdings["accession"].iloc[0]]
    db.write_batch("again", again)
    assert not db._filing_facts().exact
    both = pd.concat([holdings, again], ignore_index=True)
    for day in DATES[::4]:
        assert_same(db.holders_as_of(day), holders_as_of(both, day), f"twice {day.date()}")
