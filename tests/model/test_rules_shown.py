"""Rules the model keeps by construction, each shown once (see docs/conformance.md)."""

from __future__ import annotations

import pytest

from tests.support import packed_rig, split_rig
from virtio_viz import frames
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.features import bit
from virtio_viz.model.machine import MachineOptions, virtio_net_machine
from virtio_viz.model.spec import Status
from virtio_viz.model.transport.pci_config import VIRTIO_PCI_CAP_NOTIFY_CFG


def test_n14_config_space_reads_work_before_features_ok() -> None:
    """N14 (§2.5.2): the driver may read device config during negotiation."""
    machine = virtio_net_machine()
    machine.ops.discover()
    machine.ops.reset()
    machine.ops.set_status(Status.ACKNOWLEDGE | Status.DRIVER)
    assert bytes(machine.ops.read_config(i, 1) for i in range(6)) == bytes.fromhex("525400123456")
    assert machine.log.violations() == []


def test_n25_the_driver_declines_sr_iov_even_when_offered() -> None:
    """N25 (§6.1): the modelled PCI function has no SR-IOV capability."""
    sr_iov = bit("VIRTIO_F_SR_IOV")
    machine = virtio_net_machine(MachineOptions(offered=QEMU_NET_FEATURES | sr_iov))
    assert machine.boot()
    assert not machine.driver.negotiated & sr_iov
    assert [v.rule for v in machine.log.violations()] == [28]  # the device's offer is wrong


def test_n58_the_driver_reads_only_used_len_bytes_of_a_receive_buffer() -> None:
    """N58 (§2.7.8.3): nothing beyond `len` of a writable buffer is trusted (or read)."""
    machine = virtio_net_machine()
    assert machine.boot()
    machine.arrive(frames.arp_reply())
    machine.log.take()
    machine.service_interrupts()
    buffer_reads = [r.length for e in machine.log.events if e.actor == "driver" for r in e.reads]
    assert 12 + len(frames.arp_reply()) in buffer_reads
    assert 1536 not in buffer_reads


def test_n60_without_event_idx_the_driver_ignores_avail_event() -> None:
    """N60 (§2.7.10.1): only used.flags decides a kick when EVENT_IDX is off."""
    rig = split_rig.make_rig(8, event_idx=False)
    rig.device.set_avail_event(5)  # a value that would suppress the kick if it counted
    rig.driver.add_buffer([rig.buf(0)], [])
    assert rig.driver.kick_prepare()


def test_n70_n84_the_device_takes_buffers_and_their_descriptors_in_ring_order() -> None:
    """N70 (§2.8.12) and N84 (§2.8.18)."""
    rig = packed_rig.make_rig(5)
    ids = [rig.driver.add_buffer([packed_rig.out(n), packed_rig.out(n + 1)], []) for n in (0, 2)]
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    assert [first.id, second.id] == ids
    assert [b.addr for b in first.buffers] == [packed_rig.out(0).addr, packed_rig.out(1).addr]


def test_n71_n74_used_descriptors_follow_completion_order_and_stay_put() -> None:
    """N71 (§2.8.12): B completes first, so B's used descriptor comes first; N74
    (§2.8.15): the device never rewrites a descriptor it already marked used."""
    rig = packed_rig.make_rig(5)
    a = rig.driver.add_buffer([], [packed_rig.inn(0)])
    b = rig.driver.add_buffer([], [packed_rig.inn(1)])
    chain_a, chain_b = rig.device.pop(), rig.device.pop()
    assert chain_a is not None and chain_b is not None
    rig.device.push(chain_b, 8)
    slot0 = rig.slot(0)
    assert int.from_bytes(slot0[12:14], "little") == b
    rig.device.push(chain_a, 4)
    assert rig.slot(0) == slot0
    assert int.from_bytes(rig.slot(1)[12:14], "little") == a


def test_n72_the_packed_device_leaves_readable_buffers_alone() -> None:
    """N72 (§2.8.15)."""
    rig = packed_rig.make_rig(5)
    rig.memory.write(packed_rig.out(0).addr, b"readable" * 8)
    rig.driver.add_buffer([packed_rig.out(0)], [packed_rig.inn(1)])
    chain = rig.device.pop()
    assert chain is not None
    chain.write_all(rig.memory, b"x" * 200)
    rig.device.push(chain, 0x80)
    assert rig.memory.peek(packed_rig.out(0).addr, 64) == b"readable" * 8


def test_n75_n81_the_driver_reuses_slots_only_after_the_whole_list_came_back() -> None:
    """N75 (§2.8.16) and N81 (§2.8.17): one used descriptor returns a 3-slot list."""
    rig = packed_rig.make_rig(5)
    rig.driver.add_buffer([packed_rig.out(0), packed_rig.out(1)], [packed_rig.inn(2)])
    assert rig.driver.free_count == 2
    with pytest.raises(ConfigError):  # 3 more slots are not free yet
        rig.driver.add_buffer([packed_rig.out(3), packed_rig.out(4), packed_rig.out(5)], [])
    chain = rig.device.pop()
    assert chain is not None and chain.desc_count == 3
    rig.device.push(chain, 16)
    assert rig.driver.get_used() is not None
    assert rig.driver.free_count == 5


def test_n78_a_list_longer_than_the_device_allows_is_refused() -> None:
    """N78 / N79 (§2.8.17): the device's limit is the queue size."""
    rig = packed_rig.make_rig(4)
    with pytest.raises(ConfigError):
        rig.driver.add_buffer([packed_rig.out(n) for n in range(5)], [])
    assert rig.driver.free_count == 4


def test_n94_after_writing_0_the_driver_reads_status_until_it_is_0() -> None:
    """N94 (§4.1.4.3.2)."""
    machine = virtio_net_machine()
    machine.ops.discover()
    machine.log.take()
    machine.ops.reset()
    accesses = [
        (e.kind, e.values["register"], e.values["value"])
        for e in machine.log.events
        if e.kind.startswith("register_")
    ]
    assert "device_reset" in [e.kind for e in machine.log.events]
    assert accesses == [
        ("register_write", "device_status", 0),
        ("register_read", "device_status", 0),
    ]


def test_n97_the_pci_device_presents_a_notification_capability() -> None:
    """N97 (§4.1.4.4.1)."""
    machine = virtio_net_machine()
    assert machine.boot()
    assert any(c.cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG for c in machine.transport.capabilities())  # type: ignore[union-attr]


def test_n108_one_mmio_interrupt_carries_config_and_queue_events() -> None:
    """N108 (§4.1.5.4.2): the handler acknowledges both causes of a shared interrupt."""
    machine = virtio_net_machine(MachineOptions(transport="mmio"))
    assert machine.boot()
    machine.device.config_changed("link went down")
    machine.arrive(frames.arp_reply())
    machine.log.take()
    machine.service_interrupts()
    acks = [e.values["value"] for e in machine.log.events
            if e.kind == "register_write" and e.values["register"] == "InterruptACK"]  # fmt: skip
    assert acks == [0b11]
    assert machine.net_driver.received == [frames.arp_reply()]


def test_n111_a_kick_for_a_queue_that_is_not_ready_touches_no_ring() -> None:
    """N111 (§4.2.2.1)."""
    machine = virtio_net_machine(MachineOptions(transport="mmio"))
    assert machine.boot()
    machine.log.take()
    machine.ops.notify(5)  # no such queue is ready
    assert all(not e.reads and not e.writes for e in machine.log.events)
    assert "queue_notify_ignored" in [e.kind for e in machine.log.events]
