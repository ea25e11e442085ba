"""Suspect prices and liquidity, end to end through the CLI on a store built from the demo market.

The store is what a user without 13F data would build: a long price file (close, raw close,
volume) of demo stocks in which two unadjusted splits were planted, and the demo's share counts.
Oracles: the demo market's own series (plain pandas), never hedgeclone's code.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.demo import DemoConfig, load_demo

AS_OF = pd.Timestamp("2019-11-29")
SPLIT_YEAR = 2019


@pytest.fixture(scope="module")
def demo():
    return load_demo(DemoConfig(n_stocks=120, n_filers=10, seed=3), cache=False)


@pytest.fixture(scope="module")
def planted(demo):
    """(two tickers listed through AS_OF, {ticker: (split date, factor planted on the close)}, a thin ticker)."""
    listed = demo.close.columns[demo.close.loc["2018-12-31":"2020-01-31"].notna().all().to_numpy()]
    ret = demo.close.pct_change(fill_method=None).loc[f"{SPLIT_YEAR}-03-01":f"{SPLIT_YEAR}-09-30"]
    a, b, thin = listed[0], listed[1], listed[2]
    # A 2-for-1 split left unadjusted halves the close; plant it on a quiet day so the move is split-like.
    quiet = ret.index[(ret[a].abs() < 0.004).to_numpy()][0]
    return {a: (quiet, 0.5), b: (pd.Timestamp(f"{SPLIT_YEAR}-06-03"), 25.0)}, thin


@pytest.fixture(scope="module")
def files(demo, planted, tmp_path_factory):
    splits, thin = planted
    root = tmp_path_factory.mktemp("suspect")
    close = demo.close.copy()
    for ticker, (date, factor) in splits.items():
        close.loc[date:, ticker] *= factor
    volume = demo.volume.copy()
    last20 = volume.loc[:AS_OF].index[-20:]
    volume.loc[last20[::2], thin] = 0.0  # traded on half of the last 20 sessions
    long = pd.DataFrame({"close": close.stack(), "raw_close": demo.raw_close.stack(), "volume": volume.stack()})
    long = long.dropna(subset=["close"]).reset_index().rename(columns={"level_0": "date"})
    long = long[["ticker", "date", "close", "raw_close", "volume"]]
    prices = root / "demo_prices.parquet"
    long.to_parquet(prices, index=False)
    shares = root / "demo_shares.csv"
    demo.shares.to_csv(shares, index=False)
    split_file = root / "splits.csv"
    pd.DataFrame({"ticker": list(splits), "date": [d.date() for d, _ in splits.values()],
                  "ratio": [1 / f for _, f in splits.values()]}).to_csv(split_file, index=False)
    return root, prices, shares, split_file


@pytest.fixture(scope="module")
def store_dir(files):
    from hedgeclone.backtest.cli.app import main

    root, prices, shares, _ = files
    store = root / "store"
    for args in (["data", "prices", "import", str(prices)], ["data", "shares", "import", str(shares)]):
        with pytest.raises(SystemExit) as info:
            main([*args, "--store", str(store)])
            raise SystemExit(0)
        assert info.value.code == 0
    return store


def config(tmp_path, store, **extra):
    lines = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in extra.items())
    path = tmp_path / "screen.toml"
    path.write_text(f"""[strategy]
