"""The driver side of a packed ring, as scenarios with the exact bytes in guest memory.

virtio-1.2 §2.8.1 (wrap counters), §2.8.6 (head written last), §2.8.17 (room first),
§2.8.21 (supplying buffers), §2.8.22 (reclaiming), §2.8.10 (event suppression).
"""

from __future__ import annotations

import pytest

from tests.support.packed_rig import (
    DATA,
    DESC,
    DEVICE_EVENT,
    DRIVER_EVENT,
    TABLE,
    Rig,
    desc,
    inn,
    kinds,
    make_rig,
    out,
)
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.memory import MemRange
from virtio_viz.model.virtqueue import Buffer


def cycle(rig: Rig, count: int) -> None:
    """Add, use and reclaim `count` single-descriptor buffers, moving both sides on."""
    for _ in range(count):
        rig.driver.add_buffer([out(9)], [])
        chain = rig.device.pop()
        assert chain is not None
        rig.device.push(chain, 0)
        assert rig.driver.get_used() is not None
    rig.take()


# -- supplying buffers ------------------------------------------------------------------------
def test_first_buffer_lands_in_slot_0_with_avail_encoding_of_wrap_1() -> None:
    rig = make_rig()
    assert rig.driver.add_buffer([out(0)], [], token="a") == 0
    assert rig.slot(0) == desc(DATA, 0x40, 0, 0x0080)
    events = rig.take()
    assert kinds(events) == ["desc_write", "head_flags_write"]
    assert events[0].writes == (MemRange(DESC, 14),)  # addr, len, id
    assert events[1].writes == (MemRange(DESC + 14, 2),)  # then the flags
    assert events[1].values["flags"] == 0x0080
    assert rig.driver.free_count == 4
    assert (rig.driver.next_avail, rig.driver.avail_wrap_counter) == (1, 1)
    assert rig.driver.in_flight == {0: 1}


def test_a_list_has_next_on_all_but_the_last_and_the_head_flags_are_written_last() -> None:
    """N83: the head becomes available only after the rest of the list is written."""
    rig = make_rig()
    buffer_id = rig.driver.add_buffer([out(0), out(1)], [inn(2)])
    assert rig.slot(0) == desc(DATA, 0x40, buffer_id, 0x0081)  # NEXT|AVAIL
    assert rig.slot(1) == desc(DATA + 0x100, 0x40, buffer_id, 0x0081)  # NEXT|AVAIL
    assert rig.slot(2) == desc(DATA + 0x200, 0x80, buffer_id, 0x0082)  # WRITE|AVAIL
    events = rig.take()
    assert kinds(events) == ["desc_write"] * 3 + ["head_flags_write"]
    assert [e.writes for e in events] == [
        (MemRange(DESC, 14),),
        (MemRange(DESC + 16, 16),),
        (MemRange(DESC + 32, 16),),
        (MemRange(DESC + 14, 2),),
    ]
    assert [e.values["head"] for e in events[:3]] == [True, False, False]
    assert rig.driver.in_flight == {buffer_id: 3}
    assert rig.driver.free_count == 2


