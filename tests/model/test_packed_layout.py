"""Packed ring layout, flag encodings and the event-suppression formula.

virtio-1.2 §2.8 (sizes), §2.8.1 (wrap counters), §2.8.10 / §2.8.14 (event suppression),
§2.8.11 (alignment, N69), §2.8.13 (descriptor format).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.packed_rig import DESC, RAM
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventLog, Violation
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed.layout import PackedLayout, misaligned_parts, record_misalignment
from virtio_viz.model.packed.ring import (
    EventSuppress,
    PackedDesc,
    advance,
    avail_bits,
    desc_event_triggered,
    flag_names,
    is_available,
    is_used,
    notify_decision,
    used_bits,
)


def memory() -> GuestMemory:
    return GuestMemory.with_regions([("ram", RAM, 0x10000)])


# -- sizes and addresses ------------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, 5, 100, 32768])
def test_any_size_up_to_32768_is_possible_not_only_powers_of_2(size: int) -> None:
    layout = PackedLayout(size, 0x1000_0000, 0x2000_0000, 0x2000_0010)
    assert layout.desc_bytes == 16 * size


@pytest.mark.parametrize("size", [0, -1, 32769, 65536])
def test_impossible_sizes_are_refused(size: int) -> None:
    with pytest.raises(ConfigError, match="packed queue size"):
        PackedLayout(size, 0x1000_0000, 0x2000_0000, 0x2000_0010)


def test_addresses_of_descriptors_and_event_fields() -> None:
    layout = PackedLayout(5, 0x1000_0000, 0x1000_0800, 0x1000_0810)
    assert layout.desc_entry_addr(0) == 0x1000_0000
    assert layout.desc_entry_addr(4) == 0x1000_0040
    assert layout.desc_flags_addr(3) == 0x1000_003E  # flags at offset 14
    assert layout.driver_event_desc_addr == 0x1000_0800
    assert layout.driver_event_flags_addr == 0x1000_0802
    assert layout.device_event_desc_addr == 0x1000_0810
    assert layout.device_event_flags_addr == 0x1000_0812
    with pytest.raises(ConfigError, match="slot 5"):
        layout.desc_entry_addr(5)


def test_checked_layout_must_lie_in_guest_memory() -> None:
    with pytest.raises(MemoryFault) as fault:
        PackedLayout.checked(memory(), 5, RAM + 0xFFF0, RAM + 0x800, RAM + 0x810)
    assert fault.value.addr == RAM + 0xFFF0
    with pytest.raises(MemoryFault):
        PackedLayout.checked(memory(), 5, DESC, RAM + 0x800, RAM + 0x10000)


def test_overlapping_areas_are_refused() -> None:
    with pytest.raises(ConfigError, match="overlap"):
        PackedLayout(5, DESC, DESC + 0x40, DESC + 0x100)  # driver area inside desc[4]


def test_misalignment_is_reported_not_raised() -> None:
    """N69: each part must start at a multiple of its alignment (16 / 4 / 4)."""
    aligned = PackedLayout(5, DESC, RAM + 0x800, RAM + 0x804)
    assert misaligned_parts(aligned) == ()
    skewed = PackedLayout(5, DESC + 8, RAM + 0x802, RAM + 0x806)
    assert misaligned_parts(skewed) == ("desc", "driver_event", "device_event")
    log = EventLog(memory())
    assert record_misalignment(skewed, log, queue_index=2) == (
        "desc",
        "driver_event",
        "device_event",
    )
    violations = log.violations()
    assert [v.rule for v in violations] == [69, 69, 69]
    assert all(isinstance(v, Violation) and v.actor == "driver" for v in violations)
    assert violations[0].values == {"part": "desc", "addr": DESC + 8, "align": 16}
    assert violations[1].values["align"] == 4
    assert violations[2].queue == 2


# -- flag encodings, virtio-1.2 §2.8.1 -------------------------------------------------------------
def test_avail_and_used_encodings_for_both_wrap_values() -> None:
    assert (avail_bits(1), avail_bits(0)) == (0x0080, 0x8000)
    assert (used_bits(1), used_bits(0)) == (0x8080, 0x0000)


@pytest.mark.parametrize(
    ("flags", "wrap", "available", "used"),
    [
        (0x0000, 1, False, False),  # zeroed memory in the first lap
        (0x0000, 0, False, True),  # zeroed flags read in the second lap look used, not available
        (0x0080, 1, True, False),
        (0x0081, 1, True, False),  # NEXT does not matter
        (0x8000, 0, True, False),
        (0x8000, 1, False, False),
        (0x8080, 1, False, True),
        (0x8082, 1, False, True),
        (0x8080, 0, False, False),
        (0x0002, 0, False, True),
    ],
)
def test_available_and_used_need_the_readers_wrap_counter(
    flags: int, wrap: int, available: bool, used: bool
) -> None:
    assert is_available(flags, wrap) is available
    assert is_used(flags, wrap) is used


def test_advance_flips_the_wrap_counter_when_passing_the_end() -> None:
    assert advance(3, 1, 1, 5) == (4, 1)
    assert advance(4, 1, 1, 5) == (0, 0)
    assert advance(3, 0, 4, 5) == (2, 1)
    assert advance(0, 1, 5, 5) == (0, 0)


def test_descriptor_codec_and_names() -> None:
    d = PackedDesc(0x1000_2000, 1514, 7, 0x0083)
    assert d.encode().hex() == "0020001000000000" + "ea050000" + "0700" + "8300"
    assert PackedDesc.decode(d.encode()) == d
    assert d.describe() == "addr 0x10002000, len 1514, id 7, flags NEXT|WRITE|AVAIL (0x0083)"
    assert flag_names(0x8004) == "INDIRECT|USED"
    assert flag_names(0x0108) == "0x108"
    assert flag_names(0) == "0"
    with pytest.raises(ConfigError, match="id"):
        PackedDesc(0, 0, 0x10000, 0)


def test_event_suppression_codec() -> None:
    event = EventSuppress(off=3, wrap=1, flags=2)
    assert event.encode() == bytes([0x03, 0x80, 0x02, 0x00])
    assert event.off_wrap == 0x8003
    assert EventSuppress.decode(bytes([0x03, 0x80, 0x02, 0x00])) == event
    assert event.describe() == "flags DESC, off 3, wrap 1"
    assert EventSuppress.decode(bytes([0, 0, 0x01, 0x40])).mode_name == "DISABLE"  # reserved bits
    with pytest.raises(ConfigError):
        EventSuppress(off=0x8000, wrap=0, flags=0)


# -- DESC event formula, virtio-1.2 §2.8.10 ------------------------------------------------
@pytest.mark.parametrize(
    ("off", "ewrap", "wrap", "new", "moved", "expected"),
    [
        (1, 1, 1, 2, 1, True),  # moved 1 -> 2: slot 1 made available in this lap
        (2, 1, 1, 2, 1, False),  # slot 2 not reached yet
        (0, 1, 1, 2, 1, False),  # slot 0 passed before the last check
        (4, 1, 0, 1, 2, True),  # 4 -> 1 across the end: slot 4 of the old lap (wrap 1)
        (0, 0, 0, 1, 2, True),  # ... and slot 0 of the new lap (wrap 0)
        (1, 0, 0, 1, 2, False),  # slot 1 of the new lap is next, not yet made available
        (3, 1, 0, 1, 2, False),  # slot 3 of the old lap was passed earlier
        (0, 1, 0, 1, 2, False),  # slot 0 of the old lap (wrap 1) was passed long before
        (2, 0, 1, 3, 4, False),  # window is old slot 4 + new 0..2: old slot 2 is outside
        (2, 1, 1, 3, 0, False),  # nothing moved, nothing to notify
        (2, 1, 1, 3, 5, True),  # a whole lap since the last check: notify to be safe
    ],
)
def test_desc_event_with_wrap(
    *, off: int, ewrap: int, wrap: int, new: int, moved: int, expected: bool
) -> None:
    event = EventSuppress(off, ewrap, 2)
    assert desc_event_triggered(event, size=5, wrap=wrap, new=new, moved=moved) is expected


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(1, 40),
    laps=st.integers(1, 6),
    new=st.integers(0, 39),
    moved=st.integers(0, 39),
    off=st.integers(0, 39),
    ewrap=st.integers(0, 1),
)
def test_desc_event_matches_counting_absolute_positions(
    *, size: int, laps: int, new: int, moved: int, off: int, ewrap: int
) -> None:
    """Unroll the ring: absolute position p is slot p % N in lap p // N, whose wrap
    counter is 1 for even laps. The event fires iff a crossed position is (off, wrap)."""
    new, moved, off = new % size, moved % size, off % size
    now = laps * size + new
    wrap = 1 - laps % 2
    crossed = range(now - moved, now)
    expected = any(p % size == off and 1 - (p // size) % 2 == ewrap for p in crossed)
    event = EventSuppress(off, ewrap, 2)
    assert desc_event_triggered(event, size=size, wrap=wrap, new=new, moved=moved) is expected


def test_notify_decision_modes() -> None:
    def decide(flags: int, event_idx: bool) -> bool:
        event = EventSuppress(0, 1, flags)
        return notify_decision(event, event_idx=event_idx, size=5, wrap=1, new=3, moved=1)[0]

    assert decide(0, event_idx=False) is True  # ENABLE
    assert decide(1, event_idx=True) is False  # DISABLE
    assert decide(2, event_idx=True) is False  # DESC: slot 0 was not crossed moving 2 -> 3
    assert decide(2, event_idx=False) is True  # DESC without EVENT_IDX: not valid, notify
    assert decide(3, event_idx=True) is True  # reserved: notify to be safe
