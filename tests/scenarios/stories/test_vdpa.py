"""vdpa: QEMU programs the card over vhost-vdpa, the card's DMA goes through the IOMMU,
and a buffer in RAM the IOMMU does not map is blocked."""

from __future__ import annotations

import struct

import pytest

from tests.scenarios.stories.helpers import chapter_frames
from virtio_viz.model.iommu import IommuDomain, Perm
from virtio_viz.model.virtqueue import Buffer, Chain
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.scenarios.stories.vdpa_card import (
    HIGH_RAM_BASE,
    HOST_PHYSICAL_PAGES,
    QEMU_RAM_VA,
    CardDma,
    guest_ram_pages,
)
from virtio_viz.scenarios.stories.vdpa_world import VdpaWorld
from virtio_viz.scenarios.story import ActionError, UserAction
from virtio_viz.timeline import Frame, PlacedAction, Timeline

TIMELINE = Timeline(story("vdpa"))
FRAMES = list(TIMELINE.frames)


def _ioctls(frames: list[Frame]) -> list[tuple[str, int]]:
    return [(str(f.event.values["request"]), int(str(f.event.values["number"])))
            for f in frames if f.event.kind == "vhost_ioctl"]  # fmt: skip


def test_the_story_tells_setup_data_fault_and_teardown_in_order() -> None:
    assert TIMELINE.stopped is None
    assert [c.id for c in TIMELINE.chapters] == [
        "vdpa-open", "discovery", "handshake", "features", "queues", "card-start",
        "rx-refill", "transmit", "receive", "suppression", "iommu-fault", "teardown",
    ]  # fmt: skip


def test_qemu_opens_the_card_with_the_real_ioctl_numbers() -> None:
    assert _ioctls(chapter_frames(TIMELINE, "vdpa-open")) == [
        ("VHOST_SET_OWNER", 0xAF01),
        ("VHOST_VDPA_GET_DEVICE_ID", 0x8004AF70),
        ("VHOST_GET_FEATURES", 0x8008AF00),
        ("VHOST_GET_BACKEND_FEATURES", 0x8008AF26),
        ("VHOST_SET_BACKEND_FEATURES", 0x4008AF25),
        ("VHOST_VDPA_GET_IOVA_RANGE", 0x8010AF78),
        ("VHOST_VDPA_GET_STATUS", 0x8001AF71),
        ("VHOST_VDPA_SET_STATUS", 0x4001AF72),
    ]
    for frame in chapter_frames(TIMELINE, "vdpa-open"):
        assert frame.box == "device-model"
        assert frame.hops == ("vdpa-setup", "dev-ctl")


def test_the_card_gets_the_guest_features_plus_access_platform() -> None:
    start = chapter_frames(TIMELINE, "card-start")
    set_features = next(f for f in start if f.event.values.get("request") == "VHOST_SET_FEATURES")
    (features,) = struct.unpack("<Q", bytes.fromhex(str(set_features.event.values["argument"])))
    assert features >> 33 & 1  # VIRTIO_F_ACCESS_PLATFORM
    guest = next(f for f in start if f.event.kind == "status_set")
    assert guest.index < set_features.index  # the guest's DRIVER_OK comes first


def test_set_vring_addr_carries_the_guest_physical_ring_addresses_as_iovas() -> None:
    start = chapter_frames(TIMELINE, "card-start")
    addr = next(f for f in start if f.event.values.get("request") == "VHOST_SET_VRING_ADDR")
    assert addr.event.values["number"] == 0x4028AF11
    raw = bytes.fromhex(str(addr.event.values["argument"]))
    index, flags, desc, used, avail, log = struct.unpack("<IIQQQQ", raw)
    state = TIMELINE.snapshot(addr.index).state
    ring0 = state["queues"][0]
    assert (index, flags, log) == (0, 0, 0)
    assert desc == 0x0200_0000 and avail == 0x0200_0100 and used == 0x0200_0140
    assert ring0["index"] == 0


def test_guest_ram_is_mapped_by_an_iotlb_update_and_two_iommu_mappings() -> None:
    start = chapter_frames(TIMELINE, "card-start")
    update = next(f for f in start if f.event.values.get("msg_type") == "VHOST_IOTLB_UPDATE")
    data = bytes.fromhex(str(update.event.values["bytes"]))
    assert len(data) == 72  # struct vhost_msg_v2
    assert struct.unpack_from("<II", data) == (2, 0)  # VHOST_IOTLB_MSG_V2, asid 0
    iova, size, uaddr, perm, kind = struct.unpack_from("<QQQBB", data, 8)
    assert (iova, size, uaddr, perm, kind) == (0x0200_0000, 0x40_0000, QEMU_RAM_VA, 3, 2)
    assert update.route == "map" and update.hops == ("vdpa-setup", "iommu-map")
    maps = [f for f in start if f.event.kind == "iommu_map"]
    assert [(f.event.values["iova"], f.event.values["hpa"]) for f in maps] == [
        (0x0200_0000, HOST_PHYSICAL_PAGES[0]),
        (0x0220_0000, HOST_PHYSICAL_PAGES[1]),
    ]
    extras = TIMELINE.snapshot(maps[-1].index).state["extras"]
    assert extras["iommu"] == [
        {"iova": 0x0200_0000, "hpa": HOST_PHYSICAL_PAGES[0], "size": 0x20_0000,
         "perm": "read|write"},
        {"iova": 0x0220_0000, "hpa": HOST_PHYSICAL_PAGES[1], "size": 0x20_0000,
         "perm": "read|write"},
    ]  # fmt: skip


