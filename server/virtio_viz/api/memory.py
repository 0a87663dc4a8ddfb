"""Giving memory back to the system once a flood of sessions has gone.

How this works: evicted sessions and timelines are freed at once, but a freed heap page
goes back to the system only if the allocator returns it. CPython's own small-object
allocator keeps a 1 MiB arena as long as one object in it lives, and a long-lived object
(a cached timeline, a counter) built during a flood pins arenas full of dead ones. So the
server runs with `PYTHONMALLOC=malloc` (scripts/run and the Dockerfile set it; without
it, memory is still bounded by the limits, only not given back). After a sweep that
forgot sessions, rooms or timelines it collects the cycles they were part of (a quiet
server allocates too little for the collector to run soon) and asks glibc to release
its free pages (`malloc_trim`). Measured in
benchmarks/ws_under_attack.py (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:  # not glibc, or no C library to load: nothing to ask
        return None


def give_back() -> bool:
    """Free what only cycles still hold, then ask the C allocator to return its free pages;
    False where it cannot (not glibc). A quiet server allocates too little for the cyclic
    collector to run by itself, so the dead timelines a flood left would wait for it."""
    gc.collect()
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
