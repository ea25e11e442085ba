"""compare: same-window runs side by side, mismatched windows refused unless aligned."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hedgeclone.backtest.cli.app import app
from hedgeclone.backtest.compare import compare
from hedgeclone.backtest.rundir import write_run
from hedgeclone.errors import InputError


@pytest.fixture
def two_runs(tmp_path, toy_run_factory):
    a = write_run(tmp_path / "a", toy_run_factory("alpha", seed=1))
    b = write_run(tmp_path / "b", toy_run_factory("beta", seed=2))
    return a, b


def test_side_by_side_table_marks_the_best(two_runs):
    cmp = compare(list(two_runs))
    assert cmp.labels == ["alpha", "beta"]
    assert cmp.table.loc["total_return"].idxmax() == cmp.best["total_return"]
    assert cmp.table.loc["volatility"].idxmin() == cmp.best["volatility"]
    assert cmp.best["beta vs market"] is None  # no better beta
    assert "excess_return_pp vs smallcap" in cmp.table.index
    # Unaligned runs over one window: the table repeats each run's metrics.json.
    doc = json.loads((two_runs[0] / "metrics.json").read_text())
    assert cmp.table.loc["sharpe", "alpha"] == pytest.approx(doc["strategy"]["sharpe"], rel=1e-12)
    html = cmp.to_html()
    assert html.count("&#9733;") == 1 + sum(v is not None for v in cmp.best.values())  # + the legend


def test_different_windows_are_refused_unless_aligned(tmp_path, toy_run_factory):
    a = write_run(tmp_path / "a", toy_run_factory("long", start="2020-01-01", end="2022-06-30"))
    b = write_run(tmp_path / "b", toy_run_factory("short", start="2021-01-01", end="2022-12-30", seed=5))
    with pytest.raises(InputError, match="different windows.*--align"):
        compare([a, b])
    cmp = compare([a, b], align=True)
    assert cmp.aligned
    assert [d.date().isoformat() for d in cmp.window] == ["2021-01-01", "2022-06-30"]
    assert cmp.values.index[0].date().isoformat() == "2021-01-01"
    assert cmp.values.index[-1].date().isoformat() == "2022-06-30"
    ret = cmp.values["long"]
    assert cmp.table.loc["total_return", "long"] == pytest.approx(ret.iloc[-1] / ret.iloc[0] - 1, rel=1e-12)
    c = write_run(tmp_path / "c", toy_run_factory("later", start="2023-01-02", end="2023-06-30"))
    with pytest.raises(InputError, match="no common window"):
        compare([a, c], align=True)


def test_cli_compare(two_runs, tmp_path):
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(two_runs[0]), str(two_runs[1]), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "alpha" in res.output and "*" in res.output
    assert (out / "compare.html").exists() and json.loads((out / "compare.json").read_text())["best"]


def test_cli_compare_refuses_mismatched_windows(tmp_path, toy_run_factory):
    a = write_run(tmp_path / "a", toy_run_factory("long", end="2022-06-30"))
    b = write_run(tmp_path / "b", toy_run_factory("short", end="2021-06-30"))
    res = CliRunner().invoke(app, ["compare", str(a), str(b), "--out", str(tmp_path / "x")])
    assert res.exit_code != 0 and isinstance(res.exception, InputError)
    res = CliRunner().invoke(app, ["compare", str(a), str(b), "--align", "--out", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
