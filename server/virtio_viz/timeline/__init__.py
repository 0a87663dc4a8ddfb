"""Timelines: stories run to the end as steps, with seek, step back and forks."""

from __future__ import annotations

from virtio_viz.timeline.frames import ChapterSpan, Frame, Keyframe, frame_json, keyframe_json
from virtio_viz.timeline.timeline import (
    DEFAULT_MAX_STEPS,
    PlacedAction,
    Snapshot,
    Timeline,
    TimelineTooLong,
)

__all__ = [
    "DEFAULT_MAX_STEPS",
    "ChapterSpan",
    "Frame",
    "Keyframe",
    "PlacedAction",
    "Snapshot",
    "Timeline",
    "TimelineTooLong",
    "frame_json",
    "keyframe_json",
]
