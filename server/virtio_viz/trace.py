"""Export a timeline as a self-describing JSON trace (docs/trace-format.md, version 2).

The browser replays a trace with no server, so it carries everything a view needs: the
topology, the chapters, the feature names of the device, keyframes, and every frame.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from virtio_viz import GENERATOR
from virtio_viz.model.features import table_for
from virtio_viz.quiz import questions_for
from virtio_viz.timeline import Timeline, frame_json, keyframe_json

TRACE_FORMAT = "virtio-viz-trace"
TRACE_VERSION = 2  # 2: a frame's changes edit queues (docs/trace-format.md)


def feature_names(device_id: int) -> list[dict[str, Any]]:
    """Every feature bit the viewer can name for this device type, in bit order."""
    table = table_for(device_id)
    return [
        {"bit": bit, "name": table[bit].name, "section": table[bit].section}
        for bit in sorted(table)
    ]


def device_id_of(timeline: Timeline) -> int:
    if not timeline.keyframes:
        return 0
    features = timeline.keyframes[0].state.get("features", {})
    return int(features.get("device_id", 0))


def scenario_json(timeline: Timeline) -> dict[str, Any]:
    story = timeline.story
    return {
        "id": story.id,
        "title": story.title,
        "summary": story.summary,
        "options": timeline.options.to_json(),
        "seed": timeline.seed,
        "actions": [placed.to_json() for placed in timeline.actions],
    }


def header_json(timeline: Timeline) -> dict[str, Any]:
    """Everything of a trace except its keyframes and frames."""
    return {
        "format": TRACE_FORMAT,
        "version": TRACE_VERSION,
        "generator": GENERATOR,
        "scenario": scenario_json(timeline),
        "topology": asdict(timeline.story.diagram(timeline.options)),
        "feature_names": feature_names(device_id_of(timeline)),
        "chapters": [chapter.to_json() for chapter in timeline.chapters],
        "step_count": len(timeline),
        "stopped": timeline.stopped,
        "keyframe_interval": timeline.interval,
        "questions": [question.to_json() for question in questions_for(timeline)],
    }


def export_trace(timeline: Timeline) -> dict[str, Any]:
    return {
        **header_json(timeline),
        "keyframes": [keyframe_json(k) for k in timeline.keyframes],
        "steps": [frame_json(f) for f in timeline.frames],
    }
