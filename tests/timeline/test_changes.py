"""A frame's `changes` carry only what changed (virtio_viz.timeline.delta), and replaying
them gives back every whole state the stories went through."""

from __future__ import annotations

import copy
import json
from typing import Any, Literal

import pytest

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline, frame_json, recorder
from virtio_viz.timeline.delta import apply, diff, splice

SPLIT_DRIVER = {"free_head": 0, "num_free": 8, "free_list": list(range(8)), "in_flight": []}


def queue(index: int = 0, **fields: Any) -> dict[str, Any]:
    return {"index": index, "name": "q", "format": "split", "size": 8, "enabled": False,
            "driver": copy.deepcopy(SPLIT_DRIVER), "device": None, **fields}  # fmt: skip


def state(*queues: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"status": {"value": 0, "names": []}, "queues": list(queues), **fields}


def replayed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`before` with the changes from it to `after` applied, as they travel (JSON)."""
    changes = json.loads(json.dumps(diff(before, after)))
    result = dict(before)
    apply(result, changes)
    return result


@pytest.mark.parametrize(
    ("old", "new", "edit"),
    [
        ([0, 1, 2, 3, 4], [3, 4], [0, 3, []]),  # descriptors taken from the head
        ([3, 4], [1, 0, 3, 4], [0, 0, [1, 0]]),  # a chain given back at the head
        ([5, 6, 7], [5, 7], [1, 1, []]),  # one from the middle
        ([5], [5, 9], [1, 0, [9]]),  # one added at the end
        ([1, 1, 1], [1, 1], [0, 1, []]),
        ([1, 2, 1], [1, 1], [1, 1, []]),  # head and tail never overlap
        ([], [2, 3], [0, 0, [2, 3]]),
        ([1, 2], [3, 4], [0, 2, [3, 4]]),
    ],
)
def test_a_list_travels_as_the_splice_that_makes_it(
    old: list[int], new: list[int], edit: list[Any]
) -> None:
    assert splice(old, new) == edit
    at, cut, put = edit
    assert [*old[:at], *put, *old[at + cut :]] == new


def test_a_queue_sends_the_counters_that_changed_and_splices_its_lists() -> None:
    before = state(queue(0), queue(1))
    taken = queue(1, driver={**SPLIT_DRIVER, "free_head": 3, "num_free": 5,
                             "free_list": [3, 4, 5, 6, 7], "in_flight": [0]})  # fmt: skip
    after = state(queue(0), taken)
    assert diff(before, after) == {"queues": [{"index": 1, "driver": {
        "set": {"free_head": 3, "num_free": 5},
        "splice": {"free_list": [0, 3, []], "in_flight": [0, 0, [0]]},
    }}]}  # fmt: skip
    assert replayed(before, after) == after


def test_a_new_queue_or_one_whose_fields_changed_comes_whole() -> None:
    first = queue(0)
    assert diff(state(), state(first))["queues"] == [{"index": 0, "queue": first}]
    packed = queue(0, format="packed", driver={"next_avail": 0, "in_flight": []})
    assert diff(state(first), state(packed))["queues"] == [  # other counters: the side whole
        {"index": 0, "set": {"format": "packed", "driver": packed["driver"]}}
    ]
    assert replayed(state(first), state(packed)) == state(packed)
    renamed = {**{k: v for k, v in first.items() if k != "name"}, "label": "q"}
    assert diff(state(first), state(renamed))["queues"] == [{"index": 0, "queue": renamed}]
    assert replayed(state(first), state(renamed)) == state(renamed)


def test_a_side_set_up_or_torn_down_comes_whole_and_top_level_fields_whole() -> None:
    device = {"last_avail_idx": 0, "used_idx": 0, "in_flight": []}
    before, after = state(queue(0)), state(queue(0, device=device), status={"value": 1})
    assert diff(before, after) == {
        "status": {"value": 1},
        "queues": [{"index": 0, "set": {"device": device}}],
    }
    assert replayed(before, after) == after
    assert replayed(after, before) == before


def test_applying_leaves_the_states_it_was_given_untouched() -> None:
    before = state(queue(0))
    after = state(queue(0, enabled=True, driver={**SPLIT_DRIVER, "free_list": [7]}))
    kept = copy.deepcopy(before)
    replayed(before, after)
    assert before == kept


def test_an_edit_of_a_queue_never_sent_is_refused() -> None:
    with pytest.raises(ValueError, match="queue 3 is edited before it was sent whole"):
        apply(state(), {"queues": [{"index": 3, "set": {"enabled": True}}]})


def _recorded_states(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every whole state the recorder sees from now on, step by step."""
    seen: list[dict[str, Any]] = []

    def spy(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
        seen.append(after)
        return diff(before, after)

    monkeypatch.setattr(recorder, "diff", spy)
    return seen


@pytest.mark.parametrize("story_id", sorted(STORIES))
@pytest.mark.parametrize("ring", ["split", "packed"])
def test_replaying_the_frames_as_sent_gives_every_whole_state(
    monkeypatch: pytest.MonkeyPatch, story_id: str, ring: Literal["split", "packed"]
) -> None:
    seen = _recorded_states(monkeypatch)
    built = Timeline(STORIES[story_id], StoryOptions(ring=ring, queue_size=256))
    assert len(seen) == len(built)
    state_now: dict[str, Any] = {}
    for frame, whole in zip(built.frames, seen, strict=True):
        sent = json.loads(json.dumps(frame_json(frame)))
        apply(state_now, sent["changes"])
        assert state_now == whole, f"{story_id} step {frame.index}"
        assert sent["narration"] == frame.narration
        assert sent["event"].get("summary", frame.narration) == frame.event.summary
    for keyframe in built.keyframes:
        assert built.snapshot(keyframe.step).state == seen[keyframe.step]
