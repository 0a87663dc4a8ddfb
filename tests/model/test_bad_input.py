"""Bad input never crashes the model or corrupts it (the issue's list, then fuzzing).

Impossible requests raise ModelError subclasses before anything changes; things a real
driver could do wrong become Violation events; nothing else ever escapes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import split_rig
from virtio_viz.model.errors import ConfigError, MemoryFault, ModelError
from virtio_viz.model.machine import MachineOptions, virtio_net_machine
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.split import SplitLayout
from virtio_viz.model.transport.mmio import MmioTransport
from virtio_viz.model.transport.pci import PciTransport
from virtio_viz.model.virtqueue import Buffer


@pytest.mark.parametrize("size", [0, 3, 65536])
def test_impossible_queue_sizes_are_refused(size: int) -> None:
    memory = GuestMemory.with_regions([("ram", 0, 1 << 20)])
    with pytest.raises(ConfigError, match=str(size)):
        SplitLayout.checked(memory, size, 0, 0x10000, 0x20000)


def test_a_ring_outside_guest_memory_is_refused() -> None:
    memory = GuestMemory.with_regions([("ram", 0, 1 << 16)])
    with pytest.raises(MemoryFault):
        SplitLayout.checked(memory, 256, 0xF000, 0x10000, 0x11000)


def test_a_buffer_outside_guest_memory_is_refused_before_anything_is_written() -> None:
    rig = split_rig.make_rig(8)
    before = rig.memory.snapshot()
    with pytest.raises(MemoryFault):
        rig.driver.add_buffer([Buffer(split_rig.OUTSIDE, 64)], [])
    assert rig.memory.snapshot() == before and rig.driver.free_count == 8


def test_a_descriptor_loop_is_a_violation_not_a_hang() -> None:
    """N39 (§2.7.5.2)."""
    rig = split_rig.make_rig(8)
    rig.driver.write_descriptor(0, rig.buf(0).addr, 16, 1, 1)
    rig.driver.write_descriptor(1, rig.buf(1).addr, 16, 1, 0)
    rig.driver.write_avail_slot(0, 0)
    rig.driver.set_avail_idx(1)
    assert rig.device.pop() is None
    assert 39 in rig.rules() and rig.device.broken
    assert rig.device.last_avail_idx == 0


def test_a_chain_longer_than_the_queue_is_refused() -> None:
    """N43 (§2.7.5.3.1)."""
    rig = split_rig.make_rig(4)
    with pytest.raises(ConfigError, match="N43"):
        rig.driver.add_buffer([rig.buf(n) for n in range(5)], [])
    assert rig.driver.free_count == 4


def test_unknown_register_offsets_are_refused_with_the_offset_named() -> None:
    pci = virtio_net_machine().transport
    assert isinstance(pci, PciTransport)
    with pytest.raises(ConfigError, match="0x3e"):
        pci.bar_read(4, 0x3E, 2)
    mmio = virtio_net_machine(MachineOptions(transport="mmio")).transport
    assert isinstance(mmio, MmioTransport)
    with pytest.raises(ConfigError):
        mmio.read(0x0C4, 4)


# -- fuzzing: random register accesses and random ring bytes --------------------------------------
widths = st.sampled_from([1, 2, 4, 8])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 0x3FFF), widths, st.integers(0, 0xFFFF_FFFF)),
        max_size=40,
    )
)
def test_random_pci_register_accesses_never_crash(
    accesses: list[tuple[bool, int, int, int]],
) -> None:
    machine = virtio_net_machine()
    assert machine.boot()
    pci = machine.transport
    assert isinstance(pci, PciTransport)
    for write, offset, width, value in accesses:
        try:
            if write:
                pci.bar_write(4, offset, width, value & ((1 << 8 * width) - 1))
            else:
                pci.bar_read(4, offset, width)
        except ModelError:
            pass
    status = machine.device.device_status
    assert 0 <= status <= 0xFF


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 1 << 40), st.integers(0, 1 << 17),
                  st.integers(0, 7), st.integers(0, 9)),
        max_size=8,
    ),
    st.lists(st.integers(0, 9), max_size=8),
    st.integers(0, 12),
)  # fmt: skip
def test_random_descriptors_and_ring_entries_never_crash_the_device(
    descriptors: list[tuple[int, int, int, int, int]], heads: list[int], avail_idx: int
) -> None:
    rig = split_rig.make_rig(8, indirect=True)
    for index, addr, length, flags, next_ in descriptors:
        rig.driver.write_descriptor(index, addr, length, flags, next_)
    for slot, head in enumerate(heads):
        rig.driver.write_avail_slot(slot, head)
    rig.driver.set_avail_idx(avail_idx)
    popped = 0
    while not rig.device.broken and rig.device.has_available() and popped < 16:
        chain = rig.device.pop()
        if chain is None:
            break
        popped += 1
        rig.device.push(chain, min(chain.writable_capacity, 4))
    if rig.device.broken:  # refused: said why, and did not move on
        assert {e.kind for e in rig.log.events} & {"violation", "device_error"}
    assert rig.device.last_avail_idx == popped
