"""A back-end's memory table: guest addresses to back-end addresses, and the faults a
guest can provoke with addresses outside its memory or across two regions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.memtable import MemoryTable, TableRegion, Translation, TranslationFault
from virtio_viz.model.vhost.structs import MemoryRegion, VhostMemory
from virtio_viz.model.vhost.user_payloads import MemTablePayload, UserMemoryRegion

# QEMU-like guest RAM below and above the PCI hole, as one memfd sent twice
LOW = UserMemoryRegion(0x0, 0x8000_0000, 0x7F00_0000_0000, 0x0)
HIGH = UserMemoryRegion(0x1_0000_0000, 0x4000_0000, 0x7F00_8000_0000, 0x8000_0000)
MAPPED = (0x7E00_0000_0000, 0x7D00_0000_0000)  # where the back-end's two mmap() calls landed


def vhost_user_table() -> MemoryTable:
    return MemoryTable.from_user(MemTablePayload((LOW, HIGH)), mapped_at=MAPPED)


def adjacent_table() -> MemoryTable:
    """Two regions that touch in guest space but not in the back-end's."""
    return MemoryTable(
        (
            TableRegion(0x1000_0000, 0x10_0000, 0x7F00_0000_0000),
            TableRegion(0x1010_0000, 0x10_0000, 0x7F00_1000_0000),
        )
    )


def test_vhost_user_adds_the_offset_to_the_mapping_and_mmap_offset() -> None:
    table = vhost_user_table()
    hit = table.translate(0x1_0000_2000, 1514)
    assert hit == Translation(
        gpa=0x1_0000_2000,
        length=1514,
        region=1,
        offset=0x2000,
        uaddr=0x7F00_8000_2000,  # QEMU's address: userspace_addr + offset
        backend_addr=0x7D00_8000_2000,  # mapped_at + mmap_offset + offset
    )
    assert hit.describe() == (
        "guest 0x100002000+1514 lies in region 1 at offset 0x2000: "
        "front-end 0x7f0080002000, back-end 0x7d0080002000"
    )
    low = table.translate(0x1234, 16)
    assert isinstance(low, Translation)
    assert (low.region, low.uaddr, low.backend_addr) == (0, 0x7F00_0000_1234, 0x7E00_0000_1234)


def test_vhost_kernel_uses_the_vmm_address_directly() -> None:
    memory = VhostMemory((MemoryRegion(0x0, 0x8000_0000, 0x7F00_0000_0000),))
    hit = MemoryTable.from_kernel(memory).translate(0x200_0000, 64)
    assert isinstance(hit, Translation)
    assert hit.backend_addr == hit.uaddr == 0x7F00_0200_0000


def test_region_boundaries_are_exact() -> None:
    table = vhost_user_table()
    last = table.translate(0x7FFF_FFFF, 1)  # the last byte of the low region
    assert isinstance(last, Translation) and last.offset == 0x7FFF_FFFF
    whole = table.translate(0x0, 0x8000_0000)
    assert isinstance(whole, Translation) and whole.length == 0x8000_0000
    assert table.translate(0x8000_0000, 1) == TranslationFault(
        0x8000_0000, 1, "guest-physical", "unmapped", None,
        "guest-physical 0x80000000+1 is outside every memory region",
    )  # fmt: skip
    end = table.translate(0x1_3FFF_FFFF, 1)
    assert isinstance(end, Translation) and end.region == 1
    assert isinstance(table.translate(0x1_4000_0000, 1), TranslationFault)


def test_a_range_running_off_its_region_into_nothing_is_a_past_end_fault() -> None:
    fault = vhost_user_table().translate(0x7FFF_F000, 0x2000)
    assert isinstance(fault, TranslationFault)
    assert (fault.reason, fault.region) == ("past_end", 0)
    assert fault.detail == (
        "guest-physical 0x7ffff000+8192 starts in region 0 (0x0..0x80000000) "
        "and runs 4096 bytes past its end, and 0x80000000 is in no region"
    )


def test_a_range_across_two_regions_is_a_straddle_fault_that_split_resolves() -> None:
    table = adjacent_table()
    fault = table.translate(0x100F_FF00, 0x200)
    assert isinstance(fault, TranslationFault)
    assert (fault.reason, fault.region) == ("straddle", 0)
    assert "runs 256 bytes on into region 1" in fault.detail
    pieces = table.split(0x100F_FF00, 0x200)
    assert pieces == (
        Translation(0x100F_FF00, 0x100, 0, 0xFFF00, 0x7F00_000F_FF00, 0x7F00_000F_FF00),
        Translation(0x1010_0000, 0x100, 1, 0x0, 0x7F00_1000_0000, 0x7F00_1000_0000),
    )
    assert isinstance(table.split(0x100F_FF00, 0x10_0200), TranslationFault)  # runs past both
    assert table.split(0x1000_0000, 8) == (table.translate(0x1000_0000, 8),)


