"""The layers of DESIGN.md hold: import-linter's contracts (pyproject.toml) pass, and a data
parser imports without the engine's numba or the reports' plotly."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("backtest", "data", "strategies")


def test_import_contracts_hold(tmp_path):
    # import-linter reads packages from the file system, where the editable install's mapping of
    # hedgeclone.backtest -> backtest/ does not exist: lay the tree out as the wheel does.
    tree = tmp_path / "hedgeclone"
    ignore = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    shutil.copytree(ROOT / "hedgeclone", tree, ignore=ignore)
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, tree / folder, ignore=ignore)
    res = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), str(ROOT / "pyproject.toml")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert re.search(r"Contracts: (\d+) kept, 0 broken", res.stdout), res.stdout[-2000:]


def test_a_data_parser_loads_neither_numba_nor_plotly():
    code = ("import sys, hedgeclone.data.thirteenf.parsers; "
            "print(sorted(m for m in ('numba', 'plotly', 'hedgeclone.backtest') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def _printed(code: str) -> list[str]:
    """The words `code` prints in a fresh interpreter (which must exit cleanly)."""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_the_facade_loads_lazily():
    code = "import sys, hedgeclone as hc; print('numba' in sys.modules, hc.simulate.__module__, 'numba' in sys.modules)"
    assert _printed(code) == ["False", "hedgeclone.backtest.engine.simulate", "True"]


def test_the_numba_warm_up_runs_beside_a_kernel_call():
    # warm_up imports numba on its own thread only; a kernel called meanwhile still gives its result.
    code = ("import sys, hedgeclone.warmup as w; print('numba' in sys.modules); t = w.warm_up(); "
            "import numpy as np; from hedgeclone.sums import pairwise_sum_nb; "
            "s = pairwise_sum_nb(np.arange(5.0), 0, 5); t.join(120); print(t.is_alive(), s)")
    assert _printed(code) == ["False", "False", "10.0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are per thread on Linux only")
def test_at_idle_priority_lowers_only_its_own_thread():
    import os
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from hedgeclone.warmup import at_idle_priority

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = nice()
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(at_idle_priority, lambda x: (x, nice()), 7).result()
    assert seen == (7, 19)
    assert nice() == before  # the caller's thread keeps its priority


def test_the_warm_up_leaves_numpy_f2py_to_load_on_first_use():
    # numba's first dispatch no longer runs f2py's import; reading from numpy.f2py still loads the real module.
    code = ("import sys, numpy, hedgeclone.warmup as w; w.warm_up().join(120); "
            "print('numpy.f2py.crackfortran' in sys.modules); import numpy.f2py as f; "
            "print(callable(f.run_main), 'numpy.f2py.crackfortran' in sys.modules, numpy.f2py is f)")
    assert _printed(code) == ["False", "True", "True", "True"]


def test_the_warm_up_leaves_scipy_linalg_to_load_on_first_use():
    # numba's BLAS check gets scipy's BLAS module without the package's decompositions; the package still
    # loads for real when used, with that same module as its attribute, and numba's BLAS calls work.
    code = ("import sys, numpy as np, hedgeclone.warmup as w; w.warm_up().join(120); "
            "print('scipy.linalg._decomp' in sys.modules, 'scipy.linalg.cython_blas' in sys.modules); "
            "import scipy.linalg; x = scipy.linalg.solve(np.eye(2), np.ones(2)); "
            "print('scipy.linalg._decomp' in sys.modules, scipy.linalg.cython_blas is sys.modules['scipy.linalg.cython_blas']); "
            "import numba; d = numba.njit(lambda a, b: np.dot(a, b)); print(x.tolist() == [1.0, 1.0], d(np.ones(3), np.ones(3)))")
    assert _printed(code) == ["False", "True", "True", "True", "True", "3.0"]