def test_a_list_straddling_the_end_has_mixed_encodings_and_its_head_written_last() -> None:
    rig = make_rig(5)
    cycle(rig, 3)  # both sides now at slot 3, wrap 1
    buffer_id = rig.driver.add_buffer([out(0), out(1)], [inn(2), inn(3)], token="t")
    assert buffer_id == 0  # the id freed last is reused first, as Linux's free list does
    assert rig.slot(3) == desc(DATA, 0x40, 0, 0x0081)  # NEXT|AVAIL, wrap 1
    assert rig.slot(4) == desc(DATA + 0x100, 0x40, 0, 0x0081)
    assert rig.slot(0) == desc(DATA + 0x200, 0x80, 0, 0x8003)  # NEXT|WRITE|USED, wrap 0
    assert rig.slot(1) == desc(DATA + 0x300, 0x80, 0, 0x8002)  # WRITE|USED, wrap 0
    assert (rig.driver.next_avail, rig.driver.avail_wrap_counter) == (2, 0)
    events = rig.take()
    assert [(e.kind, e.values["slot"]) for e in events] == [
        ("desc_write", 3),
        ("desc_write", 4),
        ("desc_write", 0),
        ("desc_write", 1),
        ("head_flags_write", 3),
    ]
    assert events[0].writes == (MemRange(DESC + 0x30, 14),)
    assert events[-1].writes == (MemRange(DESC + 0x3E, 2),)

    chain = rig.device.pop()
    assert chain is not None
    assert (chain.id, chain.desc_count) == (0, 4)
    assert chain.buffers == (out(0), out(1), inn(2), inn(3))
    reads = [(e.values["slot"], e.values["wrap"]) for e in rig.take() if e.kind == "desc_read"]
    assert reads == [(3, 1), (4, 1), (0, 0), (1, 0)]
    assert (rig.device.next_avail, rig.device.avail_wrap_counter) == (2, 0)

    rig.device.push(chain, 0x100)
    assert rig.slot(3) == desc(DATA, 0x100, 0, 0x8082)  # used, wrap 1, WRITE; addr untouched
    assert (rig.device.next_used, rig.device.used_wrap_counter) == (2, 0)
    used = rig.driver.get_used()
    assert used is not None
    assert (used.id, used.length, used.token) == (0, 0x100, "t")
    assert (rig.driver.next_used, rig.driver.used_wrap_counter) == (2, 0)
    assert rig.driver.free_count == 5


def test_second_lap_uses_the_inverted_encodings() -> None:
    rig = make_rig(4)
    cycle(rig, 4)
    assert rig.driver.avail_wrap_counter == rig.device.used_wrap_counter == 0
    rig.driver.add_buffer([out(0)], [])
    rig.driver.add_buffer([out(1)], [inn(2)])
    assert rig.flags(0) == 0x8000  # AVAIL 0, USED 1
    assert (rig.flags(1), rig.flags(2)) == (0x8001, 0x8002)
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    rig.device.push(first, 0)
    rig.device.push(second, 0x20)
    assert rig.slot(0)[8:] == desc(0, 0, 0, 0x0000)[8:]  # used in lap 2: AVAIL = USED = 0
    assert rig.slot(1)[8:] == desc(0, 0x20, 1, 0x0002)[8:]  # ... plus WRITE
    assert rig.driver.get_used() is not None
    assert rig.driver.get_used() is not None
    assert rig.driver.get_used() is None


# -- impossible requests change nothing --------------------------------------------------------
def snapshot(rig: Rig) -> tuple[object, ...]:
    d = rig.driver
    return (rig.memory.snapshot(), d.free_count, d.next_avail, d.avail_wrap_counter, d.in_flight)


def test_no_room_for_the_whole_list_is_refused_before_anything_is_written() -> None:
    """N82: room for the whole list must exist before its head is exposed."""
    rig = make_rig(5)
    rig.driver.add_buffer([out(0), out(1), out(2)], [])
    rig.take()
    before = snapshot(rig)
    with pytest.raises(ConfigError, match="N82"):
        rig.driver.add_buffer([out(3), out(4), out(5)], [])
    assert snapshot(rig) == before
    assert rig.take() == []
    rig.driver.add_buffer([out(3), out(4)], [])  # two slots still fit
    assert rig.driver.free_count == 0


@pytest.mark.parametrize(
    ("out_", "in_", "match"),
    [
        ([], [], "at least one element"),
        ([out(n) for n in range(6)], [], "never fit"),  # N79: longer than the queue
        ([Buffer(1 << 64, 1)], [], "addr"),
        ([], [Buffer(DATA, 1 << 32, True)], "len"),
    ],
)
def test_impossible_buffers_are_refused(out_: list[Buffer], in_: list[Buffer], match: str) -> None:
    rig = make_rig(5)
    before = snapshot(rig)
    with pytest.raises(ConfigError, match=match):
        rig.driver.add_buffer(out_, in_)
    assert snapshot(rig) == before
    assert rig.take() == []


def test_an_indirect_table_outside_memory_is_refused() -> None:
    rig = make_rig(indirect=True)
    before = snapshot(rig)
    with pytest.raises(MemoryFault):
        rig.driver.add_buffer([out(0)], [], indirect_table_addr=0x2000_0000)
    assert snapshot(rig) == before