def test_ring_addresses_are_looked_up_by_the_vmm_address() -> None:
    table = vhost_user_table()
    ring = table.translate_uaddr(0x7F00_8000_4000, 0x1000)
    assert isinstance(ring, Translation)
    assert (ring.gpa, ring.backend_addr) == (0x1_0000_4000, 0x7D00_8000_4000)
    outside = table.translate_uaddr(0x1_0000_4000, 16)  # a guest address is not a VMM one
    assert isinstance(outside, TranslationFault) and outside.space == "front-end virtual"


def test_reverse_view_for_the_ui() -> None:
    table = vhost_user_table()
    back = table.to_guest(0x7D00_8000_2000)
    assert isinstance(back, Translation)
    assert (back.region, back.offset, back.gpa) == (1, 0x2000, 0x1_0000_2000)
    assert table.locate(0x1_0000_2000) == (1, 0x2000)
    assert table.locate(0x9000_0000) is None
    assert isinstance(table.to_guest(0x1234), TranslationFault)


def test_tables_convert_to_and_from_the_messages() -> None:
    table = vhost_user_table()
    assert table.user_payload() == MemTablePayload((LOW, HIGH))
    decoded = user.decode(user.set_mem_table((LOW, HIGH)).encode()).payload
    assert isinstance(decoded, MemTablePayload)
    unmapped = MemoryTable.from_user(decoded)  # before the back-end has mmap()ed anything
    assert unmapped.regions[1] == TableRegion(
        0x1_0000_0000, 0x4000_0000, 0x7F00_8000_0000, 0x8000_0000, None
    )
    assert table.kernel_memory().regions[1] == MemoryRegion(
        0x1_0000_0000, 0x4000_0000, 0x7F00_8000_0000
    )
    memory = GuestMemory.with_regions([("ram", 0x200_0000, 0x40_0000)])
    ram = MemoryTable.from_guest_memory(memory, 0x7F00_0000_0000, mapped_base=0x7E00_0000_0000)
    hit = ram.translate(0x200_1000, 4)
    assert isinstance(hit, Translation)
    assert (hit.uaddr, hit.backend_addr) == (0x7F00_0200_1000, 0x7E00_0200_1000)


def test_impossible_tables_are_refused() -> None:
    with pytest.raises(ConfigError, match="overlap in guest-physical space at 0x1000"):
        MemoryTable((TableRegion(0x0, 0x2000, 0x10_0000), TableRegion(0x1000, 0x1000, 0x20_0000)))
    with pytest.raises(ConfigError, match="overlap in front-end virtual space"):
        MemoryTable((TableRegion(0x0, 0x1000, 0x10_0000), TableRegion(0x1000, 0x1000, 0x10_0800)))
    with pytest.raises(ConfigError, match="does not fit in a 64-bit address space"):
        TableRegion(0x0, 0, 0x1000)
    with pytest.raises(ConfigError, match="does not fit in a 64-bit address space"):
        TableRegion((1 << 64) - 0x1000, 0x2000, 0x1000)
    with pytest.raises(ConfigError, match="2 regions but 1 mappings"):
        MemoryTable.from_user(MemTablePayload((LOW, HIGH)), mapped_at=[0x1000])
    with pytest.raises(ConfigError, match="cannot be negative"):
        vhost_user_table().translate(-1, 4)


@settings(max_examples=200, deadline=None)
@given(gpa=st.integers(0x0FF0_0000, 0x1030_0000), length=st.integers(0, 0x2_0000))
def test_translation_agrees_with_a_byte_by_byte_reading(gpa: int, length: int) -> None:
    table = adjacent_table()
    result = table.translate(gpa, length)
    first, last = table.locate(gpa), table.locate(gpa + max(length, 1) - 1)
    if isinstance(result, Translation):
        assert first is not None and first[0] == result.region
        assert last is not None and last[0] == result.region
        region = table.regions[result.region]
        assert result.backend_addr == region.backend_base + (gpa - region.guest_phys_addr)
    elif result.reason == "unmapped":
        assert first is None
    elif result.reason == "past_end":
        assert first is not None and first[0] == result.region
        assert isinstance(table.split(gpa, length), TranslationFault)
    else:  # straddle: regions hold every byte, but not one region
        assert first is not None and first[0] == result.region
        assert last is not None and last != first
        pieces = table.split(gpa, length)
        assert isinstance(pieces, tuple)
        assert sum(p.length for p in pieces) == length
        assert pieces[0].gpa == gpa
