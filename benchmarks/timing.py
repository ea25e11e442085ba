"""Shared helpers for benchmark sub-commands: warm timing, machine and version facts, JSON output."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from hedgeclone.atomic import atomic_write_text

__all__ = ["Timing", "machine_info", "measure", "now_iso", "versions", "write_json"]


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of `repeats` timed calls: their median, fastest and slowest."""

    median_s: float
    min_s: float
    max_s: float
    repeats: int

    def as_dict(self) -> dict[str, float | int]:
        """The timing as a JSON-ready dict."""
        return asdict(self)


def measure(fn: Callable[[], object], repeats: int, *, warmup: int = 0) -> Timing:
    """Call `fn` `warmup` times untimed, then `repeats` times timed one call at a time.

    Garbage collection is paused during each timed call (as `timeit` does) and run between
    calls, so one call does not pay for another's garbage.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        fn()
    times: list[float] = []
    was_enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
            if was_enabled:
                gc.enable()
    finally:
        if was_enabled:
            gc.enable()
    return Timing(statistics.median(times), min(times), max(times), repeats)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """Facts about this machine that bear on timings: CPU, cores, memory, OS, Python, load."""
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        info["memory_gb"] = None
    try:
        info["load_average_1m"] = round(os.getloadavg()[0], 2)
    except OSError:
        info["load_average_1m"] = None
    return info


def versions(distributions: Iterable[str]) -> dict[str, str | None]:
    """Installed version of each distribution, None where it is not installed."""
    out: dict[str, str | None] = {}
    for name in distributions:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def now_iso() -> str:
    """The current local time, ISO 8601 to the second, with its UTC offset."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def write_json(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write `payload` as indented JSON to `path` (parents created, replaced atomically); return the path."""
    path = Path(path)
    atomic_write_text(path, json.dumps(payload, indent=2, sort_keys=False, default=float) + "\n")
    return path
