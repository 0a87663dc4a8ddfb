"""The built-in stories, one module per scenario, looked up by scenario id."""

from __future__ import annotations

from typing import Any

from virtio_viz.scenarios.catalog import STORY_IDS
from virtio_viz.scenarios.stories import (
    qemu_emulated,
    ring_lab,
    vdpa,
    vhost_net,
    vhost_user,
    virtio_blk,
    virtio_user,
)
from virtio_viz.scenarios.story import Story

_BY_ID: dict[str, Story[Any]] = {
    story.id: story
    for story in (
        qemu_emulated.STORY,
        ring_lab.STORY,
        vhost_net.STORY,
        vhost_user.STORY,
        virtio_user.STORY,
        vdpa.STORY,
        virtio_blk.STORY,
    )
}
if set(_BY_ID) != set(STORY_IDS):  # a story left out of the catalog would vanish from lists
    raise RuntimeError("scenarios/catalog.py STORY_IDS must name every built-in story")
# in the catalog's order (it lists the scenarios without loading this package)
STORIES: dict[str, Story[Any]] = {story_id: _BY_ID[story_id] for story_id in STORY_IDS}


def story(scenario_id: str) -> Story[Any]:
    """The story of `scenario_id`; an unknown id raises KeyError naming the known ones."""
    found = STORIES.get(scenario_id)
    if found is None:
        raise KeyError(f"unknown scenario {scenario_id!r}; known: {', '.join(STORIES)}")
    return found
