"""The built-in scenarios' ids, in the order they are offered, and their titles.

A story's title is its topology's, and topologies are plain data, so this answers
without loading the model or the stories (`virtio-viz scenarios` starts in a fraction
of the time); `stories.STORIES` follows the same order.
"""

from __future__ import annotations

STORY_IDS: tuple[str, ...] = (
    "qemu-emulated",
    "ring-lab",
    "vhost-net",
    "vhost-user",
    "virtio-user",
    "vdpa",
    "virtio-blk",
)


def scenario_titles() -> list[tuple[str, str]]:
    """(id, title) of every built-in scenario, in STORY_IDS order."""
    from virtio_viz.scenarios.topologies import topology  # noqa: PLC0415

    return [(story_id, topology(story_id).title) for story_id in STORY_IDS]