# -- indirect tables ----------------------------------------------------------------------------
def test_an_indirect_buffer_takes_one_slot_and_a_table_of_pvirtq_desc() -> None:
    rig = make_rig(indirect=True)
    buffer_id = rig.driver.add_buffer([out(0)], [inn(1), inn(2)], indirect_table_addr=TABLE)
    assert rig.memory.peek(TABLE, 48) == (
        desc(DATA, 0x40, 0, 0) + desc(DATA + 0x100, 0x80, 0, 2) + desc(DATA + 0x200, 0x80, 0, 2)
    )
    assert rig.slot(0) == desc(TABLE, 48, buffer_id, 0x0084)  # INDIRECT|AVAIL
    assert kinds(rig.take()) == ["indirect_table_write", "desc_write", "head_flags_write"]
    assert rig.driver.free_count == 4
    assert rig.driver.in_flight == {buffer_id: 1}


def test_indirect_without_the_feature_is_recorded_at_the_driver() -> None:
    """N85: INDIRECT only when VIRTIO_F_INDIRECT_DESC was negotiated."""
    rig = make_rig(indirect=False)
    rig.driver.add_buffer([out(0)], [], indirect_table_addr=TABLE)
    [violation] = rig.log.violations()
    assert (violation.rule, violation.actor) == (85, "driver")
    assert rig.flags(0) == 0x0084  # written anyway: the lesson continues at the device


# -- available buffer notifications ------------------------------------------------------------
def test_kick_follows_enable_and_disable() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [])
    rig.take()
    assert rig.driver.kick_prepare() is True  # zeroed structure: flags ENABLE
    [event] = rig.take()
    assert event.kind == "kick_check"
    assert event.reads == (MemRange(DEVICE_EVENT, 4),)
    rig.device.disable_notifications()
    assert rig.memory.peek(DEVICE_EVENT + 2, 2) == b"\x01\x00"
    rig.driver.add_buffer([out(1)], [])
    assert rig.driver.kick_prepare() is False


def test_kick_with_event_idx_fires_only_when_the_named_slot_is_made_available() -> None:
    rig = make_rig(5, event_idx=True)
    rig.device.enable_notifications()  # DESC at the device's next_avail: slot 0, wrap 1
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes([0x00, 0x80, 0x02, 0x00])
    rig.driver.add_buffer([out(0)], [])
    assert rig.driver.kick_prepare() is True
    rig.driver.add_buffer([out(1)], [])
    assert rig.driver.kick_prepare() is False  # slot 1 is not the one named
    while rig.device.pop() is not None:
        pass
    rig.device.enable_notifications()  # now slot 2, wrap 1
    assert rig.memory.peek(DEVICE_EVENT, 4) == bytes([0x02, 0x80, 0x02, 0x00])
    rig.driver.add_buffer([out(2), out(3)], [])
    assert rig.driver.kick_prepare() is True


def test_kick_with_event_idx_across_the_wrap() -> None:
    rig = make_rig(5, event_idx=True)
    rig.device.set_device_event(0, 0, 2)  # slot 0 of the SECOND lap (wrap 0)
    for n in range(3):
        rig.driver.add_buffer([out(n)], [])
    assert rig.driver.kick_prepare() is False  # slots 0..2 of lap 1 do not match
    rig.driver.add_buffer([out(3), out(4)], [])  # slots 3, 4: the lap ends
    assert (rig.driver.next_avail, rig.driver.avail_wrap_counter) == (0, 0)
    assert rig.driver.kick_prepare() is False
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    assert rig.driver.get_used() is not None
    rig.driver.add_buffer([out(5)], [])  # slot 0 of lap 2
    assert rig.driver.kick_prepare() is True


# -- reclaiming used buffers --------------------------------------------------------------------
def test_nothing_used_yet_reads_the_flags_and_returns_none() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [])
    rig.take()
    assert rig.driver.get_used() is None
    [event] = rig.take()
    assert event.kind == "used_desc_empty"
    assert event.reads == (MemRange(DESC + 14, 2),)
    assert rig.driver.free_count == 4


