from __future__ import annotations

import pandas as pd
import pytest

from hedgeclone.data.thirteenf.cusips import apply_tickers, load_cusip_map, unmapped
from hedgeclone.errors import InputError


def test_bundled_map_user_override_and_unmapped_report(tmp_path):
    user = tmp_path / "map.csv"
    user.write_text("cusip,ticker\n023135106,amzn.x\n000000001,NEW\n")
    cmap = load_cusip_map(user)
    frame = pd.DataFrame({"cusip": ["023135106", "594918104", "000000001", "99999999Z"],
                          "issuer": ["A", "M", "N", "U"], "value_usd": [10.0, 20.0, 30.0, 40.0]})
    out = apply_tickers(frame, cmap)
    assert out["ticker"].tolist()[:3] == ["AMZN.X", "MSFT", "NEW"]
    report = unmapped(out)
    assert (report.cusips, report.rows, report.value_share) == (1, 1, 0.4)
    assert report.top[0][0] == "99999999Z"


def test_bad_user_map(tmp_path):
    user = tmp_path / "map.csv"
    user.write_text("cusip,ticker\n0231351,AMZN\n")
    with pytest.raises(InputError, match=r"map.csv line 2: malformed CUSIP"):
        load_cusip_map(user)
