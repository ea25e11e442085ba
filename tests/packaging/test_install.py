"""hedgeclone installs under one import name, and a user's own `backtest.py`, `strategies.py` and
`data/` package beside their script shadow nothing of it: from a wheel in a fresh virtualenv
and from the editable install this checkout uses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hedgeclone as hc

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent('''
    import importlib, json, pkgutil, sys, types
    import backtest, strategies, data                      # the user's own modules
    assert backtest.OWNER == strategies.OWNER == data.OWNER == "user", "user modules shadowed"
    import numpy as np, pandas as pd
    import hedgeclone as hc
    modules = []
    for pkg in ("hedgeclone", "hedgeclone.backtest", "hedgeclone.data", "hedgeclone.strategies"):
        path = importlib.import_module(pkg).__path__
        modules += [m.name for m in pkgutil.walk_packages(path, pkg + ".")]
    for name in modules:
        importlib.import_module(name)
    rng = np.random.default_rng(3)
    index = pd.bdate_range("2024-01-01", periods=60)
    close = pd.DataFrame(100 * np.cumprod(1 + rng.normal(0, 0.01, (60, 3)), axis=0), index=index,
                         columns=["AAA", "BBB", "CCC"])
    market = types.SimpleNamespace(close=close, raw_close=None, volume=None, shares=None, holdings=None)
    run = hc.run(hc.BuyAndHold(tickers=("AAA", "BBB")), market, fees=0.001, init_cash=1000.0)
    path = run.report("report.html")
    print(json.dumps({"stats": run.stats(), "modules": modules, "hedgeclone": hc.__file__,
                      "report_bytes": path.stat().st_size}))
''')


def _user_folder(tmp_path: Path) -> Path:
    user = tmp_path / "user"
    (user / "data").mkdir(parents=True)
    (user / "backtest.py").write_text('OWNER = "user"\n')
    (user / "strategies.py").write_text('OWNER = "user"\n')
    (user / "data" / "__init__.py").write_text('OWNER = "user"\n')
    (user / "script.py").write_text(SCRIPT)
    return user


def _expected_total_return() -> float:
    rng = np.random.default_rng(3)
    index = pd.bdate_range("2024-01-01", periods=60)
    close = pd.DataFrame(100 * np.cumprod(1 + rng.normal(0, 0.01, (60, 3)), axis=0), index=index,
                         columns=["AAA", "BBB", "CCC"])
    from types import SimpleNamespace

    market = SimpleNamespace(close=close, raw_close=None, volume=None, shares=None, holdings=None)
    return hc.run(hc.BuyAndHold(tickers=("AAA", "BBB")), market, fees=0.001, init_cash=1000.0).stats()["total_return"]


def _run_script(python: str, user: Path, env: dict | None = None) -> dict:
    res = subprocess.run([python, "script.py"], cwd=user, capture_output=True, text=True, timeout=600,
                         env={**os.environ, **(env or {})})
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _check(out: dict, hedgeclone_under: Path) -> None:
    assert Path(out["hedgeclone"]).resolve().is_relative_to(hedgeclone_under.resolve())
    assert {"hedgeclone.backtest.engine.kernels", "hedgeclone.data.thirteenf.parsers",
            "hedgeclone.strategies.consensus", "hedgeclone.backtest.cli.app"} <= set(out["modules"])
    assert out["stats"]["total_return"] == pytest.approx(_expected_total_return(), rel=1e-12)
    assert out["report_bytes"] > 100_000  # plotly.js is embedded


@pytest.mark.slow
def test_a_wheel_in_a_fresh_virtualenv_is_not_shadowed_by_user_files(tmp_path):
    # Built from a copy, so that setuptools' build/ folder lands in tmp_path, not in the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "runs", "*.egg-info",
                                                                "__pycache__", "*.nbi", "*.nbc"))
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("hedgeclone-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hedgeclone/backtest/engine/kernels.py" in names and "hedgeclone/data/thirteenf/mappings/hedgeclone.toml" in names
    assert not any(n.split("/")[0] in ("backtest", "data", "strategies") for n in names)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies come from this environment's site-packages, added as a plain path: its .pth
    # files (among them the editable finder of this checkout) are not processed there.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stderr[-3000:]
    _check(_run_script(str(venv / "bin" / "python"), _user_folder(tmp_path)), site / "hedgeclone")


@pytest.mark.slow
def test_the_editable_install_is_not_shadowed_by_user_files(tmp_path):
    _check(_run_script(sys.executable, _user_folder(tmp_path)), ROOT / "hedgeclone")
