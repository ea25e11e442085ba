"""Local filings read through edgartools offline (Filing.from_sgml + ThirteenF), not a stub."""

from __future__ import annotations

import pandas as pd

from hedgeclone.data.thirteenf.documents import holdings_from_submission, holdings_from_xml


def test_lts_one_full_submission(raw13f, cusip_map):
    out = holdings_from_submission(raw13f / "13F-HR_0001894188-23-000007_LTS-One_2023Q3.txt", cusip_map=cusip_map)
    assert len(out) == 14
    assert set(out["cik"]) == {1894188}
    assert set(out["accession"]) == {"0001894188-23-000007"}
    assert set(out["filed"]) == {pd.Timestamp("2023-11-14")}
    assert set(out["period"]) == {pd.Timestamp("2023-09-30")}
    amzn = out[out["ticker"] == "AMZN"].iloc[0]
    assert (amzn["value_usd"], amzn["shares"]) == (17_479_000.0, 137_500.0)


def test_acorn_creek_nc_agrees_with_edgartools_infotable(raw13f, cusip_map):
    from edgar import Filing
    from edgar.thirteenf import ThirteenF

    path = raw13f / "13F-HR_0001951757-25-000093_AcornCreek_2024Q4.nc"
    out = holdings_from_submission(path, cusip_map=cusip_map)
    theirs = ThirteenF(Filing.from_sgml(path)).infotable
    assert out["cik"].iloc[0] == 1994827
    assert out["filed"].iloc[0] == pd.Timestamp("2025-01-22")
    assert out["value_usd"].sum() == theirs["Value"].sum()
    assert len(out) == theirs.groupby(["Cusip", theirs["PutCall"].fillna("")]).ngroups


def test_restatement_amendment_from_xml_pair(raw13f):
    out = holdings_from_xml((raw13f / "SEC_sample_information_table.xml").read_bytes(),
                            (raw13f / "SEC_Sample_13F-HRA.xml").read_bytes(), source="sample")
    assert set(out["form"]) == {"13F-HR/A"}
    assert set(out["amendment_type"]) == {"RESTATEMENT"}
    assert set(out["filed"]) == {pd.Timestamp("2021-11-01")}  # signature date stands in


def test_metlife_combination_report_in_dollars(raw13f):
    rows = "".join(
        f"<infoTable><nameOfIssuer>X</nameOfIssuer><titleOfClass>COM</titleOfClass><cusip>037833100</cusip>"
        f"<value>{v}</value><shrsOrPrnAmt><sshPrnamt>{s}</sshPrnamt><sshPrnamtType>SH</sshPrnamtType>"
        f"</shrsOrPrnAmt><otherManager>{m}</otherManager></infoTable>"
        for v, s, m in [(17700, 100, 1), (35400, 200, 2), (1770, 10, 3)]
    )
    table = f'<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">{rows}</informationTable>'
    out = holdings_from_xml(table.encode(), (raw13f / "metlife.13F-HR.primarydoc.xml").read_bytes(), source="m")
    assert len(out) == 1  # per-manager lines merged per CUSIP
    assert out["value_usd"].iloc[0] == 54870.0  # dollars despite the 2021 period (schema X0202)
    assert out["period"].iloc[0] == pd.Timestamp("2021-12-31")
