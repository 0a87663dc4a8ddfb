"""Values and rules both sides of a packed virtqueue share. virtio-1.2 §2.8.1, §2.8.13, §2.8.14.

How this works: there is no separate available or used ring. The driver and the device
walk the same descriptor ring, each with a position and a 1-bit ring wrap counter that
starts at 1 and flips every time that side passes the last slot (§2.8.1). Whose turn a
slot is can be read off its flags alone, given the reader's wrap counter:

    available to the device   AVAIL == wrap, USED != wrap   (wrap 1: 0x0080, wrap 0: 0x8000)
    used, back to the driver  AVAIL == USED == wrap         (wrap 1: 0x8080, wrap 0: 0x0000)

so zero-filled memory never looks available in the first lap (both bits 0, wrap 1).
The event suppression structures name one (offset, wrap) position in the ring;
`desc_event_triggered` decides whether a side crossed it (§2.8.10).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

from virtio_viz.model.descriptor_bits import DescriptorFlags, refuse_oversized
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.index16 import need_event, wrap16
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import (
    DESC_SIZE,
    PACKED_EVENT_WRAP_SHIFT,
    RING_EVENT_FLAGS_DESC,
    RING_EVENT_FLAGS_DISABLE,
    RING_EVENT_FLAGS_ENABLE,
    VIRTQ_DESC_F_AVAIL,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_USED,
    VIRTQ_DESC_F_WRITE,
)

_FLAG_NAMES = (
    (VIRTQ_DESC_F_NEXT, "NEXT"),
    (VIRTQ_DESC_F_WRITE, "WRITE"),
    (VIRTQ_DESC_F_INDIRECT, "INDIRECT"),
    (VIRTQ_DESC_F_AVAIL, "AVAIL"),
    (VIRTQ_DESC_F_USED, "USED"),
)
_KNOWN_FLAGS = sum(bit for bit, _name in _FLAG_NAMES)
EVENT_OFF_MASK = (1 << PACKED_EVENT_WRAP_SHIFT) - 1  # desc_event_off: 15 bits
EVENT_FLAGS_MASK = 0x3  # desc_event_flags: 2 bits, the other 14 are reserved
_EVENT_MODE_NAMES = {
    RING_EVENT_FLAGS_ENABLE: "ENABLE",
    RING_EVENT_FLAGS_DISABLE: "DISABLE",
    RING_EVENT_FLAGS_DESC: "DESC",
    0x3: "reserved",
}


_DESC_WIRE = struct.Struct("<QIHH")  # le64 addr, le32 len, le16 id, le16 flags
_EVENT_WIRE = struct.Struct("<HH")  # le16 {off:15, wrap:1}, le16 flags
_flag_names_seen: dict[int, str] = {}  # narration asks for the same few values again and again


def flag_names(flags: int) -> str:
    """'NEXT|WRITE|AVAIL' for 0x0083, '0' for 0; unknown bits are shown in hex."""
    known = _flag_names_seen.get(flags)
    if known is not None:
        return known
    names = [name for bit, name in _FLAG_NAMES if flags & bit]
    unknown = flags & ~_KNOWN_FLAGS
    if unknown:
        names.append(f"0x{unknown:x}")
    spelled = "|".join(names) if names else "0"
    if 0 <= flags <= 0xFFFF:  # at most 65536 entries
        _flag_names_seen[flags] = spelled
    return spelled


# -- AVAIL/USED encodings, virtio-1.2 §2.8.1 ----------------------------------------------
def avail_bits(wrap: int) -> int:
    """AVAIL set to the wrap counter, USED to its inverse: 0x0080 (wrap 1) or 0x8000 (wrap 0)."""
    return VIRTQ_DESC_F_AVAIL if wrap else VIRTQ_DESC_F_USED


def used_bits(wrap: int) -> int:
    """AVAIL and USED both set to the wrap counter: 0x8080 (wrap 1) or 0x0000 (wrap 0)."""
    return VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED if wrap else 0


def is_available(flags: int, wrap: int) -> bool:
    """The descriptor was made available in the lap whose wrap counter is `wrap`."""
    avail = bool(flags & VIRTQ_DESC_F_AVAIL)
    used = bool(flags & VIRTQ_DESC_F_USED)
    return avail == bool(wrap) and used != bool(wrap)


def is_used(flags: int, wrap: int) -> bool:
    """The descriptor was marked used in the lap whose wrap counter is `wrap`."""
    avail = bool(flags & VIRTQ_DESC_F_AVAIL)
    used = bool(flags & VIRTQ_DESC_F_USED)
    return avail == used == bool(wrap)


def advance(position: int, wrap: int, count: int, size: int) -> tuple[int, int]:
    """Move a ring position `count` slots on; flip the wrap counter each time the end is passed."""
    position += count
    while position >= size:
        position -= size
        wrap ^= 1
    return position, wrap


# -- struct pvirtq_desc, virtio-1.2 §2.8.13 --------------------------------------------------
class RingPositions:
    """The two positions each side of a packed ring keeps, each with its wrap counter
    (virtio-1.2 §2.8.1), read-only for views and tests; the side sets the attributes."""

    _next_avail: int
    _avail_wrap: int
    _next_used: int
    _used_wrap: int

    @property
    def next_avail(self) -> int:
        return self._next_avail

    @property
    def avail_wrap_counter(self) -> int:
        return self._avail_wrap

    @property
    def next_used(self) -> int:
        return self._next_used

    @property
    def used_wrap_counter(self) -> int:
        return self._used_wrap


@dataclass(frozen=True, slots=True)
class PackedDesc(DescriptorFlags):
    """`struct pvirtq_desc`: le64 addr, le32 len, le16 id, le16 flags (16 bytes)."""

    addr: int
    length: int
    id: int
    flags: int

    def __post_init__(self) -> None:
        if (
            0 <= self.addr <= 0xFFFF_FFFF_FFFF_FFFF
            and 0 <= self.length <= 0xFFFF_FFFF
            and 0 <= self.id <= 0xFFFF
            and 0 <= self.flags <= 0xFFFF
        ):
            return  # the common case, checked without building the table below
        refuse_oversized(
            (
                ("addr", self.addr, 64),
                ("len", self.length, 32),
                ("id", self.id, 16),
                ("flags", self.flags, 16),
            )
        )

    def encode(self) -> bytes:
        return _DESC_WIRE.pack(self.addr, self.length, self.id, self.flags)

    @classmethod
    def decode(cls, raw: bytes) -> PackedDesc:
        if len(raw) != DESC_SIZE:
            raise ConfigError(f"a descriptor is {DESC_SIZE} bytes, not {len(raw)}")
        return cls(*_DESC_WIRE.unpack(raw))

    def describe(self) -> str:
        """'addr 0x10002000, len 1514, id 2, flags NEXT|AVAIL (0x0081)' for narration."""
        return (
            f"addr 0x{self.addr:x}, len {self.length}, id {self.id}, "
            f"flags {flag_names(self.flags)} (0x{self.flags:04x})"
        )

    def values(self) -> dict[str, int | str]:
        return {
            "addr": self.addr,
            "len": self.length,
            "id": self.id,
            "flags": self.flags,
            "flag_names": flag_names(self.flags),
        }


Fields = tuple[int, int, int, int]  # (addr, len, id, flags), as in memory


def read_fields(memory: GuestMemory, addr: int) -> Fields:
    """Read one descriptor's fields (journaled) without building a PackedDesc (a device
    reads one per buffer); MemoryFault if unbacked."""
    fields: Fields = memory.read_struct(_DESC_WIRE, addr)  # type: ignore[assignment]
    return fields


def read_desc(memory: GuestMemory, addr: int) -> PackedDesc:
    """Read one descriptor (journaled); MemoryFault if unbacked."""
    return PackedDesc(*read_fields(memory, addr))


# -- struct pvirtq_event_suppress, virtio-1.2 §2.8.14 ------------------------------------------
@dataclass(frozen=True, slots=True)
class EventSuppress:
    """One event suppression structure: desc_event_off, desc_event_wrap, flags (le16)."""

    off: int
    wrap: int
    flags: int

    def __post_init__(self) -> None:
        if 0 <= self.off <= EVENT_OFF_MASK and self.wrap in (0, 1) and 0 <= self.flags <= 0xFFFF:
            return  # the common case, in one test
        if not 0 <= self.off <= EVENT_OFF_MASK:
            raise ConfigError(f"desc_event_off {self.off} does not fit in 15 bits")
        if self.wrap not in (0, 1):
            raise ConfigError(f"desc_event_wrap {self.wrap} is not a bit")
        if not 0 <= self.flags <= 0xFFFF:
            raise ConfigError(f"event flags {self.flags} do not fit in 16 bits")

    @property
    def off_wrap(self) -> int:
        """The le16 `desc` field as stored: offset in bits 0..14, wrap in bit 15."""
        return self.off | self.wrap << PACKED_EVENT_WRAP_SHIFT

    @property
    def mode(self) -> int:
        """desc_event_flags: ENABLE 0, DISABLE 1, DESC 2, 3 reserved."""
        return self.flags & EVENT_FLAGS_MASK

    @property
    def mode_name(self) -> str:
        return _EVENT_MODE_NAMES[self.mode]

    def describe(self) -> str:
        """'flags DESC, off 3, wrap 0' or 'flags DISABLE' for narration."""
        if self.mode == RING_EVENT_FLAGS_DESC:
            return f"flags DESC, off {self.off}, wrap {self.wrap}"
        return f"flags {self.mode_name}"

    def encode(self) -> bytes:
        return self.off_wrap.to_bytes(2, "little") + self.flags.to_bytes(2, "little")

    @classmethod
    def decode(cls, raw: bytes) -> EventSuppress:
        off_wrap, flags = _EVENT_WIRE.unpack(raw)
        return cls(off_wrap & EVENT_OFF_MASK, off_wrap >> PACKED_EVENT_WRAP_SHIFT, flags)


@lru_cache(maxsize=1024)
def _event_from(word: int) -> EventSuppress:
    """The structure whose 4 bytes, read as one le32, are `word`. Both sides read the
    other's structure once per notification decision and it rarely changes: equal
    bytes give the same (immutable) value."""
    return EventSuppress.decode(word.to_bytes(4, "little"))


def read_event(memory: GuestMemory, addr: int) -> EventSuppress:
    """Read an event suppression structure (journaled, as one 4-byte read)."""
    return _event_from(memory.read_le32(addr))


def desc_event_triggered(
    event: EventSuppress, *, size: int, wrap: int, new: int, moved: int
) -> bool:
    """Whether moving `moved` slots forward to ring position `new` (wrap counter `wrap`
    now) made available/used the descriptor the structure names. virtio-1.2 §2.8.10.

    The named (off, wrap) is turned into a position relative to the current lap (one lap
    back when its wrap differs), then the 16-bit window test of need_event applies, as
    Linux's virtqueue_kick_prepare_packed() and QEMU's vring_packed_need_event() do. When
    a whole lap or more went by since the last check the answer is yes: a spurious
    notification is harmless (N51, N66), a missed one would stall the queue.
    """
    if moved <= 0:
        return False
    if moved >= size:
        return True
    off = event.off if event.wrap == wrap else event.off - size
    return need_event(wrap16(off), wrap16(new), wrap16(new - moved))


def notify_decision(
    event: EventSuppress, *, event_idx: bool, size: int, wrap: int, new: int, moved: int
) -> tuple[bool, str]:
    """Whether to notify the other side, read from its event suppression structure
    (virtio-1.2 §2.8.10), with the reason in words. `new`/`wrap` are this side's position
    and wrap counter now, `moved` how many slots it advanced since it last asked.

    DESC counts only with VIRTIO_F_EVENT_IDX; without it, and for the reserved value 3,
    the answer is to notify (a spurious notification is harmless, a missed one is not).
    """
    mode = event.mode
    if mode == RING_EVENT_FLAGS_DISABLE:
        return False, "notifications are disabled"
    if mode == RING_EVENT_FLAGS_ENABLE:
        return True, "notifications are enabled"
    if mode == RING_EVENT_FLAGS_DESC and event_idx:
        hit = desc_event_triggered(event, size=size, wrap=wrap, new=new, moved=moved)
        if moved >= size:
            return hit, "a whole lap went by since the last check (notifying is the safe choice)"
        verdict = "was" if hit else "was not"
        return hit, f"slot {event.off} with wrap {event.wrap} {verdict} crossed"
    return True, f"flags {event.mode_name} are not understood, so notifying is the safe choice"


pickled_by_fields(PackedDesc, EventSuppress)  # virtio_viz/model/frozen.py
