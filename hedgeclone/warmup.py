"""Work a command starts beside its own: `warm_up` (numba's one-time setup, on a thread while the
command reads its data) and `at_idle_priority` (work that should take only a core left idle)."""

from __future__ import annotations

import contextlib
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
        spec = importlib.util.find_spec("numpy.f2py")
        if spec is None or spec.loader is None:
            return
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules["numpy.f2py"] = module
        spec.loader.exec_module(module)
        numpy.f2py = module


def warm_up() -> threading.Thread:
    """Import numba and make a first kernel call on a daemon thread; return the thread.

    A process's first kernel call, whichever kernel and even from numba's cache, first loads
    numba's typing and target registries; with numba's own import that is about 0.3 s, nearly
    all of it imports, and none of it depends on the data. Started before a command reads its
    data, part of it runs while the reads have released the GIL. A kernel called meanwhile
    waits on numba's import and compiler locks, then runs as usual. `numpy.f2py` is made lazy
    first (`_defer_f2py`).
    """
    _defer_f2py()
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
