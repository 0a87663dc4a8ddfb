"""Every built-in story still runs to its end with the driver writing Linux 6.1's bytes.

The driver keeps its free list private, returns ids through Linux's checks and hands out
packed buffer ids as Linux does (docs/conformance.md, "Linux 6.1's virtio_ring.c"); none
of that may make a story stop, break a rule (no Violation event: the stories only break
rules when a reader asks them to) or trip the driver's BAD_RING() checks.
"""

from __future__ import annotations

import itertools

import pytest

from virtio_viz.model.events import Violation
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline

VARIANTS = [
    StoryOptions(transport=transport, ring=ring, event_idx=event_idx)  # type: ignore[arg-type]
    for transport, ring, event_idx in itertools.product(
        ("pci", "mmio"), ("split", "packed"), (True, False)
    )
]


@pytest.mark.parametrize("story_id", sorted(STORIES))
def test_every_story_runs_to_its_end_without_a_broken_rule(story_id: str) -> None:
    for options in VARIANTS:
        timeline = Timeline(STORIES[story_id], options)
        assert timeline.stopped is None, (options, timeline.stopped)
        broken = [
            f.event.summary
            for f in timeline.frames
            if isinstance(f.event, Violation) or f.event.kind == "bad_ring"
        ]
        assert broken == [], (options, broken)


@pytest.mark.parametrize("story_id", sorted(STORIES))
def test_the_driver_writes_a_descriptor_table_only_to_zero_it_or_to_add(story_id: str) -> None:
    """Linux writes a split descriptor table in exactly two places: the zeroed allocation
    and virtqueue_add_split(); reclaiming (detach_buf_split()) writes nothing there."""
    timeline = Timeline(STORIES[story_id], StoryOptions())
    tables = [
        (area["addr"], area["addr"] + area["size"])
        for queue in timeline.snapshot(len(timeline) - 1).state["queues"]
        for area in queue["areas"]
        if area["name"] == "desc"
    ]
    writers = {
        f.event.kind
        for f in timeline.frames
        if f.event.actor == "driver"
        for w in f.event.writes
        if any(start < w.end and w.addr < end for start, end in tables)
    }
    assert writers <= {"desc_table_init", "desc_write"}, writers
