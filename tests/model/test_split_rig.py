"""The split-ring test rig (tests/support/split_rig.py) is what the other tests assume."""

from __future__ import annotations

from tests.support.split_rig import DATA_BASE, OUTSIDE, TABLE_BASE, make_rig
from virtio_viz.model.virtqueue import DeviceQueue, DriverQueue


def test_the_rig_places_the_ring_at_the_start_of_ram() -> None:
    rig = make_rig(8)
    assert (rig.layout.desc_addr, rig.layout.avail_addr, rig.layout.used_addr) == (
        0x1000_0000,
        0x1000_0080,
        0x1000_0098,
    )
    assert rig.log.events == []


def test_the_rig_buffers_and_tables_do_not_overlap_the_ring() -> None:
    rig = make_rig(256)
    ring_end = rig.layout.used_addr + rig.layout.used_bytes
    assert ring_end <= DATA_BASE
    assert rig.buf(0x6F).addr + 0x1000 <= TABLE_BASE
    assert rig.memory.contains(rig.table(0x7FF), 0x100)
    assert not rig.memory.contains(OUTSIDE, 1)


def test_both_sides_satisfy_the_shared_protocols() -> None:
    rig = make_rig(4)
    driver: DriverQueue = rig.driver  # checked by mypy --strict
    device: DeviceQueue = rig.device
    assert (driver.queue_index, device.queue_index, driver.free_count) == (0, 0, 4)
