"""What changed from one state to the next (a frame's `changes`), and applying it.

How this works: `changes` names only what a step altered (docs/trace-format.md, "Changes").
The top-level fields (`status`, `features`, `device`, `extras`) come whole when they
differ. Queues come as a list of queue changes, one per queue that changed, found by
`index`. A queue seen for the first time, or whose fields are not the ones it had, comes
whole (`queue`). Otherwise `set` holds the queue's fields that changed, whole, and
`driver` / `device` edit that side's counters: `set` for values, and `splice` for lists
(the free list, the buffers in flight) as `[at, cut, put]`: remove `cut` items at `at`
and insert `put` there, the unchanged head and tail of the list left out. Taking
descriptors from the free list is then a cut at 0 and reclaiming a chain a put at 0: a
few numbers at any queue size, where the whole list is up to one number per ring entry.

`apply` is the inverse of `diff` and never modifies the objects it was handed (the
states of successive steps share their unchanged parts, see `share`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

State = dict[str, Any]
Json = dict[str, Any]
SIDES = ("driver", "device")


def diff(before: State | None, after: State) -> Json:
    """The changes that turn `before` (None: nothing yet) into `after`."""
    before = before or {}
    changes = {
        key: value
        for key, value in after.items()
        if key != "queues" and (key not in before or before[key] != value)
    }
    old = {q["index"]: q for q in before.get("queues", ())}
    queues = [
        change
        for queue in after.get("queues", ())
        if (change := queue_change(old.get(queue["index"]), queue)) is not None
    ]
    if queues or ("queues" in after and "queues" not in before):
        changes["queues"] = queues
    return changes


def queue_change(old: Json | None, new: Json) -> Json | None:
    """What changed in one queue: None if nothing did."""
    if old == new:
        return None
    if old is None or old.keys() != new.keys():
        return {"index": new["index"], "queue": new}
    change: Json = {"index": new["index"]}
    whole: Json = {}
    for key, value in new.items():
        if old[key] == value:
            continue
        edit = side_edit(old[key], value) if key in SIDES else None
        if edit is None:
            whole[key] = value
        else:
            change[key] = edit
    if whole:
        change["set"] = whole
    return change


def side_edit(old: Any, new: Any) -> Json | None:
    """An edit of one side's counters, or None when the side must come whole (it appears,
    goes, or its counters are not the same ones)."""
    if not isinstance(old, dict) or not isinstance(new, dict) or old.keys() != new.keys():
        return None
    values: Json = {}
    splices: Json = {}
    for key, value in new.items():
        if old[key] == value:
            continue
        if isinstance(value, list) and isinstance(old[key], list):
            splices[key] = splice(old[key], value)
        else:
            values[key] = value
    edit: Json = {}
    if values:
        edit["set"] = values
    if splices:
        edit["splice"] = splices
    return edit


def splice(old: list[Any], new: list[Any]) -> list[Any]:
    """[at, cut, put]: `new` is `old` with `cut` items at `at` replaced by `put`."""
    grew = len(new) - len(old)  # the usual edits first, compared a whole slice at a time
    if grew <= 0 and old[-grew:] == new:
        return [0, -grew, []]  # taken from the head (a free list handing out descriptors)
    if grew >= 0 and new[grew:] == old:
        return [0, 0, new[:grew]]  # put at the head (a chain given back)
    if grew >= 0 and new[: len(old)] == old:
        return [len(old), 0, new[len(old) :]]  # added at the end
    at = 0
    shortest = min(len(old), len(new))
    while at < shortest and old[at] == new[at]:
        at += 1
    tail = 0
    while tail < shortest - at and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return [at, len(old) - at - tail, new[at : len(new) - tail]]


def apply(state: State, changes: Mapping[str, Any]) -> None:
    """Apply `changes` (from `diff`) to `state` in place (its top level only)."""
    for key, value in changes.items():
        if key != "queues":
            state[key] = value
            continue
        queues = {q["index"]: q for q in state.get("queues", ())}
        for change in value:
            queues[change["index"]] = changed_queue(queues.get(change["index"]), change)
        state["queues"] = [queues[i] for i in sorted(queues)]


def changed_queue(old: Json | None, change: Mapping[str, Any]) -> Json:
    if "queue" in change:
        whole: Json = change["queue"]
        return whole
    if old is None:
        raise ValueError(f"queue {change['index']} is edited before it was sent whole")
    queue = {**old, **change.get("set", {})}
    for side in SIDES:
        if side in change:
            queue[side] = edited_side(queue[side], change[side])
    return queue


def edited_side(old: Json, edit: Mapping[str, Any]) -> Json:
    side = {**old, **edit.get("set", {})}
    for key, (at, cut, put) in edit.get("splice", {}).items():
        side[key] = [*side[key][:at], *put, *side[key][at + cut :]]
    return side


def share(new: Any, old: Any) -> Any:
    """`new`, with every part equal to the same part of `old` replaced by `old`'s object,
    so unchanged parts of successive states are stored once."""
    if new == old:
        return old
    if isinstance(new, dict) and isinstance(old, dict):
        return {key: share(value, old.get(key)) for key, value in new.items()}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [share(n, o) for n, o in zip(new, old, strict=True)]
    return new
