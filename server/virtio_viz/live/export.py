"""A live timeline as a trace document, while the VM may still be adding to it.

How this works: the export takes the steps the timeline has when it is asked (later ones
are not in it), with the chapters cut to them, and builds the frames' JSON a slice at a
time on the event loop, the thread the VM's events are recorded on, so the timeline is
never read while it changes and other sessions keep being served between slices.
"""

from __future__ import annotations

import asyncio
from typing import Any

from virtio_viz.timeline import Timeline, frame_json, keyframe_json
from virtio_viz.trace import header_json

SLICE = 500  # frames between two turns of the event loop


async def export_live(timeline: Timeline) -> dict[str, Any]:
    count = len(timeline)
    document = header_json(timeline)
    document["step_count"] = count
    chapters = [c.to_json() for c in timeline.chapters if c.first_step < count]
    if chapters:
        chapters[-1]["step_count"] = count - chapters[-1]["first_step"]
    document["chapters"] = chapters
    kept = (count + timeline.interval - 1) // timeline.interval
    document["keyframes"] = [keyframe_json(k) for k in timeline.keyframes[:kept]]
    steps: list[dict[str, Any]] = []
    for start in range(0, count, SLICE):
        steps += [frame_json(timeline.frame(i)) for i in range(start, min(count, start + SLICE))]
        await asyncio.sleep(0)
    document["steps"] = steps
    return document
