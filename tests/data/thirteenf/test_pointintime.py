"""Point in time: amendments, look-ahead invariance, in-memory == store-backed, against a pandas oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.data.store import Store
from hedgeclone.data.thirteenf.pointintime import holders_as_of, holdings_as_of
from hedgeclone.data.thirteenf.storage import StoreHoldings


def row(cik, period, filed, acc, cusip, value, form="13F-HR", amendment=None, put_call=None):
    return dict(cik=cik, filer_name=f"F{cik}", period=period, filed=filed, accession=acc, form=form,
                amendment_type=amendment, cusip=cusip, ticker="T" + cusip[-2:], issuer="I" + cusip,
                value_usd=float(value), shares=1.0, put_call=put_call)


def sample() -> pd.DataFrame:
    rows = [
        row(1, "2023-09-30", "2023-11-10", "a0", "000000009", 40),
        row(1, "2023-12-31", "2024-02-10", "a1", "000000001", 100),
        row(1, "2023-12-31", "2024-02-10", "a1", "000000002", 50, put_call="PUT"),
        row(1, "2023-12-31", "2024-03-01", "a2", "000000003", 30, "13F-HR/A", "NEW HOLDINGS"),
        row(1, "2023-12-31", "2024-04-01", "a3", "000000004", 70, "13F-HR/A", "RESTATEMENT"),
        row(1, "2023-09-30", "2024-04-15", "a4", "000000005", 99, "13F-HR/A", "RESTATEMENT"),  # old period
        row(2, "2023-12-31", "2024-02-12", "b1", "000000001", 10),
    ]
    return conform(pd.DataFrame(rows), HOLDINGS, "sample")


def accessions(frame: pd.DataFrame) -> dict[int, set[str]]:
    return {int(c): set(g["accession"]) for c, g in frame.groupby("cik")}


def test_amendments_known_by_date():
    h = sample()
    assert accessions(holdings_as_of(h, "2024-02-09")) == {1: {"a0"}}
    assert accessions(holdings_as_of(h, "2024-02-10")) == {1: {"a1"}}
    assert accessions(holdings_as_of(h, "2024-03-05")) == {1: {"a1", "a2"}, 2: {"b1"}}  # NEW HOLDINGS adds
    assert accessions(holdings_as_of(h, "2024-04-20")) == {1: {"a3"}, 2: {"b1"}}  # RESTATEMENT replaces
    with_options = holdings_as_of(h, "2024-02-10", include_options=True)
    assert with_options["put_call"].fillna("").tolist() == ["", "PUT"]


def test_holders_aggregates():
    out = holders_as_of(sample(), "2024-03-05").set_index("cusip")
    first = out.loc["000000001"]
    assert (first.holders, first.value_usd, first.top10) == (2, 110.0, 2)
    assert np.isclose(first.conviction, 100 / 130 + 1.0)
    assert holders_as_of(sample(), "2024-03-05", ciks=[2])["cusip"].tolist() == ["000000001"]


def perturb_after(h: pd.DataFrame, day: str, rng: np.random.Generator) -> pd.DataFrame:
    out = h.copy()
    late = out["filed"] > pd.Timestamp(day)
    out.loc[late, "value_usd"] = rng.uniform(1, 1e6, late.sum())
    extra = out[late].assign(cusip="999999999", accession="zz", filed=pd.Timestamp(day) + pd.Timedelta(days=1))
    return pd.concat([out, extra], ignore_index=True)


def test_no_look_ahead():
    rng = np.random.default_rng(0)
    h = sample()
    for day in ["2024-02-10", "2024-03-05", "2024-04-01"]:
        changed = perturb_after(h, day, rng)
        pd.testing.assert_frame_equal(holdings_as_of(h, day), holdings_as_of(changed, day))
        pd.testing.assert_frame_equal(holders_as_of(h, day), holders_as_of(changed, day))


def test_store_backed_equals_in_memory(tmp_path):
    h = sample()
    db = StoreHoldings(Store(tmp_path))
    db.write_batch("one", h[h["cik"] == 1])
    db.write_batch("two", h[h["cik"] == 2])
    for day in ["2024-02-10", "2024-03-05", "2024-04-20"]:
        pd.testing.assert_frame_equal(db.holdings_as_of(day), holdings_as_of(h, day))
        pd.testing.assert_frame_equal(db.holders_as_of(day), holders_as_of(h, day))


def test_sql_at_the_visible_cut_keeps_what_the_index_counts():
    from hedgeclone.data.thirteenf.index import HoldingsIndex
    from hedgeclone.data.thirteenf.pointintime import visible_cut

    h = sample()
    index = HoldingsIndex(h)
    for day in ["2024-02-10", "2024-02-11", "2024-03-01", "2024-03-02", "2024-04-16"]:
        sql = holdings_as_of(h, visible_cut(day), include_options=True)
        rows = index.holdings_as_of(day, max_age_quarters=None)
        assert accessions(sql) == accessions(rows), day
        assert (sql["filed"] < pd.Timestamp(day)).all()
    # A filing dated on the day is not yet known on it.
    assert accessions(holdings_as_of(h, visible_cut("2024-02-10"))) == {1: {"a0"}}
