"""What a timeline keeps per step (`Frame`) and every so often (`Keyframe`).

A frame is what changed at one step: the event, where it happens on the diagram, the
bytes it wrote and the parts of the viewer's state that changed. A keyframe is the whole
state and every byte written so far. docs/trace-format.md describes their JSON, which
`frame_json()` and `keyframe_json()` produce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from virtio_viz.model.events import Event, Violation
from virtio_viz.timeline.delta import State

JSON_SAFE_INT = 1 << 53  # larger integers travel as hex strings (JavaScript numbers)


@dataclass(frozen=True, slots=True)
class Frame:
    index: int
    chapter: int
    event: Event
    box: str
    route: str | None
    hops: tuple[str, ...]
    narration: str
    memory: tuple[tuple[int, bytes], ...]
    changes: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Keyframe:
    step: int
    state: State
    memory: tuple[tuple[int, bytes], ...]


@dataclass(frozen=True, slots=True)
class ChapterSpan:
    index: int
    id: str
    title: str
    intro: str
    first_step: int
    step_count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "title": self.title,
            "intro": self.intro,
            "first_step": self.first_step,
            "step_count": self.step_count,
        }


def json_value(value: object) -> object:
    """A model value as JSON: big integers as hex strings, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value) if abs(value) >= JSON_SAFE_INT else value
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return str(value)


def event_json(event: Event) -> dict[str, Any]:
    violation = event if isinstance(event, Violation) else None
    return {
        "kind": event.kind,
        "actor": event.actor,
        "plane": event.plane,
        "spec": event.spec,
        "analog": event.analog,
        "summary": event.summary,
        "queue": event.queue,
        "values": {k: json_value(v) for k, v in event.values.items()},
        "reads": [[r.addr, r.length] for r in event.reads],
        "writes": [[r.addr, r.length] for r in event.writes],
        "rule": violation.rule if violation else None,
        "requirement": violation.requirement if violation else None,
    }


def memory_json(runs: tuple[tuple[int, bytes], ...]) -> list[dict[str, Any]]:
    return [{"addr": addr, "hex": data.hex()} for addr, data in runs]


def frame_json(frame: Frame) -> dict[str, Any]:
    event = event_json(frame.event)
    if event["summary"] == frame.narration:
        del event["summary"]  # the narration says it; sent once
    return {
        "index": frame.index,
        "chapter": frame.chapter,
        "event": event,
        "box": frame.box,
        "route": frame.route,
        "hops": list(frame.hops),
        "narration": frame.narration,
        "memory": memory_json(frame.memory),
        "changes": dict(frame.changes),
    }


def keyframe_json(keyframe: Keyframe) -> dict[str, Any]:
    return {
        "step": keyframe.step,
        "state": keyframe.state,
        "memory": memory_json(keyframe.memory),
    }
