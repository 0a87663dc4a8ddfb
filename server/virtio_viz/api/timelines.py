"""Turning a request (scenario or scenario file, options, seed, actions) into a timeline,
with every way it can go wrong reported as a ProtocolError naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.settings import Settings
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import ActionError, Story, UserAction
from virtio_viz.timeline import PlacedAction, Timeline, TimelineTooLong


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
