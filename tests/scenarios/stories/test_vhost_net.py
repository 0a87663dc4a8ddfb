"""vhost-net: QEMU sets the kernel's data plane up with ioctls, then leaves the data path."""

from __future__ import annotations

import struct

from tests.scenarios.stories.helpers import as_int, chapter_frames
from virtio_viz.model.vhost import kernel
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import Frame

STORY = story("vhost-net")
TOLD = Timeline(STORY)


def _ioctls(frames: list[Frame]) -> list[Frame]:
    return [f for f in frames if f.event.kind == "vhost_ioctl"]


def test_the_chapters_come_in_the_order_qemu_does_things() -> None:
    assert [c.id for c in TOLD.chapters] == [
        "backend-open", "discovery", "handshake", "features", "queues", "backend-setup",
        "rx-refill", "transmit", "receive", "suppression", "fault", "teardown",
    ]  # fmt: skip
    assert TOLD.stopped is None


def test_qemu_opens_vhost_net_before_the_guest_runs() -> None:
    calls = _ioctls(chapter_frames(TOLD, "backend-open"))
    assert [(f.event.values["ioctl"], f.event.values["number"]) for f in calls] == [
        ("VHOST_SET_OWNER", 0xAF01),
        ("VHOST_GET_FEATURES", 0x8008AF00),
    ]


def test_at_driver_ok_each_ioctl_carries_its_real_number_and_argument_bytes() -> None:
    """The numbers are asm-generic/ioctl.h's, as FACTS.md §11 lists them."""
    calls = _ioctls(chapter_frames(TOLD, "backend-setup"))
    names = [f.event.values["ioctl"] for f in calls]
    ring = ["VHOST_SET_VRING_NUM", "VHOST_SET_VRING_BASE", "VHOST_SET_VRING_ADDR",
            "VHOST_SET_VRING_KICK", "VHOST_SET_VRING_CALL"]  # fmt: skip
    assert names == ["VHOST_SET_FEATURES", "VHOST_SET_MEM_TABLE", *ring, *ring,
                     "VHOST_NET_SET_BACKEND", "VHOST_NET_SET_BACKEND"]  # fmt: skip
    numbers = {f.event.values["ioctl"]: f.event.values["number"] for f in calls}
    assert numbers["VHOST_SET_MEM_TABLE"] == 0x4008AF03
    assert numbers["VHOST_SET_VRING_NUM"] == 0x4008AF10
    assert numbers["VHOST_SET_VRING_ADDR"] == 0x4028AF11
    assert numbers["VHOST_SET_VRING_BASE"] == 0x4008AF12
    assert numbers["VHOST_SET_VRING_KICK"] == 0x4008AF20
    assert numbers["VHOST_SET_VRING_CALL"] == 0x4008AF21
    assert numbers["VHOST_NET_SET_BACKEND"] == 0x4008AF30
    for frame in calls:
        assert frame.event.actor == "device-model"
        assert frame.box == "device-model" and frame.route == "setup"
        assert frame.hops == ("vhost-ioctls",)


def test_the_ring_ioctls_describe_the_rings_the_driver_programmed() -> None:
    calls = _ioctls(chapter_frames(TOLD, "backend-setup"))
    num = next(f for f in calls if f.event.values["ioctl"] == "VHOST_SET_VRING_NUM")
    assert bytes.fromhex(str(num.event.values["argument"])) == struct.pack("<II", 0, 16)
    addr = next(f for f in calls if f.event.values["ioctl"] == "VHOST_SET_VRING_ADDR")
    index, flags, desc, used, avail, log = struct.unpack(
        "<IIQQQQ", bytes.fromhex(str(addr.event.values["argument"]))
    )
    areas = {a["name"]: a["addr"] for a in TOLD.snapshot(addr.index).state["queues"][0]["areas"]}
    assert (index, flags, log) == (0, 0, 0)
    # QEMU passes its own virtual addresses: guest-physical + where QEMU mapped guest RAM
    qemu_base = 0x7F3A_0000_0000
    assert (desc, avail, used) == (
        qemu_base + areas["desc"],
        qemu_base + areas["avail"],
        qemu_base + areas["used"],
    )
    tap = [f for f in calls if f.event.values["ioctl"] == "VHOST_NET_SET_BACKEND"]
    assert [bytes.fromhex(str(f.event.values["argument"])) for f in tap] == [
        struct.pack("<Ii", 0, 25),
        struct.pack("<Ii", 1, 25),
    ]


