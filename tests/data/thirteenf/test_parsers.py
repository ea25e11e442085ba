from __future__ import annotations

import pandas as pd
import pytest

from hedgeclone.data.thirteenf.parsers import check_cusip, parse_cover_xml, parse_infotable_xml
from hedgeclone.errors import InputError

INFO = """<?xml version="1.0"?>
<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">
{rows}
</informationTable>"""
ROW = """<infoTable><nameOfIssuer>{name}</nameOfIssuer><titleOfClass>COM</titleOfClass><cusip>{cusip}</cusip>
<value>{value}</value><shrsOrPrnAmt><sshPrnamt>{shares}</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt>
{extra}<investmentDiscretion>SOLE</investmentDiscretion></infoTable>"""


def info(*rows: dict) -> str:
    return INFO.format(rows="\n".join(ROW.format(**{"extra": "", **r}) for r in rows))


def test_255_row_infotable_agrees_with_edgartools(raw13f):
    from edgar.thirteenf.parsers import parse_infotable_xml as edgar_parse

    text = (raw13f / "13F-HR.infotable.xml").read_text()
    ours = parse_infotable_xml(text, source="x")
    theirs = edgar_parse(text)
    assert len(ours) == len(theirs) == 255
    mmm = ours[ours["cusip"] == "88579Y101"].iloc[0]
    assert (mmm["issuer"], mmm["value"], mmm["shares"]) == ("3M CO", 409469, 2334)
    assert ours["cusip"].tolist() == theirs["Cusip"].tolist()
    assert ours["value"].tolist() == theirs["Value"].astype(float).tolist()
    assert ours["shares"].tolist() == theirs["SharesPrnAmount"].astype(float).tolist()


def test_sec_sample_with_ns1_prefix_and_figi(raw13f):
    rows = parse_infotable_xml((raw13f / "SEC_sample_information_table.xml").read_bytes(), source="x")
    assert len(rows) == 169
    assert rows["cusip"].str.len().eq(9).all()


def test_cover_pages(raw13f):
    metlife = parse_cover_xml((raw13f / "metlife.13F-HR.primarydoc.xml").read_bytes(), source="m")
    assert metlife.cik == 1099219  # the filer's, not an other manager's
    assert metlife.report_type == "13F COMBINATION REPORT"
    assert metlife.period == pd.Timestamp("2021-12-31")
    assert metlife.signature_date == pd.Timestamp("2023-03-22")  # filed late
    assert metlife.schema_version == "X0202"
    restated = parse_cover_xml((raw13f / "SEC_Sample_13F-HRA.xml").read_bytes(), source="r")
    assert (restated.form, restated.amendment_type) == ("13F-HR/A", "RESTATEMENT")
    assert not restated.holds_nothing


def test_truncated_xml_names_source_and_line():
    text = info({"name": "A", "cusip": "037833100", "value": "1", "shares": "1"})[:-40]
    with pytest.raises(InputError, match=r"bad\.xml: malformed or truncated XML at line \d+"):
        parse_infotable_xml(text, source="bad.xml")


def test_non_numeric_value_names_line():
    text = info({"name": "A", "cusip": "037833100", "value": "1", "shares": "1"},
                {"name": "B", "cusip": "594918104", "value": "12x", "shares": "1"})
    with pytest.raises(InputError, match=r"f\.xml line 6: value '12x' is not a number"):
        parse_infotable_xml(text, source="f.xml")


def test_malformed_cusip():
    text = info({"name": "A", "cusip": "03783310!", "value": "1", "shares": "1"})
    with pytest.raises(InputError, match="malformed CUSIP"):
        parse_infotable_xml(text, source="f.xml")
    assert check_cusip("84670702", "x") == "084670702"  # leading zero lost by a spreadsheet
