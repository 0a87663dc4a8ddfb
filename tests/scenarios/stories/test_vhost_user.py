"""vhost-user: QEMU sets a user-space back-end up with messages over a unix socket, and the
back-end reaches guest buffers through its memory table."""

from __future__ import annotations

import struct

import pytest

from tests.scenarios.stories.helpers import as_int, chapter_frames
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.memtable import MemoryTable, TableRegion
from virtio_viz.model.vhost.user_requests import Request
from virtio_viz.model.virtqueue import Buffer, Chain
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.scenarios.stories.vhost_setup import BACKEND_RAM_VA, QEMU_RAM_VA
from virtio_viz.scenarios.story import ActionError, UserAction
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import Frame

STORY = story("vhost-user")
TOLD = Timeline(STORY)


def _messages(frames: list[Frame]) -> list[str]:
    return [str(f.event.values["request"]) for f in frames
            if f.event.kind == "vhost_user_message"]  # fmt: skip


def test_the_chapters_in_order() -> None:
    assert [c.id for c in TOLD.chapters] == [
        "backend-open", "discovery", "handshake", "features", "queues", "backend-setup",
        "rx-refill", "transmit", "receive", "suppression", "fault", "teardown",
    ]  # fmt: skip
    assert TOLD.stopped is None


def test_qemu_connects_before_the_guest_runs() -> None:
    frames = chapter_frames(TOLD, "backend-open")
    assert _messages(frames) == [
        "VHOST_USER_GET_FEATURES", "VHOST_USER_GET_PROTOCOL_FEATURES",
        "VHOST_USER_SET_PROTOCOL_FEATURES", "VHOST_USER_SET_OWNER",
    ]  # fmt: skip
    first = frames[0]
    assert first.route == "setup" and first.hops == ("unix-socket",)
    assert first.event.values["message"] == struct.pack("<III", 1, 1, 0).hex()
    reply = frames[1]
    assert reply.event.kind == "vhost_user_reply" and reply.box == "vhost-user"
    header = bytes.fromhex(str(reply.event.values["message"]))[:12]
    assert struct.unpack("<III", header) == (1, 0x5, 8)  # GET_FEATURES, version 1 | REPLY


