from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.thirteenf.normalize import FILINGS, normalize, value_multipliers
from hedgeclone.data.thirteenf.parsers import RAW_COLUMNS


def raw(acc: str, cusip: str, value: float, shares: float, put_call=None, manager=None) -> dict:
    return dict(accession=acc, issuer="I" + cusip, title="COM", cusip=cusip, value=value, shares=shares,
                share_type="SH", put_call=put_call, other_manager=manager)


def filing(acc: str, period="2023-12-31", form="13F-HR", schema="X0202", amendment=None) -> dict:
    return dict(accession=acc, cik=1, filer_name="F", period=pd.Timestamp(period),
                filed=pd.Timestamp(period) + pd.Timedelta(days=40), form=form, amendment_type=amendment,
                schema_version=schema)


def test_units_match_edgartools_rule():
    from edgar.thirteenf.units import resolve_value_unit

    rng = np.random.default_rng(7)
    rows, filings = [], []
    for i in range(60):
        acc = f"a{i}"
        period = rng.choice(["2019-06-30", "2022-09-30", "2023-03-31"])
        schema = rng.choice(["X0202", "X0201", None])
        filings.append(filing(acc, period, schema=schema))
        n = int(rng.integers(1, 30))
        frac = rng.uniform(0, 1)
        for j in range(n):
            price = rng.uniform(0.01, 0.9) if rng.uniform() < frac else rng.uniform(2, 500)
            shares = float(rng.integers(1, 10_000))
            rows.append(raw(acc, f"{j:09d}", round(price * shares), shares,
                            put_call="PUT" if rng.uniform() < 0.05 else None))
    rows_df = pd.DataFrame(rows).astype(RAW_COLUMNS)
    filings_df = pd.DataFrame(filings).astype(FILINGS)
    ours = value_multipliers(rows_df, filings_df)
    for f in filings:
        part = rows_df[rows_df.accession == f["accession"]]
        edgar_frame = pd.DataFrame({"SharesPrnAmount": part.shares, "Value": part.value,
                                    "Type": "Shares", "PutCall": part.put_call.fillna("")})
        expected = resolve_value_unit(edgar_frame, f["schema_version"], f["period"].to_pydatetime()).multiplier
        assert ours[f["accession"]] == expected, f


def test_combination_report_merged_options_flagged_notice_empty():
    rows = pd.DataFrame([
        raw("c", "037833100", 100.0, 1.0, manager="1"), raw("c", "037833100", 50.0, 0.5, manager="2"),
        raw("c", "037833100", 10.0, 1.0, put_call="CALL"), raw("n", "594918104", 5.0, 1.0),
    ]).astype(RAW_COLUMNS)
    filings = pd.DataFrame([filing("c"), filing("n", form="13F-NT")]).astype(FILINGS)
    out = normalize(rows, filings, unit="dollars")
    assert len(out) == 2 and set(out["accession"]) == {"c"}
    long = out[out.put_call.isna()].iloc[0]
    assert (long.value_usd, long.shares) == (150.0, 1.5)
    assert out[out.put_call.notna()].iloc[0].put_call == "CALL"
    assert (out["filed"] == pd.Timestamp("2024-02-09")).all()


def test_pre_2023_period_in_thousands_is_scaled():
    rows = pd.DataFrame([raw("t", f"{j:09d}", 5.0, 100.0) for j in range(12)]).astype(RAW_COLUMNS)
    out = normalize(rows, pd.DataFrame([filing("t", "2019-12-31", schema=None)]).astype(FILINGS))
    assert out["value_usd"].tolist() == pytest.approx([5000.0] * 12)
