"""Output folders under faults and misuse: a run directory, comparison or tune folder is the old
one or the new one after a crash at any step of its write, never half of one and never none;
foreign folders and files are refused; a tampered run directory is caught when read back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hedgeclone import atomic
from hedgeclone.backtest.cli.app import app
from hedgeclone.backtest.compare import compare
from hedgeclone.backtest.rundir import load_run, write_run
from hedgeclone.errors import CorruptFileError, InputError


class Killed(BaseException):
    """Stands for the process dying at an injected point."""


def _inject(monkeypatch, k: int) -> list[str]:
    """Make the k-th file-system switch of a folder write (rename, swap, removal) kill the writer."""
    seen: list[str] = []

    def wrap(name, fn):
        def inner(*args, **kwargs):
            seen.append(name)
            if len(seen) == k:
                raise Killed(name)
            return fn(*args, **kwargs)
        return inner

    monkeypatch.setattr(atomic.os, "rename", wrap("rename", os.rename))
    monkeypatch.setattr(atomic, "_exchange", wrap("exchange", atomic._exchange))
    monkeypatch.setattr(atomic.shutil, "rmtree", wrap("rmtree", shutil.rmtree))
    return seen


@pytest.mark.parametrize("exchange", [True, False], ids=["atomic-swap", "two-renames"])
def test_a_kill_at_every_step_of_write_run_leaves_the_old_or_the_new_run(tmp_path, toy_run_factory, monkeypatch,
                                                                          exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    old, new = toy_run_factory(seed=1), toy_run_factory(seed=2)
    k = 1
    while True:
        target = tmp_path / f"k{k}" / "run"
        write_run(target, old)
        with monkeypatch.context() as m:
            seen = _inject(m, k)
            try:
                write_run(target, new)
                finished = True
            except Killed:
                finished = False
        if not exchange:
            # Without an atomic swap a kill can fall between the two renames; the next writer puts
            # the old folder back before anything else (here called directly).
            atomic.remove_leftovers(target)
        loaded = load_run(target)  # complete, checksums intact
        assert loaded.config["seed"] in (1, 2)
        if finished:
            assert loaded.config["seed"] == 2 and len(seen) < k
            break
        k += 1
    assert k > 1  # at least one step was interrupted
    # What a killed writer left beside the folder is cleared by the next write.
    write_run(tmp_path / "k1" / "run", new)
    assert [p.name for p in (tmp_path / "k1").iterdir()] == ["run"]


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path, toy_run_factory):
    dead = tmp_path / ".run.tmp-999999999-abc"
    live = tmp_path / f".run.tmp-{os.getpid()}-xyz"
    dead.mkdir()
    live.mkdir()
    write_run(tmp_path / "run", toy_run_factory())
    assert not dead.exists() and live.exists()


def test_a_tampered_run_directory_is_refused_when_read(tmp_path, toy_run_factory):
    path = write_run(tmp_path / "run", toy_run_factory())
    values = path / "metrics.json"
    values.write_text(values.read_text().replace('"total_return": ', '"total_return": 1', 1))
    with pytest.raises(CorruptFileError, match="metrics.json.*SHA-256"):
        load_run(path)
    with pytest.raises(CorruptFileError):
        compare([path, path])


def test_compare_and_tune_refuse_foreign_folders_and_files(tmp_path, toy_run_factory):
    a = write_run(tmp_path / "a", toy_run_factory("a", seed=1))
    b = write_run(tmp_path / "b", toy_run_factory("b", seed=2))
    before = json.loads((a / "run.json").read_text())
    runner = CliRunner()
    # Into a run directory: refused, and the run directory keeps its report and checksums.
    res = runner.invoke(app, ["compare", str(a), str(b), "--out", str(a)])
    assert res.exit_code != 0 and isinstance(res.exception, InputError) and "no compare.json" in str(res.exception)
    load_run(a)
    assert json.loads((a / "run.json").read_text()) == before
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    res = runner.invoke(app, ["compare", str(a), str(b), "--out", str(afile)])
    assert isinstance(res.exception, InputError) and "is a file" in str(res.exception)
    # A second comparison into the same folder replaces the first.
    out = tmp_path / "cmp"
    compare([a, b]).write(out)
    compare([b, a]).write(out)
    assert list(json.loads((out / "compare.json").read_text())["runs"]) == ["b", "a"]
    cfg = tmp_path / "c.toml"
    cfg.write_text('[strategy]\nkind = "buy-and-hold"\ntickers = ["A"]\n[data]\nsource = "demo"\nstocks = 60\n')
    res = runner.invoke(app, ["tune", str(cfg), "--grid", "fees=0,0.001", "--out", str(a)])
    assert isinstance(res.exception, InputError) and "no tune.json" in str(res.exception)
    load_run(a)


def test_bad_walk_forward_options_are_refused_before_any_work(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[strategy]\nkind = "buy-and-hold"\ntickers = ["A"]\n[data]\nsource = "demo"\nstocks = 60\n')
    out = tmp_path / "tune"
    for option, value in (("--train-years", "0"), ("--test-years", "-1"), ("--train-years", "nan")):
        res = CliRunner().invoke(app, ["tune", str(cfg), "--grid", "fees=0,0.001", "--out", str(out),
                                       "--walk-forward", "rolling", option, value])
        assert isinstance(res.exception, InputError) and option in str(res.exception), res.output
        assert "market" not in res.output  # refused before the market loads
    assert not out.exists()


def test_write_directory_requires_its_marker(tmp_path):
    with pytest.raises(RuntimeError, match="left out its m.json"):
        atomic.write_directory(tmp_path / "x", lambda tmp: None, marker="m.json", what="test folder")
    assert sorted(Path(tmp_path).iterdir()) == []
