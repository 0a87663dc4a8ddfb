"""The ring bytes the model's driver writes are the bytes Linux 6.1 writes.

Every expected value here is worked out by hand from Linux 6.1's drivers/virtio/
virtio_ring.c (the function is named in each test), not from the model: the free list is
private (desc_extra[].next), an added descriptor's `next` is copied from it (the last
one's too), reclaiming writes nothing into the ring, and packed buffer ids come from
Linux's id list. docs/conformance.md lists every write of that file with these tests.
"""

from __future__ import annotations

import pytest

from tests.support import packed_rig, split_rig
from tests.support.split_rig import desc_bytes, make_rig
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDriverQueue, PackedLayout
from virtio_viz.model.split import SplitDriverQueue, SplitLayout

NEXT, WRITE, INDIRECT = 1, 2, 4
AVAIL = 0x80


def table(rig: split_rig.Rig) -> list[bytes]:
    return [rig.desc_raw(i) for i in range(rig.layout.size)]


# -- split: vring_alloc_queue_split(), virtqueue_add_split(), detach_buf_split() ---------------
@pytest.mark.parametrize(("size", "event_idx"), [(4, False), (256, True)])
def test_a_fresh_descriptor_table_is_all_zeros(size: int, event_idx: bool) -> None:
    """Linux allocates the ring with __GFP_ZERO and writes no free links into it."""
    memory = GuestMemory.with_regions([("ram", 0x1000_0000, 0x10_0000)])
    memory.fill(0x1000_0000, 0x10_0000, 0x5A)  # whatever the pages held before
    layout = SplitLayout.contiguous(memory, size, 0x1000_0000)
    driver = SplitDriverQueue(memory, EventLog(memory), layout, queue_index=0, event_idx=event_idx)
    assert memory.peek(layout.desc_addr, 16 * size) == bytes(16 * size)
    assert driver.free_list() == tuple(range(size))


def test_an_add_writes_the_chain_with_next_from_the_private_list() -> None:
    """virtqueue_add_desc_split(): flags, addr, len and next = desc_extra[i].next; the last
    descriptor keeps the link to the rest of the free list, only its NEXT flag goes."""
    rig = make_rig(8)
    b = [rig.buf(n, 0x10 * (n + 1)) for n in range(3)]
    rig.driver.add_buffer([b[0]], [rig.buf(1, 0x20, True), rig.buf(2, 0x30, True)])
    assert table(rig) == [
        desc_bytes(b[0].addr, 0x10, NEXT, 1),
        desc_bytes(b[1].addr, 0x20, NEXT | WRITE, 2),
        desc_bytes(b[2].addr, 0x30, WRITE, 3),  # 3: the free list goes on there
        *[bytes(16)] * 5,  # untouched: still the zeroed allocation
    ]


def test_the_last_descriptor_of_a_full_ring_names_entry_0() -> None:
    """vring_alloc_desc_extra() links i to i + 1 and leaves the last entry's next 0."""
    rig = make_rig(4)
    rig.driver.add_buffer([rig.buf(n) for n in range(4)], [])
    assert [raw[12:16] for raw in table(rig)] == [
        bytes([NEXT, 0, 1, 0]),
        bytes([NEXT, 0, 2, 0]),
        bytes([NEXT, 0, 3, 0]),
        bytes([0, 0, 0, 0]),
    ]


def test_reclaiming_writes_nothing_into_the_ring_and_later_adds_follow_the_private_list() -> None:
    """detach_buf_split() relinks desc_extra[].next only. After buffers 1 and 0 come back
    (in that order) the private list is 0 -> 1 -> 3 -> 4 ..., so a 3-element chain takes
    0, 1 and 3, and its last descriptor names 4; descriptor 2 keeps its old bytes."""
    rig = make_rig(8)
    heads = [rig.driver.add_buffer([rig.buf(n)], [], token=n) for n in range(3)]
    assert heads == [0, 1, 2]
    before = table(rig)
    for head in (1, 0):
        rig.device.use_buffer(head, 0)
        rig.log.take()
        assert rig.driver.get_used() is not None
        detach = next(e for e in rig.log.take() if e.kind == "chain_detach")
        assert detach.writes == ()
        assert table(rig) == before  # the ring did not change
    assert rig.driver.free_list() == (0, 1, 3, 4, 5, 6, 7)
    rig.driver.add_buffer([rig.buf(5), rig.buf(6)], [rig.buf(7, writable=True)])
    assert table(rig)[:5] == [
        desc_bytes(rig.buf(5).addr, 64, NEXT, 1),
        desc_bytes(rig.buf(6).addr, 64, NEXT, 3),
        before[2],  # buffer 2 is still out: its descriptor is not touched
        desc_bytes(rig.buf(7).addr, 64, WRITE, 4),
        bytes(16),
    ]


