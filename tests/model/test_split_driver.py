"""The driver side of a split virtqueue, byte by byte (virtio-1.2 §2.7.13, §2.7.7, §2.7.10)."""

from __future__ import annotations

import pytest

from tests.support.split_rig import OUTSIDE, desc_bytes, make_rig
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.split import Descriptor, SplitDriverQueue, SplitLayout
from virtio_viz.model.virtqueue import Buffer

NEXT, WRITE, INDIRECT = 1, 2, 4


# -- setting the ring up ---------------------------------------------------------------------
@pytest.mark.parametrize("event_idx", [False, True])
def test_creation_clears_the_rings_and_keeps_the_free_list_private(event_idx: bool) -> None:
    """N59: used.flags is 0 after the driver allocates the ring, whatever was there before.
    The descriptor table is all zeros, as Linux's zeroed allocation leaves it: the free
    list lives in the driver's private state, not in the table."""
    memory = GuestMemory.with_regions([("ram", 0x1000_0000, 0x1000)])
    memory.fill(0x1000_0000, 0x1000, 0xAA)
    log = EventLog(memory)
    layout = SplitLayout.contiguous(memory, 4, 0x1000_0000)
    driver = SplitDriverQueue(memory, log, layout, queue_index=0, event_idx=event_idx)
    assert memory.peek(layout.desc_addr, 64) == bytes(64)
    assert memory.peek(layout.avail_addr, layout.avail_bytes) == bytes(6 + 2 * 4)
    assert memory.peek(layout.used_addr, layout.used_bytes) == bytes(6 + 8 * 4)
    assert driver.free_list() == (0, 1, 2, 3)
    assert (driver.free_count, driver.avail_idx_shadow, driver.last_used_idx) == (4, 0, 0)
    assert [e.kind for e in log.events] == ["desc_table_init", "avail_ring_init", "used_ring_init"]
    assert log.events[2].writes == (MemRange(layout.used_addr, layout.used_bytes),)


def test_initial_index_is_written_to_both_idx_fields_and_the_event_fields() -> None:
    rig = make_rig(4, event_idx=True, initial_index=0xFFFE)
    layout = rig.layout
    assert rig.memory.peek(layout.avail_idx_addr, 2) == b"\xfe\xff"
    assert rig.memory.peek(layout.used_idx_addr, 2) == b"\xfe\xff"
    assert rig.le16(layout.used_event_addr) == 0xFFFE
    assert rig.le16(layout.avail_event_addr) == 0xFFFE
    assert rig.le16(layout.avail_flags_addr) == rig.le16(layout.used_flags_addr) == 0


def test_without_event_idx_the_event_fields_stay_zero() -> None:
    rig = make_rig(4, initial_index=0x1234)
    assert rig.avail_idx() == rig.used_idx() == 0x1234
    assert rig.le16(rig.layout.used_event_addr) == rig.le16(rig.layout.avail_event_addr) == 0


@pytest.mark.parametrize("bad", [-1, 0x10000])
def test_initial_index_must_be_16_bit(bad: int) -> None:
    memory = GuestMemory.with_regions([("ram", 0x1000_0000, 0x1000)])
    layout = SplitLayout.contiguous(memory, 4, 0x1000_0000)
    with pytest.raises(ConfigError):
        SplitDriverQueue(
            memory, EventLog(memory), layout, queue_index=0, event_idx=False, initial_index=bad
        )


