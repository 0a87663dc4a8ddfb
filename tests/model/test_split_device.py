"""The device side of a split virtqueue (virtio-1.2 §2.7.5, §2.7.8, §2.7.14, §2.7.7, §2.7.10).

Chains are built with the driver's ring-lab actions, so each test states the exact
descriptors the device finds in memory. Every refused chain must leave the queue
consistent: a Violation (or device_error) recorded, the queue broken, last_avail_idx
unchanged, nothing written to the used ring.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.split_rig import OUTSIDE, Rig, make_rig
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.memory import MemRange
from virtio_viz.model.split import Descriptor
from virtio_viz.model.virtqueue import Buffer

NEXT, WRITE, INDIRECT = 1, 2, 4


def publish(rig: Rig, *heads: int) -> None:
    """The driver (by hand) puts heads into the next avail slots and moves avail.idx."""
    idx = rig.driver.avail_idx_shadow
    for head in heads:
        rig.driver.write_avail_slot(idx % rig.layout.size, head)
        idx = (idx + 1) & 0xFFFF
    rig.driver.set_avail_idx(idx)


def assert_refused(rig: Rig, rule: int | None) -> None:
    """The device refused the chain and stayed consistent."""
    last_avail_before, in_flight_before = rig.device.last_avail_idx, rig.device.in_flight
    used_before = rig.memory.peek(rig.layout.used_addr, rig.layout.used_bytes)
    assert rig.device.pop() is None
    assert rig.device.broken
    assert rig.device.last_avail_idx == last_avail_before
    assert rig.memory.peek(rig.layout.used_addr, rig.layout.used_bytes) == used_before
    assert rig.device.in_flight == in_flight_before
    if rule is None:
        assert rig.log.violations() == []
        assert "device_error" in rig.kinds()
    else:
        violation = rig.only_violation()
        assert (violation.rule, violation.actor) == (rule, "driver")
    assert rig.kinds()[-1] == "queue_broken"
    # a broken queue takes nothing more, and says nothing more
    events = len(rig.log.events)
    assert rig.device.pop() is None
    assert not rig.device.has_available()
    assert len(rig.log.events) == events


# -- popping ---------------------------------------------------------------------------------------
def test_pop_reads_the_chain_from_memory_not_from_the_driver() -> None:
    rig = make_rig(8)
    head = rig.driver.add_buffer([rig.buf(0, 10)], [rig.buf(1, 1514)])
    # something scribbles over descriptor 1 after the driver wrote it: the device sees that
    rig.memory.write(rig.layout.desc_entry_addr(1), Descriptor(rig.buf(5).addr, 99, WRITE).encode())
    chain = rig.device.pop()
    assert chain is not None
    assert chain.id == head
    assert chain.buffers == (Buffer(rig.buf(0).addr, 10), Buffer(rig.buf(5).addr, 99, True))
    assert chain.desc_count == 2
    assert rig.device.last_avail_idx == 1
    kinds = rig.kinds()
    assert kinds[-5:] == [
        "avail_idx_read",
        "avail_ring_read",
        "desc_read",
        "desc_read",
        "chain_pop",
    ]
    reads = rig.log.events[-3].reads
    assert reads == (MemRange(rig.layout.desc_entry_addr(0), 16),)


def test_pop_on_an_empty_ring_returns_none() -> None:
    rig = make_rig(4, initial_index=0xFFFF)
    assert rig.device.pop() is None
    assert not rig.device.broken
    assert rig.kinds() == ["avail_idx_read"]


def test_device_rereads_avail_idx_only_when_it_caught_up() -> None:
    """QEMU's shadow_avail_idx: two buffers seen in one read of avail.idx."""
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0)], [])
    rig.driver.add_buffer([rig.buf(1)], [])
    rig.log.take()
    assert rig.device.pop() is not None
    assert rig.device.pop() is not None
    assert rig.kinds().count("avail_idx_read") == 1
    assert rig.device.pop() is None
    assert rig.kinds().count("avail_idx_read") == 2