kind = "microcap-screen"
top_n = 500
min_cap = 1
max_cap = 1e15
min_price = 0
min_holders = 0
{lines}
[backtest]
benchmarks = []
[data]
source = "store"
store = "{store}"
""")
    return path


def screen(call, path) -> tuple[pd.DataFrame, str]:
    code, out = call("screen", str(path), "--as-of", str(AS_OF.date()), "--csv")
    assert code == 0, out
    return pd.read_csv(io.StringIO(out)), out


def test_import_stores_the_planted_splits_and_info_shows_them(store_dir, demo, planted, call):
    from hedgeclone.data.prices.suspect import suspect_prices
    from hedgeclone.data.store import Store

    splits, _ = planted
    marks = suspect_prices(Store(store_dir)).set_index("ticker")
    assert set(splits) <= set(marks.index)
    for ticker, (date, factor) in splits.items():
        assert marks.loc[ticker, "date"] == date
        series = demo.close[ticker].dropna()
        day = series.index.get_loc(date)
        assert marks.loc[ticker, "ratio"] == pytest.approx(factor * series.iloc[day] / series.iloc[day - 1], rel=1e-12)
    code, out = call("data", "info", "--store", str(store_dir))
    assert code == 0 and "suspect prices:" in out and "unrepaired" in out
    for ticker, (date, _) in splits.items():
        assert ticker in out and str(date.date()) in out


def test_screen_without_13f_leaves_out_suspect_names_or_marks_them(store_dir, planted, tmp_path, call):
    splits, _ = planted
    table, out = screen(call, config(tmp_path, store_dir))
    assert not set(splits) & set(table["ticker"]) and len(table) > 50
    assert "hf_holders" not in table.columns  # a store of prices and shares only: nothing to count
    marked, _ = screen(call, config(tmp_path, store_dir, exclude_suspect_prices=False))
    assert set(splits) <= set(marked["ticker"])
    flagged = marked.set_index("ticker")["suspect"].fillna("")
    for ticker, (date, _) in splits.items():
        assert flagged[ticker].startswith(str(date.date()))
    assert (flagged.drop(list(splits)) == "").sum() >= len(flagged) - len(splits) - 3


def test_liquidity_columns_and_filters_equal_a_pandas_computation(store_dir, demo, planted, tmp_path, call):
    _, thin = planted
    table, _ = screen(call, config(tmp_path, store_dir, exclude_suspect_prices=False))
    rows = table.set_index("ticker")
    window = demo.volume.loc[:AS_OF].index[-20:]
    volume = demo.volume.loc[window].copy()
    volume.loc[window[::2], thin] = 0.0
    dollar = (demo.raw_close.loc[window] * volume).median()
    np.testing.assert_allclose(rows["dollar_volume"], dollar.reindex(rows.index), rtol=1e-5)  # %.6g in the CSV
    traded = (volume > 0).sum() / 20
    np.testing.assert_allclose(rows["days_traded"], traded.reindex(rows.index), rtol=1e-6)
    assert rows.loc[thin, "days_traded"] == 0.5
    floor = float(dollar.reindex(rows.index).median())
    filtered, _ = screen(call, config(tmp_path, store_dir, exclude_suspect_prices=False, min_days_traded=0.6,
                                      min_dollar_volume=floor))
    want = rows.index[(traded.reindex(rows.index) >= 0.6) & (dollar.reindex(rows.index) >= floor)]
    assert set(filtered["ticker"]) == set(want) and thin not in set(filtered["ticker"])


def test_splits_import_repairs_the_stored_series_and_clears_the_marks(files, store_dir, demo, planted, tmp_path, call):
    import shutil

    from hedgeclone.data.market import load_market
    from hedgeclone.data.prices.suspect import suspect_prices
    from hedgeclone.data.store import Store

    splits, _ = planted
    _, _, _, split_file = files
    store = tmp_path / "repaired"
    shutil.copytree(store_dir, store)
    code, out = call("data", "splits", "import", str(split_file), "--store", str(store))
    assert code == 0, out
    assert f"repaired: {len(splits)} split(s)" in out
    assert not set(splits) & set(suspect_prices(Store(store))["ticker"])
    market = load_market("store", store=Store(store), benchmarks=())
    for ticker, (date, factor) in splits.items():
        # The repaired close is the demo's total-return close times the planted factor: the same returns.
        np.testing.assert_allclose(market.close[ticker].dropna(), demo.close[ticker].dropna() * factor, rtol=1e-12)
        before = market.volume.index < date
        np.testing.assert_allclose(market.volume.loc[before, ticker].dropna(),
                                   demo.volume.loc[demo.volume.index < date, ticker].dropna() / factor, rtol=1e-12)
    table, _ = screen(call, config(tmp_path, store))
    ytd = table.set_index("ticker")["ytd_return"]
    year = demo.close.loc[f"{SPLIT_YEAR - 1}-12-31":AS_OF]
    for ticker in splits:
        assert ytd[ticker] == pytest.approx(year[ticker].iloc[-1] / year[ticker].iloc[0] - 1, rel=1e-5)
    # A second import of the same table finds nothing left to repair and changes nothing.
    code, out = call("data", "splits", "import", str(split_file), "--store", str(store))
    assert code == 0 and "repaired: 0 split(s)" in out and "already adjusted" in out


def test_a_split_that_does_not_explain_the_move_is_refused_and_nothing_changes(store_dir, planted, tmp_path, call):
    from hedgeclone.data.prices.suspect import suspect_prices
    from hedgeclone.data.store import Store

    splits, _ = planted
    ticker, (date, _) = next(iter(splits.items()))
    bad = tmp_path / "bad.csv"
    bad.write_text(f"ticker,date,ratio\n{ticker},{date.date()},10\n")
    before = Store(store_dir).manifest()
    code, out = call("data", "splits", "import", str(bad), "--store", str(store_dir))
    assert code == 2 and ticker in out and "does not explain" in out
    assert Store(store_dir).manifest() == before
    assert ticker in set(suspect_prices(Store(store_dir))["ticker"])
    for text, what in (("ticker,date,ratio\nAAA,2019-01-02,-2\n", "row 2: ratio"),
                       ("ticker,date,ratio\nAAA,notadate,2\n", "row 2: date"),
                       ("ticker,when,ratio\nAAA,2019-01-02,2\n", "needs columns ticker, date, ratio")):
        bad.write_text(text)
        code, out = call("data", "splits", "import", str(bad), "--store", str(store_dir))
        assert code == 2 and what in out, out


def test_a_ratio_of_one_clears_a_mark_without_changing_prices(store_dir, planted, tmp_path, call):
    import shutil

    from hedgeclone.data.prices import load_prices
    from hedgeclone.data.prices.suspect import suspect_prices
    from hedgeclone.data.store import Store

    splits, _ = planted
    ticker, (date, _) = next(iter(splits.items()))
    store = tmp_path / "cleared"
    shutil.copytree(store_dir, store)
    real = tmp_path / "real.csv"
    real.write_text(f"ticker,date,ratio\n{ticker},{date.date()},1\n")
    before = load_prices(Store(store), [ticker])["close"]
    code, out = call("data", "splits", "import", str(real), "--store", str(store))
    assert code == 0 and "cleared" in out
    assert ticker not in set(suspect_prices(Store(store))["ticker"])
    pd.testing.assert_frame_equal(load_prices(Store(store), [ticker])["close"], before)


def test_liquidity_filter_without_volumes_names_the_option(store_dir, tmp_path, call):
    path = config(tmp_path, store_dir, min_dollar_volume=1000)
    code, out = call("screen", str(path), "--as-of", "2026-01-02", "--csv")  # after the data: refused first
    assert code == 2
    from hedgeclone.backtest.session import screen_config
    from hedgeclone.data.market import load_market
    from hedgeclone.data.store import Store
    from hedgeclone.errors import InputError
    from hedgeclone.strategies.config import load_config

    market = load_market("store", store=Store(store_dir), benchmarks=())
    silent = market.__class__(**{**market.__dict__, "volume": None})
    with pytest.raises(InputError, match="min_dollar_volume = 1000 needs daily volumes"):
        screen_config(load_config(path), silent, AS_OF)
    days = load_config(config(tmp_path, store_dir, min_days_traded=0.5))
    with pytest.raises(InputError, match="min_days_traded = 0.5 needs daily volumes"):
        screen_config(days, silent, AS_OF)
