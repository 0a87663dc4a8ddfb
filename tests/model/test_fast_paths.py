"""The fast paths of the model core are the plain paths, only quicker.

The memory journal keeps flat (start, end) pairs and builds MemRanges when drained, the
fixed-width accessors look the last region up first, and flag names are remembered. Each
test here checks that what comes out is exactly what the plain construction gives, also
when the model is compiled by mypyc (events and ranges pickle and copy as Python's do).
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import Event, EventLog
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.packed import ring
from virtio_viz.model.split import descriptor

RAM, MMIO = 0x1000_0000, 0xFE00_0000


def two_regions() -> GuestMemory:
    return GuestMemory.with_regions([("ram", RAM, 0x1000), ("mmio", MMIO, 0x100)])


# -- events ---------------------------------------------------------------------------------
def test_a_recorded_event_is_a_plain_frozen_event_equal_to_one_built_by_hand() -> None:
    memory = two_regions()
    log = EventLog(memory)
    memory.write_le16(RAM + 2, 7)
    event = log.record(
        "avail_idx_publish",
        actor="driver",
        plane="data",
        spec="§2.7.13.3",
        analog="virtqueue_add_split() in Linux",
        summary="The driver moves avail.idx from 6 to 7",
        queue=3,
        values={"old": 6, "idx": 7},
    )
    by_hand = Event(
        kind="avail_idx_publish",
        actor="driver",
        plane="data",
        spec="§2.7.13.3",
        analog="virtqueue_add_split() in Linux",
        summary="The driver moves avail.idx from 6 to 7",
        queue=3,
        values={"old": 6, "idx": 7},
        reads=(),
        writes=(MemRange(RAM + 2, 2),),
    )
    assert type(event) is Event
    assert event == by_hand and repr(event) == repr(by_hand)
    assert dataclasses.asdict(event) == dataclasses.asdict(by_hand)
    assert copy.copy(event) == by_hand and pickle.loads(pickle.dumps(event)) == by_hand
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.summary = "changed"  # type: ignore[misc]
    for same in (event, by_hand):  # whatever Python does here, it does to both alike
        with pytest.raises((AttributeError, TypeError)):
            same.extra = 1  # type: ignore[attr-defined]


def test_record_without_values_gives_an_empty_mapping_per_event() -> None:
    log = EventLog(two_regions())
    first = log.record("a", actor="device", plane="control", spec="§2.1", analog="", summary="")
    second = log.record("b", actor="device", plane="control", spec="§2.1", analog="", summary="")
    assert first.values == {} and second.values == {} and first.queue is None
    assert log.take() == [first, second] and log.events == []


# -- the memory journal -----------------------------------------------------------------------
def test_journal_ranges_are_plain_frozen_memranges() -> None:
    memory = two_regions()
    memory.write_le32(RAM, 1)
    (_reads, (written,)) = memory.drain_journal()
    assert type(written) is MemRange and written == MemRange(RAM, 4) and written.end == RAM + 4
    assert hash(written) == hash(MemRange(RAM, 4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        written.length = 8  # type: ignore[misc]


def test_journal_keeps_order_and_coalesces_only_touching_neighbours() -> None:
    memory = two_regions()
    memory.write_le16(RAM + 0x10, 1)
    memory.write_le16(RAM + 0x12, 2)  # touches the previous write
    memory.write_le16(RAM + 0x08, 3)  # before it: a new range
    memory.write(MMIO, b"\x01\x02\x03")  # another region
    memory.write_u8(MMIO + 3, 4)
    memory.read_le64(RAM + 0x20)
    memory.read(RAM + 0x28, 0)  # nothing read, nothing journaled
    memory.read_le32(RAM + 0x28)
    reads, writes = memory.drain_journal()
    assert writes == (MemRange(RAM + 0x10, 4), MemRange(RAM + 0x08, 2), MemRange(MMIO, 4))
    assert reads == (MemRange(RAM + 0x20, 12),)
    assert memory.drain_journal() == ((), ())


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),  # a write (or a read)
            st.booleans(),  # right after the previous access (or anywhere)
            st.integers(0, 0x100),
            st.sampled_from([1, 2, 4, 8]),
        ),
        max_size=12,
    )
)
def test_journal_matches_a_straightforward_model(
    accesses: list[tuple[bool, bool, int, int]],
) -> None:
    """The journal equals the obvious rule: append [addr, addr+size), merged into the
    previous range of the same kind when that one ends exactly at addr."""
    memory = two_regions()
    expected: dict[bool, list[MemRange]] = {True: [], False: []}
    addr = RAM
    for is_write, follows, offset, size in accesses:
        addr = addr if follows else RAM + offset
        if is_write:
            {1: memory.write_u8, 2: memory.write_le16, 4: memory.write_le32,
             8: memory.write_le64}[size](addr, 0)  # fmt: skip
        else:
            {1: memory.read_u8, 2: memory.read_le16, 4: memory.read_le32,
             8: memory.read_le64}[size](addr)  # fmt: skip
        ranges = expected[is_write]
        if ranges and ranges[-1].end == addr:
            ranges[-1] = MemRange(ranges[-1].addr, ranges[-1].length + size)
        else:
            ranges.append(MemRange(addr, size))
        addr += size
    assert memory.drain_journal() == (tuple(expected[False]), tuple(expected[True]))


def test_read_struct_reads_the_fields_as_one_journaled_read() -> None:
    memory = two_regions()
    layout = struct.Struct("<QIHH")  # a split descriptor
    memory.write(RAM + 0x20, layout.pack(0x1000_2000, 1514, 3, 4))
    memory.drain_journal()
    assert memory.read_struct(layout, RAM + 0x20) == (0x1000_2000, 1514, 3, 4)
    assert memory.drain_journal() == ((MemRange(RAM + 0x20, 16),), ())
    with pytest.raises(MemoryFault):
        memory.read_struct(layout, RAM + 0xFF8)  # runs past the end of RAM
    assert memory.drain_journal() == ((), ())


# -- the remembered region --------------------------------------------------------------------
def test_accesses_alternating_between_regions_hit_the_right_bytes() -> None:
    memory = two_regions()
    memory.write_le32(RAM + 0xFFC, 0x1122_3344)
    memory.write_le32(MMIO, 0x5566_7788)
    memory.write_le16(RAM, 0xAABB)
    assert memory.read_le32(RAM + 0xFFC) == 0x1122_3344
    assert memory.read_le32(MMIO) == 0x5566_7788
    assert memory.peek(RAM, 2) == b"\xbb\xaa"
    assert memory.contains(RAM + 0xFFC, 4) and not memory.contains(RAM + 0xFFE, 4)


@pytest.mark.parametrize("addr", [RAM + 0xFFF, RAM + 0x1000, RAM - 1, MMIO + 0xFF])
def test_an_access_crossing_or_past_the_remembered_region_faults(addr: int) -> None:
    memory = two_regions()
    memory.read_le16(RAM + 0x800)  # RAM is now the remembered region
    memory.drain_journal()
    before = memory.snapshot()
    with pytest.raises(MemoryFault):
        memory.write_le16(addr, 1)
    with pytest.raises(MemoryFault):
        memory.read_le16(addr)
    assert memory.snapshot() == before and memory.drain_journal() == ((), ())


def test_an_empty_access_at_the_end_of_a_region_faults_whatever_was_accessed_last() -> None:
    memory = two_regions()
    memory.read_le16(RAM)
    with pytest.raises(MemoryFault):
        memory.read(RAM + 0x1000, 0)
    assert memory.read(RAM + 0xFFF, 0) == b""


@pytest.mark.parametrize("value", [0x1_0000, -1])
def test_a_value_too_wide_for_the_remembered_region_writes_and_journals_nothing(
    value: int,
) -> None:
    memory = two_regions()
    memory.write_le16(RAM, 0xAAAA)  # RAM is now the remembered region
    memory.drain_journal()
    with pytest.raises(ConfigError, match=f"value {value} does not fit in 2 bytes"):
        memory.write_le16(RAM, value)
    assert memory.peek(RAM, 2) == b"\xaa\xaa" and memory.drain_journal() == ((), ())


def test_a_value_too_wide_is_refused_before_the_address_is_checked() -> None:
    memory = two_regions()
    with pytest.raises(ConfigError, match="does not fit in 2 bytes"):
        memory.write_le16(0x0, 0x1_0000)  # no memory at 0 either: the value is judged first
    with pytest.raises(ConfigError, match="does not fit in 4 bytes"):
        memory.write_le32(RAM, -1)
    assert memory.peek(RAM, 4) == bytes(4) and memory.drain_journal() == ((), ())


# -- flag names ------------------------------------------------------------------------------
def test_flag_names_are_the_same_the_second_time() -> None:
    for _ in range(2):
        assert descriptor.flag_names(0) == "0"
        assert descriptor.flag_names(3) == "NEXT|WRITE"
        assert descriptor.flag_names(0x13) == "NEXT|WRITE|0x10"
        assert ring.flag_names(0x8083) == "NEXT|WRITE|AVAIL|USED"
        assert ring.flag_names(0x0108) == "0x108"


# -- descriptor values keep their checks -------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((1 << 64, 0, 0, 0), "addr"),
        ((0, 1 << 32, 0, 0), "len"),
        ((0, 0, 1 << 16, 0), "flags"),
        ((0, 0, 0, -1), "next"),
    ],
)
def test_a_split_descriptor_field_that_does_not_fit_is_named(
    fields: tuple[int, int, int, int], message: str
) -> None:
    with pytest.raises(ConfigError, match=f"descriptor {message} "):
        descriptor.Descriptor(*fields)


def test_descriptors_encode_and_decode_as_before() -> None:
    split = descriptor.Descriptor(0x1000_2000, 1514, 3, 4)
    assert split.encode() == bytes.fromhex("0020001000000000ea05000003000400")
    assert descriptor.Descriptor.decode(split.encode()) == split
    packed = ring.PackedDesc(0x1000_2000, 1514, 2, 0x0081)
    assert packed.encode() == bytes.fromhex("0020001000000000ea05000002008100")
    assert ring.PackedDesc.decode(packed.encode()) == packed
    with pytest.raises(ConfigError, match="descriptor id"):
        ring.PackedDesc(0, 0, 1 << 16, 0)
