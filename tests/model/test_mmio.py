"""Virtio over MMIO, version 2: the register map, QueueReady rules, InterruptStatus/ACK.

virtio-1.2 §4.2.2, §4.2.3; FACTS.md §7.
"""

from __future__ import annotations

import pytest

from tests.support.device_rig import MMIO, VERSION_1, MmioRig, make_mmio_rig
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import ISR_CONFIG, ISR_QUEUE
from virtio_viz.model.transport.mmio import MMIO_REGISTERS

BASE = 0x0A00_0000


def ready_rig() -> MmioRig:
    rig = make_mmio_rig()
    rig.bring_up()
    rig.log.take()
    return rig


def kick_one(rig: MmioRig, queue: int = 0) -> None:
    driver = rig.driver_queue(queue)
    driver.add_buffer([rig.buf(0, 3)], [rig.buf(1, 3, writable=True)])
    rig.write("QueueNotify", queue)


# -- the register map ------------------------------------------------------------------------------
def test_register_map_matches_the_spec() -> None:
    """FACTS.md §7: every version-2 register at its offset, with its direction."""
    assert {r.name: r.offset for r in MMIO_REGISTERS} == MMIO
    access = {r.name: r.access for r in MMIO_REGISTERS}
    assert access["MagicValue"] == access["QueueNumMax"] == access["InterruptStatus"] == "RO"
    assert access["QueueSel"] == access["QueueNotify"] == access["InterruptACK"] == "WO"
    assert access["QueueReady"] == access["Status"] == "RW"
    assert {r.width for r in MMIO_REGISTERS} == {4}


def test_identification_registers() -> None:
    rig = make_mmio_rig()
    assert rig.read("MagicValue") == 0x7472_6976  # "virt"
    assert rig.read("Version") == 2
    assert rig.read("DeviceID") == 4  # the echo device poses as an entropy device
    assert rig.read("VendorID") == 0x554D_4551  # "QEMU"
    event = rig.log.events[0]
    assert event.kind == "register_read" and event.values["register"] == "MagicValue"
    assert event.values["address"] == BASE and event.values["transport"] == "mmio"
    assert "virtio_mmio_read() in QEMU" in event.analog


def test_feature_words_through_the_selectors() -> None:
    rig = make_mmio_rig()
    rig.write("DeviceFeaturesSel", 1)
    assert rig.read("DeviceFeatures") == 0x105  # VERSION_1, RING_PACKED, RING_RESET
    rig.write("DeviceFeaturesSel", 0)
    assert rig.read("DeviceFeatures") == 0x3000_0000  # INDIRECT_DESC, EVENT_IDX
    rig.write("DeviceFeaturesSel", 2)
    assert rig.read("DeviceFeatures") == 0


def test_linux_init_sequence_over_mmio() -> None:
    """0 -> 1 -> 3 -> 11 (read back 11) -> 15."""
    rig = make_mmio_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    for queue in (0, 1):
        rig.program_queue(queue)
        rig.write("QueueReady", 1)
        assert rig.read("QueueReady") == 1
    rig.write("Status", 0xF)
    assert rig.read("Status") == 0xF
    statuses = [
        e.values["value"]
        for e in rig.log.events
        if e.kind == "register_write" and e.values["register"] == "Status"
    ]
    assert statuses == [0, 1, 3, 0xB, 0xF]
    assert rig.rules() == []


def test_refused_subset_over_mmio() -> None:
    """N10 / N3: FEATURES_OK does not stick; FAILED; only a reset starts over."""
    rig = make_mmio_rig(refuse_features=VERSION_1)
    assert rig.negotiate(VERSION_1) == 0x3
    rig.write("Status", 0x83)
    rig.write("Status", 0x87)
    assert rig.only_violation().rule == 3
    assert rig.read("Status") == 0x83
    rig.write("Status", 0)
    assert rig.read("Status") == 0


# -- accesses that do not exist --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("offset", "width", "why"),
    [
        (0x028, 4, "legacy"),  # GuestPageSize
        (0x03C, 4, "legacy"),  # QueueAlign
        (0x040, 4, "legacy"),  # QueuePFN
        (0x0C8, 4, "no register"),
        (0x018, 4, "no register"),
        (0x070, 2, "impossible"),  # control registers: 32-bit only
        (0x070, 1, "impossible"),
        (0x072, 4, "unaligned"),
        (0x108, 1, "outside"),  # the echo config space is 8 bytes
        (0x101, 2, "unaligned"),
    ],
)
def test_bad_accesses_raise_and_change_nothing(offset: int, width: int, why: str) -> None:
    rig = make_mmio_rig()
    rig.write("Status", 1)
    rig.log.take()
    with pytest.raises(ConfigError, match=why):
        rig.mmio.read(offset, width)
    with pytest.raises(ConfigError, match=why):
        rig.mmio.write(offset, width, 0)
    assert rig.log.events == []
    assert rig.device.device_status == 1


def test_write_only_reads_zero_and_read_only_ignores_writes() -> None:
    rig = make_mmio_rig()
    rig.write("QueueSel", 1)
    assert rig.read("QueueSel") == 0
    assert rig.log.events[-1].summary.endswith("write-only register: reads 0")
    rig.write("MagicValue", 0)
    assert rig.read("MagicValue") == 0x7472_6976


