"""A back-end serving a scripted front-end's socket on the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from tests.support.vhost_frontend import ScriptedFrontend, until
from virtio_viz import frames
from virtio_viz.live.backend import VhostUserBackend
from virtio_viz.live.timeline import LiveOptions, LiveTimeline
from virtio_viz.live.world import LiveWorld
from virtio_viz.timeline.frames import Frame


class Running:
    def __init__(self, frontend: ScriptedFrontend) -> None:
        self.frontend = frontend
        self.world = LiveWorld()
        self.timeline = LiveTimeline(self.world, LiveOptions(vm="test"), max_steps=100_000)
        self.backend = VhostUserBackend(self.world)
        self.task = asyncio.create_task(self.backend.serve(frontend.peer))
        self.ended_with: str | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def serving(cls, frontend: ScriptedFrontend) -> AsyncIterator[Running]:
        running = cls(frontend)
        try:
            yield running
        finally:
            frontend.close()
            running.ended_with = await running.ended()

    async def started(self) -> ScriptedFrontend:
        """Connected, features set, memory mapped, both rings running."""
        await self.frontend.connect()
        await self.frontend.start()
        return self.frontend

    async def sent_arp(self, kind: str) -> Frame:
        """Start, transmit an ARP request, and return the first step of `kind` it led to."""
        frontend = await self.started()
        frontend.transmit(frames.arp_request())
        frontend.kick(1)
        await until(lambda: kind in self.kinds(), f"a {kind} step")
        return next(f for f in self.timeline.frames if f.event.kind == kind)

    def kinds(self) -> list[str]:
        return [frame.event.kind for frame in self.timeline.frames]

    async def ended(self) -> str | None:
        """Why the back-end stopped serving (None: the front-end hung up)."""
        async with asyncio.timeout(10):
            return await self.task
