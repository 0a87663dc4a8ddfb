"""Turning a request (scenario or scenario file, options, seed, actions) into a timeline.

A timeline is a pure function of its `Recipe`, and nothing mutates it once built, so
the `TimelineCache` shares one timeline between every session that asks for the same
one (everyone opening the default story, every reload of a permalink, every follower of
a room's fork, a file opened twice), and builds it once even when many clients ask at
the same moment. Builds themselves run in worker processes (builds.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.builds import Builder
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.settings import Settings
from virtio_viz.scenarios.story import UserAction
from virtio_viz.timeline import PlacedAction, Timeline
from virtio_viz.trace import header_json


@dataclass(frozen=True, slots=True, eq=False)
class Built:
    """A built timeline, the recipe it came from (its forks start there), and its
    header, made once however many connections open it."""

    timeline: Timeline
    recipe: Recipe
    header: p.TraceHeader

    def fork(self, at: int, action: UserAction) -> Recipe:
        """The recipe of this timeline up to step `at`, then `action`: actions that
        started after `at` are dropped (the reader stepped back before them)."""
        timeline = self.timeline
        kept = tuple(placed for placed, start in zip(timeline.actions, timeline.action_starts,
                                                     strict=False) if start <= at)  # fmt: skip
        return self.recipe.forked(kept, PlacedAction(at, action))


class RecipeFields(Protocol):
    """What an `open` message and a REST trace request both say."""

    @property
    def scenario(self) -> str | None: ...
    @property
    def scenario_file(self) -> str | None: ...
    @property
    def options(self) -> Mapping[str, object]: ...
    @property
    def seed(self) -> int: ...
    @property
    def actions(self) -> Sequence[p.PlacedActionIn]: ...


def recipe_of(message: RecipeFields, settings: Settings) -> Recipe:
    if (message.scenario is None) == (message.scenario_file is None):
        raise ProtocolError("invalid", "give exactly one of scenario and scenario_file",
                            "scenario")  # fmt: skip
    text = message.scenario_file
    if text is not None and len(text.encode("utf-8", "surrogatepass")) > settings.max_upload_bytes:
        raise ProtocolError("too_large", f"a scenario file may be at most "
                            f"{settings.max_upload_bytes} bytes", "scenario_file")  # fmt: skip
    actions = tuple(PlacedAction(a.at, UserAction(a.kind, dict(a.params))) for a in message.actions)
    return Recipe(message.scenario, text, dict(message.options), message.seed, actions,
                  settings.max_steps)  # fmt: skip


class TimelineCache:
    """The last `size` timelines built, shared; concurrent requests for one build it once.

    The build runs as a task of its own, so a client that hangs up while waiting does not
    cancel it for the others."""

    def __init__(
        self, size: int, builder: Builder, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.builder = builder
        self.clock = clock
        self._built: OrderedDict[str, Built] = OrderedDict()
        self._used: dict[str, float] = {}  # key -> when it was last asked for
        self._building: dict[str, asyncio.Task[Built]] = {}

    async def get(self, recipe: Recipe, client: str) -> Built:
        key = recipe.key()
        self._used[key] = self.clock()
        if key in self._built:
            self._built.move_to_end(key)
            return self._built[key]
        task = self._building.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():  # (tests: 2 loops)
            task = asyncio.create_task(self._build(recipe, client))
            self._building[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    async def _build(self, recipe: Recipe, client: str) -> Built:
        timeline = await self.builder.build(recipe, client)
        return Built(timeline, recipe, p.TraceHeader.model_validate(header_json(timeline)))

    def _finished(self, key: str, task: asyncio.Task[Built]) -> None:
        if self._building.get(key) is task:
            del self._building[key]
        if task.cancelled() or task.exception() is not None or self.size == 0:
            return
        self._built[key] = task.result()
        if len(self._built) > self.size:
            self._forget(next(iter(self._built)))

    def expire(self, unused_seconds: float) -> int:
        """Drop the timelines nobody asked for in `unused_seconds` (a session keeps its
        own, so only the sharing ends); how many were dropped."""
        stale = [key for key in self._built
                 if self.clock() - self._used.get(key, 0.0) > unused_seconds]  # fmt: skip
        for key in stale:
            self._forget(key)
        return len(stale)

    def _forget(self, key: str) -> None:
        del self._built[key]
        self._used.pop(key, None)

    def __len__(self) -> int:
        return len(self._built)
