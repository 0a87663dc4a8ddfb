"""Forks built before the reader asks for them.

How this works: while the "try it" panel is open and the reader rests on a step, the page
says which actions its buttons would send there (`prepare`). This connection's
`ForkAhead` builds those forks one after the other through the shared `TimelineCache`,
so the click that follows finds its timeline built (or joins the build under way) and
the fork is on screen as fast as a step.

Building ahead never takes from real work: forks built ahead go one at a time in this
process, each once a build worker is idle and its client has no build of its own
running (however many connections that client opened), and a new `prepare` (the
reader moved), an `act` or a closed connection drops the forks not started yet. The
builds are ordinary ones: the same CPU budget, the same per-client limits, the same
cache with its size.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.builds import Builder
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.sessions import Session
from virtio_viz.api.timelines import TimelineCache
from virtio_viz.scenarios.story import UserAction

log = logging.getLogger(__name__)


class ForkAhead:
    def __init__(self, timelines: TimelineCache, builder: Builder, client: str) -> None:
        self.timelines = timelines
        self.builder = builder
        self.client = client
        self._task: asyncio.Task[None] | None = None

    def prepare_for(self, session: Session, actions: Sequence[p.ActionIn]) -> None:
        """Build the forks of `actions` at the session's step (a `prepare` message);
        ProtocolError if the timeline offers no such action, and nothing is built."""
        offered = {spec.kind for spec in session.timeline.action_specs}
        for number, action in enumerate(actions):
            if action.kind not in offered:
                raise ProtocolError("action", f"this timeline offers no action {action.kind!r}",
                                    f"actions.{number}.kind")  # fmt: skip
        at = session.position
        self.prepare([session.built.fork(at, UserAction(a.kind, dict(a.params))) for a in actions])

    def prepare(self, recipes: Sequence[Recipe]) -> None:
        """Build `recipes`, in order, as workers fall idle; forget an earlier list."""
        self.close()
        if recipes and self.timelines.size > 0:  # with no cache, a fork built ahead is lost
            self._task = asyncio.get_running_loop().create_task(self._build(tuple(recipes)))

    async def _build(self, recipes: tuple[Recipe, ...]) -> None:
        for recipe in recipes:
            async with self.builder.ahead:  # in turn with every other connection's
                await self.builder.until_idle(self.client)
                try:
                    await self.timelines.get(recipe, self.client)
                except ProtocolError:  # refused or failed: the reader's `act` will say why
                    return
                except Exception:  # a bug of ours: logged, and nobody waits for this build
                    log.exception("building a fork ahead failed")
                    return

    def close(self) -> None:
        """Stop preparing; a build already running finishes into the cache (it is shared)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