def test_len_is_passed_on_without_write_as_linux_does() -> None:
    """§2.8.4 calls len reserved without WRITE; Linux's get_buf hands it on anyway (its
    callers only read len for buffers the device writes), and so does the model."""
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [])
    rig.device.use_buffer(0, 77, 1)  # a device that fills len but not WRITE
    assert rig.flags(0) == 0x8082
    rig.memory.write_le16(DESC + 14, 0x8080)  # take WRITE away again
    used = rig.driver.get_used()
    assert used is not None and used.length == 77


def test_a_used_id_not_in_flight_breaks_the_queue_and_changes_nothing_else() -> None:
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [], token="a")
    rig.device.use_buffer(3, 0, 1)  # id 3 was never made available
    rig.take()
    assert rig.driver.get_used() is None
    [event] = rig.take()
    assert (event.kind, event.values["id"], event.values["check"]) == ("bad_ring", 3, "not_a_head")
    assert rig.driver.broken
    assert (rig.driver.next_used, rig.driver.free_count, rig.driver.in_flight) == (0, 4, {0: 1})
    assert rig.driver.get_used() is None
    with pytest.raises(ConfigError, match="broken"):
        rig.driver.add_buffer([out(1)], [])


# -- used buffer notification suppression -------------------------------------------------------
def test_disable_and_enable_interrupts_write_the_driver_area() -> None:
    rig = make_rig()
    rig.driver.disable_interrupts()
    assert rig.memory.peek(DRIVER_EVENT, 4) == bytes([0, 0, 0x01, 0x00])
    [event] = rig.take()
    assert event.writes == (MemRange(DRIVER_EVENT + 2, 2),)
    assert rig.driver.enable_interrupts() is False
    assert rig.memory.peek(DRIVER_EVENT, 4) == bytes(4)


def test_enable_interrupts_with_event_idx_names_the_next_used_slot() -> None:
    rig = make_rig(5, event_idx=True)
    cycle(rig, 6)  # one lap and one slot: next used is slot 1 with wrap 0
    rig.driver.disable_interrupts()
    assert rig.driver.enable_interrupts() is False
    assert rig.memory.peek(DRIVER_EVENT, 4) == bytes([0x01, 0x00, 0x02, 0x00])
    rig.driver.add_buffer([out(0)], [])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    assert rig.driver.enable_interrupts() is True  # a used buffer is already waiting


# -- ring-lab raw actions -------------------------------------------------------------------------
def test_write_descriptor_writes_exact_bytes_without_bookkeeping() -> None:
    rig = make_rig()
    rig.driver.write_descriptor(2, 0x1000_2000, 1514, 7, 0x0083)
    assert rig.slot(2) == desc(0x1000_2000, 1514, 7, 0x0083)
    [event] = rig.take()
    assert event.kind == "lab_desc_write"
    assert event.writes == (MemRange(DESC + 32, 16),)
    assert rig.driver.free_count == 5
    with pytest.raises(ConfigError):
        rig.driver.write_descriptor(5, 0, 0, 0, 0)
    with pytest.raises(ConfigError):
        rig.driver.write_descriptor(0, 0, 0, 0, 0x10000)
    assert rig.take() == []


def test_rewriting_a_slot_the_device_owns_is_a_violation() -> None:
    """N76: the driver must not change a descriptor after making it available."""
    rig = make_rig()
    rig.driver.add_buffer([out(0)], [])
    rig.driver.write_descriptor(1, 0, 0, 0, 0)  # a free slot: fine
    assert rig.log.violations() == []
    rig.driver.write_descriptor(0, DATA, 1, 0, 0x0080)
    [violation] = rig.log.violations()
    assert (violation.rule, violation.values["slot"]) == (76, 0)
    assert rig.slot(0) == desc(DATA, 1, 0, 0x0080)


def test_set_driver_event_writes_both_fields() -> None:
    rig = make_rig()
    rig.driver.set_driver_event(3, 1, 2)
    assert rig.memory.peek(DRIVER_EVENT, 4) == bytes([0x03, 0x80, 0x02, 0x00])
    with pytest.raises(ConfigError):
        rig.driver.set_driver_event(0x8000, 0, 0)