def test_indirect_chain_is_followed_into_its_table() -> None:
    rig = make_rig(8, indirect=True)
    table = rig.table(0)
    rig.driver.write_indirect_table(
        table,
        [
            Descriptor(rig.buf(0).addr, 10, NEXT, 2),  # entries are linked by next
            Descriptor(rig.buf(9).addr, 99, 0, 0),  # not part of the chain
            Descriptor(rig.buf(1).addr, 20, WRITE, 0),
        ],
    )
    rig.driver.write_descriptor(4, table, 48, INDIRECT, 0)
    publish(rig, 4)
    chain = rig.device.pop()
    assert chain is not None
    assert chain.buffers == (Buffer(rig.buf(0).addr, 10), Buffer(rig.buf(1).addr, 20, True))
    assert (chain.id, chain.desc_count) == (4, 1)


def test_write_flag_on_the_indirect_descriptor_is_ignored() -> None:
    """N46: the device ignores WRITE on a descriptor that points to an indirect table."""
    rig = make_rig(8, indirect=True)
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.buf(0).addr, 10)])
    rig.driver.write_descriptor(0, rig.table(0), 16, INDIRECT | WRITE, 0)
    publish(rig, 0)
    chain = rig.device.pop()
    assert chain is not None
    assert chain.buffers == (Buffer(rig.buf(0).addr, 10, False),)
    assert "N46" in next(e.summary for e in rig.log.events if e.values.get("entries") == 1)


def test_direct_descriptors_followed_by_one_indirect() -> None:
    """N47: zero or more chained descriptors, then one INDIRECT descriptor."""
    rig = make_rig(8, indirect=True)
    rig.driver.write_indirect_table(
        rig.table(0),
        [Descriptor(rig.buf(2).addr, 30, NEXT | WRITE, 1), Descriptor(rig.buf(3).addr, 40, WRITE)],
    )
    rig.driver.write_descriptor(5, rig.buf(0).addr, 10, NEXT, 6)
    rig.driver.write_descriptor(6, rig.buf(1).addr, 20, NEXT, 2)
    rig.driver.write_descriptor(2, rig.table(0), 32, INDIRECT, 0)
    publish(rig, 5)
    chain = rig.device.pop()
    assert chain is not None
    assert [b.length for b in chain.buffers] == [10, 20, 30, 40]
    assert chain.writable_capacity == 70
    assert chain.desc_count == 3
    assert not rig.device.broken


# -- refusing what the driver got wrong --------------------------------------------------------
def test_a_looping_chain_is_refused() -> None:
    """N39: a chain must not loop (it would be longer than 2^32 bytes)."""
    rig = make_rig(4)
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, NEXT, 1)
    rig.driver.write_descriptor(1, rig.buf(1).addr, 8, NEXT, 0)
    publish(rig, 0)
    assert_refused(rig, 39)


def test_a_loop_inside_an_indirect_table_is_refused() -> None:
    """N39: loops are forbidden inside an indirect table too."""
    rig = make_rig(4, indirect=True)
    rig.driver.write_indirect_table(
        rig.table(0),
        [Descriptor(rig.buf(0).addr, 8, NEXT, 1), Descriptor(rig.buf(1).addr, 8, NEXT, 0)],
    )
    rig.driver.write_descriptor(0, rig.table(0), 32, INDIRECT, 0)
    publish(rig, 0)
    assert_refused(rig, 39)


def test_a_chain_of_more_than_2_to_the_32_bytes_is_refused() -> None:
    """N39: the total length of a chain is at most 2^32 bytes."""
    rig = make_rig(4)
    rig.driver.write_descriptor(0, rig.buf(0).addr, 0xFFFF_FFFF, NEXT, 1)
    rig.driver.write_descriptor(1, rig.buf(1).addr, 2, 0, 0)
    publish(rig, 0)
    assert_refused(rig, 39)


def test_an_indirect_chain_longer_than_the_queue_is_refused() -> None:
    """N43: no chain longer than the queue size (4 here: one direct + four in the table)."""
    rig = make_rig(4, indirect=True)
    entries = [Descriptor(rig.buf(n).addr, 8, NEXT, n + 1) for n in range(3)]
    rig.driver.write_indirect_table(rig.table(0), [*entries, Descriptor(rig.buf(3).addr, 8)])
    rig.driver.write_descriptor(0, rig.buf(9).addr, 8, NEXT, 1)
    rig.driver.write_descriptor(1, rig.table(0), 64, INDIRECT, 0)
    publish(rig, 0)
    assert_refused(rig, 43)


