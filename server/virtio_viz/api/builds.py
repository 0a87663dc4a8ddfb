"""The pool of worker processes that build timelines (and do the other heavy work: a
trace export, a QEMU import), and its limits.

How this works: `Builder.build` sends a Recipe to a `ProcessPoolExecutor` and awaits
the result, so the event loop goes on serving everyone while a story runs (the result
is unpickled by the executor's own thread, off the loop too). Before it does, it counts:
builds in flight in all (running or waiting for a worker) and per client; over either,
the request is refused with `busy` at once rather than queued behind an attacker's
work. Each build has a CPU-time budget the worker enforces (build_worker.py); a wall
clock a few times longer answers the client even if a worker were stuck.

Workers come from a fork server that has imported the model once, so a new worker
starts in milliseconds, and each is replaced after `TASKS_PER_WORKER` builds, so memory
a large build left behind in a worker is given back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from virtio_viz.api.build_worker import (
    Recipe,
    Refusal,
    build,
    export,
    import_qemu,
    watch_server,
)
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.limits import Counters
from virtio_viz.api.settings import Settings
from virtio_viz.frames import SCAPY_MODULES
from virtio_viz.timeline import Timeline

TASKS_PER_WORKER = 64
WALL_CLOCK_FACTOR = 6  # a loaded machine: CPU time and wall time differ
PRELOAD = ["virtio_viz.api.build_worker", "virtio_viz.scenario_files", *SCAPY_MODULES]
T = TypeVar("T")


def _context() -> multiprocessing.context.BaseContext:
    """A fork server: forking the web server itself (threads, sockets) is unsafe."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class Builder:
    def __init__(self, settings: Settings, counters: Counters) -> None:
        self.settings = settings
        self.counters = counters
        self.in_flight = 0
        self._running: dict[str, int] = {}  # client -> its builds running in this process
        self._waiting: list[asyncio.Future[None]] = []  # until_idle's, woken as builds end
        self._ahead: asyncio.Lock | None = None  # one fork built ahead at a time, here
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:  # workers start on the first build, not with the app
            self._executor = ProcessPoolExecutor(
                self.settings.build_workers, mp_context=_context(),
                max_tasks_per_child=TASKS_PER_WORKER,
                initializer=watch_server, initargs=(os.getpid(),),
            )  # fmt: skip
        return self._executor

    def idle(self, client: str) -> bool:
        """A worker is free and `client` has nothing building here: room for work that
        nobody waits for yet (fork_ahead.py)."""
        return self.in_flight < self.settings.build_workers and client not in self._running

    @property
    def ahead(self) -> asyncio.Lock:
        """Held while a fork is built ahead (fork_ahead.py), so that builds nobody waits
        for go one at a time, whoever asks and however many connections they open: a
        waiter woken by an idle worker could not otherwise tell that another was woken too."""
        if self._ahead is None:
            self._ahead = asyncio.Lock()
        return self._ahead

    async def until_idle(self, client: str) -> None:
        """Return once `idle(client)`: each build that ends wakes the waiters to look."""
        while not self.idle(client):
            self._waiting = [w for w in self._waiting if not w.done()]  # gone: cancelled
            woken = asyncio.get_running_loop().create_future()
            self._waiting.append(woken)
            await woken

    async def build(self, recipe: Recipe, client: str) -> Timeline:
        """The timeline of `recipe` (ProtocolError: refused, over a limit, or too slow)."""
        return await self.run(client, build, recipe)

    async def export(self, recipe: Recipe, client: str) -> bytes:
        """The trace document of `recipe`, as JSON."""
        return await self.run(client, export, recipe)

    async def import_qemu(self, text: str, filename: str, device: str | None,
                          client: str) -> bytes:  # fmt: skip
        return await self.run(client, import_qemu, text, filename, device)

    async def run(self, client: str, work: Callable[..., T | Refusal], *args: object) -> T:
        """`work(*args, cpu_seconds)` in a worker, counted against the limits."""
        settings, key = self.settings, f"builds:{client}"
        if self.in_flight >= settings.max_builds:
            raise ProtocolError("busy", "the server is building as many timelines as it can; "
                                "try again in a moment", status=503)  # fmt: skip
        if await self.counters.adjust(key, 1) > settings.max_builds_per_client:
            await self.counters.adjust(key, -1)
            raise ProtocolError("busy", f"at most {settings.max_builds_per_client} timelines "
                                "are built for one client at a time", status=429)  # fmt: skip
        self.in_flight += 1
        self._running[client] = self._running.get(client, 0) + 1
        wall = settings.build_seconds * WALL_CLOCK_FACTOR
        try:
            future: Future[T | Refusal] = self.executor.submit(work, *args, settings.build_seconds)
            result = await asyncio.wait_for(asyncio.wrap_future(future), wall)
        except TimeoutError:
            raise ProtocolError("too_slow", f"no result came back within {wall:g} s",
                                status=503) from None  # fmt: skip
        finally:
            self.in_flight -= 1
            if (left := self._running.pop(client) - 1) > 0:
                self._running[client] = left
            for woken in self._waiting:
                if not woken.done():
                    woken.set_result(None)
            self._waiting.clear()
            await self.counters.adjust(key, -1)
        if isinstance(result, Refusal):
            raise ProtocolError(result.code, result.message, result.field)
        return result

    def close(self) -> None:
        """Stop the workers: waiting builds are dropped, a running one ends within its
        budget, and the workers exit (they also end themselves if the server dies)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
