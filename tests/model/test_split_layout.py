"""Split virtqueue layout: sizes, field addresses, validation (virtio-1.2 §2.7, §2.7.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.uapi import uapi_values
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.split import SplitLayout, misaligned_parts, record_misalignment

BASE = 0x1000_0000


def ram(size: int = 0x20_0000) -> GuestMemory:
    return GuestMemory.with_regions([("ram", BASE, size)])


@pytest.mark.parametrize(
    ("size", "desc", "avail", "used"),
    [(1, 16, 8, 14), (8, 128, 22, 70), (256, 4096, 518, 2054), (32768, 524288, 65542, 262150)],
)
def test_area_sizes_follow_the_table_in_2_7(size: int, desc: int, avail: int, used: int) -> None:
    layout = SplitLayout.contiguous(ram(), size, BASE)
    assert (layout.desc_bytes, layout.avail_bytes, layout.used_bytes) == (desc, avail, used)


def test_every_field_address_of_a_size_8_ring() -> None:
    layout = SplitLayout.checked(ram(), 8, BASE, BASE + 0x1000, BASE + 0x2000)
    assert layout.desc_entry_addr(0) == BASE
    assert layout.desc_entry_addr(7) == BASE + 7 * 16
    assert layout.avail_flags_addr == BASE + 0x1000
    assert layout.avail_idx_addr == BASE + 0x1002
    assert layout.avail_ring_addr(0) == BASE + 0x1004
    assert layout.avail_ring_addr(7) == BASE + 0x1004 + 14
    assert layout.used_event_addr == BASE + 0x1004 + 16  # where avail.ring[8] would be
    assert layout.used_flags_addr == BASE + 0x2000
    assert layout.used_idx_addr == BASE + 0x2002
    assert layout.used_elem_addr(0) == BASE + 0x2004
    assert layout.used_elem_addr(7) == BASE + 0x2004 + 56
    assert layout.avail_event_addr == BASE + 0x2004 + 64  # where used.ring[8] would be


def test_contiguous_layout_rounds_the_used_ring_up_to_4() -> None:
    layout = SplitLayout.contiguous(ram(), 8, BASE)
    # desc 128 bytes, avail 22 bytes ends at +150, used rounded up to +152
    assert (layout.avail_addr, layout.used_addr) == (BASE + 128, BASE + 152)
    assert misaligned_parts(layout) == ()


@pytest.mark.parametrize("size", [0, 3, 6, 100, 32769, 65536, -1])
def test_impossible_queue_sizes_are_config_errors(size: int) -> None:
    with pytest.raises(ConfigError, match="power of 2"):
        SplitLayout.checked(ram(), size, BASE, BASE + 0x1000, BASE + 0x2000)
    with pytest.raises(ConfigError, match="power of 2"):
        SplitLayout(size, BASE, BASE + 0x1000, BASE + 0x2000)  # not even unchecked


@pytest.mark.parametrize("size", [1, 2, 4, 1024, 32768])
def test_every_power_of_two_up_to_32768_is_accepted(size: int) -> None:
    assert SplitLayout.contiguous(ram(), size, BASE).size == size


def test_an_area_outside_guest_memory_is_a_memory_fault() -> None:
    memory = ram(0x1000)
    with pytest.raises(MemoryFault):
        SplitLayout.checked(memory, 8, BASE, BASE + 0x200, BASE + 0x1000)
    # straddling the end of RAM: used ring of 70 bytes starting 16 bytes before the end
    with pytest.raises(MemoryFault):
        SplitLayout.checked(memory, 8, BASE, BASE + 0x200, BASE + 0x1000 - 16)


def test_field_helpers_refuse_slots_that_do_not_exist() -> None:
    layout = SplitLayout.contiguous(ram(), 8, BASE)
    for helper in (layout.desc_entry_addr, layout.avail_ring_addr, layout.used_elem_addr):
        with pytest.raises(ConfigError):
            helper(8)
        with pytest.raises(ConfigError):
            helper(-1)


def test_misaligned_parts_are_reported_but_the_layout_still_builds() -> None:
    """N34: each part must be aligned (desc 16, avail 2, used 4); a driver can get it
    wrong, so it is a violation to record, not an impossible layout."""
    layout = SplitLayout.checked(ram(), 8, BASE + 8, BASE + 0x1001, BASE + 0x2002)
    assert misaligned_parts(layout) == ("desc", "avail", "used")
    assert misaligned_parts(SplitLayout.checked(ram(), 8, BASE, BASE + 0x1002, BASE + 0x2004)) == ()


def test_record_misalignment_records_n34_per_part() -> None:
    """N34 (virtio-1.2 §2.7.1): the used ring at an address that is 2 mod 4."""
    memory = ram()
    log = EventLog(memory)
    layout = SplitLayout.checked(memory, 8, BASE, BASE + 0x1000, BASE + 0x2002)
    assert record_misalignment(layout, log, queue_index=3) == ("used",)
    (violation,) = log.violations()
    assert (violation.rule, violation.actor, violation.queue) == (34, "driver", 3)
    assert violation.values["addr"] == BASE + 0x2002
    assert violation.values["align"] == 4
    assert "0x10002002" in violation.summary


def test_a_legal_layout_records_nothing() -> None:
    memory = ram()
    log = EventLog(memory)
    assert record_misalignment(SplitLayout.contiguous(memory, 64, BASE), log, queue_index=0) == ()
    assert log.events == []


@pytest.mark.parametrize("align", [4, 4096])
def test_contiguous_layout_matches_linux_vring_init(align: int, tmp_path: Path) -> None:
    """The legacy layout (§2.7.2) computed by the uapi vring_init()/vring_size() agrees
    with ours, including where used_event and avail_event sit."""
    memory = ram(0x40_0000)
    sizes = (1, 8, 256, 32768)
    expressions = {}
    for n in sizes:
        ring = f"struct vring vr; vring_init(&vr, {n}, (void *)0x{BASE:x}UL, {align});"
        expressions[f"avail_{n}"] = f"({{ {ring} (unsigned long)vr.avail; }})"
        expressions[f"used_{n}"] = f"({{ {ring} (unsigned long)vr.used; }})"
        expressions[f"used_event_{n}"] = f"({{ {ring} (unsigned long)&vring_used_event(&vr); }})"
        expressions[f"avail_event_{n}"] = f"({{ {ring} (unsigned long)&vring_avail_event(&vr); }})"
        expressions[f"size_{n}"] = f"vring_size({n}, {align})"
    linux = uapi_values(expressions, tmp_path)
    for n in sizes:
        layout = SplitLayout.contiguous(memory, n, BASE, used_align=align)
        assert linux[f"avail_{n}"] == layout.avail_addr
        assert linux[f"used_{n}"] == layout.used_addr
        assert linux[f"used_event_{n}"] == layout.used_event_addr
        assert linux[f"avail_event_{n}"] == layout.avail_event_addr
        assert linux[f"size_{n}"] == layout.used_addr + layout.used_bytes - BASE


def test_vring_size_for_4096_alignment_matches_the_fact_sheet() -> None:
    """FACTS.md §3.1 lists vring_size(N, 4096); spot-check a few."""
    memory = ram(0x40_0000)
    for n, expected in ((1, 4110), (256, 10246), (32768, 856070)):
        layout = SplitLayout.contiguous(memory, n, BASE, used_align=4096)
        assert layout.used_addr + layout.used_bytes - BASE == expected