def test_device_config_at_0x100() -> None:
    rig = make_mmio_rig()
    rig.backend.mode = 0x0403_0201
    assert [rig.mmio.read(0x100 + i, 1) for i in range(4)] == [1, 2, 3, 4]
    assert rig.mmio.read(0x100, 2) == 0x0201
    assert rig.mmio.read(0x100, 4) == 0x0403_0201
    event = rig.log.events[-1]
    assert event.values["region"] == "config" and event.values["offset"] == 0
    assert event.values["address"] == BASE + 0x100


def test_shared_memory_regions_do_not_exist() -> None:
    rig = make_mmio_rig()
    rig.write("SHMSel", 0)
    assert rig.read("SHMLenLow") == rig.read("SHMLenHigh") == 0xFFFF_FFFF
    assert rig.read("SHMBaseLow") == rig.read("SHMBaseHigh") == 0xFFFF_FFFF


# -- queues ----------------------------------------------------------------------------------------
def test_queue_num_max_is_zero_for_a_missing_queue() -> None:
    rig = make_mmio_rig()
    rig.write("QueueSel", 0)
    assert rig.read("QueueNumMax") == 8
    rig.write("QueueSel", 2)
    assert rig.read("QueueNumMax") == 0


def test_queue_num_above_queue_num_max_is_n112() -> None:
    """N112: QueueNum must not exceed QueueNumMax; the device keeps the old value."""
    rig = make_mmio_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("QueueSel", 0)
    rig.write("QueueNum", 4)
    rig.write("QueueNum", 16)
    assert rig.only_violation().rule == 112
    config = rig.device.queues.config(0)
    assert config is not None and config.size == 4


def test_queue_num_that_no_ring_can_have_raises() -> None:
    rig = make_mmio_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("QueueSel", 0)
    for size in (0, 3):
        with pytest.raises(ConfigError):
            rig.write("QueueNum", size)


def test_touching_a_ready_queue_is_n113() -> None:
    """N113: no QueueNum or address writes while QueueReady is 1; the ring stays as it was."""
    rig = ready_rig()
    rig.write("QueueSel", 0)
    rig.write("QueueNum", 4)
    rig.write("QueueDescLow", 0x1234_0000)
    assert rig.rules() == [113, 113]
    config = rig.device.queues.config(0)
    assert config is not None
    assert (config.size, config.desc_addr) == (8, rig.split_layout(0).desc_addr)


def test_queue_ready_zero_stops_the_queue() -> None:
    """§4.2.3.2: QueueReady 0 is how MMIO stops a queue; then it may be reprogrammed."""
    rig = ready_rig()
    ring = rig.device.live_queue(0)
    assert ring is not None
    rig.write("QueueSel", 0)
    rig.write("QueueReady", 0)
    assert rig.read("QueueReady") == 0
    assert ring.stale and rig.device.live_queue(0) is None
    assert "queue_disabled" in rig.kinds()
    rig.program_queue(0, size=4)
    rig.write("QueueReady", 1)
    assert rig.rules() == []
    assert rig.device.live_queue(0) is not None


def test_queue_notify_kicks_the_named_queue() -> None:
    rig = ready_rig()
    kick_one(rig, 1)
    assert rig.backend.handled == [1]
    write = next(e for e in rig.log.events if e.kind == "register_write")
    assert write.values["register"] == "QueueNotify" and write.plane == "notification"


# -- interrupts ------------------------------------------------------------------------------------
def test_interrupt_status_stays_until_acknowledged() -> None:
    """N109 / N114: InterruptStatus keeps its bits until the driver writes InterruptACK."""
    rig = ready_rig()
    kick_one(rig)
    assert rig.read("InterruptStatus") == ISR_QUEUE
    assert rig.read("InterruptStatus") == ISR_QUEUE  # reading does not clear
    rig.device.config_changed("test")
    assert rig.read("InterruptStatus") == ISR_QUEUE | ISR_CONFIG
    rig.write("InterruptACK", ISR_QUEUE)
    assert rig.read("InterruptStatus") == ISR_CONFIG
    rig.write("InterruptACK", ISR_CONFIG)
    assert rig.read("InterruptStatus") == 0
    interrupt = next(e for e in rig.log.events if e.kind == "interrupt")
    assert interrupt.values["line"] == "the virtio-mmio interrupt line"


def test_needs_reset_over_mmio() -> None:
    """N5: DEVICE_NEEDS_RESET, then a configuration change notification."""
    rig = ready_rig()
    rig.device.needs_reset("backend gone")
    assert rig.read("Status") == 0x4F
    assert rig.read("InterruptStatus") == ISR_CONFIG


def test_reset_clears_interrupt_status_and_queue_ready() -> None:
    """N110: on reset InterruptStatus is 0 and no queue is ready."""
    rig = ready_rig()
    kick_one(rig)
    rig.write("Status", 0)
    assert rig.read("Status") == 0
    assert rig.read("InterruptStatus") == 0
    for queue in (0, 1):
        rig.write("QueueSel", queue)
        assert rig.read("QueueReady") == 0


def test_a_kick_before_driver_ok_is_n19() -> None:
    rig = make_mmio_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.program_queue(0)
    rig.write("QueueReady", 1)
    rig.log.take()
    kick_one(rig)
    assert rig.only_violation().rule == 19
    assert rig.backend.handled == []