# -- adding buffers -----------------------------------------------------------------------------
def test_add_buffer_writes_a_chain_readable_first_then_publishes_it() -> None:
    rig = make_rig(8)
    head = rig.driver.add_buffer([rig.buf(0, 12)], [rig.buf(1, 1514), rig.buf(2, 100)], token="rx")
    assert head == 0
    assert rig.desc_raw(0) == desc_bytes(rig.buf(0).addr, 12, NEXT, 1)
    assert rig.desc_raw(1) == desc_bytes(rig.buf(1).addr, 1514, NEXT | WRITE, 2)
    # the last one loses NEXT; its next still names the rest of the free list (3)
    assert rig.desc_raw(2) == desc_bytes(rig.buf(2).addr, 100, WRITE, 3)
    assert rig.avail_slot(0) == 0
    assert rig.avail_idx() == 1
    assert (rig.driver.free_head, rig.driver.free_count) == (3, 5)
    assert rig.kinds() == ["desc_write"] * 3 + ["avail_ring_write", "avail_idx_publish"]
    first = rig.log.events[0]
    assert first.writes == (MemRange(rig.layout.desc_entry_addr(0), 16),)
    assert (
        first.summary
        == "The driver writes descriptor 0: addr 0x10010000, len 12, flags NEXT, next 1"
    )
    publish = rig.log.events[-1]
    assert publish.writes == (MemRange(rig.layout.avail_idx_addr, 2),)
    assert publish.values["idx"] == 1


def test_each_add_goes_to_the_next_avail_slot() -> None:
    rig = make_rig(4, initial_index=6)
    heads = [rig.driver.add_buffer([rig.buf(n)], []) for n in range(3)]
    assert heads == [0, 1, 2]
    assert [rig.avail_slot(s) for s in (2, 3, 0)] == [0, 1, 2]  # 6 % 4 = 2, then wrap
    assert rig.avail_idx() == 9


def test_reclaimed_chains_go_back_to_the_front_of_the_free_list() -> None:
    """Linux's detach_buf_split(): the chain's tail points at the old free_head and the
    chain's head becomes the new free_head."""
    rig = make_rig(8)
    a = rig.driver.add_buffer([rig.buf(0)], [rig.buf(1, writable=True)], token="a")  # 0, 1
    b = rig.driver.add_buffer([rig.buf(2)], [], token="b")  # 2
    c = rig.driver.add_buffer([rig.buf(3)], [], token="c")  # 3
    assert (a, b, c) == (0, 2, 3)
    assert rig.driver.free_list() == (4, 5, 6, 7)
    rig.device.use_buffer(b, 0)
    used = rig.driver.get_used()
    assert used is not None
    assert (used.id, used.length, used.token) == (2, 0, "b")
    assert rig.driver.free_list() == (2, 4, 5, 6, 7)
    # the link 2 -> 4 is private: the ring still holds what the add wrote (next 3)
    assert rig.desc_raw(2) == desc_bytes(rig.buf(2).addr, 64, 0, 3)
    rig.device.use_buffer(a, 1514)
    assert rig.driver.get_used() is not None
    assert rig.driver.free_list() == (0, 1, 2, 4, 5, 6, 7)  # tail 1 -> old head 2
    assert rig.desc_raw(1) == desc_bytes(rig.buf(1).addr, 64, WRITE, 2)
    # the next add reuses the most recently freed descriptors first
    assert rig.driver.add_buffer([rig.buf(5)], [rig.buf(6)]) == 0
    assert rig.driver.free_list() == (2, 4, 5, 6, 7)


def test_indirect_buffer_uses_one_ring_descriptor_and_a_table() -> None:
    rig = make_rig(8, indirect=True)
    table = rig.table(0)
    head = rig.driver.add_buffer(
        [rig.buf(0, 10)], [rig.buf(1, 2000), rig.buf(2, 48)], indirect_table_addr=table
    )
    assert head == 0
    assert rig.desc_raw(0) == desc_bytes(table, 48, INDIRECT, 1)
    assert rig.memory.peek(table, 48) == (
        desc_bytes(rig.buf(0).addr, 10, NEXT, 1)
        + desc_bytes(rig.buf(1).addr, 2000, NEXT | WRITE, 2)
        + desc_bytes(rig.buf(2).addr, 48, WRITE, 3)  # Linux links the last entry on too
    )
    assert rig.driver.free_count == 7
    assert rig.kinds()[:4] == ["indirect_desc_write"] * 3 + ["desc_write"]


