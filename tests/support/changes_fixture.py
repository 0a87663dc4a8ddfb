"""The frontend's fixture for replaying `changes` (frontend/src/store/fixtures/changes.json).

Real frames of the virtio-blk story at queue size 4, split and packed, with a keyframe
every 8 steps: the frontend's test replays every frame's `changes` from step 0 and checks
the state it reaches at each keyframe against the keyframe's whole state. Only the parts
that test reads are kept (no memory, no events), so the file stays small.
`scripts/gen-frontend-contract` writes it; tests/test_frontend_contract.py checks it is current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline
from virtio_viz.trace import export_trace

PATH = Path(__file__).resolve().parents[2] / "frontend/src/store/fixtures/changes.json"


def changes_fixture() -> dict[str, Any]:
    fixture: dict[str, Any] = {}
    for ring in ("split", "packed"):
        timeline = Timeline(
            STORIES["virtio-blk"], StoryOptions(ring=ring, queue_size=4), interval=8
        )
        trace = export_trace(timeline)
        fixture[f"virtio-blk {ring}"] = {
            "keyframes": [{"step": k["step"], "state": k["state"]} for k in trace["keyframes"]],
            "steps": [{"index": s["index"], "changes": s["changes"]} for s in trace["steps"]],
        }
    return fixture
