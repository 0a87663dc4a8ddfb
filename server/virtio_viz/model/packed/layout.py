"""Where the three parts of a packed virtqueue live in guest memory. virtio-1.2 §2.8, §2.8.10.1.

A packed virtqueue of size N (1..32768, any value: no power of 2 needed) is three
separately addressed areas:

    Descriptor Ring           desc[N] (struct pvirtq_desc)       16 * N bytes, align 16
    Driver Event Suppression  le16 desc {off:15, wrap:1}, le16 flags   4 bytes, align 4
    Device Event Suppression  same structure                          4 bytes, align 4

The Driver Area (driver event suppression) is written by the driver and read by the
device; the Device Area (device event suppression) the other way round (§2.8.10).
`PackedLayout` only does address arithmetic; `PackedLayout.checked()` validates a layout
against guest memory. Misalignment is the driver's MUST N69, reported by
`misaligned_parts()` / `record_misalignment()` rather than raised.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from itertools import pairwise

from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventLog
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.spec import DESC_SIZE, MAX_QUEUE_SIZE, PACKED_DESC_ALIGN, PACKED_EVENT_ALIGN

# struct pvirtq_desc field offsets, virtio-1.2 §2.8.13
DESC_ADDR_OFFSET = 0  # le64 addr
DESC_LEN_OFFSET = 8  # le32 len
DESC_ID_OFFSET = 12  # le16 id
DESC_FLAGS_OFFSET = 14  # le16 flags
LEN_AND_ID = struct.Struct("<IH")  # a used descriptor's len and id, next to each other

# struct pvirtq_event_suppress, virtio-1.2 §2.8.14
EVENT_SUPPRESS_SIZE = 4
EVENT_DESC_OFFSET = 0  # le16 {desc_event_off:15, desc_event_wrap:1}
EVENT_FLAGS_OFFSET = 2  # le16 {desc_event_flags:2, reserved:14}


def check_queue_size(size: int) -> None:
    """A packed queue has 1..32768 entries; it need not be a power of 2 (virtio-1.2 §2.8)."""
    if not 1 <= size <= MAX_QUEUE_SIZE:
        raise ConfigError(
            f"packed queue size {size} is impossible: it must be in 1..{MAX_QUEUE_SIZE}"
        )


@dataclass(frozen=True, slots=True)
class PackedLayout:
    """Guest-physical addresses of a packed virtqueue's three areas."""

    size: int
    desc_addr: int
    driver_event_addr: int
    device_event_addr: int

    def __post_init__(self) -> None:
        check_queue_size(self.size)
        for _name, area in self.areas():
            if area.addr < 0 or area.end > 1 << 64:
                raise ConfigError(f"area at 0x{area.addr:x}+{area.length} is not a 64-bit address")
        spans = sorted((a.addr, a.end, name) for name, a in self.areas())
        for (_s1, end1, name1), (start2, _e2, name2) in pairwise(spans):
            if start2 < end1:
                raise ConfigError(f"the {name1} and {name2} areas overlap")

    @classmethod
    def checked(
        cls,
        memory: GuestMemory,
        size: int,
        desc_addr: int,
        driver_event_addr: int,
        device_event_addr: int,
    ) -> PackedLayout:
        """Build a layout, raising ConfigError for an impossible size or overlapping areas
        and MemoryFault when an area is not inside guest memory."""
        layout = cls(size, desc_addr, driver_event_addr, device_event_addr)
        layout.check_in(memory)
        return layout

    def check_in(self, memory: GuestMemory) -> None:
        """Raise MemoryFault for the first area that guest memory does not back."""
        for _name, area in self.areas():
            if not memory.contains(area.addr, area.length):
                raise MemoryFault(area.addr, area.length)

    # -- sizes (virtio-1.2 §2.8.10.1 table) -------------------------------------------
    @property
    def desc_bytes(self) -> int:
        return DESC_SIZE * self.size

    def areas(self) -> tuple[tuple[str, MemRange], ...]:
        return (
            ("desc", MemRange(self.desc_addr, self.desc_bytes)),
            ("driver_event", MemRange(self.driver_event_addr, EVENT_SUPPRESS_SIZE)),
            ("device_event", MemRange(self.device_event_addr, EVENT_SUPPRESS_SIZE)),
        )

    # -- descriptor ring (§2.8.13) ---------------------------------------------------------
    def desc_entry_addr(self, slot: int) -> int:
        """Address of desc[slot] (its le64 addr field)."""
        if not 0 <= slot < self.size:
            raise ConfigError(
                f"descriptor slot {slot} does not exist in a queue of size {self.size}"
            )
        return self.desc_addr + DESC_SIZE * slot

    def desc_flags_addr(self, slot: int) -> int:
        return self.desc_entry_addr(slot) + DESC_FLAGS_OFFSET

    # -- event suppression structures (§2.8.14) -------------------------------------------
    @property
    def driver_event_desc_addr(self) -> int:
        return self.driver_event_addr + EVENT_DESC_OFFSET

    @property
    def driver_event_flags_addr(self) -> int:
        return self.driver_event_addr + EVENT_FLAGS_OFFSET

    @property
    def device_event_desc_addr(self) -> int:
        return self.device_event_addr + EVENT_DESC_OFFSET

    @property
    def device_event_flags_addr(self) -> int:
        return self.device_event_addr + EVENT_FLAGS_OFFSET


_ALIGNMENT = (
    ("desc", PACKED_DESC_ALIGN),
    ("driver_event", PACKED_EVENT_ALIGN),
    ("device_event", PACKED_EVENT_ALIGN),
)


def alignment_of(part: str) -> int:
    """The alignment the spec requires of a part: desc 16, both event structures 4."""
    return dict(_ALIGNMENT)[part]


def misaligned_parts(layout: PackedLayout) -> tuple[str, ...]:
    """The names of the parts whose first byte breaks its alignment (virtio-1.2 §2.8.11).

    A non-empty answer means the driver broke N69; the caller records the violation.
    """
    addresses = {name: area.addr for name, area in layout.areas()}
    return tuple(name for name, align in _ALIGNMENT if addresses[name] % align)


def record_misalignment(
    layout: PackedLayout, log: EventLog, *, queue_index: int, actor: str = "driver"
) -> tuple[str, ...]:
    """Record Violation N69 for each misaligned part (virtio-1.2 §2.8.11); return their names."""
    parts = misaligned_parts(layout)
    addresses = {name: area.addr for name, area in layout.areas()}
    for part in parts:
        log.violation(
            69,
            actor=actor,
            detail=(
                f"the {part} area of packed queue {queue_index} starts at "
                f"0x{addresses[part]:x}, which is not a multiple of {alignment_of(part)}"
            ),
            analog="vring_alloc_queue_packed() in Linux allocates aligned areas",
            queue=queue_index,
            values={"part": part, "addr": addresses[part], "align": alignment_of(part)},
        )
    return parts


pickled_by_fields(PackedLayout)  # virtio_viz/model/frozen.py