def test_driver_ok_sends_the_whole_setup_with_exact_bytes() -> None:
    frames = chapter_frames(TOLD, "backend-setup")
    ring = ["VHOST_USER_SET_VRING_NUM", "VHOST_USER_SET_VRING_BASE", "VHOST_USER_SET_VRING_ADDR",
            "VHOST_USER_SET_VRING_KICK", "VHOST_USER_SET_VRING_CALL"]  # fmt: skip
    assert _messages(frames) == [
        "VHOST_USER_SET_FEATURES", "VHOST_USER_SET_MEM_TABLE", *ring, *ring,
        "VHOST_USER_SET_VRING_ENABLE", "VHOST_USER_SET_VRING_ENABLE",
    ]  # fmt: skip
    num = next(f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_VRING_NUM")
    assert num.event.values["message"] == (struct.pack("<III", 8, 1, 8) + struct.pack(
        "<II", 0, 16)).hex()  # fmt: skip
    kick = next(f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_VRING_KICK")
    assert kick.event.values["payload"] == struct.pack("<Q", 0).hex()
    assert kick.event.values["fds"] == 1
    enable = [f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_VRING_ENABLE"]
    assert [f.event.values["payload"] for f in enable] == [
        struct.pack("<II", 0, 1).hex(), struct.pack("<II", 1, 1).hex()]  # fmt: skip


def test_the_memory_table_message_decodes_to_the_table_the_view_shows() -> None:
    frames = chapter_frames(TOLD, "backend-setup")
    table = next(f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_MEM_TABLE")
    message = user.decode(bytes.fromhex(str(table.event.values["message"])))
    assert message.request == Request.SET_MEM_TABLE and message.needs_reply
    assert isinstance(message.payload, user.MemTablePayload)
    (region,) = message.payload.regions
    assert region == user.UserMemoryRegion(0x0200_0000, 0x40_0000, QEMU_RAM_VA + 0x0200_0000, 0)
    ack = frames[frames.index(table) + 1]
    assert ack.event.kind == "vhost_user_reply"
    assert ack.event.values["payload"] == struct.pack("<Q", 0).hex()
    assert TOLD.snapshot(ack.index).state["extras"]["memtable"] == [
        {"guest_phys": 0x0200_0000, "user_addr": QEMU_RAM_VA + 0x0200_0000, "mmap_offset": 0,
         "size": 0x40_0000, "backend_addr": BACKEND_RAM_VA + 0x0200_0000}
    ]  # fmt: skip  # the back-end mapped the region somewhere else than QEMU did


def test_the_back_end_translates_ring_addresses_to_its_own() -> None:
    frames = chapter_frames(TOLD, "backend-setup")
    addr = next(f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_VRING_ADDR")
    _, _, desc, _, _, _ = struct.unpack("<IIQQQQ", bytes.fromhex(str(addr.event.values["payload"])))
    ring = frames[frames.index(addr) + 1]
    assert ring.event.kind == "ring_translate" and ring.box == "vhost-user"
    assert ring.event.values["desc_addr"] == desc - QEMU_RAM_VA + BACKEND_RAM_VA


def test_following_a_descriptor_shows_both_addresses() -> None:
    frames = chapter_frames(TOLD, "transmit")
    desc = next(f for f in frames if f.event.kind == "desc_read")
    lookup = next(f for f in frames if f.event.kind == "gpa_translate")
    assert lookup.event.actor == "vhost-user" and lookup.box == "vhost-user"
    gpa = as_int(lookup.event.values["gpa"])
    assert f"addr 0x{gpa:x}" in desc.narration
    assert lookup.event.values["backend_addr"] == BACKEND_RAM_VA + gpa
    assert lookup.event.values["user_addr"] == QEMU_RAM_VA + gpa
    assert lookup.event.values["region"] == 0
    sent = next(f for f in frames if f.event.kind == "net_tx_frame")
    assert "rte_vhost_dequeue_burst()" in sent.event.analog and sent.box == "vhost-user"


def test_the_back_end_disconnects_and_qemu_replays_the_setup() -> None:
    frames = chapter_frames(TOLD, "fault")
    kinds = [f.event.kind for f in frames]
    assert kinds[0] == "backend_disconnect"
    link = [f for f in frames if f.event.kind == "config_changed"]
    assert len(link) == 2 and link[0].box == "device-model"
    status_reads = [f.narration for f in frames if "(device+0x6, 2 bytes)" in f.narration]
    assert [text.rsplit(": ", 1)[1] for text in status_reads] == ["0x0", "0x1"]  # link down, up
    replay = _messages(frames)
    assert replay[0] == "VHOST_USER_GET_FEATURES" and replay[-1] == "VHOST_USER_SET_VRING_ENABLE"
    base = next(f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_VRING_BASE")
    assert base.event.values["payload"] == struct.pack("<II", 0, 3).hex()
    assert "status_reset" not in kinds  # the driver never resets


def test_a_frame_cannot_be_sent_while_the_back_end_is_gone() -> None:
    world = STORY.build(StoryOptions(), 0)
    with pytest.raises(ActionError):
        world.act(UserAction("send_frame", {"frame": "icmp_echo"}))


def test_teardown_asks_where_each_ring_stopped() -> None:
    frames = chapter_frames(TOLD, "teardown")
    assert _messages(frames) == [
        "VHOST_USER_SET_VRING_ENABLE", "VHOST_USER_SET_VRING_ENABLE",
        "VHOST_USER_GET_VRING_BASE", "VHOST_USER_GET_VRING_BASE",
    ]  # fmt: skip
    replies = [f for f in frames if f.event.kind == "vhost_user_reply"]
    decoded = [user.decode(bytes.fromhex(str(f.event.values["message"]))) for f in replies]
    assert [m.payload for m in decoded] == [user.VringState(0, 3), user.VringState(1, 3)]


def test_a_packed_ring_base_carries_the_wrap_counters() -> None:
    timeline = Timeline(STORY, StoryOptions(ring="packed"))
    frames = chapter_frames(timeline, "teardown")
    reply = next(f for f in frames if f.event.kind == "vhost_user_reply")
    state = user.decode(bytes.fromhex(str(reply.event.values["message"]))).payload
    assert isinstance(state, user.VringState)
    assert user.split_packed_vring_base(state.num) == (3, True, 3, True)


def test_a_buffer_outside_the_table_is_a_translation_fault_and_the_device_needs_reset() -> None:
    world = STORY.build(StoryOptions(), 0)
    world.table = MemoryTable((TableRegion(0x0300_0000, 0x1000, QEMU_RAM_VA + 0x0300_0000),))
    chain = Chain(0, (Buffer(0x0200_9000, 54),), 1)
    assert world._follow(chain, 1) is False
    fault = world.log.events[-2]
    assert fault.kind == "gpa_translate_fault" and fault.values["gpa"] == 0x0200_9000
    assert fault.values["reason"] == "unmapped"
