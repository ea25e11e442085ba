"""Sweeps on a tiny demo market: equal to one-by-one runs, on a Dask cluster too, and from the CLI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hedgeclone.backtest.run import build_run, run_metrics
from hedgeclone.backtest.session import load_config_market, run_config
from hedgeclone.backtest.tuning import parse_grid_option, sweep
from hedgeclone.errors import InputError
from hedgeclone.strategies.config import parse_config

TOML = """
[strategy]
kind = "hedge-fund-consensus"
top_n = 14
[backtest]
end = "2025-12-31"
fees = 0.001
[data]
source = "demo"
stocks = 200
filers = 30
"""
GRID = {"top_n": [3, 8], "lag_days": [0, 15], "weighting": ["equal", "score"], "fees": [0.001, 0.0]}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def setup(store):
    import tomllib

    config = parse_config(tomllib.loads(TOML))
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, store=str(store)))
    market = load_config_market(config)
    return config, market, sweep(config, GRID, market=market)


def test_sweep_equals_individual_runs(setup):
    config, market, result = setup
    assert len(result) == 16 and list(result.params.columns) == list(GRID)
    for i in (0, 7, 13):
        p = result.params.iloc[i].to_dict()
        fees = p.pop("fees")
        cfg = config.replace_strategy(**p)
        cfg = dataclasses.replace(cfg, backtest=dataclasses.replace(cfg.backtest, fees=fees))
        run = run_config(cfg, market)
        got = result.values[i].dropna()
        assert got.index.equals(run.result.value.index)
        assert np.array_equal(got.to_numpy(), run.result.value.to_numpy())
        doc = run_metrics(build_run("x", run.result, benchmarks=market.benchmarks))
        for key, value in doc["strategy"].items():
            assert result.metrics.loc[i, key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
        for bench, rel in doc["relative"].items():
            for key, value in rel.items():
                assert result.metrics.loc[i, f"{bench}.{key}"] == pytest.approx(value, rel=1e-12), key
    assert result.best("sharpe", 1).index[0] == result.metrics["sharpe"].idxmax()


def test_dask_cluster_equals_in_process(setup):
    distributed = pytest.importorskip("distributed")
    config, market, result = setup
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
                                  protocol="tcp", host="127.0.0.1") as cluster:
        remote = sweep(config, GRID, market=market, scheduler=cluster.scheduler_address, chunk_size=5)
    pd.testing.assert_frame_equal(remote.values, result.values, check_exact=True)
    pd.testing.assert_frame_equal(remote.metrics, result.metrics, check_exact=True)


def test_bad_grids_are_one_clear_error(setup):
    config, market, _ = setup
    with pytest.raises(InputError, match="unknown grid parameter 'topn'"):
        sweep(config, {"topn": [5]}, market=market)
    with pytest.raises(InputError, match="top_n"):
        sweep(config, {"top_n": ["many"]}, market=market)
    with pytest.raises(InputError, match="NAME=V1,V2"):
        parse_grid_option(["top_n"])
    with pytest.raises(InputError, match="empty value"):
        parse_grid_option(["top_n=5,,10"])
    assert parse_grid_option(["top_n=5,10", "weighting=equal"]) == {"top_n": [5, 10], "weighting": ["equal"]}


def test_cli_tune(tmp_path, store):
    from hedgeclone.backtest.cli.app import app

    cfg = tmp_path / "c.toml"
    cfg.write_text(TOML)
    out = tmp_path / "tune"
    runner = CliRunner()
    res = runner.invoke(app, ["tune", str(cfg), "--grid", "top_n=3,8", "--grid", "lag_days=0,15",
                              "--store", str(store), "--out", str(out), "--walk-forward", "anchored",
                              "--train-years", "3"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns[:4]) == ["row", "top_n", "lag_days", "total_return"] and len(table) == 4
    html = (out / "report.html").read_text()
    assert "plotly" in html and "Heatmap" in html.replace("heatmap", "Heatmap") and "<script" in html
    assert "probability of backtest overfitting" in res.output and "deflated Sharpe" in res.output
    bad = runner.invoke(app, ["tune", str(cfg), "--grid", "nope=1", "--store", str(store)])
    assert bad.exit_code != 0 and "nope" in str(bad.exception)
