"""`warm_up`: numba's one-time setup, started on a thread while a command reads its data."""

from __future__ import annotations

import threading

__all__ = ["warm_up"]


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