def test_indirect_without_the_feature_is_refused() -> None:
    """N41: VIRTQ_DESC_F_INDIRECT only if VIRTIO_F_INDIRECT_DESC was negotiated."""
    rig = make_rig(4, indirect=False)
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.buf(0).addr, 8)])
    rig.driver.write_descriptor(0, rig.table(0), 16, INDIRECT, 0)
    publish(rig, 0)
    assert_refused(rig, 41)


def test_indirect_inside_an_indirect_table_is_refused() -> None:
    """N42: only one table per descriptor: no INDIRECT inside a table."""
    rig = make_rig(4, indirect=True)
    rig.driver.write_indirect_table(rig.table(1), [Descriptor(rig.buf(0).addr, 8)])
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.table(1), 16, INDIRECT)])
    rig.driver.write_descriptor(0, rig.table(0), 16, INDIRECT, 0)
    publish(rig, 0)
    assert_refused(rig, 42)


def test_indirect_together_with_next_is_refused() -> None:
    """N44: never both VIRTQ_DESC_F_INDIRECT and VIRTQ_DESC_F_NEXT."""
    rig = make_rig(4, indirect=True)
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.buf(0).addr, 8)])
    rig.driver.write_descriptor(0, rig.table(0), 16, INDIRECT | NEXT, 1)
    rig.driver.write_descriptor(1, rig.buf(1).addr, 8, 0, 0)
    publish(rig, 0)
    assert_refused(rig, 44)


def test_readable_after_writable_is_refused() -> None:
    """N36: device-writable descriptors come after the device-readable ones."""
    rig = make_rig(4)
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, NEXT | WRITE, 1)
    rig.driver.write_descriptor(1, rig.buf(1).addr, 8, 0, 0)
    publish(rig, 0)
    assert_refused(rig, 36)


def test_readable_after_writable_across_the_indirect_boundary_is_refused() -> None:
    """N36, with the writable part in the ring and the readable one in the table."""
    rig = make_rig(4, indirect=True)
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.buf(1).addr, 8)])
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, NEXT | WRITE, 1)
    rig.driver.write_descriptor(1, rig.table(0), 16, INDIRECT, 0)
    publish(rig, 0)
    assert_refused(rig, 36)


def _head_out_of_range(rig: Rig) -> None:
    publish(rig, 4)


def _next_out_of_range(rig: Rig) -> None:
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, NEXT, 4)
    publish(rig, 0)


def _buffer_outside_memory(rig: Rig) -> None:
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, NEXT, 1)
    rig.driver.write_descriptor(1, OUTSIDE - 4, 8, WRITE, 0)
    publish(rig, 0)


def _table_outside_memory(rig: Rig) -> None:
    rig.driver.write_descriptor(0, OUTSIDE - 16, 32, INDIRECT, 0)
    publish(rig, 0)


def _table_length_zero(rig: Rig) -> None:
    rig.driver.write_descriptor(0, rig.table(0), 0, INDIRECT, 0)
    publish(rig, 0)


def _table_length_not_a_multiple_of_16(rig: Rig) -> None:
    rig.driver.write_descriptor(0, rig.table(0), 24, INDIRECT, 0)
    publish(rig, 0)


def _next_out_of_range_inside_a_table(rig: Rig) -> None:
    rig.driver.write_indirect_table(rig.table(0), [Descriptor(rig.buf(0).addr, 8, NEXT, 1)])
    rig.driver.write_descriptor(0, rig.table(0), 16, INDIRECT, 0)
    publish(rig, 0)


