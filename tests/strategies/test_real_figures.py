"""The real-data figures: README's block equals a fresh run, and an independent replay holds the picks.

A store is built from ../shared/data with the README's import commands (`examples.figures`),
cached under the pytest cache keyed by the data files; superinvestors-14 is run once for the
module. The replay below reads the raw superinvestor CSV with plain pandas and applies the
README's 13F counting rules itself, without hedgeclone's importer or index.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `examples` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from examples import figures  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(figures.missing(figures.DATA)),
                       reason=f"real data absent: {figures.DATA} (the shared data folder beside the checkout)"),
]

RAW = figures.DATA / figures.HOLDINGS_FILE
FUNDS = r"\b(?:ETF|ETFS|FUND|ISHARES|SPDR|INDEX|TRUST SERIES)\b"


@pytest.fixture(scope="module")
def fresh(request, tmp_path_factory):
    cache = request.config.cache
    root = cache.mkdir("hedgeclone-figures") if cache is not None else tmp_path_factory.mktemp("figures")
    store = figures.build_store(figures.DATA, Path(root))
    run_dir, market = figures.run_superinvestors(store, tmp_path_factory.mktemp("runs"))
    return run_dir, market, store


def test_readme_figures_are_those_of_a_fresh_run(fresh):
    run_dir, _, store = fresh
    block = figures.figures_block(run_dir, figures.screen_microcap(store), figures.DATA)
    current = figures.current_block(figures.README.read_text())
    assert current == block, "README figures differ from a fresh run: run `.venv/bin/python -m examples.figures`"


def raw_holdings(priced_columns: pd.Index) -> pd.DataFrame:
    """The superinvestor table as the rules read it: 13F filings, one row per line, tickers joined."""
    from edgar.reference.tickers import cusip_ticker_mapping

    raw = pd.read_csv(RAW, dtype=str)
    raw["form"] = raw["form"].fillna("13F-HR").str.upper()
    raw = raw[raw["form"].str.startswith("13F")]  # NPORT-P fund reports are not 13F filings
    raw["cik"] = pd.to_numeric(raw["filer_cik_hint"], errors="coerce")
    raw = raw[raw["cik"].notna()].astype({"cik": np.int64})
    cusip = raw["cusip"].str.upper()
    cusip = cusip.where(~cusip.str.fullmatch(r"\d{6,8}").fillna(False), cusip.str.zfill(9))
    raw = raw.assign(cusip=cusip)[cusip.str.fullmatch(r"[0-9A-Z]{9}").fillna(False)]
    raw["filed"] = pd.to_datetime(raw["filing_date"])
    raw["period"] = pd.to_datetime(raw["period_of_report"])
    raw["accession"] = raw["accession"].fillna("NOACC-" + raw["cik"].astype(str) + "-"
                                               + raw["filed"].dt.strftime("%Y%m%d") + "-" + raw["filer"])
    raw["value"] = pd.to_numeric(raw["value_raw"].str.replace(",", "", regex=False))
    # Long equity: no options, and the CUSIP's issue number (characters 7-8) is two digits. The
    # other rows stay: a filing of options only is still its filer's latest report.
    raw["equity"] = raw["put_call"].isna() & raw["cusip"].str[6:8].str.fullmatch(r"\d\d")
    mapping = cusip_ticker_mapping(allow_duplicate_cusips=False)["Ticker"]
    mapping.index = mapping.index.astype(str).str.upper()
    ticker = raw["cusip"].map(mapping[mapping.notna() & (mapping != "")])
    # Share classes spelled without a separator (BRKB) are the price data's BRK-B.
    bare = pd.Series(priced_columns, index=priced_columns.str.replace(r"[-./]", "", regex=True))
    bare = bare[~bare.index.duplicated(keep=False)]
    unknown = ticker.notna() & ~ticker.isin(priced_columns)
    ticker[unknown] = ticker[unknown].str.replace(r"[-./]", "", regex=True).map(bare).fillna(ticker[unknown])
    return raw.assign(ticker=ticker, issuer=raw["cusip"].str[:6])


def replay(raw: pd.DataFrame, day: pd.Timestamp, priced: set[str], n: int = 14) -> pd.DataFrame:
    """The top `n` issuers on `day`: holders, conviction, traded ticker (the README's rules)."""
    seen = raw[raw["filed"] < day]  # known from the session after the filing date
    filings = seen.groupby(["cik", "period", "accession"], as_index=False)["filed"].max()
    filings = filings.sort_values(["cik", "period", "filed", "accession"]).groupby("cik").tail(1)
    last_end = (day - pd.Timedelta(days=1)).to_period("Q")
    if (day - pd.Timedelta(days=1)) != last_end.end_time.normalize():
        last_end -= 1
    filings = filings[filings["period"].dt.to_period("Q") >= last_end - 1]  # not stale
    rows = seen.merge(filings[["cik", "accession"]], on=["cik", "accession"])
    rows = rows[rows["equity"]]
    total = rows.groupby("cik")["value"].transform("sum")
    rows = rows.assign(share=rows["value"] / total)
    per_issuer = rows.groupby("issuer").agg(holders=("cik", "nunique"), conviction=("share", "sum"),
                                            name=("issuer_name", "min"))
    classes = rows[rows["ticker"].isin(priced)].groupby(["issuer", "ticker"]).agg(
        holders=("cik", "nunique"), conviction=("share", "sum")).reset_index()
    classes = classes.sort_values(["issuer", "holders", "conviction", "ticker"], ascending=[True, False, False, True])
    per_issuer["ticker"] = classes.drop_duplicates("issuer").set_index("issuer")["ticker"]
    ok = per_issuer["ticker"].notna() & ~per_issuer["name"].str.upper().str.contains(FUNDS, regex=True)
    ranked = per_issuer[ok].reset_index().sort_values(["holders", "conviction", "issuer"],
                                                      ascending=[False, False, True])
    return ranked.head(n)


def test_an_independent_replay_of_the_rules_gives_the_runs_picks_date_by_date(fresh):
    run_dir, market, _ = fresh
    picks = pd.read_parquet(run_dir / "holdings.parquet")
    raw = raw_holdings(market.close.columns)
    dates = sorted(pd.DatetimeIndex(picks["date"].unique()))
    assert len(dates) == 47
    for day in dates:
        held = picks[picks["date"] == day]
        want = replay(raw, day, set(market.close.loc[day].dropna().index))
        assert held["issuer"].nunique() == 14, day  # 14 distinct companies
        assert held["ticker"].tolist() == want["ticker"].tolist(), day
        assert held["hf_holders"].tolist() == want["holders"].tolist(), day
        np.testing.assert_allclose(held["conviction"], want["conviction"], rtol=1e-9, err_msg=str(day))


def test_the_figures_block_is_parsed_from_run_files_not_typed(fresh):
    run_dir, _, _ = fresh
    text = figures.current_block(figures.README.read_text())
    metrics = pd.read_json(run_dir / "metrics.json", typ="series")
    total = metrics["strategy"]["total_return"]
    assert re.search(rf"\*\*{re.escape(f'{100 * total:+.2f}%')}\*\*", text)
