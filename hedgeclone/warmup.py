"""Work a command starts beside its own: `warm_up` (numba's one-time setup, on a thread while the
command reads its data) and `at_idle_priority` (work that should take only a core left idle)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["warm_up", "at_idle_priority"]

T = TypeVar("T")


def _first_kernel_call() -> None:
    import numpy as np

    from hedgeclone.sums import pairwise_sum_nb

    pairwise_sum_nb(np.zeros(1), 0, 1)


def warm_up() -> threading.Thread:
    """Import numba and make a first kernel call on a daemon thread; return the thread.

    A process's first kernel call, whichever kernel and even from numba's cache, first loads
    numba's typing and target registries; with numba's own import that is about 0.3 s, nearly
    all of it imports, and none of it depends on the data. Started before a command reads its
    data, part of it runs while the reads have released the GIL. A kernel called meanwhile
    waits on numba's import and compiler locks, then runs as usual.
    """
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
