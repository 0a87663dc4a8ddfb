"""Every story's events are the same whether they are built the moment they happen (the
timeline's recorder watches the log) or later, when the log is read (nobody watches):
the data path notes its events and builds them on demand (model/events.py)."""

from __future__ import annotations

from typing import Any

import pytest

from virtio_viz.model.events import Event
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES

OPTIONS = {
    "split": StoryOptions(),
    "packed, no event index": StoryOptions(ring="packed", event_idx=False),
}


def told(story_id: str, options: StoryOptions, *, watched: bool) -> list[Event]:
    """Every event of the story's beats, run on a fresh world, in order."""
    story = STORIES[story_id]
    world: Any = story.build(options, 0)
    seen: list[Event] = []
    if watched:
        world.log.observer = seen.append
    for chapter in story.chapters(options):
        for beat in chapter.beats:
            beat.run(world)
    return seen if watched else list(world.log.events)


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("story_id", sorted(STORIES))
def test_events_read_later_are_the_events_seen_as_they_happen(
    story_id: str, options: StoryOptions
) -> None:
    as_they_happen = told(story_id, options, watched=True)
    read_later = told(story_id, options, watched=False)
    assert len(read_later) == len(as_they_happen) > 0
    assert read_later == as_they_happen
    assert list(map(repr, read_later)) == list(map(repr, as_they_happen))
