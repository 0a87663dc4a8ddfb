"""The device side of a packed ring: taking lists from memory, writing used descriptors,
refusing what the driver got wrong, and used buffer notifications.

virtio-1.2 §2.8.1, §2.8.6, §2.8.7, §2.8.10, §2.8.12, §2.8.15, §2.8.17, §2.8.19; §6.2 (IN_ORDER).
"""

from __future__ import annotations

import pytest

from tests.support.packed_rig import (
    DATA,
    DESC,
    DEVICE_EVENT,
    DRIVER_EVENT,
    RAM,
    RAM_SIZE,
    TABLE,
    Rig,
    desc,
    inn,
    kinds,
    make_rig,
    out,
)
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.memory import MemRange
from virtio_viz.model.virtqueue import Buffer, Chain


def device_state(rig: Rig) -> tuple[object, ...]:
    d = rig.device
    return (d.next_avail, d.avail_wrap_counter, d.next_used, d.used_wrap_counter, d.in_flight)


# -- what counts as available (N73) ----------------------------------------------------------
def test_zeroed_memory_is_not_mistaken_for_available() -> None:
    """N73: a descriptor is used only once its AVAIL bit was seen to change."""
    rig = make_rig(4)
    assert rig.device.has_available() is False
    assert rig.device.pop() is None
    [event] = rig.take()
    assert (event.kind, event.values["flags"]) == ("avail_desc_empty", 0)
    assert event.reads == (MemRange(DESC + 14, 2),)
    assert rig.log.violations() == []
    assert device_state(rig) == (0, 1, 0, 1, ())


def test_last_laps_used_descriptors_are_not_available_in_the_next_lap() -> None:
    """N73: in lap 2 (wrap 0) the used flags 0x8080 left from lap 1 are not available."""
    rig = make_rig(4)
    for n in range(4):
        rig.driver.add_buffer([out(n)], [])
    chains = [rig.device.pop() for _ in range(4)]
    for chain in chains:
        assert chain is not None
        rig.device.push(chain, 0)
    assert [rig.flags(s) for s in range(4)] == [0x8080] * 4
    assert (rig.device.next_avail, rig.device.avail_wrap_counter) == (0, 0)
    assert rig.device.has_available() is False
    assert rig.device.pop() is None
    assert rig.log.violations() == []


def test_pop_reads_the_list_from_memory_and_records_each_descriptor() -> None:
    rig = make_rig()
    buffer_id = rig.driver.add_buffer([out(0)], [inn(1, 0x200)])
    rig.take()
    assert rig.device.has_available() is True
    chain = rig.device.pop()
    assert chain == Chain(buffer_id, (out(0), inn(1, 0x200)), 2)
    events = rig.take()
    assert kinds(events) == ["desc_read", "desc_read", "chain_pop"]
    assert events[0].reads == (MemRange(DESC + 14, 2), MemRange(DESC, 16))
    assert events[1].reads == (MemRange(DESC + 16, 16),)
    assert device_state(rig) == (2, 1, 0, 1, ((buffer_id, 2),))
    assert rig.device.pop() is None  # slot 2 is still zero


# -- writing used descriptors -------------------------------------------------------------------
def test_push_writes_one_used_descriptor_id_and_len_first_flags_last() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [inn(1), inn(2)])  # slots 0..2
    chain = rig.device.pop()
    assert chain is not None
    rig.take()
    rig.device.push(chain, 0x90)
    assert rig.slot(0) == desc(DATA, 0x90, 0, 0x8082)  # WRITE|AVAIL|USED; addr left as it was
    assert rig.slot(1) == desc(DATA + 0x100, 0x80, 0, 0x0083)  # the rest is untouched
    events = rig.take()
    assert kinds(events) == ["used_desc_write", "used_desc_flags_write"]
    assert events[0].writes == (MemRange(DESC + 8, 6),)  # len, id
    assert events[1].writes == (MemRange(DESC + 14, 2),)  # flags
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (3, 1)
    assert rig.device.in_flight == ()


def test_nothing_written_means_no_write_flag() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    assert rig.flags(0) == 0x8080


