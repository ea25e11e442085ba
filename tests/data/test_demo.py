"""Tests of the synthetic demo market (data.demo): determinism, realism and consistency."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from hedgeclone.data.demo import (
    MICRO_CAP_BAND,
    SYNTHETIC_NOTICE,
    DemoConfig,
    DemoMarket,
    cusip_check_digit,
    demo_prefix,
    generate_demo,
    load_demo,
)
from hedgeclone.data.demo import cache as demo_cache
from hedgeclone.data.demo.benchmarks import LARGE_CAP_COUNT, rebalance_rows
from hedgeclone.data.schemas import HOLDINGS, SHARES
from hedgeclone.data.store import Store
from hedgeclone.errors import InputError

SMALL = DemoConfig(n_stocks=300, start="2019-01-01", end="2021-12-31", n_filers=40, seed=3)


@pytest.fixture(scope="module")
def market() -> DemoMarket:
    return generate_demo(SMALL)


def _originals(h: pd.DataFrame) -> pd.DataFrame:
    return h[(h["form"] == "13F-HR") & h["put_call"].isna()]


# -- configuration ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"n_stocks": 0}, "n_stocks"),
        ({"n_filers": -1}, "n_filers"),
        ({"start": "2020-01-01", "end": "2019-01-01"}, "end"),
        ({"start": "not a date"}, "start"),
        ({"seed": -3}, "seed"),
        ({"n_stocks": 2.5}, "n_stocks"),
    ],
)
def test_bad_config_raises_input_error_naming_the_option(kwargs, option):
    with pytest.raises(InputError, match=option):
        DemoConfig(**kwargs)


def test_config_is_frozen_and_hashable():
    cfg = DemoConfig()
    assert (cfg.n_stocks, cfg.start, cfg.end, cfg.n_filers, cfg.seed) == (
        3000,
        "2014-01-02",
        "2025-12-31",
        300,
        7,
    )
    with pytest.raises(AttributeError):
        cfg.n_stocks = 5  # type: ignore[misc]
    assert demo_prefix(cfg) == demo_prefix(DemoConfig()) != demo_prefix(DemoConfig(seed=8))


# -- determinism --------------------------------------------------------------------------------
def test_same_config_gives_bit_identical_frames(market):
    again = generate_demo(SMALL)
    for name in ("close", "raw_close", "volume", "shares", "holdings", "benchmarks", "delistings", "filers"):
        pd.testing.assert_frame_equal(getattr(market, name), getattr(again, name), check_exact=True)
    assert market.tickers.equals(again.tickers) and market.calendar.equals(again.calendar)


def test_other_seed_gives_another_market(market):
    other = generate_demo(DemoConfig(n_stocks=300, start="2019-01-01", end="2021-12-31", n_filers=40, seed=4))
    assert not np.allclose(other.close.to_numpy(), market.close.to_numpy(), equal_nan=True)


# -- calendar, shapes, identifiers --------------------------------------------------------------
def test_calendar_is_nyse():
    dec = generate_demo(DemoConfig(n_stocks=5, start="2024-12-01", end="2024-12-31", n_filers=0))
    assert pd.Timestamp("2024-12-24") in dec.calendar
    assert pd.Timestamp("2024-12-25") not in dec.calendar
    assert len(dec.calendar) == 21


def test_calendar_2019_has_252_sessions(market):
    cal = market.calendar
    assert (cal.year == 2019).sum() == 252
    assert cal.tz is None and (cal == cal.normalize()).all() and cal.is_monotonic_increasing
    assert pd.Timestamp("2019-07-04") not in cal and pd.Timestamp("2019-07-05") in cal


def test_wide_frames_share_calendar_and_tickers(market):
    for name in ("close", "raw_close", "volume"):
        frame = getattr(market, name)
        assert frame.index.equals(market.calendar) and frame.columns.equals(market.tickers)
        assert (frame.dtypes == np.float64).all()
    assert list(market.benchmarks.columns) == ["sp500", "russell-microcap"]
    assert market.benchmarks.index.equals(market.calendar)
    assert "synthetic" in SYNTHETIC_NOTICE.lower() and "synthetic" in repr(market).lower()


def test_tickers_are_unique_ticker_like(market):
    tickers = list(market.tickers)
    assert len(tickers) == SMALL.n_stocks == len(set(tickers))
    assert all(re.fullmatch(r"[A-Z]{3,4}", t) for t in tickers)


def test_cusip_check_digits():
    assert cusip_check_digit("03783310") == "0"  # Apple 037833100
    assert cusip_check_digit("59491810") == "4"  # Microsoft 594918104
    assert cusip_check_digit("38259P50") == "8"  # Google 38259P508


def test_holdings_identifiers_are_realistic(market):
    h = market.holdings
    assert h["cusip"].str.len().eq(9).all()
    assert all(cusip_check_digit(c[:8]) == c[8] for c in h["cusip"].unique())
    assert h.groupby("cusip")["ticker"].nunique().eq(1).all()
    assert h["accession"].str.fullmatch(r"\d{10}-\d{2}-\d{6}").all()
    # one filing = one accession = one (filer, form, filed date)
    per_acc = h.groupby("accession")[["cik", "filed", "form", "period"]].nunique()
    assert (per_acc == 1).all().all()


# -- listings and delistings --------------------------------------------------------------------
def test_prices_are_nan_exactly_outside_one_listing_window(market):
    close = market.close
    valid = close.notna().to_numpy()
    first = valid.argmax(axis=0)
    last = len(valid) - 1 - valid[::-1].argmax(axis=0)
    assert valid.any(axis=0).all()
    assert (valid.sum(axis=0) == last - first + 1).all()  # contiguous: no gaps
    assert (first > 0).sum() >= 5  # IPOs during the span
    assert (last < len(valid) - 1).sum() >= 5  # delistings
    for name in ("raw_close", "volume"):
        assert (getattr(market, name).notna().to_numpy() == valid).all()


def test_delistings_table_matches_where_series_end(market):
    d = market.delistings
    assert list(d.columns) == ["ticker", "date", "reason", "delisting_return"]
    assert set(d["reason"]) == {"bankruptcy", "buyout"}
    last_valid = market.close.apply(lambda s: s.last_valid_index())
    ended = last_valid[last_valid < market.calendar[-1]]
    assert set(ended.index) == set(d["ticker"])
    assert (pd.DatetimeIndex(ended[d["ticker"]].to_numpy()) == pd.DatetimeIndex(d["date"])).all()
    bk, bo = d[d["reason"] == "bankruptcy"], d[d["reason"] == "buyout"]
    assert bk["delisting_return"].between(-1.0, -0.3).all()
    assert bo["delisting_return"].abs().lt(0.05).all()


def test_bankruptcies_collapse_and_buyouts_jump(market):
    d = market.delistings
    close = market.close
    falls = []
    for t, day in zip(d["ticker"], d["date"], strict=True):
        s = close[t].dropna()
        falls.append((s.loc[day] / s.iloc[max(0, len(s) - 200)], d.set_index("ticker").loc[t, "reason"]))
    bk = [r for r, why in falls if why == "bankruptcy"]
    bo = [r for r, why in falls if why == "buyout"]
    assert np.median(bk) < 0.4
    assert np.median(bo) > 1.0


# -- prices, shares, volume ---------------------------------------------------------------------
def test_adjusted_close_differs_from_raw_by_dividends_and_matches_on_last_day(market):
    close, raw = market.close, market.raw_close
    last = close.apply(lambda s: s.last_valid_index())
    ends = np.array([close.at[day, t] / raw.at[day, t] for t, day in last.items()])
    np.testing.assert_allclose(ends, 1.0, rtol=1e-12)
    ratio = close.iloc[0] / raw.iloc[0]
    assert (ratio.dropna() < 0.999).sum() >= 10  # dividend payers: adjusted below raw early on


def test_size_effect_small_caps_are_more_volatile(market):
    cap = market.market_cap().iloc[0].dropna()
    vol = market.close.pct_change(fill_method=None).std()
    small, large = cap.nsmallest(50).index, cap.nlargest(50).index
    assert vol[small].median() > 1.5 * vol[large].median()
    kurt = market.close.pct_change(fill_method=None)[large].kurt()
    assert kurt.median() > 1.0  # fat tails


def test_market_cap_is_raw_close_times_point_in_time_shares(market):
    cap = market.market_cap()
    s = market.shares
    assert list(s.columns) == list(SHARES) and all(str(s[c].dtype) == SHARES[c] for c in SHARES)
    assert s["known_from"].isin(market.calendar).all()
    t = market.tickers[10]
    rows = s[s["ticker"] == t].sort_values("known_from")
    day = market.calendar[400]
    known = rows[rows["known_from"] <= day]["shares"].iloc[-1]
    assert cap.at[day, t] == pytest.approx(market.raw_close.at[day, t] * known, rel=1e-12)
    assert (cap.notna().to_numpy() == market.close.notna().to_numpy()).all()
    # shares change over time (issuance/buybacks reported with a lag)
    assert s.groupby("ticker").size().median() >= 8


def test_splits_change_raw_close_but_not_adjusted_close_or_market_cap(market):
    raw_ret = market.raw_close.pct_change(fill_method=None)
    adj_ret = market.close.pct_change(fill_method=None)
    jump = (1 + raw_ret) / (1 + adj_ret)
    split_days = (jump < 0.6) | (jump > 5)  # forward splits and 1-for-10 reverse splits
    assert split_days.to_numpy().sum() >= 3
    cap_ret = market.market_cap().pct_change(fill_method=None)
    gap = (cap_ret - adj_ret).abs().to_numpy()[split_days.to_numpy()]
    assert np.nanmax(gap) < 0.05  # market cap moves with the total return, not with the split


def test_volume_is_positive_whole_shares_related_to_size(market):
    v = market.volume.to_numpy()
    ok = ~np.isnan(v)
    assert (v[ok] >= 100).all() and (v[ok] == np.round(v[ok])).all()
    dollar_volume = (market.volume * market.raw_close).median()
    cap = market.market_cap().median()
    assert np.corrcoef(np.log(dollar_volume), np.log(cap))[0, 1] > 0.7


# -- 13F holdings ------------------------------------------------------------------------------
def test_holdings_schema_is_exact(market):
    h = market.holdings
    assert list(h.columns) == list(HOLDINGS)
    assert {c: str(h[c].dtype) for c in h.columns} == {
        c: ("int64" if d == "int64" else d) for c, d in HOLDINGS.items()
    }
    assert set(h["form"]) == {"13F-HR", "13F-HR/A"}
    assert set(h["amendment_type"].dropna()) == {"RESTATEMENT", "NEW HOLDINGS"}
    assert h.loc[h["form"] == "13F-HR", "amendment_type"].isna().all()
    assert set(h["put_call"].dropna()) == {"PUT", "CALL"}
    assert h["put_call"].isna().mean() > 0.95
    assert len(market.filers) == SMALL.n_filers and market.filers["cik"].is_unique
    assert set(h["cik"]) <= set(market.filers["cik"])


def test_filing_lags(market):
    filings = _originals(market.holdings).drop_duplicates("accession")
    lag = (filings["filed"] - filings["period"]).dt.days
    assert (lag > 0).all()
    assert lag.between(30, 45).mean() > 0.6
    assert (lag > 45).sum() >= 3
    assert market.holdings["filed"].isin(market.calendar).all()
    assert (market.holdings["period"].dt.is_quarter_end).all()


def test_amendments_of_both_kinds(market):
    h = market.holdings
    key = ["cik", "period"]
    orig = _originals(h)
    for kind in ("RESTATEMENT", "NEW HOLDINGS"):
        amended = h[h["amendment_type"] == kind]
        assert amended["accession"].nunique() >= 3, kind
        first = orig.groupby(key)["filed"].min()
        later = amended.groupby(key)["filed"].min()
        assert (later > first.reindex(later.index)).all(), kind
    new = h[h["amendment_type"] == "NEW HOLDINGS"]
    base = orig.merge(new[key + ["cusip"]].drop_duplicates(), on=key + ["cusip"])
    assert base.empty  # new holdings were not in the original report


def test_holdings_are_listed_and_valued_at_period_end(market):
    h = market.holdings
    rows = market.calendar.searchsorted(h["period"].to_numpy(), side="right") - 1
    price = market.raw_close.to_numpy()[rows, market.tickers.get_indexer(h["ticker"])]
    assert np.isfinite(price).all()  # listed at the period end
    clean = h["accession"].isin(
        h.loc[h["amendment_type"].isna() | (h["amendment_type"] == "NEW HOLDINGS"), "accession"]
    )
    restated = h.groupby(["cik", "period"])["amendment_type"].transform(lambda s: (s == "RESTATEMENT").any())
    ok = clean & ~restated
    np.testing.assert_allclose(h["value_usd"][ok], h["shares"][ok] * price[ok.to_numpy()], rtol=1e-12)
    names = _originals(h).groupby("accession").size()
    assert names.min() >= 5 and names.max() <= 200


def test_skilled_filers_holdings_lead_returns(market):
    orig = _originals(market.holdings)
    skilled = set(market.filers.loc[market.filers["skilled"], "cik"])
    gaps = []
    cal = market.calendar
    for _, q in orig.groupby("period"):
        start = cal.searchsorted(q["filed"].max())
        if start + 63 >= len(cal):
            continue
        fwd = market.close.iloc[start + 63] / market.close.iloc[start] - 1
        r = fwd.reindex(q["ticker"]).to_numpy()
        is_sk = q["cik"].isin(skilled).to_numpy()
        gaps.append(np.nanmean(r[is_sk]) - np.nanmean(r[~is_sk]))
    assert len(gaps) >= 6
    assert np.mean(gaps) > 0.01 and np.mean(np.array(gaps) > 0) > 0.6


# -- benchmarks -----------------------------------------------------------------------------------
def test_benchmarks_start_at_100_and_move(market):
    b = market.benchmarks
    assert (b.iloc[0] == 100.0).all()
    assert b.notna().all().all() and (b > 0).all().all()
    assert (b.pct_change().iloc[1:].std() > 0.003).all()


def _delisting_days(market) -> list[int]:
    """Rows of the sessions right after a delisting (where an index books a delisting return)."""
    return sorted(set(market.calendar.get_indexer(market.delistings["date"]) + 1) - {len(market.calendar)})


@pytest.mark.parametrize("pick", ["ordinary", "after-delisting"])
def test_index_returns_equal_cap_weighted_member_returns(market, pick):
    cap = market.market_cap()
    close = market.close
    rows = rebalance_rows(market.calendar)
    delisting_return = market.delistings.set_index("ticker")["delisting_return"]
    days = [70, 200, 505, 700] if pick == "ordinary" else _delisting_days(market)[:6]
    assert days
    for day_row in days:
        reb = rows[rows <= day_row - 1][-1]
        c = cap.iloc[reb].dropna()
        k = min(LARGE_CAP_COUNT, int(np.ceil(len(c) / 4)))
        members = {
            "sp500": c.sort_values(ascending=False).index[:k],
            "russell-microcap": c[(c >= MICRO_CAP_BAND[0]) & (c <= MICRO_CAP_BAND[1])].index,
        }
        for name, tickers in members.items():
            w = cap.iloc[day_row - 1][tickers].dropna()
            r = (close.iloc[day_row] / close.iloc[day_row - 1] - 1)[w.index]
            gone = r.index[r.isna()]
            r[gone] = delisting_return[gone]  # a member that just delisted earns its delisting return
            expected = (w * r).sum() / w.sum() if len(w) else 0.0
            level = market.benchmarks[name]
            got = level.iloc[day_row] / level.iloc[day_row - 1] - 1
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, day_row)


# -- cache ------------------------------------------------------------------------------------------
def test_cache_round_trip(tmp_path, monkeypatch, market):
    store = Store(tmp_path)
    first = load_demo(SMALL, store=store)
    assert store.names(demo_prefix(SMALL))
    monkeypatch.setattr(demo_cache, "generate_demo", lambda config: pytest.fail("second load regenerated"))
    second = load_demo(SMALL, store=store)
    for name in ("close", "raw_close", "volume", "shares", "holdings", "benchmarks", "delistings", "filers"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), check_exact=True)
        pd.testing.assert_frame_equal(getattr(second, name), getattr(market, name), check_exact=True)
    assert second.tickers.equals(first.tickers) and second.calendar.equals(first.calendar)
    assert second.config == SMALL


def test_no_cache_writes_nothing(tmp_path):
    cfg = DemoConfig(n_stocks=20, start="2020-01-01", end="2020-12-31", n_filers=5, seed=1)
    market = load_demo(cfg, store=Store(tmp_path), cache=False)
    assert not Store(tmp_path).names() and len(market.tickers) == 20


def test_corrupt_cache_is_regenerated(tmp_path):
    cfg = DemoConfig(n_stocks=20, start="2020-01-01", end="2020-12-31", n_filers=5, seed=1)
    store = Store(tmp_path)
    first = load_demo(cfg, store=store)
    path = store.path(f"{demo_prefix(cfg)}/close")
    path.write_bytes(path.read_bytes()[:-20] + b"x" * 20)
    again = load_demo(cfg, store=store)
    pd.testing.assert_frame_equal(first.close, again.close, check_exact=True)


def test_crash_while_caching_leaves_no_partial_market(tmp_path, monkeypatch):
    cfg = DemoConfig(n_stocks=20, start="2020-01-01", end="2020-12-31", n_filers=5, seed=1)
    store = Store(tmp_path)
    real_write = Store.write
    calls = []

    def flaky_write(self, name, frame):
        calls.append(name)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_write(self, name, frame)

    monkeypatch.setattr(Store, "write", flaky_write)
    with pytest.raises(OSError, match="disk full"):
        load_demo(cfg, store=store)
    assert store.names() == []  # nothing published
    monkeypatch.setattr(Store, "write", real_write)
    market = load_demo(cfg, store=store)
    assert len(store.names(demo_prefix(cfg))) == 10 and len(market.tickers) == 20


# -- the default market (the one full-size test) ----------------------------------------------------
def test_default_market_has_a_micro_cap_tail_and_meaningful_consensus():
    m = generate_demo(DemoConfig())
    assert len(m.tickers) == 3000 and len(m.filers) >= 300
    assert m.calendar[0] == pd.Timestamp("2014-01-02") and m.calendar[-1] == pd.Timestamp("2025-12-31")
    cap = m.market_cap()
    for day in ("2014-06-30", "2017-03-31", "2020-06-30", "2023-09-29", "2025-12-31"):
        c = cap.loc[day]
        n_micro = int(c.between(*MICRO_CAP_BAND).sum())
        assert 100 <= n_micro < 1000, (day, n_micro)
    orig = _originals(m.holdings)
    q = orig[orig["period"] == pd.Timestamp("2020-06-30")]
    holders = q.groupby("ticker")["cik"].nunique().sort_values(ascending=False)
    assert holders.iloc[13] >= 0.2 * q["cik"].nunique()  # the top 14 are widely held
    micro = cap.loc["2020-06-30"].between(*MICRO_CAP_BAND)
    held = holders.reindex(micro[micro].index).fillna(0)
    assert (held >= 3).sum() >= 50  # micro-caps held by at least 3 funds
