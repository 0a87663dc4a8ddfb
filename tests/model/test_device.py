"""The transport-independent device core: queues, kicks, interrupts, reset, DEVICE_NEEDS_RESET.

Scenarios drive the device through the PCI transport's registers (tests/support/device_rig.py)
and check what lands in guest memory and in the event log.
"""

from __future__ import annotations

import pytest

from tests.support.device_rig import (
    OUTSIDE,
    RING_PACKED,
    VERSION_1,
    EchoBackend,
    PciRig,
    make_device,
    make_pci_rig,
)
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.features import bit
from virtio_viz.model.interrupts import Interrupt
from virtio_viz.model.packed import PackedDeviceQueue
from virtio_viz.model.spec import ISR_CONFIG, ISR_QUEUE, VIRTIO_MSI_NO_VECTOR, DeviceId
from virtio_viz.model.split import SplitDeviceQueue


def post_and_kick(rig: PciRig, payload: bytes = b"ping") -> int:
    """The driver posts one out+in buffer pair on queue 0 and kicks; returns the out addr."""
    driver = rig.driver_queue(0)
    out, in_ = rig.buf(0, len(payload)), rig.buf(1, 16, writable=True)
    rig.memory.write(out.addr, payload)
    driver.add_buffer([out], [in_])
    rig.kick(0)
    return in_.addr


# -- the data path, end to end ---------------------------------------------------------------------
def test_a_kick_runs_the_backend_and_interrupts_on_the_queue_vector() -> None:
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.log.take()
    in_addr = post_and_kick(rig, b"ping")
    assert rig.memory.peek(in_addr, 4) == b"gnip"
    layout = rig.split_layout(0)
    assert rig.le16(layout.used_idx_addr) == 1
    assert rig.device.take_interrupts() == [Interrupt("queue", 1, 0)]
    kinds = rig.kinds()
    assert kinds.index("queue_notify") < kinds.index("used_idx_publish") < kinds.index("interrupt")
    interrupt = next(e for e in rig.log.events if e.kind == "interrupt")
    assert interrupt.values["vector"] == 1 and interrupt.plane == "notification"
    assert rig.device.interrupts.isr == 0  # MSI-X: the ISR queue bit is not used
    assert rig.rules() == []


def test_without_msix_the_queue_interrupt_sets_isr_first() -> None:
    """N101: INTx, the ISR queue bit is set before the interrupt."""
    rig = make_pci_rig()
    rig.bring_up()
    post_and_kick(rig)
    assert rig.device.interrupts.isr == ISR_QUEUE
    assert rig.device.take_interrupts() == [Interrupt("queue", None, 0)]
    interrupt = next(e for e in rig.log.events if e.kind == "interrupt")
    assert interrupt.values["line"] == "INTx" and interrupt.values["isr"] == ISR_QUEUE


def test_no_vector_means_no_interrupt() -> None:
    """N106: with MSI-X enabled and queue_msix_vector NO_VECTOR nothing is delivered."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.enable_msix()
    rig.setup_queue(0)  # no vector mapped: NO_VECTOR since reset
    rig.write("device_status", 0xF)
    post_and_kick(rig)
    assert rig.device.take_interrupts() == []
    assert "interrupt_suppressed" in rig.kinds() and "interrupt" not in rig.kinds()


# -- N4 / N19: nothing moves before DRIVER_OK ------------------------------------------------------
def test_a_kick_before_driver_ok_is_ignored() -> None:
    """N19: the driver notifies before DRIVER_OK; the device neither pops nor interrupts."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.setup_queue(0)
    rig.log.take()
    post_and_kick(rig)
    assert rig.only_violation().rule == 19
    assert rig.backend.handled == []
    assert rig.le16(rig.split_layout(0).used_idx_addr) == 0


