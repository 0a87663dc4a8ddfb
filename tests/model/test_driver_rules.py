"""Rules the model's driver and devices keep by construction, shown on whole machines."""

from __future__ import annotations

from virtio_viz import frames
from virtio_viz.model.devices.blk import VIRTIO_BLK_T_IN, BlkRequestHeader
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.features import bit
from virtio_viz.model.machine import MachineOptions, virtio_blk_machine, virtio_net_machine
from virtio_viz.model.memory import MemRange
from virtio_viz.model.spec import Status
from virtio_viz.model.split import SplitDriverQueue
from virtio_viz.model.virtqueue import Buffer


def test_n8_the_driver_sets_failed_when_version_1_is_not_offered() -> None:
    """N8 (§2.2.1): a feature the driver needs is missing: FAILED, and it stops."""
    offered = QEMU_NET_FEATURES & ~bit("VIRTIO_F_VERSION_1")
    machine = virtio_net_machine(MachineOptions(offered=offered))
    assert not machine.boot()
    assert machine.device.device_status & Status.FAILED
    assert not machine.device.device_status & Status.FEATURES_OK


def test_n13_optional_config_fields_are_read_only_when_offered() -> None:
    """N13 (§2.5.1): without VIRTIO_NET_F_MAC the driver leaves the mac field alone."""
    machine = virtio_net_machine(
        MachineOptions(offered=QEMU_NET_FEATURES & ~bit("VIRTIO_NET_F_MAC"))
    )
    assert machine.boot()
    config_reads = [
        e.values["offset"]
        for e in machine.log.events
        if e.kind == "register_read" and e.values["region"] == "device"
    ]
    assert config_reads == [6]  # only status (VIRTIO_NET_F_STATUS is offered)
    assert machine.net_driver.mac == b""


def test_n35_the_device_does_not_care_how_a_request_is_split_into_descriptors() -> None:
    """N35 (§2.7.4.1): a block header split over two descriptors still works."""
    machine = virtio_blk_machine(
        MachineOptions(offered=0x0000_0101_3000_6E54 & ~bit("VIRTIO_F_INDIRECT_DESC"))
    )
    assert machine.boot()
    machine.blk.disk[512:1024] = b"\xab" * 512
    header = BlkRequestHeader(VIRTIO_BLK_T_IN, sector=1).pack()
    base = machine.driver.alloc.allocate(1024, 512)
    machine.memory.write(base, header)
    queue = machine.driver.queues[0]
    out = [Buffer(base, 5), Buffer(base + 5, 11)]  # 5 + 11 bytes: an odd split
    queue.add_buffer(out, [Buffer(base + 512, 512, True), Buffer(base + 16, 1, True)])
    machine.ops.notify(0)
    assert machine.memory.peek(base + 512, 512) == b"\xab" * 512
    assert machine.memory.peek(base + 16, 1) == b"\x00"  # VIRTIO_BLK_S_OK


def _overlaps(ranges: tuple[MemRange, ...], start: int, end: int) -> bool:
    return any(r.addr < end and start < r.end for r in ranges)


def test_n37_n38_the_device_writes_neither_readable_buffers_nor_descriptors() -> None:
    """N37 / N38 (§2.7.5.1): every byte the device wrote lies in a writable buffer or in
    the used ring, never in the descriptor table or in a device-readable buffer."""
    machine = virtio_net_machine()
    assert machine.boot()
    request = frames.icmp_echo()
    machine.send(request)
    machine.arrive(frames.arp_reply())
    machine.service_interrupts()
    txq = machine.driver.queues[1]
    assert isinstance(txq, SplitDriverQueue)
    tables = [q.layout for q in machine.driver.queues.values() if isinstance(q, SplitDriverQueue)]
    device_writes = [r for e in machine.log.events if e.actor == "device" for r in e.writes]
    assert device_writes
    for layout in tables:
        desc_end = layout.desc_addr + layout.desc_bytes
        assert not _overlaps(tuple(device_writes), layout.desc_addr, desc_end)
    sent = next(e for e in machine.log.events if e.kind == "net_tx_frame")
    assert machine.net.outbox == [request]
    frame_read = [r for r in sent.reads if r.length == 12 + len(request)]
    assert frame_read  # the device gathered header + frame from the readable buffer
    for r in frame_read:
        assert not _overlaps(tuple(device_writes), r.addr, r.end)


def test_n66_a_spurious_kick_changes_nothing() -> None:
    """N66 (§2.7.10.2): a notification with nothing new is harmless."""
    machine = virtio_blk_machine()
    assert machine.boot()
    before = machine.memory.snapshot()
    machine.ops.notify(0)
    machine.ops.notify(0)
    assert machine.memory.snapshot() == before
    assert machine.log.violations() == []
    assert machine.device.device_status == 0xF