def test_an_indirect_table_links_every_entry_to_the_next_the_last_too() -> None:
    """alloc_indirect_split() sets next = i + 1 for all entries; the ring descriptor names
    the table and takes its next from the private list."""
    rig = make_rig(8, indirect=True)
    table_addr = rig.table(0)
    rig.driver.add_buffer([rig.buf(0, 10)], [rig.buf(1, 20, True)], indirect_table_addr=table_addr)
    assert rig.memory.peek(table_addr, 32) == (
        desc_bytes(rig.buf(0).addr, 10, NEXT, 1) + desc_bytes(rig.buf(1).addr, 20, WRITE, 2)
    )
    assert rig.desc_raw(0) == desc_bytes(table_addr, 32, INDIRECT, 1)


@pytest.mark.parametrize("event_idx", [False, True])
def test_used_event_follows_each_reclaim_whenever_interrupts_are_wanted(event_idx: bool) -> None:
    """virtqueue_get_buf_ctx_split() stores used_event = last_used_idx unless avail's
    NO_INTERRUPT shadow is set, with or without EVENT_IDX."""
    rig = make_rig(4, event_idx=event_idx)
    for n in range(2):
        rig.device.use_buffer(rig.driver.add_buffer([rig.buf(n)], []), 0)
    assert rig.driver.get_used() is not None
    assert rig.le16(rig.layout.used_event_addr) == 1
    rig.driver.disable_interrupts()
    assert rig.driver.get_used() is not None
    assert rig.le16(rig.layout.used_event_addr) == (0 if event_idx else 1)


def test_suppression_writes_only_when_the_driver_changes_its_mind() -> None:
    """virtqueue_disable_cb_split() and virtqueue_enable_cb_prepare_split() look at the
    avail_flags shadow first: a second disable writes nothing; enabling always re-arms
    used_event but clears avail.flags only after a disable."""
    rig = make_rig(4)
    rig.log.take()
    rig.driver.enable_interrupts()
    assert [e.kind for e in rig.log.take()] == ["used_event_write", "used_ring_poll"]
    rig.driver.disable_interrupts()
    rig.driver.disable_interrupts()
    assert [e.kind for e in rig.log.take()] == ["avail_flags_write"]
    rig.driver.enable_interrupts()
    kinds = [e.kind for e in rig.log.take()]
    assert kinds == ["avail_flags_write", "used_event_write", "used_ring_poll"]


@pytest.mark.parametrize(("event_idx", "flags"), [(False, 1), (True, 0)])
def test_a_queue_without_a_callback_asks_for_no_interrupts(event_idx: bool, flags: int) -> None:
    """virtqueue_vring_init_split(): no callback (virtio_net's control queue) sets the
    NO_INTERRUPT shadow, written to avail.flags only without EVENT_IDX (N50); get_buf
    then leaves used_event alone."""
    memory = GuestMemory.with_regions([("ram", 0x1000_0000, 0x1000)])
    layout = SplitLayout.contiguous(memory, 4, 0x1000_0000)
    driver = SplitDriverQueue(
        memory, EventLog(memory), layout, queue_index=2, event_idx=event_idx, callback=False
    )
    assert memory.peek(layout.avail_flags_addr, 2) == flags.to_bytes(2, "little")
    assert not driver.interrupts_enabled


