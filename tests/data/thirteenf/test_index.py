"""The 13F counting rules of `HoldingsIndex`, each on small hand-made holdings.

Rules (see `data.thirteenf.pointintime`): a filing is known from the session after its filing
date; per filer its latest period (latest original or restatement plus later NEW HOLDINGS);
stale filers out; long equity only; the issuer is CUSIP[:6], held once per filer; conviction
is scale-free; ties by conviction then issuer code; the traded ticker is the most-held priced one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgeclone.data.schemas import HOLDINGS, conform
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.data.thirteenf.pointintime import is_equity_cusip, oldest_current_quarter


def row(cik, cusip, value, *, ticker=None, period="2024-03-31", filed="2024-05-10", acc=None, amendment=None,
        put_call=None, name=None):
    return {"cik": cik, "filer_name": f"F{cik}", "period": pd.Timestamp(period), "filed": pd.Timestamp(filed),
            "accession": acc or f"{cik}-{period}-{amendment or 'O'}", "form": "13F-HR/A" if amendment else "13F-HR",
            "amendment_type": amendment, "cusip": cusip, "ticker": ticker, "issuer": name or f"ISSUER {cusip[:6]}",
            "value_usd": float(value), "shares": 1.0, "put_call": put_call}


def frame(rows) -> pd.DataFrame:
    return conform(pd.DataFrame(rows), HOLDINGS, "test holdings")


D = "2024-05-20"  # a decision date after every filing below unless said otherwise


def issuers(rows, date=D, **kw):
    return HoldingsIndex(frame(rows)).issuers_as_of(date, **kw)


def test_two_cusips_of_one_issuer_in_one_filing_count_one_holder():
    # Citigroup's old and new CUSIPs (before and after its 2011 reverse split) in one filing.
    rows = [row(1, "172967101", 30, ticker="C"), row(1, "172967424", 70, ticker="C"),
            row(1, "594918104", 100, ticker="MSFT"), row(2, "172967424", 10, ticker="C")]
    t = issuers(rows).table
    citi = t.loc["172967"]
    assert citi["holders"] == 2  # filer 1 once, not once per CUSIP
    assert citi["cusips"] == "172967101 172967424"
    assert citi["value_usd"] == 110.0
    assert citi["conviction"] == pytest.approx(0.5 + 1.0)  # 100/200 of filer 1, all of filer 2
    assert list(t.index) == ["172967", "594918"]


def test_two_share_classes_are_one_company_traded_under_the_most_held_class():
    rows = [row(1, "02079K305", 50, ticker="GOOGL"), row(1, "02079K107", 50, ticker="GOOG"),
            row(2, "02079K305", 10, ticker="GOOGL"), row(3, "02079K107", 10, ticker="GOOG"),
            row(4, "02079K305", 10, ticker="GOOGL")]
    counts = issuers(rows)
    assert counts.table.loc["02079K", "holders"] == 4
    traded, unpriced = counts.traded()
    assert traded["ticker"].tolist() == ["GOOGL"]  # 3 filers hold GOOGL, 2 hold GOOG
    assert unpriced.empty
    only_goog_priced, _ = counts.traded(priced=["GOOG"])
    assert only_goog_priced["ticker"].tolist() == ["GOOG"]
    # Without merging, each class counts alone (still distinct filers).
    apart = issuers(rows, merge_share_classes=False).table
    assert apart.loc["GOOGL", "holders"] == 3 and apart.loc["GOOG", "holders"] == 2


def test_traded_ticker_ties_go_to_conviction_then_to_the_alphabet():
    # Two filers each, BRKB with more conviction: BRKB wins although BRKA sorts first.
    rows = [row(1, "084670702", 90, ticker="BRKB"), row(1, "999999101", 10, ticker="ZZZ"),
            row(2, "084670108", 50, ticker="BRKA"), row(2, "999999101", 50, ticker="ZZZ"),
            row(3, "084670702", 50, ticker="BRKB"), row(3, "999999101", 50, ticker="ZZZ"),
            row(4, "084670108", 10, ticker="BRKA"), row(4, "999999101", 90, ticker="ZZZ")]
    traded, _ = issuers(rows).traded()
    assert traded.loc["084670", "ticker"] == "BRKB"
    even = [row(1, "084670702", 50, ticker="BRKB"), row(2, "084670108", 50, ticker="BRKA")]
    assert issuers(even).traded()[0].loc["084670", "ticker"] == "BRKA"


def test_an_issuer_without_a_priced_ticker_is_reported_not_traded():
    rows = [row(1, "084670702", 50, ticker="BRK.B"), row(2, "084670702", 50, ticker="BRK.B"),
            row(1, "594918104", 50, ticker="MSFT"), row(2, "123456109", 5, ticker=None, name="UNMAPPED CO")]
    traded, unpriced = issuers(rows).traded(priced=["MSFT"])
    assert traded["ticker"].tolist() == ["MSFT"]
    assert unpriced["label"].tolist() == ["BRK.B", "UNMAPPED CO"]


def test_a_filing_dated_on_the_decision_day_is_known_the_session_after():
    rows = [row(1, "594918104", 10, ticker="MSFT", filed="2024-05-15"),
            row(2, "037833100", 10, ticker="AAPL", filed="2024-05-16")]
    index = HoldingsIndex(frame(rows))
    assert list(index.issuers_as_of("2024-05-16").table.index) == ["594918"]
    assert sorted(index.issuers_as_of("2024-05-17").table.index) == ["037833", "594918"]
    assert index.issuers_as_of("2024-05-15").table.empty


def test_a_stale_filer_does_not_count_and_is_counted_as_stale():
    rows = [row(1, "594918104", 10, ticker="MSFT", period="2024-03-31", filed="2024-05-10"),
            row(2, "594918104", 10, ticker="MSFT", period="2023-12-31", filed="2024-02-10"),  # one quarter behind
            row(3, "594918104", 10, ticker="MSFT", period="2023-09-30", filed="2023-11-10")]  # two behind: stale
    # On 2024-05-20 the last quarter end is 2024-03-31; one quarter of age allowed -> 2023Q4 and later.
    counts = issuers(rows)
    assert counts.table.loc["594918", "holders"] == 2
    assert (counts.filers, counts.stale, str(counts.oldest_quarter)) == (2, 1, "2023Q4")
    assert "1 of 3 13F filers left out as stale (latest report before 2023Q4)" == counts.stale_note()
    assert issuers(rows, max_age_quarters=2).table.loc["594918", "holders"] == 3
    assert issuers(rows, max_age_quarters=None).table.loc["594918", "holders"] == 3
    assert issuers(rows, max_age_quarters=0).table.loc["594918", "holders"] == 1


def test_staleness_counts_from_the_last_quarter_end_strictly_before_the_date():
    assert str(oldest_current_quarter("2024-03-31", 1)) == "2023Q3"  # 2024-03-31 itself is not before it
    assert str(oldest_current_quarter("2024-04-01", 1)) == "2023Q4"
    assert str(oldest_current_quarter("2024-05-16", 0)) == "2024Q1"
    assert oldest_current_quarter("2024-05-16", None) is None


def test_only_long_equity_counts():
    assert is_equity_cusip(["531229AB8", "531229409", "G0750C108", "12345", None]).tolist() == [
        False, True, True, False, False]
    rows = [row(1, "531229AB8", 500, ticker="LSXMA"),  # Liberty Media convertible notes: debt
            row(1, "531229409", 100, ticker="LSXMA"),
            row(2, "531229409", 100, ticker="LSXMA", put_call="CALL"),  # an option, not the stock
            row(2, "594918104", 100, ticker="MSFT")]
    t = issuers(rows).table
    assert t.loc["531229", "holders"] == 1 and t.loc["531229", "cusips"] == "531229409"
    assert t.loc["531229", "conviction"] == pytest.approx(1.0)  # the notes are not in filer 1's equity value
    assert t.loc["594918", "conviction"] == pytest.approx(1.0)


def test_a_tenfold_unit_error_in_one_filing_reorders_nothing():
    rows = [row(1, "AAAAAA101", 60), row(1, "BBBBBB101", 40),
            row(2, "AAAAAA101", 30), row(2, "BBBBBB101", 70),
            row(3, "CCCCCC101", 10), row(3, "BBBBBB101", 5)]
    right = issuers(rows).table
    wrong = issuers([{**r, "value_usd": r["value_usd"] * 10 if r["cik"] == 2 else r["value_usd"]}
                     for r in rows]).table
    assert list(right.index) == list(wrong.index)
    np.testing.assert_allclose(wrong["conviction"], right["conviction"], rtol=1e-12)
    np.testing.assert_array_equal(wrong["top10"], right["top10"])


def test_ranking_is_holders_then_conviction_then_issuer_code():
    rows = [row(1, "BBBBBB101", 50), row(1, "AAAAAA101", 50), row(1, "CCCCCC101", 100),
            row(2, "BBBBBB101", 50), row(2, "AAAAAA101", 50), row(2, "DDDDDD101", 1)]
    counts = issuers(rows)
    assert list(counts.ranked("holders").index) == ["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"]
    assert list(counts.ranked("conviction").index) == ["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"]
    assert counts.table.loc["CCCCCC", "conviction"] == pytest.approx(0.5)


def test_top10_ranks_issuers_not_cusips():
    # Eleven issuers; the eleventh-largest CUSIP belongs to an issuer whose two CUSIPs sum to the largest.
    rows = [row(1, f"{i:06d}101", 100 - i) for i in range(1, 11)]
    rows += [row(1, "ZZZZZZ101", 60), row(1, "ZZZZZZ201", 60)]
    t = issuers(rows).table
    assert t.loc["ZZZZZZ", "top10"] == 1
    assert t.loc["000010", "top10"] == 0  # pushed out to eleventh
    assert t["top10"].sum() == 10


def test_restatement_replaces_and_new_holdings_add_in_the_latest_period():
    rows = [row(1, "AAAAAA101", 100, filed="2024-05-10"),
            row(1, "BBBBBB101", 70, filed="2024-06-01", amendment="RESTATEMENT"),
            row(2, "AAAAAA101", 10, filed="2024-05-14"),
            row(2, "DDDDDD101", 20, filed="2024-05-20", amendment="NEW HOLDINGS"),
            row(2, "EEEEEE101", 20, period="2023-12-31", filed="2024-02-10")]
    index = HoldingsIndex(frame(rows))
    assert sorted(index.issuers_as_of("2024-05-21").table.index) == ["AAAAAA", "DDDDDD"]
    assert sorted(index.issuers_as_of("2024-06-02").table.index) == ["AAAAAA", "BBBBBB", "DDDDDD"]
    assert index.issuers_as_of("2024-06-02").table.loc["AAAAAA", "holders"] == 1
    assert index.issuers_as_of("2024-02-11").table.index.tolist() == ["EEEEEE"]


def test_filer_subset_and_positions_follow_the_same_rules():
    rows = [row(1, "172967101", 30, ticker="C"), row(1, "172967424", 70, ticker="C"),
            row(1, "531229AB8", 5), row(2, "594918104", 10, ticker="MSFT", filed=D)]
    index = HoldingsIndex(frame(rows))
    pos = index.positions_as_of(D)
    assert pos["cusip"].tolist() == ["172967101", "172967424"] and set(pos["issuer"]) == {"172967"}
    assert index.issuers_as_of("2024-05-21", ciks=[2]).table.index.tolist() == ["594918"]
    assert len(index.holdings_as_of(D)) == 3  # the rows of the counted filing, debt included


_CUSIPS = ["AAAAAA101", "AAAAAA201", "BBBBBB101", "CCCCCC101", "CCCCCCAB1"]


@settings(max_examples=40, deadline=None)
@given(
    filings=st.lists(st.tuples(st.integers(1, 4), st.integers(0, 5), st.integers(0, 120),
                               st.sampled_from([None, "RESTATEMENT", "NEW HOLDINGS"]),
                               st.lists(st.tuples(st.sampled_from(_CUSIPS), st.floats(1, 1e6)), min_size=1, max_size=4)),
                     min_size=1, max_size=12),
    day=st.integers(0, 200),
    factor=st.floats(0.01, 100.0),
)
def test_nothing_filed_on_or_after_the_day_changes_its_counts(filings, day, factor):
    start = pd.Timestamp("2023-01-01")
    rows = []
    for n, (cik, quarter, delay, amendment, lines) in enumerate(filings):
        period = (pd.Period("2022Q4") + quarter).end_time.normalize()
        filed = period + pd.Timedelta(days=1 + delay)
        rows += [row(cik, c, v, ticker=c[:3], period=str(period.date()), filed=str(filed.date()), acc=f"a{n}",
                     amendment=amendment) for c, v in lines]
    h = frame(rows)
    cut = start + pd.Timedelta(days=day)
    later = h["filed"] >= cut
    changed = h.copy()
    changed.loc[later, "value_usd"] *= factor
    changed.loc[later, "cusip"] = changed.loc[later, "cusip"].sample(frac=1.0, random_state=0).to_numpy()
    extra = h[later].assign(cik=9, accession="late")
    changed = pd.concat([changed, extra], ignore_index=True)
    a, b = HoldingsIndex(h).issuers_as_of(cut), HoldingsIndex(changed).issuers_as_of(cut)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.classes.reset_index(drop=True), b.classes.reset_index(drop=True))
    assert (a.filers, a.stale) == (b.filers, b.stale)


def test_principal_amount_rows_are_left_out_where_the_source_says_prn():
    from hedgeclone.data.thirteenf.normalize import FILINGS, normalize
    from hedgeclone.data.thirteenf.parsers import RAW_COLUMNS

    raw = pd.DataFrame({"accession": ["x1"] * 3, "issuer": ["TESLA INC"] * 3, "title": ["COM", "NOTE", "COM"],
                        # a convertible note reported under an equity-looking CUSIP, flagged PRN by the filer
                        "cusip": ["88160R101", "88160R101", "594918104"], "value": [100.0, 900.0, 50.0],
                        "shares": [10.0, 900.0, 5.0], "share_type": ["SH", "PRN", "SH"], "put_call": [None] * 3,
                        "other_manager": [None] * 3}).astype(RAW_COLUMNS)
    filings = pd.DataFrame({"accession": ["x1"], "cik": [7], "filer_name": ["F7"], "period": [pd.Timestamp("2024-03-31")],
                            "filed": [pd.Timestamp("2024-05-10")], "form": ["13F-HR"], "amendment_type": [None],
                            "schema_version": [None]}).astype(FILINGS)
    holdings = normalize(raw, filings, unit="dollars")
    assert holdings.set_index("cusip")["value_usd"].to_dict() == {"88160R101": 100.0, "594918104": 50.0}
    t = HoldingsIndex(holdings).issuers_as_of(D).table
    assert t.loc["88160R", "conviction"] == pytest.approx(100 / 150)
