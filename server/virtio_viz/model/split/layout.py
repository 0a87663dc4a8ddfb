"""Where the three parts of a split virtqueue live in guest memory. virtio-1.2 §2.7, §2.7.1.

A split virtqueue of size N is three separately addressed areas:

    Descriptor Table  desc[N]                              16 * N bytes, align 16
    Available Ring    flags, idx, ring[N], used_event      6 + 2 * N bytes, align 2
    Used Ring         flags, idx, ring[N]{id,len}, avail_event   6 + 8 * N bytes, align 4

`used_event` is the le16 right after avail.ring[N - 1] and `avail_event` the le16 right
after used.ring[N - 1] (§2.7.6, §2.7.8). `SplitLayout` only does address arithmetic;
`SplitLayout.checked()` validates a layout against guest memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventLog
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.spec import (
    DESC_SIZE,
    MAX_QUEUE_SIZE,
    SPLIT_AVAIL_ALIGN,
    SPLIT_DESC_ALIGN,
    SPLIT_USED_ALIGN,
)

USED_ELEM_SIZE = 8  # struct virtq_used_elem { le32 id; le32 len; }  virtio-1.2 §2.7.8
USED_ELEM = struct.Struct("<II")  # its two fields, read and written as one
RING_HEADER_SIZE = 4  # le16 flags, le16 idx


def check_queue_size(size: int) -> None:
    """A split queue size is a power of 2, at most 32768 (virtio-1.2 §2.7)."""
    if not 1 <= size <= MAX_QUEUE_SIZE or size & (size - 1):
        raise ConfigError(
            f"split queue size {size} is impossible: it must be a power of 2 in 1..{MAX_QUEUE_SIZE}"
        )


def _align_up(value: int, align: int) -> int:
    return (value + align - 1) & ~(align - 1)


@dataclass(frozen=True, slots=True)
class SplitLayout:
    """Guest-physical addresses of a split virtqueue's three areas."""

    size: int
    desc_addr: int
    avail_addr: int
    used_addr: int

    def __post_init__(self) -> None:
        check_queue_size(self.size)

    # -- construction ---------------------------------------------------------------
    @classmethod
    def checked(
        cls, memory: GuestMemory, size: int, desc_addr: int, avail_addr: int, used_addr: int
    ) -> SplitLayout:
        """Build a layout, raising ConfigError for an impossible size and MemoryFault when
        an area is not inside guest memory. Misalignment is not an error here: it is the
        driver's MUST N34, see `misaligned_parts()`."""
        layout = cls(size, desc_addr, avail_addr, used_addr)
        for _name, area in layout.areas():
            if area.addr < 0 or not memory.contains(area.addr, area.length):
                raise MemoryFault(area.addr, area.length)
        return layout

    @classmethod
    def contiguous(
        cls, memory: GuestMemory, size: int, base: int, *, used_align: int = SPLIT_USED_ALIGN
    ) -> SplitLayout:
        """The three areas back to back from `base`, the used ring rounded up to
        `used_align`. With `used_align=4096` this is the legacy layout of §2.7.2
        (what Linux's vring_init() computes)."""
        if used_align <= 0 or used_align & (used_align - 1):
            raise ConfigError(f"used ring alignment {used_align} is not a power of 2")
        check_queue_size(size)
        avail = base + DESC_SIZE * size
        used = _align_up(avail + avail_area_size(size), used_align)
        return cls.checked(memory, size, base, avail, used)

    # -- sizes (virtio-1.2 §2.7 table) ------------------------------------------------
    @property
    def desc_bytes(self) -> int:
        return DESC_SIZE * self.size

    @property
    def avail_bytes(self) -> int:
        return avail_area_size(self.size)

    @property
    def used_bytes(self) -> int:
        return used_area_size(self.size)

    def areas(self) -> tuple[tuple[str, MemRange], ...]:
        return (
            ("desc", MemRange(self.desc_addr, self.desc_bytes)),
            ("avail", MemRange(self.avail_addr, self.avail_bytes)),
            ("used", MemRange(self.used_addr, self.used_bytes)),
        )

    # -- descriptor table (§2.7.5) -------------------------------------------------------
    def desc_entry_addr(self, index: int) -> int:
        self._check_index(index, "descriptor")
        return self.desc_addr + DESC_SIZE * index

    # -- available ring (§2.7.6) ----------------------------------------------------------
    @property
    def avail_flags_addr(self) -> int:
        return self.avail_addr

    @property
    def avail_idx_addr(self) -> int:
        return self.avail_addr + 2

    def avail_ring_addr(self, slot: int) -> int:
        self._check_index(slot, "avail.ring slot")
        return self.avail_addr + RING_HEADER_SIZE + 2 * slot

    @property
    def used_event_addr(self) -> int:
        """used_event sits where avail.ring[N] would be (§2.7.6)."""
        return self.avail_addr + RING_HEADER_SIZE + 2 * self.size

    # -- used ring (§2.7.8) --------------------------------------------------------------
    @property
    def used_flags_addr(self) -> int:
        return self.used_addr

    @property
    def used_idx_addr(self) -> int:
        return self.used_addr + 2

    def used_elem_addr(self, slot: int) -> int:
        """Address of used.ring[slot].id; .len follows 4 bytes later."""
        self._check_index(slot, "used.ring slot")
        return self.used_addr + RING_HEADER_SIZE + USED_ELEM_SIZE * slot

    @property
    def avail_event_addr(self) -> int:
        """avail_event sits where used.ring[N] would be (§2.7.8)."""
        return self.used_addr + RING_HEADER_SIZE + USED_ELEM_SIZE * self.size

    def _check_index(self, index: int, what: str) -> None:
        if not 0 <= index < self.size:
            raise ConfigError(f"{what} {index} does not exist in a queue of size {self.size}")


