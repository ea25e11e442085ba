"""yfinance's split history repairs the suspect prices it explains (yfinance's own parsing, offline)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_fetched_splits_repair_an_unadjusted_reverse_split(tmp_path, fake_yahoo):
    from hedgeclone.data.prices import load_prices
    from hedgeclone.data.prices.load import import_price_files
    from hedgeclone.data.prices.suspect import applied_splits, suspect_prices
    from hedgeclone.data.prices.yahoo import fetch_splits
    from hedgeclone.data.store import Store

    days = pd.bdate_range("2024-01-02", periods=40)
    rng = np.random.default_rng(3)
    adjusted = 5.0 * np.exp(np.cumsum(rng.normal(0, 0.02, len(days))))
    adjusted[20] = adjusted[19] * 1.001  # a quiet split day: only the split moves the close
    unadjusted = adjusted.copy()
    unadjusted[:20] /= 10  # a 1-for-10 reverse split the file left unadjusted
    file = tmp_path / "aaa.csv"
    pd.DataFrame({"ticker": "AAA", "date": days.date, "close": unadjusted, "volume": 1000.0}).to_csv(file, index=False)
    store = Store(tmp_path / "store")
    import_price_files(store, [file])
    assert list(suspect_prices(store)["date"]) == [days[20]]

    bars = pd.DataFrame({"open": adjusted, "close": adjusted, "adjclose": adjusted, "volume": 1000}, index=days)
    session = fake_yahoo({"AAA": bars}, splits={"AAA": pd.Series({days[20]: 0.1})})
    report, fetch = fetch_splits(store, session=session)
    assert fetch.fetched == ["AAA"] and report.repaired == [f"AAA {days[20].date()} x0.1"]
    assert suspect_prices(store).empty and list(applied_splits(store)["action"]) == ["repaired"]
    wide = load_prices(store, ["AAA"], fields=("close", "volume"))
    np.testing.assert_allclose(wide["close"]["AAA"].to_numpy(), adjusted, rtol=1e-12)
    np.testing.assert_allclose(wide["volume"]["AAA"].to_numpy()[:20], 100.0, rtol=1e-12)
