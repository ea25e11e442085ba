"""The real-data figures: README's block equals a fresh run, and an independent replay holds the picks.

A store is built from ../shared/data with the README's import commands (`examples.figures`),
cached under the pytest cache keyed by the data files; superinvestors-14 is run once for the
module. The replay (`benchmarks.pandas_replay`, also the reference of ``python -m benchmarks
real``) reads the raw superinvestor CSV with plain pandas and applies the README's 13F counting
rules itself, without hedgeclone's importer, index, strategies or engine.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `examples` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.pandas_replay import portfolio, raw_holdings, replay  # noqa: E402
from examples import figures  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(figures.missing(figures.DATA)),
                       reason=f"real data absent: {figures.DATA} (the shared data folder beside the checkout)"),
]

RAW = figures.DATA / figures.HOLDINGS_FILE


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


def test_an_independent_replay_of_the_rules_gives_the_runs_picks_date_by_date(fresh):
    run_dir, market, _ = fresh
    picks = pd.read_parquet(run_dir / "holdings.parquet")
    raw = raw_holdings(RAW, market.close.columns)
    dates = sorted(pd.DatetimeIndex(picks["date"].unique()))
    assert len(dates) == 47
    for day in dates:
        held = picks[picks["date"] == day]
        want = replay(raw, day, set(market.close.loc[day].dropna().index))
        assert held["issuer"].nunique() == 14, day  # 14 distinct companies
        assert held["ticker"].tolist() == want["ticker"].tolist(), day
        assert held["hf_holders"].tolist() == want["holders"].tolist(), day
        np.testing.assert_allclose(held["conviction"], want["conviction"], rtol=1e-9, err_msg=str(day))


def test_an_independent_replay_of_the_portfolio_gives_the_runs_values(fresh):
    run_dir, market, _ = fresh
    held = pd.read_parquet(run_dir / "holdings.parquet")
    picks = {pd.Timestamp(d): list(g["ticker"]) for d, g in held.groupby("date")}
    config = json.loads((run_dir / "config.json").read_text())["backtest"]
    want = portfolio(market.close, picks, end=config["end"], fees=config["fees"], init_cash=config["init_cash"],
                     lag=config["lag"])
    got = pd.read_parquet(run_dir / "values.parquet").set_index("date")["strategy"]
    both = pd.concat([got, want], axis=1, keys=["run", "replay"]).dropna()
    assert len(both) > 2900
    np.testing.assert_allclose(both["replay"], both["run"], rtol=1e-9)


def test_the_figures_block_is_parsed_from_run_files_not_typed(fresh):
    run_dir, _, _ = fresh
    text = figures.current_block(figures.README.read_text())
    metrics = pd.read_json(run_dir / "metrics.json", typ="series")
    total = metrics["strategy"]["total_return"]
    assert re.search(rf"\*\*{re.escape(f'{100 * total:+.2f}%')}\*\*", text)
