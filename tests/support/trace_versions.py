"""A trace of format 2 written as format 1 wrote it, for the tests that open old files.

Format 1 sent every changed queue whole in `changes.queues` and the event's `summary` in
every frame (docs/trace-format.md, "Version 1"). Replaying the format-2 frames gives the
state after each step, from which the changed queues are taken whole.
"""

from __future__ import annotations

import copy
from typing import Any

from virtio_viz.timeline.delta import apply


def version_1(trace: dict[str, Any]) -> dict[str, Any]:
    old = copy.deepcopy(trace)
    old["version"] = 1
    state: dict[str, Any] = {}
    for step in old["steps"]:
        event = step["event"]
        if "summary" not in event:  # it stood after `analog`
            at = list(event).index("analog") + 1
            items = list(event.items())
            step["event"] = dict([*items[:at], ("summary", step["narration"]), *items[at:]])
        changes = step["changes"]
        apply(state, changes)
        whole = {k: v for k, v in changes.items() if k != "queues"}
        if "queues" in changes:
            changed = {change["index"] for change in changes["queues"]}
            whole["queues"] = [q for q in state["queues"] if q["index"] in changed]
        step["changes"] = whole
    return old