def test_the_memory_table_argument_is_the_exact_struct_vhost_memory() -> None:
    table = next(
        f for f in _ioctls(TOLD.frames[:]) if f.event.values["ioctl"] == "VHOST_SET_MEM_TABLE"
    )
    data = bytes.fromhex(str(table.event.values["argument"]))
    assert struct.unpack_from("<II", data) == (1, 0)
    assert struct.unpack_from("<QQQQ", data, 8) == (0x0200_0000, 0x40_0000, 0x7F3A_0200_0000, 0)
    assert TOLD.snapshot(table.index).state["extras"]["memtable"] == [
        {"guest_phys": 0x0200_0000, "user_addr": 0x7F3A_0200_0000, "mmap_offset": 0,
         "size": 0x40_0000, "backend_addr": 0x7F3A_0200_0000}
    ]  # fmt: skip  # vhost-net works in QEMU's address space
    assert TOLD.snapshot(table.index - 1).state["extras"]["memtable"] == []


def test_after_setup_qemu_never_appears_on_the_data_path() -> None:
    setup_done = max(f.index for f in chapter_frames(TOLD, "backend-setup"))
    fault_starts = min(f.index for f in chapter_frames(TOLD, "fault"))
    data = [f for f in TOLD.frames[setup_done + 1 : fault_starts] if f.event.actor != "driver"]
    assert data, "the data chapters record device events"
    assert {f.box for f in data} == {"vhost-net"}


def test_kicks_reach_vhost_through_the_ioeventfd_and_interrupts_leave_through_irqfd() -> None:
    frames = chapter_frames(TOLD, "transmit")
    kick = next(f for f in frames if f.route == "kick")
    assert kick.hops == ("notify-exit", "ioeventfd")
    assert "ioeventfd" in kick.event.analog
    woken = next(f for f in frames if f.event.kind == "queue_notify")
    assert woken.box == "vhost-net" and "handle_tx_kick()" in woken.event.analog
    irq = next(f for f in frames if f.event.kind == "interrupt")
    assert irq.box == "vhost-net" and irq.hops == ("irqfd", "vcpu-irq")
    assert "vhost_signal()" in irq.event.analog
    pop = next(f for f in frames if f.event.kind == "chain_pop")
    assert pop.event.analog == "vhost_get_vq_desc() in vhost"


def test_the_worker_translates_the_transmitted_buffer_through_the_memory_table() -> None:
    frames = chapter_frames(TOLD, "transmit")
    lookup = next(f for f in frames if f.event.kind == "gpa_translate")
    values = lookup.event.values
    assert lookup.box == "vhost-net"
    assert values["backend_addr"] == 0x7F3A_0000_0000 + as_int(values["gpa"])
    sent = next(f for f in frames if f.event.kind == "net_tx_frame")
    assert lookup.index < sent.index


def test_a_reset_stops_vhost_before_the_device_forgets_its_rings() -> None:
    frames = chapter_frames(TOLD, "fault")
    kinds = [f.event.kind for f in frames]
    first_reset = kinds.index("status_reset")
    stop = [f.event.values["ioctl"] for f in frames[first_reset + 1 : first_reset + 5]]
    assert stop == ["VHOST_NET_SET_BACKEND", "VHOST_NET_SET_BACKEND", "VHOST_GET_VRING_BASE",
                    "VHOST_GET_VRING_BASE"]  # fmt: skip
    assert kinds[first_reset + 5] == "device_reset"
    detach = frames[first_reset + 1]
    assert bytes.fromhex(str(detach.event.values["argument"])) == struct.pack("<Ii", 0, -1)
    base = frames[first_reset + 3]
    assert base.event.values["number"] == 0xC008AF12
    assert base.event.values["result"] == 3  # three receive buffers were used before
    restarted = [f.event.values.get("ioctl") for f in frames if f.event.kind == "vhost_ioctl"]
    assert restarted.count("VHOST_SET_MEM_TABLE") == 1


def test_the_config_interrupt_of_the_fault_is_qemus_not_vhosts() -> None:
    frames = chapter_frames(TOLD, "fault")
    config = next(f for f in frames if f.event.kind == "interrupt")
    assert config.event.queue is None and config.box == "device-model"


def test_packed_rings_are_not_offered_because_vhost_net_cannot_serve_them() -> None:
    timeline = Timeline(STORY, StoryOptions(ring="packed"))
    get = next(f for f in timeline.frames if f.event.values.get("ioctl") == "VHOST_GET_FEATURES")
    assert not as_int(get.event.values["result"]) >> 34 & 1
    assert "RING_PACKED" in get.narration
    features = timeline.snapshot(len(timeline) - 1).state["features"]
    assert not int(features["offered"], 16) >> 34 & 1
    assert not int(features["negotiated"], 16) >> 34 & 1
    assert timeline.stopped is None


def test_get_features_reads_a_zeroed_u64_the_kernel_fills() -> None:
    call = kernel.reading("VHOST_GET_FEATURES")
    frame = next(f for f in TOLD.frames if f.event.values.get("ioctl") == "VHOST_GET_FEATURES")
    assert frame.event.values["argument"] == call.argument.hex() == "00" * 8
