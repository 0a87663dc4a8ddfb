"""Finding a story's moments by what happens there, not by step numbers that move."""

from __future__ import annotations

from virtio_viz.timeline import Timeline


def first_step(timeline: Timeline, kind: str) -> int:
    """The first step whose event is of `kind` (the story's own device fault, say)."""
    return next(i for i in range(len(timeline)) if timeline.frame(i).event.kind == kind)
