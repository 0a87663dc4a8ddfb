"""One split-ring descriptor, `struct virtq_desc`, as a value. virtio-1.2 §2.7.5.

16 bytes, little-endian: le64 addr at offset 0, le32 len at 8, le16 flags at 12,
le16 next at 14. The same format is used inside indirect tables (§2.7.5.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.errors import ConfigError
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


def flag_names(flags: int) -> str:
    """'NEXT|WRITE' for 3, '0' for 0; unknown bits are shown in hex."""
    names = [name for bit, name in _FLAG_NAMES if flags & bit]
    unknown = flags & ~_KNOWN_FLAGS
    if unknown:
        names.append(f"0x{unknown:x}")
    return "|".join(names) if names else "0"


@dataclass(frozen=True, slots=True)
class Descriptor:
    """`struct virtq_desc` (virtio-1.2 §2.7.5)."""

    addr: int
    length: int
    flags: int = 0
    next: int = 0

    def __post_init__(self) -> None:
        for name, value, bits in (
            ("addr", self.addr, 64),
            ("len", self.length, 32),
            ("flags", self.flags, 16),
            ("next", self.next, 16),
        ):
            if not 0 <= value < 1 << bits:
                raise ConfigError(f"descriptor {name} {value} does not fit in {bits} bits")

    @property
    def has_next(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_NEXT)

    @property
    def writable(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_WRITE)

    @property
    def indirect(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_INDIRECT)

    def encode(self) -> bytes:
        return (
            self.addr.to_bytes(8, "little")
            + self.length.to_bytes(4, "little")
            + self.flags.to_bytes(2, "little")
            + self.next.to_bytes(2, "little")
        )

    @classmethod
    def decode(cls, raw: bytes) -> Descriptor:
        if len(raw) != DESC_SIZE:
            raise ConfigError(f"a descriptor is {DESC_SIZE} bytes, not {len(raw)}")
        return cls(
            addr=int.from_bytes(raw[0:8], "little"),
            length=int.from_bytes(raw[8:12], "little"),
            flags=int.from_bytes(raw[12:14], "little"),
            next=int.from_bytes(raw[14:16], "little"),
        )

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


def read_descriptor(memory: GuestMemory, addr: int) -> Descriptor:
    """Read one descriptor from guest memory (journaled); MemoryFault if unbacked."""
    return Descriptor.decode(memory.read(addr, DESC_SIZE))


def write_descriptor(memory: GuestMemory, addr: int, desc: Descriptor) -> None:
    """Write one descriptor into guest memory (journaled); MemoryFault if unbacked."""
    memory.write(addr, desc.encode())