@pytest.mark.parametrize(
    "setup",
    [
        _head_out_of_range,
        _next_out_of_range,
        _buffer_outside_memory,
        _table_outside_memory,
        _table_length_zero,
        _table_length_not_a_multiple_of_16,
        _next_out_of_range_inside_a_table,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_errors_without_an_n_number_are_device_errors(setup: Callable[[Rig], None]) -> None:
    """No numbered MUST covers these; the device still refuses them (QEMU: virtio_error)."""
    rig = make_rig(4, indirect=True)
    setup(rig)
    assert_refused(rig, None)


def test_avail_idx_running_more_than_the_ring_ahead_breaks_the_queue() -> None:
    """After N48 (avail.idx moved backwards) the device sees 65535 buffers waiting."""
    rig = make_rig(4, initial_index=5)
    rig.driver.set_avail_idx(4)
    assert rig.log.violations()[0].rule == 48
    rig.log.take()
    assert_refused(rig, None)


def test_more_buffers_in_flight_than_the_ring_holds_breaks_the_queue() -> None:
    """The driver re-publishes head 0 while the device still holds it (QEMU: 'Virtqueue
    size exceeded')."""
    rig = make_rig(2)
    rig.driver.write_descriptor(0, rig.buf(0).addr, 8, 0, 0)
    publish(rig, 0, 0)
    assert rig.device.pop() is not None
    assert rig.device.pop() is not None
    publish(rig, 0)
    assert_refused(rig, None)
    assert len(rig.device.in_flight) == 2


# -- pushing used buffers ------------------------------------------------------------------------
def test_push_writes_the_used_element_then_used_idx() -> None:
    """N56: used len is written before used.idx moves (two events, in that order)."""
    rig = make_rig(8, initial_index=7)
    rig.driver.add_buffer([rig.buf(0)], [rig.buf(1, 2048)])
    chain = rig.device.pop()
    assert chain is not None
    written = chain.write_all(rig.memory, b"x" * 1514)
    rig.memory.drain_journal()  # a device model would tell the payload write as its own event
    rig.device.push(chain, written)
    assert rig.used_elem(7) == (chain.id, 1514)
    assert rig.memory.peek(rig.layout.used_elem_addr(7), 8) == bytes([0, 0, 0, 0, 0xEA, 5, 0, 0])
    assert rig.used_idx() == 8
    elem_event, idx_event = rig.log.events[-2:]
    assert (elem_event.kind, idx_event.kind) == ("used_elem_write", "used_idx_publish")
    assert elem_event.writes == (MemRange(rig.layout.used_elem_addr(7), 8),)
    assert idx_event.writes == (MemRange(rig.layout.used_idx_addr, 2),)
    assert rig.device.in_flight == ()


def test_out_of_order_completion_without_in_order_is_fine() -> None:
    rig = make_rig(8)
    a = rig.driver.add_buffer([rig.buf(0)], [], token="a")
    b = rig.driver.add_buffer([rig.buf(1)], [], token="b")
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    rig.device.push(second, 0)
    rig.device.push(first, 0)
    assert rig.used_elem(0) == (b, 0)
    assert rig.used_elem(1) == (a, 0)
    assert rig.log.violations() == []
    tokens = [u.token for u in (rig.driver.get_used(), rig.driver.get_used()) if u is not None]
    assert tokens == ["b", "a"]


def test_out_of_order_completion_with_in_order_is_n27() -> None:
    """N27: with VIRTIO_F_IN_ORDER buffers are used in the order they became available."""
    rig = make_rig(8, in_order=True)
    rig.driver.add_buffer([rig.buf(0)], [])
    rig.driver.add_buffer([rig.buf(1)], [])
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    rig.device.push(second, 0)
    violation = rig.only_violation()
    assert (violation.rule, violation.actor) == (27, "device")
    assert rig.used_elem(0) == (second.id, 0)  # written anyway: that is the lesson
    rig.device.push(first, 0)
    assert len(rig.log.violations()) == 1


def test_reporting_more_than_the_writable_capacity_is_n57() -> None:
    """N57: the device must have written at least len bytes, which cannot exceed the
    writable part of the buffer."""
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0, 100)], [rig.buf(1, 64)])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 65)
    violation = rig.only_violation()
    assert (violation.rule, violation.actor) == (57, "device")
    assert violation.values["capacity"] == 64


def test_pushing_a_chain_that_is_not_in_flight_is_impossible() -> None:
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0)], [])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    before = rig.ring_bytes()
    with pytest.raises(ConfigError, match="not in flight"):
        rig.device.push(chain, 0)
    with pytest.raises(ConfigError, match="le32"):
        rig.device.push(chain, 1 << 32)
    assert rig.ring_bytes() == before


def test_a_broken_queue_returns_nothing_to_the_driver() -> None:
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0)], [])
    chain = rig.device.pop()
    assert chain is not None
    publish(rig, 9)  # garbage head: the queue breaks
    assert rig.device.pop() is None
    rig.device.push(chain, 0)
    assert rig.used_idx() == 0
    assert rig.kinds()[-1] == "used_push_dropped"
    assert rig.device.should_notify() is False