def test_out_of_order_completion_overwrites_the_earlier_heads_slot() -> None:
    rig = make_rig(5)
    a = rig.driver.add_buffer([out(0), out(1)], [], token="A")  # slots 0, 1
    b = rig.driver.add_buffer([out(2)], [inn(3)], token="B")  # slots 2, 3
    chain_a, chain_b = rig.device.pop(), rig.device.pop()
    assert chain_a is not None and chain_b is not None
    rig.device.push(chain_b, 0x10)  # B finishes first: its used descriptor goes to slot 0
    assert rig.slot(0)[8:] == desc(0, 0x10, b, 0x8082)[8:]
    assert rig.device.next_used == 2  # skipped B's two slots
    rig.device.push(chain_a, 0)
    assert rig.slot(2)[8:] == desc(0, 0, a, 0x8080)[8:]
    assert rig.log.violations() == []
    first, second = rig.driver.get_used(), rig.driver.get_used()
    assert first is not None and second is not None
    assert (first.token, second.token) == ("B", "A")
    assert rig.driver.free_count == 5
    assert rig.driver.next_used == rig.device.next_used == 4


def test_in_order_completion_passes_quietly() -> None:
    rig = make_rig(in_order=True)
    rig.driver.add_buffer([out(0)], [])
    rig.driver.add_buffer([out(1)], [])
    chains = [rig.device.pop(), rig.device.pop()]
    for chain in chains:
        assert chain is not None
        rig.device.push(chain, 0)
    assert rig.log.violations() == []


def test_out_of_order_with_in_order_negotiated_is_a_violation() -> None:
    """N27: with VIRTIO_F_IN_ORDER buffers are used in the order they became available."""
    rig = make_rig(in_order=True)
    rig.driver.add_buffer([out(0)], [])
    second = rig.driver.add_buffer([out(1)], [])
    rig.device.pop()
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    [violation] = rig.log.violations()
    assert (violation.rule, violation.actor) == (27, "device")
    assert violation.values == {"buffer_id": second, "expected": 0}
    assert rig.device.in_flight == ((0, 1),)  # still consistent: buffer 0 is outstanding
    used = rig.driver.get_used()
    assert used is not None and used.id == second


def test_push_of_a_buffer_never_popped_or_with_too_many_bytes_is_impossible() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [inn(1)])
    chain = rig.device.pop()
    assert chain is not None
    before = (rig.memory.snapshot(), device_state(rig))
    with pytest.raises(ConfigError, match="not popped"):
        rig.device.push(Chain(4, (out(0),), 1), 0)
    with pytest.raises(ConfigError, match="writable bytes"):
        rig.device.push(chain, 0x81)
    assert (rig.memory.snapshot(), device_state(rig)) == before


def test_use_buffer_writes_any_id_and_skips_the_given_slots() -> None:
    rig = make_rig(5)
    rig.device.use_buffer(0x1234, 8, 3)
    assert rig.slot(0) == desc(0, 8, 0x1234, 0x8082)
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (3, 1)
    rig.device.use_buffer(1, 0, 3)
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (1, 0)
    for bad in ((0x10000, 0, 1), (0, 1 << 32, 1), (0, 0, 0), (0, 0, 6)):
        with pytest.raises(ConfigError):
            rig.device.use_buffer(*bad)


# -- refusing what the driver got wrong ----------------------------------------------------------
def assert_refused(rig: Rig, rule: int | None) -> None:
    """The device recorded the rule (or a device_error), is broken, and moved nothing."""
    events = rig.take()
    assert events[-1].kind == "queue_broken"
    if rule is None:
        assert events[-2].kind == "device_error"
        assert rig.log.violations() == []
    else:
        [violation] = [e for e in events if e.kind == "violation"]
        assert violation.summary.startswith(f"N{rule} broken: the device finds")
        assert violation is events[-2]
    assert rig.device.broken
    assert rig.device.broken_reason
    assert device_state(rig) == (0, 1, 0, 1, ())
    assert rig.device.has_available() is False
    assert rig.device.pop() is None
    assert rig.take() == []


