"""Holdings tables: impossible values are refused naming the file and row, bad mappings naming the rule."""

from __future__ import annotations

import pandas as pd
import pytest

from hedgeclone.data.thirteenf.tables import load_mapping, table_to_holdings
from hedgeclone.errors import InputError

ROW = {"cik": "1067983", "filer_name": "F", "period": "2023-12-31", "filed": "2024-02-14", "accession": "a",
       "form": "13F-HR", "amendment_type": "", "cusip": "037833100", "ticker": "AAPL", "issuer": "APPLE",
       "value_usd": "10", "shares": "1", "put_call": ""}


def holdings(**changes):
    frame = pd.DataFrame([{**ROW, **changes}], dtype="string")
    return table_to_holdings(frame, load_mapping("hedgeclone"), source="t.csv")[0]


def test_a_good_row_passes():
    out = holdings(cik="0001067983")
    assert out["cik"].tolist() == [1067983] and out["value_usd"].tolist() == [10.0]


@pytest.mark.parametrize(("changes", "message"), [
    ({"cik": "99999999999999999999"}, "CIK is not a positive whole number"),  # wrapped negative in int64
    ({"cik": "12.5"}, "CIK is not a positive whole number"),
    ({"cik": "-3"}, "CIK is not a positive whole number"),
    ({"value_usd": "-10"}, "negative or infinite value"),
    ({"value_usd": "inf"}, "negative or infinite value"),
    ({"shares": "-1"}, "negative or infinite shares"),
    ({"filed": "2020-01-02", "period": "2024-03-31"}, "filed date before the period"),
    ({"amendment_type": "SOMETHING"}, "amendment_type neither"),
])
def test_impossible_values_name_the_row(changes, message):
    with pytest.raises(InputError, match=rf"t.csv row 2: {message}"):
        holdings(**changes)


@pytest.mark.parametrize(("rules", "message"), [
    ('value_unit = 1000', "rules.value_unit = 1000"),
    ('missing_cik = true', "rules.missing_cik = True"),
    ('keep_forms = "13F-HR"', "rules.keep_forms"),
    ('bogus = 1', "unknown rule rules.bogus"),
])
def test_mapping_rules_of_the_wrong_type_are_refused(tmp_path, rules, message):
    path = tmp_path / "m.toml"
    cols = "\n".join(f'{f} = "{f}"' for f in ("cik", "period", "filed", "cusip", "value", "shares"))
    path.write_text(f"[columns]\n{cols}\n[rules]\n{rules}\n")
    with pytest.raises(InputError, match=message):
        load_mapping(path)
