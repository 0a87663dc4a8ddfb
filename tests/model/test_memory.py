"""Guest memory: regions, little-endian accessors, the access journal, checkpoints."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.memory import GuestMemory, MemRange


def ram() -> GuestMemory:
    return GuestMemory.with_regions([("ram", 0x1000_0000, 0x10000), ("mmio", 0xFE00_0000, 0x100)])


def test_le_accessors_write_little_endian_bytes() -> None:
    memory = ram()
    memory.write_le64(0x1000_0000, 0x1122_3344_5566_7788)
    memory.write_le32(0x1000_0008, 0xAABB_CCDD)
    memory.write_le16(0x1000_000C, 0xEEFF)
    assert memory.peek(0x1000_0000, 14).hex() == "8877665544332211" + "ddccbbaa" + "ffee"
    assert memory.read_le64(0x1000_0000) == 0x1122_3344_5566_7788
    assert memory.read_le16(0x1000_000C) == 0xEEFF


def test_journal_records_and_coalesces_ranges_then_resets() -> None:
    memory = ram()
    memory.write_le64(0x1000_0000, 1)
    memory.write_le32(0x1000_0008, 2)  # touches the previous write: one range
    memory.read_le16(0x1000_0100)
    reads, writes = memory.drain_journal()
    assert writes == (MemRange(0x1000_0000, 12),)
    assert reads == (MemRange(0x1000_0100, 2),)
    assert memory.drain_journal() == ((), ())


def test_peek_does_not_journal() -> None:
    memory = ram()
    memory.peek(0x1000_0000, 16)
    assert memory.drain_journal() == ((), ())


@pytest.mark.parametrize(
    ("addr", "length"),
    [(0x0, 1), (0x1000_FFFF, 2), (0x0FFF_FFFF, 2), (0xFE00_00FF, 4), (0x2000_0000, 8)],
)
def test_access_outside_any_region_faults_and_changes_nothing(addr: int, length: int) -> None:
    memory = ram()
    before = memory.snapshot()
    with pytest.raises(MemoryFault) as fault:
        memory.write(addr, b"\xff" * length)
    assert f"0x{addr:x}" in str(fault.value)
    assert memory.snapshot() == before
    assert memory.drain_journal() == ((), ())


def test_overlapping_or_impossible_regions_are_refused() -> None:
    memory = ram()
    with pytest.raises(ConfigError, match="overlaps"):
        memory.add_region("bad", 0x1000_8000, 0x10000)
    with pytest.raises(ConfigError):
        memory.add_region("empty", 0x3000_0000, 0)


def test_value_too_large_for_field_is_refused() -> None:
    with pytest.raises(ConfigError):
        ram().write_le16(0x1000_0000, 0x1_0000)


@pytest.mark.parametrize("value", [-1, 0x1_0000])
def test_an_le16_that_does_not_fit_changes_nothing(value: int) -> None:
    memory = ram()
    memory.write_le16(0x1000_0010, 0xBEEF)
    memory.drain_journal()
    with pytest.raises(ConfigError, match=f"value {value} does not fit in 2 bytes"):
        memory.write_le16(0x1000_0010, value)
    assert memory.peek(0x1000_0010, 2) == b"\xef\xbe"
    assert memory.drain_journal() == ((), ())


def test_an_le16_across_the_end_of_a_region_faults_and_is_not_journaled() -> None:
    memory = ram()
    memory.read_le16(0x1000_0000)  # the region of the last access is cached
    memory.drain_journal()
    for access in (
        lambda: memory.read_le16(0x1000_FFFF),
        lambda: memory.write_le16(0xFE00_00FF, 1),
    ):
        with pytest.raises(MemoryFault):
            access()
    assert memory.peek(0xFE00_00FF, 1) == b"\0"
    assert memory.drain_journal() == ((), ())


def test_write_struct_packs_fields_in_place_as_one_journaled_write() -> None:
    memory = ram()
    descriptor = struct.Struct("<QIHH")  # struct virtq_desc
    memory.write_struct(descriptor, 0x1000_0020, (0x1000_2000, 1500, 3, 7))
    assert memory.peek(0x1000_0020, 16).hex() == "0020001000000000" + "dc050000" + "0300" + "0700"
    assert memory.drain_journal() == ((), (MemRange(0x1000_0020, 16),))
    with pytest.raises(MemoryFault):
        memory.write_struct(descriptor, 0xFE00_00F8, (1, 2, 3, 4))  # 8 of its 16 bytes fit
    assert memory.peek(0xFE00_00F8, 8) == bytes(8)
    assert memory.drain_journal() == ((), ())


@given(st.lists(st.tuples(st.integers(0, 0xFFF0), st.binary(min_size=1, max_size=16))))
def test_snapshot_restore_round_trips(writes: list[tuple[int, bytes]]) -> None:
    memory = ram()
    for offset, data in writes:
        memory.write(0x1000_0000 + offset, data)
    restored = GuestMemory.restore(memory.snapshot())
    assert restored.snapshot() == memory.snapshot()
    assert restored.peek(0x1000_0000, 0x10000) == memory.peek(0x1000_0000, 0x10000)


def test_a_mapped_region_reads_and_writes_the_bytes_it_was_given() -> None:
    backing = bytearray(0x2000)
    memory = GuestMemory()
    memory.map_region("guest", 0x4000, memoryview(backing)[0x1000:])
    backing[0x1010:0x1012] = (0x1234).to_bytes(2, "little")  # someone else writes first
    assert memory.read_le16(0x4010) == 0x1234
    memory.write_le32(0x4020, 0xDEADBEEF)
    assert backing[0x1020:0x1024] == (0xDEADBEEF).to_bytes(4, "little")
    memory.write_le16(0x4030, 0xCAFE)
    assert backing[0x1030:0x1032] == b"\xfe\xca"
    with pytest.raises(MemoryFault):
        memory.read_le16(0x4FFF)  # one byte past the mapped view


def test_a_mapped_region_needs_writable_bytes_and_can_be_removed() -> None:
    memory = GuestMemory()
    with pytest.raises(ConfigError):
        memory.map_region("ro", 0, memoryview(bytes(16)))
    memory.map_region("rw", 0, memoryview(bytearray(16)))
    with pytest.raises(ConfigError):
        memory.map_region("overlap", 8, memoryview(bytearray(16)))
    memory.read_le16(0)  # the region of the last access is cached ...
    memory.remove_region("rw")
    with pytest.raises(MemoryFault):  # ... and forgotten with the region
        memory.read_le16(0)
