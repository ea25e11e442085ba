"""`ScorePanels`: every date of the all-dates panels equals the per-date `HoldingsIndex.issuers_as_of`.

The per-date tables are the reference (the counting rules live there); the panels must give the
same tables bit for bit -- holders, top10, conviction, value, names, CUSIPs, traded-ticker classes,
filer and stale counts -- on hand-made holdings, a demo market and random holdings; and their
traded-ticker choice (`ScorePanels.traded`) must equal the table's (`IssuerTable.traded`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.labels import Subset


def row(cik, cusip, value, *, ticker=None, period="2024-03-31", filed="2024-05-10", acc=None, amendment=None,
        put_call=None, name="default"):
    return {"cik": cik, "filer_name": f"F{cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
            "accession": acc or f"{cik}-{period}-{amendment or 'O'}", "form": "13F-HR/A" if amendment else "13F-HR",
            "amendment_type": amendment, "cusip": cusip, "ticker": ticker,
            "issuer": f"ISSUER {cusip[:6]}" if name == "default" else name,
            "value_usd": float(value), "shares": 1.0, "put_call": put_call}


def frame(rows) -> pd.DataFrame:
    return conform(pd.DataFrame(rows), HOLDINGS, "test holdings")


def assert_same(index: HoldingsIndex, dates, filers=None, **kw) -> None:
    """Each date's panel table equals the per-date table exactly."""
    panels = index.panels(dates, filers=filers, **kw)
    per_date = isinstance(filers, list) and len(filers) == len(dates) and all(f is None or isinstance(f, list)
                                                                             for f in filers)
    per = filers if per_date else [filers] * len(dates)
    assert len(panels.dates) == len(dates)
    for i, day in enumerate(dates):
        a = index.issuers_as_of(day, per[i], max_age_quarters=kw.get("max_age_quarters", 1),
                                merge_share_classes=kw.get("merge_share_classes", True))
        b = panels.table(i)
        pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
        pd.testing.assert_frame_equal(a.classes.reset_index(drop=True), b.classes, check_exact=True)
        assert (a.filers, a.stale, a.oldest_quarter, a.merged) == (b.filers, b.stale, b.oldest_quarter, b.merged)
        # the sparse panels themselves hold the same numbers
        lo, hi = panels.holders.indptr[i], panels.holders.indptr[i + 1]
        keys = panels.keys[panels.holders.indices[lo:hi]]
        t = a.table.loc[list(keys)]
        assert (panels.holders.data[lo:hi] == t["holders"].to_numpy()).all()
        assert (panels.top10.data[lo:hi] == t["top10"].to_numpy()).all()
        np.testing.assert_allclose(panels.conviction.data[lo:hi], t["conviction"].to_numpy(), rtol=1e-12)
        assert panels.holders[i].nnz == len(a.table)
        assert_same_traded(a, panels, i)


def assert_same_traded(table, panels, i: int) -> None:
    """`panels.traded(i, ...)` equals the per-date table's `traded_arrays`, every metric, with and without a
    price filter (every other mapped ticker priced, so that some units fall to a less-held class or none)."""
    mapped = sorted(set(table.classes["ticker"].astype(str)))
    # The same filters as masks over a universe in another order with a ticker no filer holds: the
    # second mask reuses the universe positions the first one found.
    universe = pd.Index(["NOT-HELD", *mapped[::-1]])
    half = universe.isin(mapped[::2])
    for priced in (None, mapped[::2], Subset(universe, half), Subset(universe, ~half)):
        for by in ("holders", "conviction", "top10"):
            listed = list(priced.labels()) if isinstance(priced, Subset) else priced
            want, got = table.traded_arrays(listed, by), panels.traded(i, priced, by)
            assert got.stale_note == want.stale_note
            for part in ("traded", "unpriced"):
                w, g = getattr(want, part), getattr(got, part)
                assert list(g) == list(w)
                for column in w:
                    assert g[column].dtype == w[column].dtype, (part, column)
                    assert g[column].tolist() == w[column].tolist(), (part, column, by, priced)


HAND = [
    row(1, "AAAAAA101", 100, ticker="AAA"), row(1, "AAAAAA201", 50, ticker="AAB"),
    row(1, "AAAAAA301", 7, ticker="AAB"), row(1, "AAAAAA401", 3, ticker="AAB"),  # 3 CUSIPs of one class
    row(2, "AAAAAA201", 70, ticker="AAB"), row(2, "BBBBBB101", 30, ticker="BBB", filed="2024-05-15"),
    row(3, "CCCCCC101", 5, name=None), row(3, "CCCCCC101", 5, put_call="PUT"), row(3, "CCCCCCAB1", 9),
    row(2, "CCCCCC101", 9, acc="x2", amendment="NEW HOLDINGS", filed="2024-05-18"),
    row(2, "AAAAAA201", 1, acc="x2", amendment="NEW HOLDINGS", filed="2024-05-18", ticker="AAC"),
    row(4, "DDDDDD101", 5, period="2023-09-30", filed="2023-11-01", ticker="DDD"),
    row(5, "EEEEEE101", 40, filed="2024-05-11"),
    row(5, "EEEEEE101", 60, acc="r5", amendment="RESTATEMENT", filed="2024-05-16", ticker="EEE"),
    *[row(6, f"F{k:05d}101", 10 + k % 4, ticker=f"T{k}") for k in range(14)],  # ties and a top-10 cut
]
DATES = pd.DatetimeIndex(["2023-10-01", "2023-11-02", "2024-05-10", "2024-05-11", "2024-05-16", "2024-05-17",
                          "2024-05-19", "2024-05-20", "2024-08-20", "2025-01-02"])


