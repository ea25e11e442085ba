"""SEC Form 13F data sets: a small zip written in SEC's TSV layout."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from hedgeclone.data.thirteenf.bulk import (
    COVERPAGE_COLUMNS,
    INFOTABLE_COLUMNS,
    SUBMISSION_COLUMNS,
    read_bulk_zip,
)
from hedgeclone.errors import InputError

SUB = [("0000000001-24-000001", "14-FEB-2024", "13F-HR", "0000000001", "31-DEC-2023"),
       ("0000000002-24-000001", "15-FEB-2024", "13F-HR", "2", "31-DEC-2023"),
       ("0000000003-22-000001", "14-FEB-2022", "13F-HR", "3", "31-DEC-2021"),
       ("0000000004-24-000001", "01-MAR-2024", "13F-NT", "4", "31-DEC-2023"),
       ("0000000001-24-000002", "01-APR-2024", "13F-HR/A", "1", "31-DEC-2023")]
COVER = [("0000000001-24-000001", "N", "", "FUND ONE", "13F HOLDINGS REPORT"),
         ("0000000002-24-000001", "N", "", "FUND TWO", "13F COMBINATION REPORT"),
         ("0000000003-22-000001", "N", "", "FUND THREE", "13F HOLDINGS REPORT"),
         ("0000000004-24-000001", "N", "", "FUND FOUR", "13F NOTICE"),
         ("0000000001-24-000002", "Y", "NEW HOLDINGS", "FUND ONE", "13F HOLDINGS REPORT")]
INFO = [("0000000001-24-000001", "APPLE INC", "COM", "037833100", "1920000", "10000", "SH", "", ""),
        ("0000000001-24-000001", "APPLE INC", "CALL", "037833100", "192000", "1000", "SH", "Call", ""),
        ("0000000002-24-000001", "APPLE INC", "COM", "037833100", "960000", "5000", "SH", "", "1"),
        ("0000000002-24-000001", "APPLE INC", "COM", "037833100", "960000", "5000", "SH", "", "2"),
        ("0000000003-22-000001", "MICROSOFT CORP", "COM", "594918104", "3360", "10000", "SH", "", ""),
        ("0000000003-22-000001", "BAD ROW", "COM", "12345", "1", "1", "SH", "", ""),
        ("0000000001-24-000002", "MICROSOFT CORP", "COM", "594918104", "3760000", "10000", "SH", "", "")]


def tsv(columns, rows) -> str:
    return "\n".join(["\t".join(columns), *("\t".join(r) for r in rows)]) + "\n"


def write_zip(path, sub=SUB, cover=COVER, info=INFO, info_columns=INFOTABLE_COLUMNS):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2024q1_form13f/SUBMISSION.tsv", tsv(SUBMISSION_COLUMNS, sub))
        zf.writestr("2024q1_form13f/COVERPAGE.tsv", tsv(COVERPAGE_COLUMNS, cover))
        zf.writestr("2024q1_form13f/INFOTABLE.tsv", tsv(info_columns, info))
    return path


def test_bulk_zip(tmp_path, cusip_map):
    out, skipped = read_bulk_zip(write_zip(tmp_path / "q.zip"), cusip_map=cusip_map)
    assert skipped["malformed CUSIP"] == 1
    by = out.set_index(["cik", "cusip", out["put_call"].fillna("")])
    assert by.loc[(1, "037833100", ""), "value_usd"] == 1_920_000
    assert by.loc[(1, "037833100", "CALL"), "value_usd"] == 192_000
    assert by.loc[(2, "037833100", ""), "shares"] == 10_000  # combination lines merged
    assert by.loc[(3, "594918104", ""), "value_usd"] == 3_360_000  # 2021 period: thousands
    assert by.loc[(1, "594918104", ""), "amendment_type"] == "NEW HOLDINGS"
    assert 4 not in set(out["cik"])  # a notice holds nothing
    assert by.loc[(1, "037833100", ""), "ticker"] == "AAPL"
    assert by.loc[(1, "037833100", ""), "filer_name"] == "FUND ONE"
    assert by.loc[(1, "037833100", ""), "filed"] == pd.Timestamp("2024-02-14")


def test_bulk_errors(tmp_path):
    bad_value = [*INFO[:3], ("0000000002-24-000001", "X", "COM", "594918104", "12a", "1", "SH", "", "")]
    with pytest.raises(InputError, match=r"INFOTABLE.tsv line 5: VALUE '12a' is not a number"):
        read_bulk_zip(write_zip(tmp_path / "a.zip", info=bad_value))
    with pytest.raises(InputError, match="SSHPRNAMT"):
        read_bulk_zip(write_zip(tmp_path / "b.zip", info_columns=tuple(c if c != "SSHPRNAMT" else "SHARES"
                                                                       for c in INFOTABLE_COLUMNS)))
    truncated = tmp_path / "c.zip"
    truncated.write_bytes(write_zip(tmp_path / "full.zip").read_bytes()[:300])
    with pytest.raises(InputError, match="c.zip"):
        read_bulk_zip(truncated)