def test_a_single_element_never_needs_a_table() -> None:
    rig = make_rig(8, indirect=True)
    rig.driver.add_buffer([rig.buf(0, 10)], [], indirect_table_addr=rig.table(0))
    assert rig.desc_raw(0) == desc_bytes(rig.buf(0).addr, 10, 0, 1)
    assert rig.memory.peek(rig.table(0), 16) == bytes(16)


def test_without_a_table_address_an_indirect_queue_chains_directly() -> None:
    rig = make_rig(8, indirect=True)
    rig.driver.add_buffer([rig.buf(0)], [rig.buf(1)])
    assert rig.driver.free_count == 6


# -- refusing impossible adds, with nothing changed ---------------------------------------------
@pytest.mark.parametrize(
    ("out", "in_", "error", "match"),
    [
        ([], [], ConfigError, "at least one"),
        ([Buffer(0x1001_0000, 1 << 32)], [], ConfigError, "le32"),
        ([Buffer(0x1001_0000, 0xFFFF_FFFF), Buffer(0x1001_0000, 2)], [], ConfigError, "N39"),
        ([Buffer(0x1001_0000, 16)], [Buffer(OUTSIDE - 8, 16)], MemoryFault, "not backed"),
        ([Buffer(-16, 16)], [], MemoryFault, "not backed"),
    ],
)
def test_impossible_adds_raise_before_writing(
    out: list[Buffer], in_: list[Buffer], error: type[Exception], match: str
) -> None:
    """N39 among them: the driver refuses a chain of more than 2^32 bytes."""
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0)], [])
    before, events = rig.ring_bytes(), len(rig.log.events)
    with pytest.raises(error, match=match):
        rig.driver.add_buffer(out, in_)
    assert rig.ring_bytes() == before
    assert len(rig.log.events) == events
    assert (rig.driver.free_count, rig.driver.avail_idx_shadow) == (3, 1)


def test_a_chain_longer_than_the_queue_is_refused() -> None:
    """N43: no chain longer than the queue size, even through an indirect table."""
    rig = make_rig(2, indirect=True)
    three = [rig.buf(0), rig.buf(1), rig.buf(2)]
    with pytest.raises(ConfigError, match="N43"):
        rig.driver.add_buffer(three, [], indirect_table_addr=rig.table(0))
    with pytest.raises(ConfigError, match="N43"):
        rig.driver.add_buffer(three, [])
    assert rig.memory.peek(rig.table(0), 48) == bytes(48)
    assert rig.driver.free_count == 2
    assert rig.log.events == []


def test_more_elements_than_free_descriptors_is_refused() -> None:
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0), rig.buf(1), rig.buf(2)], [])
    before = rig.ring_bytes()
    with pytest.raises(ConfigError, match="only 1 are free"):
        rig.driver.add_buffer([rig.buf(3)], [rig.buf(4)])
    assert rig.ring_bytes() == before
    assert rig.driver.free_list() == (3,)
    rig.driver.add_buffer([rig.buf(3)], [])  # one still fits
    assert rig.driver.free_count == 0


def test_a_table_outside_memory_or_without_the_feature_is_refused() -> None:
    """N41: INDIRECT only when VIRTIO_F_INDIRECT_DESC was negotiated."""
    plain = make_rig(4)
    with pytest.raises(ConfigError, match="N41"):
        plain.driver.add_buffer(
            [plain.buf(0), plain.buf(1)], [], indirect_table_addr=plain.table(0)
        )
    rig = make_rig(4, indirect=True)
    with pytest.raises(MemoryFault):
        rig.driver.add_buffer([rig.buf(0), rig.buf(1)], [], indirect_table_addr=OUTSIDE - 16)
    assert rig.driver.free_count == 4
    assert plain.log.events == rig.log.events == []


