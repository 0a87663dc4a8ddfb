"""Counting what clients do, to hold each of them to their share.

How this works: two kinds of count, both keyed by text such as `rooms:203.0.113.9`.
A *windowed* count (`hit`) counts events in fixed windows of time (room creations per
hour, wrong room codes per ten minutes) and forgets them when the window ends. A *level*
(`adjust`) goes up and down (connections open, builds running). `Counters` is the
interface (asynchronous: a shared store answers over the network); `MemoryCounters`
keeps them in this process, and `shared.counters.RedisCounters` in Redis for every worker
of a deployment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
FORGET_AFTER = 4096  # windowed keys kept before the ended windows are swept


class Counters(Protocol):
    async def hit(self, key: str, window: float) -> int:
        """Count one event of `key` in the current window of `window` seconds: the count."""
        ...

    async def count(self, key: str, window: float) -> int:
        """The events of `key` counted in the current window, adding none."""
        ...

    async def adjust(self, key: str, delta: int) -> int:
        """Raise (or, with a negative `delta`, lower) the level of `key`: the new level."""
        ...


class MemoryCounters:
    """The counts of this process (they answer at once: asynchronous only to fit the
    interface)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._windows: dict[str, tuple[float, float, int]] = {}  # key -> (start, length, count)
        self._levels: dict[str, int] = {}

    async def hit(self, key: str, window: float) -> int:
        count = self._count(key, window) + 1
        start = self._windows[key][0] if count > 1 else self.clock()
        self._windows[key] = (start, window, count)
        if len(self._windows) > FORGET_AFTER:
            self._sweep()
        return count

    async def count(self, key: str, window: float) -> int:
        return self._count(key, window)

    def _count(self, key: str, window: float) -> int:
        start, _, count = self._windows.get(key, (0.0, window, 0))
        if self.clock() - start >= window:
            self._windows.pop(key, None)
            return 0
        return count

    async def adjust(self, key: str, delta: int) -> int:
        level = self._levels.get(key, 0) + delta
        if level > 0:
            self._levels[key] = level
        else:
            self._levels.pop(key, None)
        return max(level, 0)

    def _sweep(self) -> None:
        now = self.clock()
        for key, (start, length, _) in list(self._windows.items()):
            if now - start >= length:
                del self._windows[key]

    def __len__(self) -> int:
        return len(self._windows) + len(self._levels)


def origin_allowed(origin: str | None, host: str | None, allowed: tuple[str, ...]) -> bool:
    """Same origin, a local page, or an origin the operator allowed ("*": any). No
    Origin at all is not a browser page of another site (a script, curl): allowed."""
    if origin is None or "*" in allowed or origin in allowed:
        return True
    origin_host = urlsplit(origin).hostname or ""
    if origin_host in LOCAL_HOSTS:
        return True
    return host is not None and urlsplit(origin).netloc == host
