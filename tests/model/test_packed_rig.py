"""A driver and a device sharing one packed ring in guest memory, for the packed tests.

The rig lays the ring out at fixed guest-physical addresses so the tests can name exact
bytes at exact offsets. The few tests here check the rig itself: a fresh ring is zeroed
and both sides start at slot 0 with their wrap counters at 1 (virtio-1.2 §2.8.1).
"""

from __future__ import annotations

import pytest

from tests.support.packed_rig import DESC, DEVICE_EVENT, DRIVER_EVENT, RAM, make_rig
from virtio_viz.model.errors import MemoryFault
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.packed.device import PackedDeviceQueue
from virtio_viz.model.packed.driver import PackedDriverQueue
from virtio_viz.model.packed.layout import PackedLayout
from virtio_viz.model.virtqueue import DeviceQueue, DriverQueue


def test_both_sides_start_at_slot_0_with_wrap_counters_at_1() -> None:
    rig = make_rig()
    driver: DriverQueue = rig.driver  # both satisfy the shared protocols
    device: DeviceQueue = rig.device
    assert driver.free_count == 5
    assert (rig.driver.next_avail, rig.driver.avail_wrap_counter) == (0, 1)
    assert (rig.driver.next_used, rig.driver.used_wrap_counter) == (0, 1)
    assert (rig.device.next_avail, rig.device.avail_wrap_counter) == (0, 1)
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (0, 1)
    assert device.has_available() is False
    assert rig.take() == []


def test_zero_ring_clears_all_three_areas_and_says_so() -> None:
    rig = make_rig()
    rig.memory.fill(DESC, 0x900, 0xAA)
    rig.memory.drain_journal()
    rig.driver.zero_ring()
    assert rig.memory.peek(DESC, 5 * 16) == bytes(80)
    assert rig.memory.peek(DRIVER_EVENT, 4) == bytes(4)
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes(4)
    [event] = rig.take()
    assert event.kind == "desc_ring_init"
    assert event.writes == (
        MemRange(DESC, 80),
        MemRange(DRIVER_EVENT, 4),
        MemRange(DEVICE_EVENT, 4),
    )


def test_queues_refuse_a_layout_that_memory_does_not_back() -> None:
    memory = GuestMemory.with_regions([("ram", RAM, 0x100)])
    log = EventLog(memory)
    layout = PackedLayout(8, RAM, RAM + 0x80, RAM + 0x100)  # device area one past the end
    with pytest.raises(MemoryFault):
        PackedDriverQueue(memory, log, layout, queue_index=0, event_idx=False)
    with pytest.raises(MemoryFault):
        PackedDeviceQueue(memory, log, layout, queue_index=0, event_idx=False)
    assert log.events == []