def avail_area_size(size: int) -> int:
    return 6 + 2 * size


def used_area_size(size: int) -> int:
    return 6 + USED_ELEM_SIZE * size


_ALIGNMENT = (("desc", SPLIT_DESC_ALIGN), ("avail", SPLIT_AVAIL_ALIGN), ("used", SPLIT_USED_ALIGN))


def misaligned_parts(layout: SplitLayout) -> tuple[str, ...]:
    """The names of the parts whose first byte breaks its alignment (virtio-1.2 §2.7.1).

    A non-empty answer means the driver broke N34; the caller records the violation.
    """
    addresses = {"desc": layout.desc_addr, "avail": layout.avail_addr, "used": layout.used_addr}
    return tuple(name for name, align in _ALIGNMENT if addresses[name] % align)


def alignment_of(part: str) -> int:
    """The alignment the spec requires of a part: desc 16, avail 2, used 4."""
    return dict(_ALIGNMENT)[part]


def record_misalignment(
    layout: SplitLayout, log: EventLog, *, queue_index: int, actor: str = "driver"
) -> tuple[str, ...]:
    """Record Violation N34 for each misaligned part (virtio-1.2 §2.7.1); return their names."""
    parts = misaligned_parts(layout)
    addresses = {"desc": layout.desc_addr, "avail": layout.avail_addr, "used": layout.used_addr}
    for part in parts:
        log.violation(
            34,
            actor=actor,
            detail=(
                f"the {part} area of queue {queue_index} starts at 0x{addresses[part]:x}, "
                f"which is not a multiple of {alignment_of(part)}"
            ),
            analog="vring_create_virtqueue_split() in Linux allocates aligned rings",
            queue=queue_index,
            values={"part": part, "addr": addresses[part], "align": alignment_of(part)},
        )
    return parts


def recheck(memory: GuestMemory, layout: SplitLayout, initial_index: int) -> SplitLayout:
    """What either side does on taking a ring: the starting index must be a le16, and the
    layout must lie in `memory` (ConfigError / MemoryFault before any state exists)."""
    if not 0 <= initial_index <= 0xFFFF:
        raise ConfigError(f"initial_index {initial_index} is not a 16-bit ring index")
    return SplitLayout.checked(
        memory, layout.size, layout.desc_addr, layout.avail_addr, layout.used_addr
    )


pickled_by_fields(SplitLayout)  # virtio_viz/model/frozen.py