def test_a_table_still_in_use_is_not_reused() -> None:
    """N20: the driver must not rewrite a table the device may still be reading."""
    rig = make_rig(4, indirect=True)
    rig.driver.add_buffer([rig.buf(0), rig.buf(1)], [], indirect_table_addr=rig.table(0))
    before, events = rig.memory.peek(rig.table(0), 64), len(rig.log.events)
    with pytest.raises(ConfigError, match="N20"):
        rig.driver.add_buffer([rig.buf(2), rig.buf(3)], [], indirect_table_addr=rig.table(0) + 16)
    assert (rig.memory.peek(rig.table(0), 64), len(rig.log.events)) == (before, events)
    rig.device.use_buffer(0, 0)
    assert rig.driver.get_used() is not None
    rig.driver.add_buffer([rig.buf(2), rig.buf(3)], [], indirect_table_addr=rig.table(0))


# -- available buffer notifications ---------------------------------------------------------------
def test_kick_follows_used_flags_without_event_idx() -> None:
    """N61: without EVENT_IDX the driver must kick when used.flags is 0."""
    rig = make_rig(4)
    assert rig.driver.kick_prepare() is False  # nothing added yet
    rig.driver.add_buffer([rig.buf(0)], [])
    assert rig.driver.kick_prepare() is True
    rig.device.disable_notifications()
    rig.driver.add_buffer([rig.buf(1)], [])
    assert rig.driver.kick_prepare() is False
    check = rig.log.events[-1]
    assert check.kind == "kick_check"
    assert check.reads == (MemRange(rig.layout.used_flags_addr, 2),)
    assert check.values["used_flags"] == 1


def test_kick_follows_avail_event_with_event_idx() -> None:
    """N62/N63: with EVENT_IDX the driver ignores used.flags and kicks when the batch
    [old, new) of avail.idx covers avail_event."""
    rig = make_rig(8, event_idx=True)
    rig.memory.write_le16(rig.layout.used_flags_addr, 1)  # a stray bit the driver must ignore
    rig.driver.add_buffer([rig.buf(0)], [])
    rig.driver.add_buffer([rig.buf(1)], [])
    assert rig.driver.kick_prepare() is True  # avail_event 0 in [0, 2)
    rig.device.set_avail_event(5)
    for n in range(3):
        rig.driver.add_buffer([rig.buf(n)], [])
    assert rig.driver.kick_prepare() is False  # 5 not in [2, 5)
    rig.driver.add_buffer([rig.buf(4)], [])
    assert rig.driver.kick_prepare() is True  # 5 in [5, 6)
    assert rig.log.events[-1].reads == (MemRange(rig.layout.avail_event_addr, 2),)


# -- reclaiming used buffers ---------------------------------------------------------------------
def test_get_used_on_an_empty_ring_returns_none_and_says_so() -> None:
    rig = make_rig(4)
    assert rig.driver.get_used() is None
    assert rig.kinds() == ["used_ring_empty"]
    assert rig.log.events[0].reads == (MemRange(rig.layout.used_idx_addr, 2),)


def test_get_used_with_event_idx_moves_used_event_along() -> None:
    rig = make_rig(4, event_idx=True, initial_index=0xFFFF)
    head = rig.driver.add_buffer([], [rig.buf(0)], token="t")
    rig.device.use_buffer(head, 40)
    used = rig.driver.get_used()
    assert used is not None
    assert (used.id, used.length, used.token) == (head, 40, "t")
    assert rig.driver.last_used_idx == 0
    assert rig.le16(rig.layout.used_event_addr) == 0
    assert rig.kinds()[-3:] == ["used_elem_read", "chain_detach", "used_event_write"]


