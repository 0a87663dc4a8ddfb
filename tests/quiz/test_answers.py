"""Every built-in question's answer is what the model's state shows after its step.

The kinds read their answers off the step's event; these tests check them another way,
from the state and the guest memory the step left behind (the bytes, the status byte,
the negotiated word), and from what the steps after it did. So a kind that read the
wrong field, or a story that changed under it, fails here."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.scenarios.stories.helpers import as_int
from virtio_viz.model.events import Event
from virtio_viz.model.features import describe
from virtio_viz.quiz import Question, questions_for
from virtio_viz.quiz.kinds import AVAIL, USED, describe_status
from virtio_viz.scenario_files import load_scenario_file
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.routing import is_notify_write
from virtio_viz.scenarios.stories import STORIES, story
from virtio_viz.scenarios.story import UserAction
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import Frame

VARIANTS = {
    "split": StoryOptions(),
    "packed": StoryOptions(ring="packed"),
    "no-event-idx": StoryOptions(event_idx=False),
    "mmio": StoryOptions(transport="mmio"),
}
NARRATED = [s for s in STORIES if s != "ring-lab"]
EXAMPLES = Path(__file__).parents[2] / "examples" / "scenarios"


@cache
def built(scenario: str, variant: str) -> Timeline:
    return Timeline(story(scenario), VARIANTS[variant])


def cases() -> list[Any]:
    return [pytest.param(s, v, id=f"{s}-{v}") for s in NARRATED for v in VARIANTS]


def area(state: dict[str, Any], frame: Frame, name: str) -> int:
    q = next(q for q in state["queues"] if q["index"] == frame.event.queue)
    return int(next(a for a in q["areas"] if a["name"] == name)["addr"])


def le16(timeline: Timeline, step: int, addr: int) -> int:
    return int.from_bytes(timeline.snapshot(step).memory.read(addr, 2), "little")


def later_events(timeline: Timeline, question: Question, until: str) -> list[Event]:
    """The events of the steps after the question's, up to the next `until` step."""
    found = []
    for index in range(question.step + 1, len(timeline)):
        event = timeline.frame(index).event
        if event.kind == until:
            break
        found.append(event)
    return found


def names(question: Question) -> tuple[str, ...]:
    assert isinstance(question.answer, tuple)
    return question.answer


def slot_of(frame: Frame) -> int:
    return as_int(frame.event.values["slot"])


def check_status_bit(timeline: Timeline, question: Question, frame: Frame) -> None:
    """Asked at the driver's write of the status register (whose narration would give the
    bits away) or, without one, at the step where the device takes the new status."""
    taken = next(i for i in range(question.step, len(timeline))
                 if timeline.frame(i).event.kind == "status_set")  # fmt: skip
    assert taken - question.step <= 2  # the write, the device's feature check, the bit
    after = timeline.snapshot(taken).state["status"]["value"]
    before = timeline.snapshot(question.step - 1).state["status"]["value"]
    assert describe_status(after & ~before) == [question.answer]


def test_a_status_question_comes_before_the_write_that_names_the_bits() -> None:
    for transport in ("pci", "mmio", "ccw"):
        timeline = Timeline(story("qemu-emulated"), StoryOptions(transport=transport))
        asked = [q for q in questions_for(timeline) if q.kind == "status_bit"]
        assert asked
        for question in asked:
            shown = timeline.frame(question.step - 1).narration  # on screen while asked
            assert str(question.answer) not in shown
            written = timeline.frame(question.step).event
            assert written.actor == "driver" and written.kind in ("register_write", "ccw_start")


def check_negotiated(timeline: Timeline, question: Question, frame: Frame) -> None:
    latched = next(  # read once FEATURES_OK has latched
        timeline.snapshot(i).state for i in range(question.step, len(timeline))
        if "FEATURES_OK" in timeline.snapshot(i).state["status"]["names"]
    )  # fmt: skip
    word, device_id = int(latched["features"]["negotiated"], 16), latched["features"]["device_id"]
    agreed = {name for name in question.choices if name in describe(word, device_id)}
    assert agreed == set(names(question))
    assert set(question.choices) - agreed, "every choice is right: nothing to decide"


def check_avail_idx(timeline: Timeline, question: Question, frame: Frame) -> None:
    avail = area(timeline.snapshot(question.step).state, frame, "avail")
    assert le16(timeline, question.step, avail + 2) == question.answer


def check_avail_flags(timeline: Timeline, question: Question, frame: Frame) -> None:
    ring = area(timeline.snapshot(question.step).state, frame, "ring")
    flags = le16(timeline, question.step, ring + 16 * slot_of(frame) + 14)
    assert question.answer == f"AVAIL={int(bool(flags & AVAIL))}, USED={int(bool(flags & USED))}"


def check_device_takes(timeline: Timeline, question: Question, frame: Frame) -> None:
    state = timeline.snapshot(question.step).state
    if frame.event.kind == "avail_ring_read":  # split: the head in avail.ring[slot]
        at = area(state, frame, "avail") + 4 + 2 * slot_of(frame)
    else:  # packed: the buffer id in the head descriptor
        at = area(state, frame, "ring") + 16 * slot_of(frame) + 12
    assert le16(timeline, question.step, at) == question.answer


def check_will_kick(timeline: Timeline, question: Question, frame: Frame) -> None:
    kicked = [e for e in later_events(timeline, question, "kick_check")
              if is_notify_write(e) and e.queue == frame.event.queue]  # fmt: skip
    assert bool(kicked) == (question.answer == "yes")


