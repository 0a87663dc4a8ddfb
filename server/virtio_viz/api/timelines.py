"""Turning a request (scenario or scenario file, options, seed, actions) into a timeline,
with every way it can go wrong reported as a ProtocolError naming the field.

A timeline is a pure function of its request, and nothing mutates it once built, so the
`TimelineCache` shares one timeline between every session that asks for the same one
(everyone opening the default story, every reload of a permalink), and builds it once
even when many clients ask at the same moment.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.settings import Settings
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import ActionError, Story, UserAction
from virtio_viz.timeline import PlacedAction, Timeline, TimelineTooLong


@dataclass(frozen=True, slots=True)
class ScenarioSource:
    """A scenario whose timelines are not built from a story: the menu lists it, and an
    `open` for it is answered by `open` (api/live.py: a live VM's growing timeline)."""

    id: str
    title: str
    summary: str
    open: Callable[[p.Open], Awaitable[Timeline]]


@dataclass(frozen=True, slots=True)
class TimelineRequest:
    story: Story[Any]
    options: StoryOptions
    seed: int
    actions: tuple[PlacedAction, ...]
    max_steps: int

    @classmethod
    def from_open(cls, message: p.Open, settings: Settings) -> TimelineRequest:
        story, file_options = _story(message, settings)
        raw = {**(file_options.to_json() if file_options else {}), **message.options}
        try:
            options = StoryOptions.parse(raw)
        except OptionError as error:
            raise ProtocolError("option", error.message, f"options.{error.field}") from None
        actions = tuple(
            PlacedAction(a.at, UserAction(a.kind, dict(a.params))) for a in message.actions
        )
        return cls(story, options, message.seed, actions, settings.max_steps)

    def key(self) -> str | None:
        """What identifies the timeline, or None for a story that is not built in."""
        if STORIES.get(self.story.id) is not self.story:
            return None
        actions = [placed.to_json() for placed in self.actions]
        return json.dumps([self.story.id, self.options.to_json(), self.seed, actions,
                           self.max_steps], sort_keys=True)  # fmt: skip


def _story(message: p.Open, settings: Settings) -> tuple[Story[Any], StoryOptions | None]:
    if (message.scenario is None) == (message.scenario_file is None):
        raise ProtocolError("invalid", "give exactly one of scenario and scenario_file",
                            "scenario")  # fmt: skip
    if message.scenario is not None:
        story = STORIES.get(message.scenario)
        if story is None:
            known = ", ".join(STORIES)
            raise ProtocolError("unknown_scenario", f"known scenarios: {known}", "scenario")
        return story, None
    text = message.scenario_file or ""
    if len(text.encode()) > settings.max_upload_bytes:
        raise ProtocolError("too_large", f"a scenario file may be at most "
                            f"{settings.max_upload_bytes} bytes", "scenario_file")  # fmt: skip
    return _load_file(text)


def _load_file(text: str) -> tuple[Story[Any], StoryOptions | None]:
    try:
        from virtio_viz.scenario_files import ScenarioFileError, load_scenario  # noqa: PLC0415
    except ImportError:
        raise ProtocolError("unsupported", "this server cannot read scenario files",
                            "scenario_file") from None  # fmt: skip
    try:
        loaded = load_scenario(text, "upload.yaml")
    except ScenarioFileError as error:
        raise ProtocolError("scenario_file", str(error), "scenario_file") from None
    return loaded.story, loaded.options


def build_timeline(request: TimelineRequest) -> Timeline:
    try:
        return Timeline(request.story, request.options, seed=request.seed,
                        actions=request.actions, max_steps=request.max_steps)  # fmt: skip
    except ActionError as error:
        raise ProtocolError("action", error.message, f"actions.{error.field}") from None
    except TimelineTooLong as error:
        raise ProtocolError("too_long", str(error)) from None


class TimelineCache:
    """The last `size` timelines built, shared; concurrent requests for one build it once.

    The build runs as a task of its own, so a client that hangs up while waiting does not
    cancel it for the others."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._built: OrderedDict[str, Timeline] = OrderedDict()
        self._building: dict[str, asyncio.Task[Timeline]] = {}

    async def get(self, request: TimelineRequest) -> Timeline:
        key = request.key()
        if key is None or self.size == 0:
            return await run_in_threadpool(build_timeline, request)
        if key in self._built:
            self._built.move_to_end(key)
            return self._built[key]
        task = self._building.get(key)
        if task is not None and task.get_loop() is not asyncio.get_running_loop():
            return await run_in_threadpool(build_timeline, request)  # (only tests run 2 loops)
        if task is None:
            task = asyncio.create_task(run_in_threadpool(build_timeline, request))
            self._building[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[Timeline]) -> None:
        del self._building[key]
        if task.cancelled() or task.exception() is not None:
            return
        self._built[key] = task.result()
        if len(self._built) > self.size:
            self._built.popitem(last=False)

    def __len__(self) -> int:
        return len(self._built)