# -- packed: virtqueue_add_packed(), detach_buf_packed(), virtqueue_add_indirect_packed() -----
def test_packed_ids_come_from_linux_id_list_one_entry_per_slot() -> None:
    """A 2-slot buffer takes ids 0 and 1 from the list and is called 0; the next buffer is
    2. Reclaiming 0 puts its two entries back in front: the next two buffers are 0 and 1."""
    rig = packed_rig.make_rig(8)
    out = packed_rig.out
    first = rig.driver.add_buffer([out(0), out(1)], [])
    second = rig.driver.add_buffer([out(2)], [])
    assert (first, second) == (0, 2)
    assert [rig.slot(s)[12:14] for s in range(3)] == [b"\0\0", b"\0\0", b"\2\0"]
    rig.device.use_buffer(0, 0, 2)
    assert rig.driver.get_used() is not None
    assert rig.driver.free_ids() == (0, 1, 3, 4, 5, 6, 7)
    assert [rig.driver.add_buffer([out(n)], []) for n in (3, 4, 5)] == [0, 1, 3]
    assert rig.slot(3) == packed_rig.desc(out(3).addr, 0x40, 0, AVAIL)


def test_packed_indirect_entries_leave_the_id_field_as_it_was() -> None:
    """Linux fills flags, addr and len of each table entry; id is left unwritten."""
    rig = packed_rig.make_rig(4, indirect=True)
    rig.memory.fill(packed_rig.TABLE, 32, 0xEE)
    rig.driver.add_buffer(
        [packed_rig.out(0)], [packed_rig.inn(1)], indirect_table_addr=packed_rig.TABLE
    )
    entries = rig.memory.peek(packed_rig.TABLE, 32)
    assert entries[:16] == packed_rig.desc(packed_rig.out(0).addr, 0x40, 0xEEEE, 0)
    assert entries[16:] == packed_rig.desc(packed_rig.inn(1).addr, 0x80, 0xEEEE, WRITE)


def test_packed_queue_without_a_callback_starts_disabled_and_never_moves_off_wrap() -> None:
    """virtqueue_vring_init_packed(): no callback -> driver flags DISABLE at once; get_buf
    writes off_wrap only while the flags are DESC."""
    memory = GuestMemory.with_regions([("ram", packed_rig.RAM, packed_rig.RAM_SIZE)])
    layout = PackedLayout.checked(
        memory, 4, packed_rig.DESC, packed_rig.DRIVER_EVENT, packed_rig.DEVICE_EVENT
    )
    PackedDriverQueue(
        memory, EventLog(memory), layout, queue_index=2, event_idx=True, callback=False
    )
    assert memory.peek(packed_rig.DRIVER_EVENT, 4) == bytes([0, 0, 1, 0])


def test_packed_off_wrap_follows_reclaims_only_in_desc_mode() -> None:
    rig = packed_rig.make_rig(4, event_idx=True)
    for n in range(2):
        rig.driver.add_buffer([packed_rig.out(n)], [])
        rig.device.use_buffer(n, 0, 1)
    assert rig.driver.get_used() is not None
    assert rig.memory.peek(packed_rig.DRIVER_EVENT, 4) == bytes(4)  # ENABLE: nothing moves
    rig.driver.disable_interrupts()
    rig.driver.enable_interrupts()  # DESC, naming slot 1 of lap 1
    assert rig.memory.peek(packed_rig.DRIVER_EVENT, 4) == bytes([1, 0x80, 2, 0])
    assert rig.driver.get_used() is not None
    assert rig.memory.peek(packed_rig.DRIVER_EVENT, 4) == bytes([2, 0x80, 2, 0])


def test_a_packed_list_filling_the_whole_ring_flips_the_wrap_counter() -> None:
    """virtqueue_add_packed() in 6.1.192 flips avail_wrap_counter when the list ends at or
    before its head (`i <= head`); 6.1.15 tested `i < head` and missed a list of exactly
    the ring's size. The model has the fixed behaviour."""
    rig = packed_rig.make_rig(4)
    rig.driver.add_buffer([packed_rig.out(n) for n in range(4)], [])
    assert (rig.driver.next_avail, rig.driver.avail_wrap_counter) == (0, 0)
    assert [rig.flags(s) for s in range(4)] == [AVAIL | NEXT] * 3 + [AVAIL]
