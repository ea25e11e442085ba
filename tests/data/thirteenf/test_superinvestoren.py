"""The real superinvestor table through its shipped mapping, checked against independent reads."""

from __future__ import annotations

import json
import tarfile

import duckdb
import pandas as pd
import pytest

from hedgeclone.data.thirteenf.pointintime import holders_as_of, holdings_as_of


def test_counts_after_cleaning(superinvestoren_holdings):
    out, skipped = superinvestoren_holdings
    assert skipped["form NPORT-P"] == 12914
    assert skipped["missing CIK"] == 576  # cooperman has no CIK in the table
    assert out["cik"].nunique() == 98
    assert out["accession"].nunique() == 3733
    assert not out["form"].isin(["NPORT-P"]).any()
    assert out["cusip"].str.fullmatch(r"[0-9A-Z]{9}").all()


def test_filers_per_quarter_match_an_independent_count(superinvestoren_holdings, superinvestoren):
    out, _ = superinvestoren_holdings
    expected = duckdb.sql(f"""
        SELECT period_of_report::DATE AS period, count(DISTINCT filer_cik_hint) AS n,
               count(DISTINCT coalesce(accession, filer || filing_date)) AS filings
        FROM read_csv('{superinvestoren}', all_varchar=true)
        WHERE coalesce(form, '13F-HR') <> 'NPORT-P' AND filer_cik_hint IS NOT NULL
        GROUP BY 1""").df().set_index("period")
    ours = out.groupby("period").agg(n=("cik", "nunique"), filings=("accession", "nunique"))
    ours.index = ours.index.date
    expected.index = pd.to_datetime(expected.index).date
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_dtype=False)
    assert ours.loc[pd.Timestamp("2015-12-31").date(), "n"] == 57
    assert ours.loc[pd.Timestamp("2024-12-31").date(), "n"] == 98


def test_value_scale_agrees_with_table_heuristic(superinvestoren_holdings, superinvestoren):
    out, _ = superinvestoren_holdings
    est = duckdb.sql(f"""SELECT accession, sum(value_usd_est::DOUBLE) AS est FROM read_csv('{superinvestoren}',
        all_varchar=true) WHERE accession IS NOT NULL AND regexp_matches(cusip, '^[0-9A-Za-z]{{6,9}}$')
        GROUP BY 1""").df().set_index("accession")["est"]
    ours = out.groupby("accession")["value_usd"].sum()
    joined = pd.concat([ours, est], axis=1, join="inner")
    ratio = joined["value_usd"] / joined["est"]
    assert len(joined) > 3500
    assert ((ratio - 1).abs() < 1e-6).mean() > 0.995


@pytest.mark.parametrize("member, accession", [
    ("superinvestoren_holdings/buffett/2024-Q1.json", "0000950123-24-002518"),
    ("superinvestoren_holdings/ackman/2014-Q1.json", None),
    ("superinvestoren_holdings/akre/2019-Q2.json", None),
])
def test_filings_checked_by_hand_against_raw_json(superinvestoren_holdings, superinvestoren, member, accession):
    out, _ = superinvestoren_holdings
    with tarfile.open(superinvestoren.parent / "superinvestoren_raw_json.tar.gz") as tar:
        doc = json.load(tar.extractfile(member))
    acc = doc.get("accession") or accession
    assert acc, member
    mine = out[out["accession"] == acc]
    assert len(mine) > 0
    expected: dict[tuple, list[float]] = {}
    for p in doc["positions"]:
        key = (str(p["cusip"]).upper().zfill(9), (p.get("putCall") or "").upper() or None)
        acc_sh = expected.setdefault(key, [0.0, 0.0])
        acc_sh[0] += float(p["shares"])
        acc_sh[1] += float(p["value"])
    got = {(r.cusip, None if pd.isna(r.put_call) else r.put_call): (r.shares, r.value_usd) for r in mine.itertuples()}
    assert set(got) == set(expected)
    scales = {got[k][1] / v[1] for k, v in expected.items() if v[1]}
    assert len({round(s, 9) for s in scales}) == 1  # one scale per filing
    for key, (shares, _) in expected.items():
        assert got[key][0] == shares


def test_buffett_as_of_and_holders(superinvestoren_holdings):
    out, _ = superinvestoren_holdings
    berkshire = holdings_as_of(out, "2024-05-14", ciks=[1067983])
    assert set(berkshire["period"]) == {pd.Timestamp("2023-12-31")}  # Q1 2024 filed 2024-05-15
    assert holdings_as_of(out, "2024-05-15", ciks=[1067983])["period"].max() == pd.Timestamp("2024-03-31")
    apple = berkshire[berkshire["ticker"] == "AAPL"]
    assert apple["shares"].sum() == 905_560_000
    holders = holders_as_of(out, "2024-06-01")
    assert holders.iloc[0]["ticker"] == "MSFT"
    assert holders["holders"].is_monotonic_decreasing
