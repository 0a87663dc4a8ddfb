"""virtio-user: a poll-mode driver in guest user space and a vhost-user back-end that both
switch notifications off and poll the rings."""

from __future__ import annotations

import pytest

from tests.scenarios.stories.helpers import chapter_frames
from virtio_viz.model.spec import VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_USED_F_NO_NOTIFY
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline

STORY = story("virtio-user")
TOLD = Timeline(STORY)
DATA_CHAPTERS = ("rx-refill", "transmit", "receive", "suppression")


def test_the_chapters_in_order() -> None:
    assert [c.id for c in TOLD.chapters] == [
        "backend-open", "discovery", "handshake", "features", "queues", "backend-setup",
        "polling", "rx-refill", "transmit", "receive", "suppression", "fault", "teardown",
    ]  # fmt: skip
    assert TOLD.stopped is None


def test_the_kick_and_interrupt_routes_are_marked_suppressed() -> None:
    topology = STORY.topology
    assert topology.route("kick").suppressed and topology.route("interrupt").suppressed


def test_both_sides_write_their_suppression_flags_into_the_rings() -> None:
    frames = chapter_frames(TOLD, "polling")
    driver = [f for f in frames if f.event.kind == "avail_flags_write"]
    device = [f for f in frames if f.event.kind == "used_flags_write"]
    assert [f.event.queue for f in driver] == [0, 1] and [f.event.queue for f in device] == [0, 1]
    assert "virtqueue_disable_intr()" in driver[0].event.analog
    assert device[0].box == "vhost-user"
    snapshot = TOLD.snapshot(frames[-1].index)
    for queue in snapshot.state["queues"][:2]:
        areas = {a["name"]: a["addr"] for a in queue["areas"]}
        assert snapshot.memory.read(areas["avail"], 2) == VIRTQ_AVAIL_F_NO_INTERRUPT.to_bytes(
            2, "little")  # fmt: skip
        assert snapshot.memory.read(areas["used"], 2) == VIRTQ_USED_F_NO_NOTIFY.to_bytes(
            2, "little"
        )


@pytest.mark.parametrize("ring", ["split", "packed"])
@pytest.mark.parametrize("event_idx", [True, False])
def test_frames_cross_the_rings_with_no_kick_and_no_interrupt(ring: str, event_idx: bool) -> None:
    timeline = Timeline(STORY, StoryOptions(ring=ring, event_idx=event_idx))  # type: ignore[arg-type]
    for chapter in DATA_CHAPTERS:
        frames = chapter_frames(timeline, chapter)
        assert not [f for f in frames if f.route in {"kick", "interrupt"}], chapter
    sent = [f for f in timeline.frames if f.event.kind == "net_tx_frame"]
    received = [f for f in timeline.frames if f.event.kind == "net_rx_frame"]
    assert len(sent) == 3 and len(received) == 3


def test_the_driver_checks_before_kicking_and_lets_it_be() -> None:
    frames = chapter_frames(TOLD, "rx-refill")
    check = next(f for f in frames if f.event.kind == "kick_check")
    assert "used.flags is 1" in check.narration
    assert "virtqueue_kick_prepare()" in check.event.analog


def test_the_back_end_polls_and_then_decides_not_to_interrupt() -> None:
    frames = chapter_frames(TOLD, "transmit")
    kinds = [f.event.kind for f in frames]
    assert kinds.index("net_tx_frame") < kinds.index("notify_check")
    decision = next(f for f in frames if f.event.kind == "notify_check")
    assert decision.event.values["notify"] is False
    reclaimed = [f for f in frames if f.event.kind == "used_elem_read"]
    assert reclaimed and "virtio_xmit_cleanup()" in reclaimed[0].event.analog


def test_the_poll_mode_driver_declines_event_idx() -> None:
    state = TOLD.snapshot(len(TOLD) - 1).state
    assert not int(state["features"]["driver"], 16) >> 29 & 1


def test_the_backend_is_set_up_with_vhost_user_messages_and_translates_buffers() -> None:
    setup = chapter_frames(TOLD, "backend-setup")
    assert any(f.event.values.get("request") == "VHOST_USER_SET_MEM_TABLE" for f in setup)
    lookups = [f for f in chapter_frames(TOLD, "receive") if f.event.kind == "gpa_translate"]
    assert lookups and lookups[0].event.values["writable"] is True
