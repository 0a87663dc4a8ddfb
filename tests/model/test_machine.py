"""Whole-machine scenarios: the Linux-like driver and a device, over PCI, MMIO and channel I/O,
with split and packed rings, through nothing but registers, memory and interrupts."""

from __future__ import annotations

import hashlib

import pytest

from virtio_viz import frames
from virtio_viz.model.devices.blk import (
    VIRTIO_BLK_S_OK,
    VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    VIRTIO_BLK_T_OUT,
)
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.events import Event
from virtio_viz.model.features import bit
from virtio_viz.model.machine import (
    MachineOptions,
    NetMachine,
    TransportKind,
    virtio_blk_machine,
    virtio_net_machine,
)
from virtio_viz.model.spec import Status
from virtio_viz.model.split import SplitDriverQueue

PACKED = bit("VIRTIO_F_RING_PACKED")
TRANSPORTS: list[TransportKind] = ["pci", "mmio", "ccw"]


def ping(machine: NetMachine, seq: int = 1) -> bytes:
    """The guest pings the gateway and the reply comes back; return the reply it got."""
    request = frames.icmp_echo(seq=seq)
    machine.send(request)
    assert machine.net.outbox[-1] == request
    machine.service_interrupts()
    reply = frames.icmp_echo(reply=True, seq=seq, src_mac=frames.GATEWAY_MAC,
                             dst_mac=frames.GUEST_MAC, src_ip=frames.GATEWAY_IP,
                             dst_ip=frames.GUEST_IP)  # fmt: skip
    assert machine.arrive(reply)
    machine.service_interrupts()
    return machine.net_driver.received[-1]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("packed", [False, True])
def test_ping_round_trip(transport: TransportKind, packed: bool) -> None:
    offered = QEMU_NET_FEATURES | (PACKED if packed else 0)
    machine = virtio_net_machine(MachineOptions(transport=transport, offered=offered))
    assert machine.boot()
    assert bool(machine.driver.negotiated & PACKED) is packed
    for seq in range(1, 4):
        reply = ping(machine, seq)
        assert reply[34] == 0 and int.from_bytes(reply[40:42], "big") == seq  # echo reply
    assert machine.log.violations() == []
    kinds = {e.kind for e in machine.log.events}
    assert {"net_tx_frame", "net_rx_frame", "interrupt"} <= kinds


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_block_write_read_flush_get_id(transport: TransportKind) -> None:
    machine = virtio_blk_machine(MachineOptions(transport=transport))
    assert machine.boot()
    assert machine.blk_driver.capacity == 8192  # 4 MiB in 512-byte sectors
    data = bytes(range(256)) * 16
    machine.submit(VIRTIO_BLK_T_OUT, 8, data)
    machine.submit(VIRTIO_BLK_T_FLUSH, 0)
    machine.submit(VIRTIO_BLK_T_IN, 8, read_len=len(data))
    machine.submit(VIRTIO_BLK_T_GET_ID, 0, read_len=20)
    machine.service_interrupts()
    done = machine.completed
    assert [(c.kind, c.status) for c in done] == [
        (VIRTIO_BLK_T_OUT, VIRTIO_BLK_S_OK),
        (VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_S_OK),
        (VIRTIO_BLK_T_IN, VIRTIO_BLK_S_OK),
        (VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_S_OK),
    ]
    assert done[2].data == data
    assert done[3].data.rstrip(b"\0") == b"virtio-viz-disk"
    assert machine.log.violations() == []


def test_block_requests_use_indirect_tables_like_linux() -> None:
    machine = virtio_blk_machine()
    assert machine.boot()
    machine.submit(VIRTIO_BLK_T_IN, 0, read_len=512)
    descriptors = [e for e in machine.log.events if e.kind == "desc_write"]
    assert "INDIRECT" in descriptors[0].summary


def test_a_refused_feature_set_ends_in_failed_and_a_reset_recovers() -> None:
    """N10: the device does not latch FEATURES_OK; the driver sets FAILED (§3.1.1) and
    must reset before trying again (N3)."""
    event_idx = bit("VIRTIO_F_EVENT_IDX")
    machine = virtio_net_machine(MachineOptions(device_refuses=event_idx))
    assert not machine.boot()
    status = machine.device.device_status
    assert status & Status.FAILED and not status & Status.FEATURES_OK
    assert machine.driver.failed
    machine.driver.refuse_features = event_idx  # the driver tries again without it
    machine.driver.failed = False
    assert machine.driver.probe()
    assert machine.device.device_status == 0xF
    assert not machine.driver.negotiated & event_idx


def test_a_malformed_chain_makes_the_device_need_a_reset_and_interrupt() -> None:
    """§2.1.2 / N5: DEVICE_NEEDS_RESET while DRIVER_OK is followed by a config change
    notification; the ring is not touched again until a reset."""
    machine = virtio_net_machine()
    assert machine.boot()
    txq = machine.driver.queues[1]
    assert isinstance(txq, SplitDriverQueue)
    txq.write_descriptor(0, 0x0200_0000, 64, 1, 0)  # NEXT pointing at itself: a loop
    txq.write_avail_slot(0, 0)
    txq.set_avail_idx(1)
    machine.ops.notify(1)
    status = machine.device.device_status
    assert status & Status.DEVICE_NEEDS_RESET
    assert 39 in [v.rule for v in machine.log.violations()]
    assert any(i.cause == "config" for i in machine.device.take_interrupts())
    machine.ops.reset()
    assert machine.device.device_status == 0


def event_digest(events: list[Event]) -> str:
    return hashlib.sha256(repr(events).encode()).hexdigest()


def run_story() -> str:
    machine = virtio_net_machine()
    machine.boot()
    for seq in range(1, 3):
        ping(machine, seq)
    return event_digest(machine.log.events)


def test_the_same_inputs_give_the_same_event_stream_byte_for_byte() -> None:
    assert run_story() == run_story()
    other = virtio_net_machine(MachineOptions(transport="mmio"))
    other.boot()
    assert event_digest(other.log.events) != run_story()