def test_a_list_as_long_as_the_queue_that_goes_on_is_refused() -> None:
    """N79: no descriptor list longer than the queue size."""
    rig = make_rig(4)
    for slot in range(4):
        rig.driver.write_descriptor(slot, DATA, 16, 0, 0x0081)  # NEXT|AVAIL everywhere
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 79)


def test_readable_after_writable_is_refused() -> None:
    """N80: device-writable elements come after all device-readable ones."""
    rig = make_rig()
    rig.driver.write_descriptor(1, DATA + 0x100, 16, 0, 0x0080)  # readable, last
    rig.driver.write_descriptor(0, DATA, 16, 0, 0x0083)  # writable head, NEXT
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 80)


def test_a_head_exposed_before_the_rest_of_its_list_is_refused() -> None:
    """N83: the first descriptor is made available only after the rest of the list."""
    rig = make_rig()
    rig.driver.write_descriptor(0, DATA, 16, 0, 0x0081)  # NEXT|AVAIL, slot 1 still zero
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 83)


def test_indirect_without_the_feature_is_refused() -> None:
    """N85: INDIRECT is not allowed unless VIRTIO_F_INDIRECT_DESC was negotiated."""
    rig = make_rig(indirect=False)
    rig.driver.add_buffer([out(0)], [], indirect_table_addr=TABLE)
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 85)


def test_flags_other_than_write_inside_an_indirect_table_are_refused() -> None:
    """N86: within an indirect table only WRITE may be set."""
    rig = make_rig(indirect=True)
    rig.memory.write(TABLE, desc(DATA, 16, 0, 0x0001) + desc(DATA + 0x100, 16, 0, 0))  # NEXT
    rig.driver.write_descriptor(0, TABLE, 32, 0, 0x0084)
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 86)


def test_an_indirect_table_longer_than_the_queue_is_refused() -> None:
    """N87: no chain longer than the device allows (here: the queue size, 5)."""
    rig = make_rig(5, indirect=True)
    rig.driver.add_buffer([out(n) for n in range(6)], [], indirect_table_addr=TABLE)
    assert [v.rule for v in rig.log.violations()] == [87]  # the driver's side of it
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 87)


@pytest.mark.parametrize(
    "slots",
    [
        [(0, TABLE, 16, 0x0085)],  # INDIRECT|NEXT on the head
        [(0, DATA, 16, 0x0081), (1, TABLE, 16, 0x0084)],  # INDIRECT as the second of a list
    ],
)
def test_indirect_inside_a_next_linked_list_is_refused(slots: list[tuple[int, ...]]) -> None:
    """N88: no descriptor with INDIRECT in a list linked by NEXT."""
    rig = make_rig(indirect=True)
    rig.memory.write(TABLE, desc(DATA, 16, 0, 0))
    rig.driver.write_descriptor(1, DATA, 16, 0, 0x0080)
    for slot, addr, length, flags in reversed(slots):
        rig.driver.write_descriptor(slot, addr, length, 0, flags)
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, 88)


@pytest.mark.parametrize(
    ("addr", "length", "flags", "table"),
    [
        (RAM + RAM_SIZE - 8, 16, 0x0080, b""),  # buffer runs off the end of RAM
        (0x4000_0000, 1, 0x0082, b""),  # writable buffer nowhere
        (0x4000_0000, 16, 0x0084, b""),  # indirect table nowhere
        (TABLE, 24, 0x0084, b""),  # table length not a multiple of 16
        (TABLE, 0, 0x0084, b""),  # empty table
        (TABLE, 16, 0x0084, desc(0x4000_0000, 4, 0, 0)),  # table entry nowhere
    ],
)
def test_lists_the_spec_has_no_must_for_are_device_errors(
    addr: int, length: int, flags: int, table: bytes
) -> None:
    rig = make_rig(indirect=True)
    rig.memory.write(TABLE, table)
    rig.driver.write_descriptor(0, addr, length, 0, flags)
    rig.take()
    assert rig.device.pop() is None
    assert_refused(rig, None)


