"""Small pieces the story tests share."""

from __future__ import annotations

from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import Frame


def chapter_frames(timeline: Timeline, chapter_id: str) -> list[Frame]:
    """The frames of the first chapter with this id, in order."""
    span = next(c for c in timeline.chapters if c.id == chapter_id)
    return [timeline.frame(i) for i in range(span.first_step, span.first_step + span.step_count)]


def as_int(value: object) -> int:
    assert isinstance(value, int)
    return value