def check_will_interrupt(timeline: Timeline, question: Question, frame: Frame) -> None:
    raised = [e for e in later_events(timeline, question, "notify_check")
              if e.kind == "interrupt" and e.queue == frame.event.queue]  # fmt: skip
    assert bool(raised) == (question.answer == "yes")


def check_kick_lands(timeline: Timeline, question: Question, frame: Frame) -> None:
    topology = timeline.story.topology  # the data plane's box, or the process around it
    data_plane = topology.placement.data_plane
    assert names(question)[0] == data_plane
    assert set(names(question)[1:]) <= set(topology.ancestors(data_plane))


def check_interrupt_path(timeline: Timeline, question: Question, frame: Frame) -> None:
    placement = timeline.story.topology.placement
    assert names(question) and not {placement.driver, placement.data_plane} & set(names(question))
    assert set(names(question)) <= set(question.choices)


CHECKS = {
    "status_bit": check_status_bit, "negotiated": check_negotiated,
    "avail_idx": check_avail_idx, "avail_flags": check_avail_flags,
    "device_takes": check_device_takes, "will_kick": check_will_kick,
    "will_interrupt": check_will_interrupt, "kick_lands": check_kick_lands,
    "interrupt_path": check_interrupt_path,
}  # fmt: skip


def check(timeline: Timeline, question: Question) -> None:
    CHECKS[question.kind](timeline, question, timeline.frame(question.step))


@pytest.mark.parametrize(("scenario", "variant"), cases())
def test_every_answer_is_what_the_state_after_its_step_shows(scenario: str, variant: str) -> None:
    timeline = built(scenario, variant)
    questions = questions_for(timeline)
    assert questions
    for question in questions:
        check(timeline, question)
        given = question.to_json()["answer"]
        assert question.is_right(given[0] if isinstance(given, list) and question.answer_type ==
                                 "box" else given)  # fmt: skip


@pytest.mark.parametrize("scenario", NARRATED)
def test_each_story_asks_about_the_handshake_the_features_the_rings_and_suppression(
    scenario: str,
) -> None:
    timeline = built(scenario, "split")
    kinds = {q.kind for q in questions_for(timeline)}
    chapters = {timeline.chapter_of(q.step).id for q in questions_for(timeline)}
    assert {"status_bit", "negotiated", "avail_idx", "device_takes", "will_kick"} <= kinds
    assert {"will_interrupt"} <= kinds
    if scenario != "virtio-blk":
        assert "suppression" in chapters
    kick = timeline.story.topology.route("kick")
    if not kick.suppressed:  # the architecture's own path: where kicks and interrupts go
        assert {"kick_lands", "interrupt_path"} <= kinds


def test_a_packed_ring_asks_about_its_flags_and_a_wrapped_index_says_so() -> None:
    packed = {q.kind for q in questions_for(built("qemu-emulated", "packed"))}
    assert "avail_flags" in packed and "avail_idx" not in packed
    wrap = load_scenario_file(EXAMPLES / "ring-lab-wraparound.yaml")
    timeline = Timeline(wrap, wrap.options)
    crossing = [q for q in questions_for(timeline) if q.kind == "avail_idx" and q.answer == 0]
    assert len(crossing) == 1 and "wrapped" in crossing[0].explanation
    for question in questions_for(timeline):
        check(timeline, question)
        assert question.source == "file"


def test_questions_follow_a_fork_and_stay_right() -> None:
    base = built("qemu-emulated", "split")
    transmit = next(c for c in base.chapters if c.id == "transmit")
    fork = base.fork(transmit.first_step - 1, UserAction("send_frame", {"frame": "icmp_echo"}))
    moved = next(c for c in fork.chapters if c.id == "transmit")
    assert moved.first_step > transmit.first_step
    for question in questions_for(fork):
        check(fork, question)
    asked = [q for q in questions_for(fork) if fork.chapter_of(q.step).id == "transmit"]
    assert {q.kind for q in asked} >= {"avail_idx", "will_kick", "device_takes"}


def test_a_right_and_a_wrong_answer_of_each_type() -> None:
    questions = {q.kind: q for q in questions_for(built("vhost-net", "split"))}
    number, choice = questions["avail_idx"], questions["will_kick"]
    assert number.is_right(number.answer) and not number.is_right(as_int(number.answer) + 1)
    assert not number.is_right(True) and not number.is_right(str(number.answer))
    assert choice.is_right(choice.answer) and not choice.is_right("maybe")
    several = questions["negotiated"]
    assert several.is_right(list(reversed(names(several))))
    assert not several.is_right(list(names(several))[1:])
    box = questions["interrupt_path"]
    assert box.is_right("kvm") and not box.is_right("vhost-net")


def test_the_ring_lab_draws_its_questions_from_the_readers_own_steps() -> None:
    lab = story("ring-lab")
    acts = [
        UserAction("add_buffer", {"in_lens": "100"}), UserAction("kick", {"check": True}),
        UserAction("device_fetch"), UserAction("use_buffer", {"head": 0, "len": 60}),
        UserAction("interrupt", {"check": True}), UserAction("driver_get_used"),
    ] * 3  # fmt: skip
    timeline = Timeline(lab, StoryOptions(queue_size=4))
    for action in acts:
        timeline = timeline.fork(len(timeline) - 1, action)
    asked = questions_for(timeline)
    assert {q.source for q in asked} == {"generated"}
    assert {q.kind for q in asked} >= {"avail_idx", "device_takes", "will_kick"}
    for question in asked:
        check(timeline, question)
    again = Timeline(lab, StoryOptions(queue_size=4), actions=timeline.actions)
    assert questions_for(again) == asked  # the same seed draws the same steps
