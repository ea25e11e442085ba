"""Work a command starts beside its own: `warm_up` (numba's one-time setup, on a thread while the
command reads its data) and `at_idle_priority` (work that should take only a core left idle)."""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["warm_up", "at_idle_priority"]

T = TypeVar("T")


def _first_kernel_call() -> None:
    import numpy as np

    from hedgeclone.sums import pairwise_sum_nb

    pairwise_sum_nb(np.zeros(1), 0, 1)


def _defer_f2py() -> None:
    """Make `numpy.f2py` load when something first reads from it, not on numba's first dispatch.

    numba's first dispatch imports scipy.linalg (its BLAS check); scipy's array-API shim then reads
    every name numpy lists, and numpy imports its Fortran wrapper generator, f2py, when asked for
    it: 0.07 s of a command, for a module no command uses. A lazy module (the standard library's
    `importlib.util.LazyLoader`) stands in for it and runs the real one on first attribute access.
    """
    import numpy

    if "numpy.f2py" in sys.modules or "f2py" in vars(numpy):
        return
    with contextlib.suppress(ImportError, ValueError, AttributeError):
        module = _lazy_module("numpy.f2py")
        if module is not None:
            numpy.f2py = module


def _lazy_module(name: str):
    """`name`'s module made lazy (`importlib.util.LazyLoader`) and put in `sys.modules`: the real
    module runs on first attribute access. None if it cannot be found."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _blas_without_linalg() -> None:
    """Let numba's BLAS check import `scipy.linalg.cython_blas` without running all of `scipy.linalg`.

    numba's first dispatch imports ``numba.np.arraymath``, which checks that BLAS is there by
    importing ``scipy.linalg.cython_blas``; Python first runs the package ``scipy.linalg``, every
    decomposition and solver in it, 0.12-0.15 s of GIL time taken from the command, for an extension
    module that needs none of them. Here the package is made lazy (it runs on first attribute access,
    as `_defer_f2py` does for f2py) and the extension module is loaded by itself as its attribute.
    """
    if "scipy.linalg" in sys.modules:
        return
    with contextlib.suppress(ImportError, ValueError, AttributeError, OSError):
        linalg = importlib.util.find_spec("scipy.linalg")
        if linalg is None or not linalg.submodule_search_locations:
            return
        found = importlib.machinery.PathFinder.find_spec("cython_blas", linalg.submodule_search_locations)
        if found is None or found.origin is None:
            return
        spec = importlib.util.spec_from_file_location("scipy.linalg.cython_blas", found.origin)
        if spec is None or spec.loader is None:
            return
        package = _lazy_module("scipy.linalg")
        if package is None:
            return
        blas = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = blas
        try:
            spec.loader.exec_module(blas)
        except BaseException:
            del sys.modules[spec.name], sys.modules["scipy.linalg"]
            raise
        package.cython_blas = blas  # kept when the package runs (LazyLoader keeps attributes set since)


def warm_up() -> threading.Thread:
    """Import numba and make a first kernel call on a daemon thread; return the thread.

    A process's first kernel call, whichever kernel and even from numba's cache, first loads
    numba's typing and target registries; with numba's own import that is about 0.3 s, nearly
    all of it imports, and none of it depends on the data. Started before a command reads its
    data, part of it runs while the reads have released the GIL. A kernel called meanwhile
    waits on numba's import and compiler locks, then runs as usual. `numpy.f2py` is made lazy
    first (`_defer_f2py`), and `scipy.linalg` does not run for numba's BLAS check (`_blas_without_linalg`).
    """
    _defer_f2py()
    _blas_without_linalg()
    thread = threading.Thread(target=_first_kernel_call, name="numba-warm-up", daemon=True)
    thread.start()
    return thread


def at_idle_priority(fn: Callable[..., T], *args) -> T:
    """`fn(*args)` with the calling thread at the lowest CPU priority (nice 19; Linux sets it per thread).

    For work submitted to a thread beside a command (hashing a fingerprint, say): on two cores the
    command's own thread, numba's warm-up and Arrow's readers already want both, and a hashing thread
    at normal priority took its share from them (0.09 s of a 1.7 s run); at idle priority it runs
    when a core is free. Where the priority cannot be set, `fn` runs as it is.
    """
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    return fn(*args)