def test_indirect_table_is_read_entry_by_entry() -> None:
    rig = make_rig(indirect=True)
    buffer_id = rig.driver.add_buffer([out(0)], [inn(1), inn(2)], indirect_table_addr=TABLE)
    rig.take()
    chain = rig.device.pop()
    assert chain == Chain(buffer_id, (out(0), inn(1), inn(2)), 1)
    events = rig.take()
    assert kinds(events) == ["desc_read"] + ["indirect_desc_read"] * 3 + ["chain_pop"]
    assert [e.reads for e in events[1:4]] == [(MemRange(TABLE + 16 * n, 16),) for n in range(3)]
    rig.device.push(chain, 0x100)
    assert rig.slot(0)[8:] == desc(0, 0x100, buffer_id, 0x8082)[8:]
    assert rig.device.next_used == 1
    used = rig.driver.get_used()
    assert used is not None and used.length == 0x100
    assert rig.driver.free_count == 5


def test_write_on_the_indirect_descriptor_itself_is_ignored() -> None:
    rig = make_rig(indirect=True)
    rig.memory.write(TABLE, desc(DATA, 16, 0, 0))
    rig.driver.write_descriptor(0, TABLE, 16, 9, 0x0086)  # INDIRECT|WRITE|AVAIL
    chain = rig.device.pop()
    assert chain == Chain(9, (Buffer(DATA, 16),), 1)


# -- used buffer notifications -----------------------------------------------------------------
def use_one(rig: Rig) -> None:
    rig.driver.add_buffer([out(0)], [])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)


def test_should_notify_with_enable_and_disable() -> None:
    rig = make_rig()
    use_one(rig)
    rig.take()
    assert rig.device.should_notify() is True  # zeroed Driver Area: ENABLE
    [event] = rig.take()
    assert (event.kind, event.reads) == ("notify_check", (MemRange(DRIVER_EVENT, 4),))
    rig.driver.disable_interrupts()
    use_one(rig)
    assert rig.device.should_notify() is False


def test_should_notify_with_desc_across_the_wrap() -> None:
    rig = make_rig(5, event_idx=True)
    rig.driver.set_driver_event(1, 0, 2)  # "tell me when slot 1 of lap 2 is used"
    for _ in range(5):
        use_one(rig)
        assert rig.device.should_notify() is False  # lap 1 slots do not match
        assert rig.driver.get_used() is not None
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (0, 0)
    use_one(rig)  # slot 0 of lap 2
    assert rig.device.should_notify() is False
    use_one(rig)  # slot 1 of lap 2
    assert rig.device.should_notify() is True
    use_one(rig)
    assert rig.device.should_notify() is False  # already passed


def test_a_whole_lap_without_a_check_notifies_to_be_safe() -> None:
    rig = make_rig(5, event_idx=True)
    rig.driver.set_driver_event(3, 0, 2)  # slot 3 of lap 2: not reached by lap 1 alone
    for _ in range(5):
        use_one(rig)
        assert rig.driver.get_used() is not None
    assert rig.device.should_notify() is True  # spurious, but harmless (N51); a miss is not


def test_driver_enable_interrupts_with_event_idx_then_device_notifies_once() -> None:
    rig = make_rig(4, event_idx=True)
    rig.driver.add_buffer([out(0)], [])
    rig.driver.add_buffer([out(1)], [])
    rig.driver.disable_interrupts()
    assert rig.driver.enable_interrupts() is False  # names slot 0, wrap 1
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    rig.device.push(first, 0)
    assert rig.device.should_notify() is True
    rig.device.push(second, 0)
    assert rig.device.should_notify() is False


def test_enable_and_disable_notifications_write_the_device_area() -> None:
    rig = make_rig(5)
    rig.device.disable_notifications()
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes([0, 0, 0x01, 0])
    [event] = rig.take()
    assert event.writes == (MemRange(DEVICE_EVENT + 2, 2),)
    rig.device.enable_notifications()
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes(4)
    rig.device.set_device_event(0x7FFF, 1, 1)
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes([0xFF, 0xFF, 0x01, 0])


def test_enable_notifications_with_event_idx_names_next_avail_and_its_wrap() -> None:
    rig = make_rig(4, event_idx=True)
    for _ in range(5):
        use_one(rig)
        assert rig.driver.get_used() is not None
    rig.device.enable_notifications()  # next avail: slot 1, wrap 0
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes([0x01, 0x00, 0x02, 0x00])