def test_an_enabled_ring_is_not_usable_before_driver_ok() -> None:
    """N4 by construction: live_queue() is None and a kept ring pops nothing."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.setup_queue(0)
    post_and_kick(rig)  # buffers are available (the kick itself is N19)
    assert rig.device.live_queue(0) is None
    ring = rig.device.queues.ring(0)
    assert ring is not None and not ring.has_available() and ring.pop() is None
    rig.write("device_status", 0xF)
    assert rig.device.live_queue(0) is ring and ring.has_available()


# -- reset -----------------------------------------------------------------------------------------
def test_reset_semantics() -> None:
    """N11/N91 status 0, N92 queue_enable 0, N103 vectors unmapped, ISR cleared, rings gone."""
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.write("queue_select", 1)
    rig.write("queue_size", 4)
    rig.device.config_changed("test")
    rig.device.interrupts.isr = ISR_QUEUE | ISR_CONFIG
    rig.log.take()
    rig.write("device_status", 0)
    assert rig.kinds() == ["register_write", "status_reset", "device_reset"]
    assert rig.read("device_status") == 0
    assert rig.read("config_msix_vector") == VIRTIO_MSI_NO_VECTOR
    for queue in (0, 1):
        rig.write("queue_select", queue)
        assert rig.read("queue_enable") == 0
        assert rig.read("queue_msix_vector") == VIRTIO_MSI_NO_VECTOR
        assert rig.read("queue_size") == 8  # back to the maximum
        assert rig.read("queue_desc", "low") == 0
    assert rig.device.interrupts.isr == 0
    assert rig.device.live_queue(0) is None and rig.device.queues.rings() == []
    assert rig.backend.resets == 2 and rig.backend.negotiated == 0  # bring_up reset too
    assert rig.device.negotiated == 0


def test_a_ring_kept_across_a_reset_is_dead() -> None:
    """N12 by construction: after the reset nothing is popped, and a late push is refused."""
    rig = make_pci_rig()
    rig.bring_up()
    driver = rig.driver_queue(0)
    driver.add_buffer([rig.buf(0, 4)], [rig.buf(1, 8, writable=True)])
    ring = rig.device.live_queue(0)
    assert ring is not None
    chain = ring.pop()
    assert chain is not None
    rig.write("device_status", 0)
    used_idx = rig.split_layout(0).used_idx_addr
    before = rig.memory.peek(rig.ring_base(0), 0x200)
    assert ring.stale and ring.pop() is None and not ring.should_notify()
    rig.log.take()
    ring.push(chain, 4)
    assert rig.only_violation().rule == 12
    assert rig.only_violation().actor == "device"
    assert rig.memory.peek(rig.ring_base(0), 0x200) == before
    assert rig.le16(used_idx) == 0


# -- DEVICE_NEEDS_RESET ----------------------------------------------------------------------------
def test_needs_reset_with_driver_ok_sends_a_config_interrupt() -> None:
    """N5 / N100: DEVICE_NEEDS_RESET, the ISR config bit, then the config vector."""
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.device.take_interrupts()
    rig.device.needs_reset("the backend lost its disk")
    assert rig.read("device_status") == 0x4F
    assert rig.device.interrupts.isr == ISR_CONFIG
    assert rig.device.take_interrupts() == [Interrupt("config", 0, None)]
    assert rig.kinds()[-3:] == ["device_needs_reset", "interrupt", "register_read"]
    assert rig.device.live_queue(0) is None  # the device stops processing


def test_needs_reset_before_driver_ok_sends_nothing() -> None:
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.device.needs_reset("self test failed")
    assert rig.read("device_status") == 0x4B
    assert rig.device.take_interrupts() == []


def test_needs_reset_on_intx_sets_isr_bit_1() -> None:
    rig = make_pci_rig()
    rig.bring_up()
    rig.device.needs_reset("oops")
    assert rig.pci.bar_read(4, 0x1000, 1) == ISR_CONFIG
    assert rig.pci.bar_read(4, 0x1000, 1) == 0


def test_a_broken_ring_puts_the_device_into_needs_reset() -> None:
    """The driver publishes head 9 in a ring of 8: the ring breaks, DEVICE_NEEDS_RESET follows."""
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.device.take_interrupts()
    layout = rig.split_layout(0)
    rig.memory.write_le16(layout.avail_ring_addr(0), 9)
    rig.memory.write_le16(layout.avail_idx_addr, 1)
    rig.kick(0)
    assert rig.device.device_status & 0x40
    assert rig.device.needs_reset_reason is not None
    assert "queue 0" in rig.device.needs_reset_reason
    assert rig.device.take_interrupts() == [Interrupt("config", 0, None)]
    rig.kick(0)  # the device ignores kicks now
    assert rig.kinds()[-1] == "queue_notify_ignored"
    rig.write("device_status", 0)
    assert rig.read("device_status") == 0


# -- config space ----------------------------------------------------------------------------------
def test_config_changes_bump_the_generation_and_interrupt() -> None:
    """N107: the config interrupt goes to config_msix_vector; NO_VECTOR delivers nothing."""
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.device.take_interrupts()
    rig.device.config_changed("mode changed")
    assert rig.read("config_generation") == 1
    assert rig.device.take_interrupts() == [Interrupt("config", 0, None)]
    rig.write("config_msix_vector", VIRTIO_MSI_NO_VECTOR)
    rig.device.config_changed("again")
    assert rig.read("config_generation") == 2
    assert rig.device.take_interrupts() == []
    assert rig.device.interrupts.isr & ISR_CONFIG  # N100: the bit is set either way


def test_config_writes_wait_for_features_ok() -> None:
    """N16: a device config write during feature negotiation is ignored."""
    rig = make_pci_rig()
    rig.write("device_status", 1)
    rig.write("device_status", 3)
    rig.pci.bar_write(4, 0x2000, 4, 7)
    assert rig.only_violation().rule == 16
    assert rig.backend.config_writes == []
    assert rig.negotiate(VERSION_1) == 0xB
    rig.pci.bar_write(4, 0x2000, 4, 7)
    assert rig.backend.config_writes == [(0, b"\x07\x00\x00\x00")]
    assert rig.pci.bar_read(4, 0x2000, 4) == 7


# -- enabling queues -------------------------------------------------------------------------------
def test_enabling_before_features_ok_is_n15() -> None:
    rig = make_pci_rig()
    rig.write("device_status", 1)
    rig.write("device_status", 3)
    layout = rig.split_layout(0)
    rig.write("queue_select", 0)
    rig.write("queue_desc", layout.desc_addr)
    rig.write("queue_driver", layout.avail_addr)
    rig.write("queue_device", layout.used_addr)
    rig.write("queue_enable", 1)
    assert rig.only_violation().rule == 15
    assert rig.read("queue_enable") == 0


def test_enabling_an_unconfigured_queue_is_n96() -> None:
    """N96: queue_enable before queue_driver and queue_device were written."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("queue_select", 0)
    rig.write("queue_desc", rig.split_layout(0).desc_addr)
    rig.write("queue_enable", 1)
    violation = rig.only_violation()
    assert violation.rule == 96 and "driver, device" in violation.summary
    assert rig.read("queue_enable") == 0