@pytest.mark.parametrize("bad_id", [3, 100])
def test_a_used_id_that_is_not_an_outstanding_head_breaks_the_driver_queue(bad_id: int) -> None:
    """Linux's BAD_RING(): an id out of range, or not a head, marks the queue broken."""
    rig = make_rig(8)
    rig.driver.add_buffer([rig.buf(0)], [rig.buf(1)])  # head 0, descriptors 0 and 1
    rig.device.use_buffer(bad_id, 0)
    free_before = rig.driver.free_list()
    assert rig.driver.get_used() is None
    assert rig.driver.broken
    bad_ring = rig.log.events[-1]
    assert bad_ring.kind == "bad_ring"
    assert bad_ring.values["check"] == ("out_of_range" if bad_id >= 8 else "not_a_head")
    assert rig.driver.free_list() == free_before
    assert rig.driver.last_used_idx == 0
    with pytest.raises(ConfigError, match="broken"):
        rig.driver.add_buffer([rig.buf(2)], [])
    assert rig.driver.get_used() is None


# -- used buffer notification suppression ----------------------------------------------------------
def test_interrupt_suppression_without_event_idx_uses_avail_flags() -> None:
    rig = make_rig(4)
    rig.driver.disable_interrupts()
    assert rig.le16(rig.layout.avail_flags_addr) == 1
    assert rig.driver.enable_interrupts() is False
    assert rig.le16(rig.layout.avail_flags_addr) == 0
    head = rig.driver.add_buffer([rig.buf(0)], [])
    rig.device.use_buffer(head, 0)
    assert rig.driver.enable_interrupts() is True  # one already waits: poll again


def test_interrupt_suppression_with_event_idx_writes_0_to_used_event() -> None:
    """N50: with EVENT_IDX avail.flags stays 0; like Linux, the driver writes 0 into
    used_event, and get_used() stops moving it until interrupts are enabled again."""
    rig = make_rig(4, event_idx=True, initial_index=5)
    rig.driver.disable_interrupts()
    assert rig.le16(rig.layout.avail_flags_addr) == 0
    assert rig.le16(rig.layout.used_event_addr) == 0
    head = rig.driver.add_buffer([rig.buf(0)], [])
    rig.device.use_buffer(head, 0)
    assert rig.driver.get_used() is not None
    assert rig.le16(rig.layout.used_event_addr) == 0
    assert rig.driver.enable_interrupts() is False
    assert rig.le16(rig.layout.used_event_addr) == 6
    assert rig.log.violations() == []


# -- ring-lab actions ----------------------------------------------------------------------
def test_lab_write_descriptor_writes_exactly_what_was_asked() -> None:
    rig = make_rig(4)
    rig.driver.write_descriptor(2, 0x1234_5678_9ABC, 77, NEXT | INDIRECT | 0x8000, 9)
    assert rig.desc_raw(2) == desc_bytes(0x1234_5678_9ABC, 77, NEXT | INDIRECT | 0x8000, 9)
    assert "flags NEXT|INDIRECT|0x8000, next 9" in rig.log.events[-1].summary
    assert rig.log.violations() == []


@pytest.mark.parametrize(
    ("index", "addr", "length", "flags", "next_"),
    [(4, 0, 0, 0, 0), (0, 1 << 64, 0, 0, 0), (0, 0, 1 << 32, 0, 0), (0, 0, 0, 1 << 16, 0)],
)
def test_lab_write_descriptor_refuses_impossible_values(
    index: int, addr: int, length: int, flags: int, next_: int
) -> None:
    rig = make_rig(4)
    before = rig.ring_bytes()
    with pytest.raises(ConfigError):
        rig.driver.write_descriptor(index, addr, length, flags, next_)
    assert rig.ring_bytes() == before


def test_lab_overwriting_an_exposed_descriptor_is_n20() -> None:
    """N20 (§3.3.1): the driver must not alter entries of buffers the device may use."""
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(0)], [rig.buf(1)])  # descriptors 0, 1
    rig.driver.write_descriptor(3, 0, 0, 0, 0)  # free: fine
    assert rig.log.violations() == []
    rig.driver.write_descriptor(1, rig.buf(9).addr, 1, 0, 0)
    assert rig.only_violation().rule == 20
    assert rig.desc_raw(1) == desc_bytes(rig.buf(9).addr, 1, 0, 0)  # written anyway


