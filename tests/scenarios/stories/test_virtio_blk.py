"""virtio-blk: requests with their header, data and status byte, a refused request, a
device error and the way back, and the reader's own requests."""

from __future__ import annotations

import pytest

from tests.scenarios.stories.helpers import chapter_frames
from virtio_viz.model.devices.blk import SECTOR_SIZE
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.scenarios.stories.blk_requests import write_payload
from virtio_viz.scenarios.stories.virtio_blk import BOOT_TEXT, WRITE_SECTOR, build
from virtio_viz.scenarios.story import ActionError, UserAction
from virtio_viz.timeline import Frame, Timeline

TIMELINE = Timeline(story("virtio-blk"))
FRAMES = list(TIMELINE.frames)


def _one(frames: list[Frame], kind: str) -> Frame:
    (found,) = [f for f in frames if f.event.kind == kind]
    return found


def test_chapters_in_order() -> None:
    assert TIMELINE.stopped is None
    assert [c.id for c in TIMELINE.chapters] == [
        "discovery", "handshake", "features", "queues", "read", "write", "flush", "get-id",
        "rejected", "fault", "teardown",
    ]  # fmt: skip


def test_a_read_shows_its_header_its_data_and_its_status_byte() -> None:
    frames = chapter_frames(TIMELINE, "read")
    framed = _one(frames, "blk_request_framed")
    assert framed.event.values["header"] == " ".join(["00"] * 16)  # IN, reserved 0, sector 0
    served = _one(frames, "blk_request")
    assert (served.event.values["type"], served.event.values["status"]) == (0, 0)
    assert served.event.values["written"] == SECTOR_SIZE + 1  # the data and the status byte
    assert served.route == "read" and served.hops == ("block-io", "file-io", "shm")
    done = _one(frames, "blk_request_done")
    assert done.event.values["status_name"] == "OK"
    assert "end 55 aa" in done.narration
    # the data buffer in guest memory holds sector 0, and the status byte right after is 0
    # INDIRECT_DESC is negotiated: header, data and status are entries 0, 1, 2 of a table
    descs = [f for f in frames if f.event.kind == "indirect_desc_write"]
    assert [d.event.values["flag_names"] for d in descs] == ["NEXT", "NEXT|WRITE", "WRITE"]
    header_addr, data_addr = (int(str(d.event.values["addr"])) for d in descs[:2])
    memory = TIMELINE.snapshot(done.index).memory
    assert memory.read(header_addr, 16) == bytes(16)
    assert memory.read(data_addr, len(BOOT_TEXT)) == BOOT_TEXT
    assert memory.read(data_addr + SECTOR_SIZE - 2, 2) == b"\x55\xaa"
    status_addr = int(str(descs[2].event.values["addr"]))
    assert memory.read(status_addr, 1) == b"\x00"


def test_a_write_reaches_the_disk_and_reads_back_after_the_reset() -> None:
    frames = chapter_frames(TIMELINE, "write")
    framed = _one(frames, "blk_request_framed")
    assert framed.event.values["header"] == "01 00 00 00 00 00 00 00 08 00 00 00 00 00 00 00"
    served = _one(frames, "blk_request")
    assert served.route == "write" and served.hops == ("shm", "file-io", "block-io")
    assert served.event.values["written"] == 1  # only the status byte
    again = _one(chapter_frames(TIMELINE, "fault"), "blk_request_done")
    assert again.event.values["sector"] == WRITE_SECTOR and again.event.values["status"] == 0
    assert again.event.values["data_head"] == write_payload(WRITE_SECTOR)[:16].hex(" ")


def test_flush_and_get_id() -> None:
    flush = _one(chapter_frames(TIMELINE, "flush"), "blk_request")
    assert (flush.event.values["type"], flush.event.values["sector"]) == (4, 0)
    ident = _one(chapter_frames(TIMELINE, "get-id"), "blk_request_done")
    assert ident.event.values["data_len"] == 20
    assert bytes.fromhex(str(ident.event.values["data_head"]))[:15] == b"virtio-viz-disk"


def test_a_request_past_the_capacity_gets_ioerr_and_the_disk_stays_live() -> None:
    frames = chapter_frames(TIMELINE, "rejected")
    served = _one(frames, "blk_request")
    assert served.event.values["sector"] == 8192  # 4 MiB / 512: one past the last sector
    assert served.event.values["status"] == 1
    done = _one(frames, "blk_request_done")
    assert done.event.values["status_name"] == "IOERR"
    assert TIMELINE.snapshot(done.index).state["status"]["value"] == 0x0F


def test_device_needs_reset_is_announced_and_the_driver_starts_over() -> None:
    frames = chapter_frames(TIMELINE, "fault")
    kinds = [f.event.kind for f in frames]
    assert kinds[:2] == ["device_needs_reset", "interrupt"]
    assert TIMELINE.snapshot(frames[0].index).state["status"]["value"] & 0x40
    assert "status_reset" in kinds and kinds.count("blk_request") == 1


def test_the_readers_requests() -> None:
    at = chapter_frames(TIMELINE, "queues")[-1].index
    forked = TIMELINE.fork(at, UserAction("blk_write", {"sector": 3}))
    action = next(c for c in forked.chapters if c.id == "action-0")
    end = action.first_step + action.step_count - 1
    forked = forked.fork(end, UserAction("blk_read", {"sector": 3}))
    done = [f.event.values for f in forked.frames if f.event.kind == "blk_request_done"]
    (read_back,) = [v for v in done if v["sector"] == 3 and v["type"] == 0]
    assert read_back["data_head"] == write_payload(3)[:16].hex(" ")
    flushed = forked.fork(at, UserAction("blk_flush", {}))
    assert any(f.event.kind == "blk_request" for f in flushed.frames)


def test_the_readers_requests_are_checked_before_anything_happens() -> None:
    world = build(StoryOptions(), 0)
    with pytest.raises(ActionError) as refused:
        world.act(UserAction("blk_read", {"sector": -1}))
    assert refused.value.field == "sector"
    with pytest.raises(ActionError):  # not live yet
        world.act(UserAction("blk_read", {"sector": 0}))
    assert world.machine.completed == []


@pytest.mark.parametrize("transport", ["pci", "mmio"])
@pytest.mark.parametrize("ring", ["split", "packed"])
def test_every_transport_and_ring(transport: str, ring: str) -> None:
    options = StoryOptions(transport=transport, ring=ring)  # type: ignore[arg-type]
    timeline = Timeline(story("virtio-blk"), options)
    statuses = [f.event.values["status"] for f in timeline.frames if f.event.kind == "blk_request"]
    assert statuses == [0, 0, 0, 0, 1, 0]