# -- used buffer notifications --------------------------------------------------------------------
def round_trip(rig: Rig, count: int = 1) -> None:
    for n in range(count):
        rig.driver.add_buffer([rig.buf(n)], [])
    for _ in range(count):
        chain = rig.device.pop()
        assert chain is not None
        rig.device.push(chain, 0)


def test_notify_follows_avail_flags_without_event_idx() -> None:
    """N53: without EVENT_IDX the device notifies when avail.flags is 0; N52: it ignores
    used_event."""
    rig = make_rig(4)
    rig.driver.set_used_event(1234)
    round_trip(rig)
    assert rig.device.should_notify() is True
    assert rig.device.should_notify() is False  # nothing new since
    rig.driver.disable_interrupts()
    round_trip(rig)
    assert rig.device.should_notify() is False
    assert rig.log.events[-1].reads == (MemRange(rig.layout.avail_flags_addr, 2),)


def test_notify_follows_used_event_with_event_idx() -> None:
    """N54/N55: with EVENT_IDX the device ignores avail.flags and notifies when used.idx
    passes used_event."""
    rig = make_rig(8, event_idx=True)
    rig.memory.write_le16(rig.layout.avail_flags_addr, 1)  # must be ignored
    round_trip(rig, 2)
    assert rig.device.should_notify() is True  # used_event 0 in [0, 2)
    rig.driver.set_used_event(4)
    round_trip(rig, 2)
    assert rig.device.should_notify() is False  # 4 not in [2, 4)
    round_trip(rig, 1)
    assert rig.device.should_notify() is True  # 4 in [4, 5)
    assert rig.log.events[-1].reads == (MemRange(rig.layout.used_event_addr, 2),)


# -- available buffer notification suppression --------------------------------------------------
def test_notification_suppression_without_event_idx_uses_used_flags() -> None:
    rig = make_rig(4)
    rig.device.disable_notifications()
    assert rig.le16(rig.layout.used_flags_addr) == 1
    rig.device.enable_notifications()
    assert rig.le16(rig.layout.used_flags_addr) == 0


def test_notification_suppression_with_event_idx_moves_avail_event() -> None:
    """N65: with EVENT_IDX used.flags stays 0; avail_event follows last_avail_idx while
    notifications are on and stands still while they are off."""
    rig = make_rig(8, event_idx=True, initial_index=0xFFFE)
    rig.driver.add_buffer([rig.buf(0)], [])
    assert rig.device.pop() is not None
    assert rig.le16(rig.layout.avail_event_addr) == 0xFFFF
    rig.device.disable_notifications()
    rig.driver.add_buffer([rig.buf(1)], [])
    assert rig.device.pop() is not None
    assert rig.le16(rig.layout.avail_event_addr) == 0xFFFF
    assert rig.le16(rig.layout.used_flags_addr) == 0
    rig.device.enable_notifications()
    assert rig.le16(rig.layout.avail_event_addr) == 0
    assert rig.log.violations() == []


# -- ring-lab actions ------------------------------------------------------------------------------
def test_lab_use_buffer_writes_any_head_and_length() -> None:
    rig = make_rig(4)
    rig.device.use_buffer(0xDEAD_BEEF, 0xFFFF_FFFF)
    assert rig.used_elem(0) == (0xDEAD_BEEF, 0xFFFF_FFFF)
    assert rig.used_idx() == 1
    with pytest.raises(ConfigError):
        rig.device.use_buffer(1 << 32, 0)
    assert rig.used_idx() == 1


@pytest.mark.parametrize(("event_idx", "value", "rule"), [(False, 3, 64), (True, 1, 65)])
def test_lab_illegal_used_flags(event_idx: bool, value: int, rule: int) -> None:
    """N64: without EVENT_IDX used.flags is 0 or 1. N65: with EVENT_IDX it is 0."""
    rig = make_rig(4, event_idx=event_idx)
    rig.device.set_used_flags(value)
    violation = rig.only_violation()
    assert (violation.rule, violation.actor) == (rule, "device")
    assert rig.le16(rig.layout.used_flags_addr) == value


def test_lab_avail_event() -> None:
    rig = make_rig(4, event_idx=True)
    rig.device.set_avail_event(0xABCD)
    assert rig.le16(rig.layout.avail_event_addr) == 0xABCD
    with pytest.raises(ConfigError):
        rig.device.set_avail_event(-1)