def test_kicks_ring_the_doorbell_and_interrupts_are_msis_qemu_stays_off_the_data_path() -> None:
    data = chapter_frames(TIMELINE, "transmit") + chapter_frames(TIMELINE, "receive")
    kicks = [f for f in data if f.event.kind == "register_write" and f.route == "kick"]
    assert kicks and all(f.hops == ("doorbell",) for f in kicks)
    irqs = [f for f in data if f.event.kind == "interrupt"]
    assert irqs and all(f.hops == ("msi", "vcpu-irq") for f in irqs)
    assert all(f.box != "device-model" for f in data)


def test_the_transmit_buffer_is_translated_before_the_card_reads_it() -> None:
    tx = chapter_frames(TIMELINE, "transmit")
    desc = next(f for f in tx if f.event.kind == "desc_read")
    translate = next(f for f in tx if f.event.kind == "iommu_translate")
    sent = next(f for f in tx if f.event.kind == "net_tx_frame")
    assert desc.index < translate.index < sent.index
    iova = int(str(translate.event.values["iova"]))
    assert iova == desc.event.values["addr"]  # the descriptor's address is the IOVA
    assert translate.event.values["hpa"] == HOST_PHYSICAL_PAGES[0] + iova - 0x0200_0000
    assert translate.box == "iommu" and translate.hops == ("dma-dev", "dma-mem")


def test_an_unmapped_iova_faults_and_nothing_is_read() -> None:
    fault_frames = chapter_frames(TIMELINE, "iommu-fault")
    kinds = [f.event.kind for f in fault_frames]
    fault = fault_frames[kinds.index("iommu_fault")]
    assert fault.event.values["iova"] == HIGH_RAM_BASE == 0x1_0000_0000
    assert fault.event.values["reason"] == "unmapped"
    assert fault.event.reads == () and fault.event.writes == ()
    after = kinds[kinds.index("iommu_fault") + 1 :]
    assert after[:3] == ["vdpa_dma_error", "device_needs_reset", "interrupt"]
    assert "net_tx_frame" not in kinds[: kinds.index("device_needs_reset")]
    needs = fault_frames[kinds.index("device_needs_reset")]
    assert TIMELINE.snapshot(needs.index).state["status"]["value"] & 0x40


def test_the_guest_reset_stops_the_card_and_unmaps_guest_ram() -> None:
    down = chapter_frames(TIMELINE, "teardown")
    ioctls = _ioctls(down)
    assert ioctls[0] == ("VHOST_VDPA_SET_STATUS", 0x4001AF72)
    assert any(f.event.kind == "iommu_unmap" for f in down)
    assert TIMELINE.snapshot(len(TIMELINE) - 1).state["extras"]["iommu"] == []


def test_the_reader_cannot_act_while_qemu_starts_the_card() -> None:
    start = next(c for c in TIMELINE.chapters if c.id == "card-start")
    frames = chapter_frames(TIMELINE, "card-start")
    driver_ok = next(f.index for f in frames if f.event.kind == "status_set")
    assert start.first_step <= driver_ok
    with pytest.raises(ActionError):
        TIMELINE.fork(driver_ok, UserAction("send_frame", {"frame": "icmp_echo"}))


def test_a_readers_frame_after_setup_goes_through_the_iommu() -> None:
    at = chapter_frames(TIMELINE, "rx-refill")[-1].index
    forked = TIMELINE.fork(at, UserAction("send_frame", {"frame": "icmp_echo"}))
    action = next(c for c in forked.chapters if c.id == "action-0")
    frames = list(forked.frames)[action.first_step : action.first_step + action.step_count]
    assert any(f.event.kind == "iommu_translate" for f in frames)


@pytest.mark.parametrize("ring", ["split", "packed"])
def test_packed_and_split_both_reach_the_fault(ring: str) -> None:
    timeline = Timeline(story("vdpa"), StoryOptions(ring=ring))  # type: ignore[arg-type]
    kinds = [f.event.kind for f in timeline.frames]
    assert kinds.count("iommu_fault") == 1 and timeline.stopped is None


def test_a_buffer_across_two_mappings_is_translated_piece_by_piece() -> None:
    world = VdpaWorld(StoryOptions())
    domain = IommuDomain(world.log, device="card")
    for page in guest_ram_pages():
        domain.map(page.gpa, page.hpa, page.size, Perm.READ | Perm.WRITE)
    dma = CardDma(domain, guest_ram_pages())
    chain = Chain(3, (Buffer(0x021F_FF00, 0x200, writable=True),), 1)
    reached = dma.follow(chain, queue=0)
    assert reached == Chain(
        3, (Buffer(0x021F_FF00, 0x100, True), Buffer(0x0220_0000, 0x100, True)), 1
    )


def test_permission_faults_block_writes_into_read_only_mappings() -> None:
    world = VdpaWorld(StoryOptions())
    domain = IommuDomain(world.log, device="card")
    page = guest_ram_pages()[0]
    domain.map(page.gpa, page.hpa, page.size, Perm.READ)
    dma = CardDma(domain, guest_ram_pages())
    seen: list[str] = []
    dma.on_fault = lambda fault, queue: seen.append(fault.reason)
    assert dma.follow(Chain(0, (Buffer(page.gpa, 16, writable=True),), 1), queue=0) is None
    assert seen == ["permission"]


def test_placed_actions_still_run_after_the_card_started() -> None:
    at = chapter_frames(TIMELINE, "transmit")[-1].index
    timeline = Timeline(story("vdpa"), actions=[PlacedAction(at, UserAction("receive_frame", {}))])
    assert any(c.id == "action-0" for c in timeline.chapters)
