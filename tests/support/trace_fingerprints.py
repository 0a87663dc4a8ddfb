"""Fingerprints of what every story tells: its exported trace, byte for byte.

A fingerprint is the SHA-256 of a timeline's JSON trace (`virtio_viz.trace`, as
`virtio-viz export` writes it, less the generator's version) followed by the `repr` of
every step's event, so a changed sentence, value, value type, memory range or byte in any
frame changes it. They are taken for every built-in story in a few option variants, for
every story with the reader's actions forked in, for the example scenario files, and, for
the model alone, of the events of the round-trip benchmark's rings.

`tests/timeline/trace_fingerprints.json` holds the fingerprints the code gave when they
were last generated; tests/timeline/test_trace_fingerprints.py checks the code still
gives them. A change that is meant to change what the stories tell regenerates the file:

    .venv/bin/python -m tests.support.trace_fingerprints --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import ring_loops, ring_roundtrip
from virtio_viz.model.events import Event
from virtio_viz.scenario_files import load_scenario_file
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import ActionSpec, ParamValue, Story, UserAction
from virtio_viz.timeline import PlacedAction, Timeline
from virtio_viz.trace import export_trace

ROOT = Path(__file__).resolve().parents[2]
STORED = ROOT / "tests" / "timeline" / "trace_fingerprints.json"
EXAMPLES = ROOT / "examples" / "scenarios"

VARIANTS: dict[str, StoryOptions] = {
    "default": StoryOptions(),
    "packed": StoryOptions(ring="packed"),
    "mmio-no-event-idx": StoryOptions(transport="mmio", event_idx=False),
    "packed-no-event-idx-64": StoryOptions(ring="packed", event_idx=False, queue_size=64),
    "split-2-near-wrap": StoryOptions(queue_size=2, initial_index=65533),
}
# The ring lab's actions take raw ring fields; these are ones its fresh ring accepts.
RING_LAB_ACTIONS = (
    UserAction("add_buffer", {"out_lens": "64", "in_lens": "1500"}),
    UserAction("kick", {"check": True}),
    UserAction("device_fetch"),
    UserAction("use_buffer", {"head": 0, "len": 1500}),
    UserAction("interrupt", {"check": True}),
    UserAction("driver_get_used"),
)


def fingerprint(timeline: Timeline) -> str:
    document = export_trace(timeline)
    del document["generator"]  # the package's version, not what the story tells
    trace = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    events = "\n".join(repr(frame.event) for frame in timeline.frames)
    return hashlib.sha256(f"{trace}\n{events}".encode()).hexdigest()


def _default_params(spec: ActionSpec) -> dict[str, ParamValue] | None:
    """Every parameter at its default (a choice without one: its first); None if some
    parameter has neither."""
    params: dict[str, ParamValue] = {}
    for param in spec.params:
        value = param.default if param.default is not None else next(iter(param.choices), None)
        if value is None:
            return None
        params[param.name] = value
    return params


def reader_actions(story: Story[Any], steps: int) -> tuple[PlacedAction, ...]:
    """Every action the story offers, with default parameters: declining a feature
    before the story starts, the others spread over its second half (the device is live
    by then). The ring lab's come after its last step, when its queue is set up."""
    if story.id == "ring-lab":
        return tuple(PlacedAction(steps - 1, action) for action in RING_LAB_ACTIONS)
    specs = story.build(StoryOptions(), 0).action_specs()
    actions = [
        UserAction(spec.kind, params)
        for spec in specs
        if (params := _default_params(spec)) is not None
    ]
    early = [PlacedAction(-1, a) for a in actions if a.kind == "decline_feature"]
    later = [a for a in actions if a.kind != "decline_feature"]
    gap = max(1, steps // 2 // (len(later) + 1))
    return (
        *early,
        *(PlacedAction(steps // 2 + gap * n, action) for n, action in enumerate(later)),
    )


def timelines() -> Iterator[tuple[str, Timeline]]:
    """(name, timeline) for everything that is fingerprinted, in a stable order."""
    for story_id in sorted(STORIES):
        story = STORIES[story_id]
        for variant, options in VARIANTS.items():
            yield f"{story_id} {variant}", Timeline(story, options)
        plain = Timeline(story)
        yield f"{story_id} actions", Timeline(story, actions=reader_actions(story, len(plain)))
    for path in sorted(EXAMPLES.glob("*.yaml")):
        loaded = load_scenario_file(path)
        yield f"examples/{path.name}", Timeline(loaded.story, loaded.options)


def round_trip_events(ring: str, size: int, *, event_idx: bool) -> list[Event]:
    """Every event of 300 of the benchmark's round trips (more than the ring has slots,
    so indexes and wrap counters go round), as its consumer would see them."""
    queues = ring_loops.build(ring, size, event_idx=event_idx)
    seen: list[Event] = []
    queues.log.observer = seen.append
    ring_loops.round_trips(queues, 300, 300)
    return seen


def fingerprints() -> dict[str, str]:
    found = {name: fingerprint(timeline) for name, timeline in timelines()}
    for ring in ring_roundtrip.RINGS:
        for size in (4, 256):
            for event_idx in (True, False):
                events = round_trip_events(ring, size, event_idx=event_idx)
                digest = hashlib.sha256("\n".join(map(repr, events)).encode()).hexdigest()
                found[f"round trips {ring} {size} event_idx={event_idx}"] = digest
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print or store the trace fingerprints.")
    parser.add_argument("--write", action="store_true", help=f"write them to {STORED}")
    args = parser.parse_args(argv)
    text = json.dumps(fingerprints(), indent=1) + "\n"
    if args.write:
        STORED.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