def test_a_ring_outside_guest_memory_raises_before_anything_changes() -> None:
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("queue_select", 0)
    rig.write("queue_desc", OUTSIDE)
    rig.write("queue_driver", OUTSIDE + 0x1000)
    rig.write("queue_device", OUTSIDE + 0x2000)
    events = len(rig.log.events)
    with pytest.raises(MemoryFault):
        rig.write("queue_enable", 1)
    assert len(rig.log.events) == events
    assert rig.read("queue_enable") == 0


def test_split_or_packed_follows_the_negotiated_features() -> None:
    split = make_pci_rig()
    split.bring_up(queues=1)
    ring = split.device.queues.ring(0)
    assert ring is not None and isinstance(ring.inner, SplitDeviceQueue)
    assert ring.inner.event_idx

    packed = make_pci_rig()
    assert packed.negotiate(VERSION_1 | RING_PACKED) == 0xB
    packed.write("queue_select", 0)
    packed.write("queue_size", 6)  # packed rings need not be a power of 2
    base = packed.ring_base(0)
    packed.write("queue_desc", base)
    packed.write("queue_driver", base + 0x100)
    packed.write("queue_device", base + 0x200)
    packed.write("queue_enable", 1)
    ring = packed.device.queues.ring(0)
    assert ring is not None and isinstance(ring.inner, PackedDeviceQueue)
    assert not ring.inner.event_idx
    assert packed.log.events[-1].values["ring"] == "packed"


def test_queue_reset_returns_the_queue_to_defaults() -> None:
    """N29 / N30: after queue_reset the old ring is dead and the queue can be set up again;
    N32: the device honours the new, smaller size the driver programs before re-enabling."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1 | bit("VIRTIO_F_RING_RESET")) == 0xB
    rig.setup_queue(0)
    rig.write("device_status", 0xF)
    ring = rig.device.live_queue(0)
    assert ring is not None
    rig.write("queue_select", 0)
    rig.write("queue_reset", 1)
    assert rig.read("queue_reset") == 0 and rig.read("queue_enable") == 0
    assert ring.stale and rig.device.live_queue(0) is None
    rig.setup_queue(0, size=4)
    new_ring = rig.device.live_queue(0)
    assert new_ring is not None and new_ring is not ring
    assert isinstance(new_ring.inner, SplitDeviceQueue) and new_ring.inner.layout.size == 4


# -- what the device offers ------------------------------------------------------------------------
def test_offer_problems_are_the_devices_violations() -> None:
    """N26 (no VERSION_1), N9 (HOST_TSO4 without CSUM), N28 (SR_IOV without a capability)."""
    offered = bit("VIRTIO_NET_F_HOST_TSO4") | bit("VIRTIO_F_SR_IOV")
    _, log, _, _ = make_device(backend=EchoBackend(device_id=DeviceId.NET, offered=offered))
    assert sorted(v.rule for v in log.violations()) == [9, 26, 28]
    assert {v.actor for v in log.violations()} == {"device"}


def test_impossible_queue_sizes_are_config_errors() -> None:
    """N93 (§4.1.4.3.1): a device can only present 0 or a power of 2 for a split ring."""
    with pytest.raises(ConfigError):
        make_device(backend=EchoBackend(queue_sizes=(8, 6)))
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("queue_select", 0)
    for size in (0, 3, 16):  # empty, not a power of 2 (split), above the maximum 8
        with pytest.raises(ConfigError):
            rig.write("queue_size", size)
    assert rig.read("queue_size") == 8


def test_writes_for_a_queue_that_does_not_exist_are_ignored() -> None:
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("queue_select", 5)
    assert rig.read("queue_size") == 0  # §4.1.4.3: 0 = no such queue
    rig.write("queue_desc", 0x1000)
    assert rig.kinds()[-1] == "queue_write_ignored"