def test_lab_indirect_table_overwriting_an_exposed_table_is_n20() -> None:
    """N20: an indirect table in use belongs to the device until the buffer returns."""
    rig = make_rig(4, indirect=True)
    rig.driver.add_buffer([rig.buf(0), rig.buf(1)], [], indirect_table_addr=rig.table(0))
    rig.driver.write_indirect_table(rig.table(1), [Descriptor(rig.buf(2).addr, 8)])
    assert rig.log.violations() == []
    rig.driver.write_indirect_table(rig.table(0) + 16, [Descriptor(rig.buf(3).addr, 8, WRITE)])
    assert rig.only_violation().rule == 20
    assert rig.memory.peek(rig.table(0) + 16, 16) == desc_bytes(rig.buf(3).addr, 8, WRITE, 0)
    with pytest.raises(MemoryFault):
        rig.driver.write_indirect_table(OUTSIDE - 16, [Descriptor(0, 0), Descriptor(0, 0)])
    with pytest.raises(ConfigError):
        rig.driver.write_indirect_table(rig.table(2), [])


def test_lab_avail_slot_and_idx_publish_by_hand() -> None:
    rig = make_rig(4)
    rig.driver.write_descriptor(2, rig.buf(0).addr, 64, 0, 0)
    rig.driver.write_avail_slot(0, 2)
    rig.driver.set_avail_idx(1)
    assert (rig.avail_slot(0), rig.avail_idx(), rig.driver.avail_idx_shadow) == (2, 1, 1)
    assert rig.log.violations() == []
    chain = rig.device.pop()
    assert chain is not None
    assert chain.id == 2
    with pytest.raises(ConfigError):
        rig.driver.write_avail_slot(4, 0)
    with pytest.raises(ConfigError):
        rig.driver.write_avail_slot(0, 0x10000)


def test_lab_moving_avail_idx_backwards_is_n48_and_still_written() -> None:
    """N48 (§2.7.6.1): the driver must never decrement avail.idx."""
    rig = make_rig(4, initial_index=2)
    rig.driver.set_avail_idx(1)
    violation = rig.only_violation()
    assert (violation.rule, violation.actor) == (48, "driver")
    assert rig.avail_idx() == 1


def test_lab_avail_idx_wrapping_forward_is_not_a_decrement() -> None:
    rig = make_rig(4, initial_index=0xFFFF)
    rig.driver.set_avail_idx(0)
    rig.driver.set_avail_idx(2)
    assert rig.log.violations() == []
    assert rig.avail_idx() == 2


@pytest.mark.parametrize(("event_idx", "value", "rule"), [(False, 2, 49), (True, 1, 50)])
def test_lab_illegal_avail_flags(event_idx: bool, value: int, rule: int) -> None:
    """N49: without EVENT_IDX avail.flags is 0 or 1. N50: with EVENT_IDX it is 0."""
    rig = make_rig(4, event_idx=event_idx)
    rig.driver.set_avail_flags(value)
    assert rig.only_violation().rule == rule
    assert rig.le16(rig.layout.avail_flags_addr) == value


def test_lab_legal_avail_flags_and_used_event() -> None:
    rig = make_rig(4)
    rig.driver.set_avail_flags(1)
    assert not rig.driver.interrupts_enabled
    rig.driver.set_avail_flags(0)
    rig.driver.set_used_event(0xBEEF)
    assert rig.le16(rig.layout.used_event_addr) == 0xBEEF
    assert "ignores it" in rig.log.events[-1].summary
    assert rig.log.violations() == []
    with pytest.raises(ConfigError):
        rig.driver.set_used_event(0x10000)
