"""The run directory: layout, metrics.json shape, round trip, atomic replacement."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc
from hedgeclone.backtest import metrics
from hedgeclone.backtest.run import RUN_FILES, returns_of
from hedgeclone.backtest.rundir import load_run, write_run
from hedgeclone.errors import InputError

SUMMARY_KEYS = {"total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar"}
RELATIVE_KEYS = {"beta", "alpha", "information_ratio", "tracking_error", "excess_return_pp"}


def test_layout_and_metrics_document(tmp_path, toy_run_factory):
    run = toy_run_factory()
    path = write_run(tmp_path / "run", run)
    assert sorted(p.name for p in path.iterdir()) == sorted(RUN_FILES)
    doc = json.loads((path / "metrics.json").read_text())
    assert {"strategy", "benchmarks", "relative"} <= set(doc)
    assert SUMMARY_KEYS <= set(doc["strategy"])
    assert set(doc["benchmarks"]) == set(doc["relative"]) == {"market", "smallcap"}
    for name in ("market", "smallcap"):
        assert SUMMARY_KEYS <= set(doc["benchmarks"][name])
        assert RELATIVE_KEYS <= set(doc["relative"][name])
    rets = returns_of(run)
    # The strategy's first day counts against its initial cash: its fees are part of the return.
    assert doc["strategy"]["total_return"] == pytest.approx(run.values["strategy"].iloc[-1] / 1000.0 - 1, rel=1e-12)
    assert doc["strategy"]["max_drawdown"] < 0
    assert doc["relative"]["market"]["excess_return_pp"] == pytest.approx(
        100 * (metrics.total_return(rets["strategy"]) - metrics.total_return(rets["market"])), rel=1e-12)
    assert doc["strategy"]["costs"] == pytest.approx(run.trades["fees"].sum())
    meta = json.loads((path / "run.json").read_text())
    assert meta["hedgeclone_version"] == hc.__version__
    assert len(meta["data_fingerprint"]) == 64 and meta["caveats"] == list(run.caveats)
    assert set(meta["files"]) == set(RUN_FILES) - {"run.json"}
    periods = json.loads((path / "periods.json").read_text())
    assert set(periods["yearly"]["strategy"]) == {"2020", "2021", "2022"}
    assert "2022Q2" in periods["quarterly"]["market"]


def test_round_trip(tmp_path, toy_run_factory):
    run = toy_run_factory()
    loaded = load_run(write_run(tmp_path / "run", run))
    pd.testing.assert_frame_equal(loaded.values, run.values, check_freq=False, check_names=False)
    pd.testing.assert_frame_equal(loaded.trades.reset_index(drop=True), run.trades.reset_index(drop=True),
                                  check_dtype=False)
    assert loaded.name == run.name and loaded.config == run.config and loaded.fingerprint == run.fingerprint
    assert len(loaded.holdings) == len(run.holdings) and {"date", "ticker", "weight"} <= set(loaded.holdings)


def test_fingerprint_changes_with_data(toy_run_factory):
    assert toy_run_factory(seed=1).fingerprint == toy_run_factory(seed=1).fingerprint
    assert toy_run_factory(seed=1).fingerprint != toy_run_factory(seed=2).fingerprint


def test_interrupted_write_leaves_previous_run_intact(tmp_path, toy_run_factory, monkeypatch):
    target = tmp_path / "run"
    write_run(target, toy_run_factory(seed=1))
    before = (target / "metrics.json").read_text()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("hedgeclone.backtest.rundir.render_report_bytes", boom)
    with pytest.raises(KeyboardInterrupt):
        write_run(target, toy_run_factory(seed=2))
    assert (target / "metrics.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temporary sibling left behind
    with pytest.raises(KeyboardInterrupt):
        write_run(tmp_path / "fresh", toy_run_factory(seed=2))
    assert not (tmp_path / "fresh").exists()


def test_rewrite_replaces_run_and_refuses_foreign_directories(tmp_path, toy_run_factory):
    target = tmp_path / "run"
    write_run(target, toy_run_factory(seed=1))
    write_run(target, toy_run_factory(seed=2))
    assert json.loads((target / "config.json").read_text())["seed"] == 2
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not a hedgeclone run directory"):
        write_run(foreign, toy_run_factory())
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_load_run_names_what_is_missing(tmp_path, toy_run_factory):
    path = write_run(tmp_path / "run", toy_run_factory())
    (path / "trades.parquet").unlink()
    with pytest.raises(InputError, match="trades.parquet"):
        load_run(path)
    with pytest.raises(InputError, match="does not exist"):
        load_run(tmp_path / "nope")


def test_metrics_json_has_no_nan(tmp_path, toy_run_factory):
    run = toy_run_factory()
    flat = run.values.copy()
    flat["market"] = 100.0  # a benchmark without variance: beta is undefined
    path = write_run(tmp_path / "run", type(run)(name="flat", values=flat, holdings=run.holdings, trades=run.trades))
    text = (path / "metrics.json").read_text()
    assert "NaN" not in text
    assert json.loads(text)["relative"]["market"]["beta"] is None
    assert np.isfinite(json.loads(text)["relative"]["smallcap"]["beta"])