@pytest.mark.parametrize("merge", [True, False])
@pytest.mark.parametrize("age", [1, 0, None])
def test_every_date_of_hand_made_holdings_equals_the_per_date_view(merge, age):
    assert_same(HoldingsIndex(frame(HAND)), DATES, merge_share_classes=merge, max_age_quarters=age)


def test_filer_subsets_for_all_dates_and_per_date():
    index = HoldingsIndex(frame(HAND))
    assert_same(index, DATES, filers=[2, 3, 6])
    per_date = [None, [4], [], [1, 2], [2, 5], None, [5, 6], [1, 3, 9], [2], [1]]
    assert_same(index, DATES, filers=per_date)
    assert_same(index, DATES, filers=per_date, merge_share_classes=False)


def test_nothing_held_gives_an_empty_row():
    index = HoldingsIndex(frame(HAND))
    panels = index.panels(["2020-01-01"])
    assert panels.holders.shape[0] == 1 and panels.holders.nnz == 0
    assert panels.table(0).table.empty and panels.filers[0] == 0


def test_a_prepared_index_serves_the_same_tables_and_leaves_subsets_per_date():
    plain, prepared = HoldingsIndex(frame(HAND)), HoldingsIndex(frame(HAND)).prepare(DATES)
    for day in DATES:
        for merge in (True, False):
            a = plain.issuers_as_of(day, merge_share_classes=merge)
            b = prepared.issuers_as_of(day, merge_share_classes=merge)
            pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
            pd.testing.assert_frame_equal(a.classes.reset_index(drop=True), b.classes.reset_index(drop=True))
    assert set(prepared._panels) == {(1, True), (1, False)}
    prepared.issuers_as_of(DATES[0], ciks=[1], max_age_quarters=None)
    prepared.issuers_as_of("2024-05-21", max_age_quarters=None)
    assert set(prepared._panels) == {(1, True), (1, False)}  # subsets and other dates: per date


def test_every_decision_date_of_a_demo_market_equals_the_per_date_view():
    from hedgeclone.data.market import load_market
    from hedgeclone.strategies.consensus import HedgeFundConsensus

    market = load_market("demo", stocks=300, filers=60, seed=5)
    dates = HedgeFundConsensus().decision_dates(market)
    index = HoldingsIndex(market.holdings)
    assert_same(index, dates)
    assert_same(index, dates[::3], merge_share_classes=False)


_CUSIPS = ["AAAAAA101", "AAAAAA201", "AAAAAA301", "BBBBBB101", "CCCCCC101", "CCCCCCAB1", "DDDDDD101"]
_TICKERS = {"AAAAAA101": "AAA", "AAAAAA201": "AAB", "AAAAAA301": "AAB", "BBBBBB101": "BBB", "CCCCCC101": None,
            "CCCCCCAB1": None, "DDDDDD101": "DDD"}


@settings(max_examples=60, deadline=None)
@given(
    filings=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 5), st.integers(0, 120),
                               st.sampled_from([None, "RESTATEMENT", "NEW HOLDINGS"]),
                               st.lists(st.tuples(st.sampled_from(_CUSIPS), st.sampled_from([1.0, 2.0, 3.0, 0.1, 7.7]),
                                                  st.booleans()), min_size=1, max_size=6)),
                     min_size=1, max_size=14),
    days=st.lists(st.integers(0, 1100), min_size=1, max_size=6),
    merge=st.booleans(),
    age=st.sampled_from([None, 0, 1, 2]),
    subset=st.one_of(st.none(), st.lists(st.integers(1, 5), max_size=4)),
)
def test_random_holdings_every_date_equals_the_per_date_view(filings, days, merge, age, subset):
    rows = []
    for n, (cik, quarter, delay, amendment, lines) in enumerate(filings):
        period = (pd.Period("2022Q4") + quarter).end_time.normalize()
        filed = period + pd.Timedelta(days=1 + delay)
        rows += [row(cik, c, v, ticker=_TICKERS[c], period=str(period.date()), filed=str(filed.date()),
                     acc=f"a{n}", amendment=amendment, put_call="CALL" if opt else None,
                     name=None if c.startswith("D") else "default") for c, v, opt in lines]
    dates = pd.DatetimeIndex(sorted({pd.Timestamp("2023-01-01") + pd.Timedelta(days=d) for d in days}))
    assert_same(HoldingsIndex(frame(rows)), dates, filers=subset, merge_share_classes=merge, max_age_quarters=age)
