"""Shared pieces of the importer's tests: the real recording and small helpers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from virtio_viz.timeline.delta import apply

TRACE_DIR = Path(__file__).parents[2].parent / "shared" / "traces" / "qemu-split"
LOG = TRACE_DIR / "trace-virtio.log"
QMP_FILES = [
    TRACE_DIR / name
    for name in (
        "qmp-x-query-virtio.json",
        "qmp-virtio-net.json",
        "qmp-virtio-blk.json",
        "qmp-virtio-blk-inflight.json",
    )
]


def chapter_steps(doc: dict[str, Any], chapter_id: str) -> list[dict[str, Any]]:
    indexes = {c["index"] for c in doc["chapters"] if c["id"] == chapter_id}
    return [s for s in doc["steps"] if s["chapter"] in indexes]


def kinds(steps: list[dict[str, Any]], device: str | None = None) -> Counter[str]:
    return Counter(
        s["event"]["kind"]
        for s in steps
        if device is None or s["event"]["values"].get("device") == device
    )


def state_at(doc: dict[str, Any], index: int) -> dict[str, Any]:
    """The state at step `index`, rebuilt from the last keyframe and the frames after it."""
    keyframe = max((k for k in doc["keyframes"] if k["step"] <= index), key=lambda k: k["step"])
    state = dict(keyframe["state"])
    for frame in doc["steps"][keyframe["step"] + 1 : index + 1]:
        apply(state, frame["changes"])
    return state
