"""The built-in stories, one module per scenario, looked up by scenario id.

`story(id)` loads that story's module alone, so `virtio-viz export ring-lab` does not load
the network stories; `STORIES` (every story, in the catalog's order) loads them all the
first time it is read.
"""

from __future__ import annotations

import importlib
from typing import Any

from virtio_viz.scenarios.catalog import STORY_IDS
from virtio_viz.scenarios.story import Story

STORIES: dict[str, Story[Any]]  # built on first use, by __getattr__ below


def story(scenario_id: str) -> Story[Any]:
    """The story of `scenario_id`; an unknown id raises KeyError naming the known ones."""
    if scenario_id not in STORY_IDS:
        raise KeyError(f"unknown scenario {scenario_id!r}; known: {', '.join(STORY_IDS)}")
    module = importlib.import_module(f"{__name__}.{scenario_id.replace('-', '_')}")
    found: Story[Any] = module.STORY
    if found.id != scenario_id:  # a module named after one id telling another would mislead
        raise RuntimeError(f"stories/{module.__name__} tells {found.id!r}, not {scenario_id!r}")
    return found


def __getattr__(name: str) -> dict[str, Story[Any]]:
    if name != "STORIES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    stories = {story_id: story(story_id) for story_id in STORY_IDS}
    globals()["STORIES"] = stories
    return stories
