"""One split-ring descriptor, `struct virtq_desc`, as a value. virtio-1.2 §2.7.5.

16 bytes, little-endian: le64 addr at offset 0, le32 len at 8, le16 flags at 12,
le16 next at 14. The same format is used inside indirect tables (§2.7.5.3).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from virtio_viz.model.descriptor_bits import DescriptorFlags, refuse_oversized
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import (
    DESC_SIZE,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
)

_FLAG_NAMES = (
    (VIRTQ_DESC_F_NEXT, "NEXT"),
    (VIRTQ_DESC_F_WRITE, "WRITE"),
    (VIRTQ_DESC_F_INDIRECT, "INDIRECT"),
)
_KNOWN_FLAGS = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_INDIRECT


_WIRE = struct.Struct("<QIHH")  # le64 addr, le32 len, le16 flags, le16 next
_flag_names_seen: dict[int, str] = {}  # narration asks for the same few values again and again


def flag_names(flags: int) -> str:
    """'NEXT|WRITE' for 3, '0' for 0; unknown bits are shown in hex."""
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


@dataclass(frozen=True, slots=True)
class Descriptor(DescriptorFlags):
    """`struct virtq_desc` (virtio-1.2 §2.7.5)."""

    addr: int
    length: int
    flags: int = 0
    next: int = 0

    def __post_init__(self) -> None:
        if (
            0 <= self.addr <= 0xFFFF_FFFF_FFFF_FFFF
            and 0 <= self.length <= 0xFFFF_FFFF
            and 0 <= self.flags <= 0xFFFF
            and 0 <= self.next <= 0xFFFF
        ):
            return  # the common case, checked without building the table below
        refuse_oversized(
            (
                ("addr", self.addr, 64),
                ("len", self.length, 32),
                ("flags", self.flags, 16),
                ("next", self.next, 16),
            )
        )

    def encode(self) -> bytes:
        return _WIRE.pack(self.addr, self.length, self.flags, self.next)

    @classmethod
    def decode(cls, raw: bytes) -> Descriptor:
        if len(raw) != DESC_SIZE:
            raise ConfigError(f"a descriptor is {DESC_SIZE} bytes, not {len(raw)}")
        return cls(*_WIRE.unpack(raw))

    def describe(self) -> str:
        """'addr 0x10002000, len 1514, flags NEXT|WRITE, next 4' for narration."""
        return (
            f"addr 0x{self.addr:x}, len {self.length}, "
            f"flags {flag_names(self.flags)}, next {self.next}"
        )

    def values(self) -> dict[str, int | str]:
        return {
            "addr": self.addr,
            "len": self.length,
            "flags": self.flags,
            "flag_names": flag_names(self.flags),
            "next": self.next,
        }


Fields = tuple[int, int, int, int]  # (addr, len, flags, next), as read from memory


def read_fields(memory: GuestMemory, addr: int) -> Fields:
    """Read one descriptor's fields from guest memory (journaled), without building a
    Descriptor (a device reads one per buffer); MemoryFault if unbacked."""
    fields: Fields = memory.read_struct(_WIRE, addr)  # type: ignore[assignment]
    return fields


def write_fields(memory: GuestMemory, addr: int, fields: Fields) -> None:
    """Write one descriptor's fields into guest memory (journaled) without building a
    Descriptor; the caller makes sure they fit. MemoryFault if unbacked."""
    memory.write_struct(_WIRE, addr, fields)


def write_descriptor(memory: GuestMemory, addr: int, desc: Descriptor) -> None:
    """Write one descriptor into guest memory (journaled); MemoryFault if unbacked."""
    memory.write(addr, desc.encode())


pickled_by_fields(Descriptor)  # virtio_viz/model/frozen.py
