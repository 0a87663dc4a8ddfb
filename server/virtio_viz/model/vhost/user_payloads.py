"""The payloads of vhost-user messages (vhost-user.rst "Payload"), with exact bytes.

Each payload is a frozen value with `encode()` and a `decode()` that refuses bytes of
the wrong size or with reserved bits set; the ConfigError says what was wrong, and
`user.decode()` prefixes it with the request's name. Numbers are native byte order,
little-endian on x86_64. The vring state and vring address payloads are the kernel's
structures (structs.VringState, structs.VringAddr), byte for byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar, Self

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.vhost.structs import FixedLayout, VringAddr, VringState, check_u64
from virtio_viz.model.vhost.user_requests import MAX_MEM_REGIONS, VRING_INDEX_MASK, VRING_NOFD

_U64 = struct.Struct("<Q")
_COUNT = struct.Struct("<II")  # nregions, padding


@dataclass(frozen=True, slots=True)
class NoPayload:
    def encode(self) -> bytes:
        return b""

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if data:
            raise ConfigError(f"carries no payload, but {len(data)} bytes follow the header")
        return cls()


@dataclass(frozen=True, slots=True)
class U64Payload:
    value: int

    def __post_init__(self) -> None:
        check_u64("the u64 payload", self.value)

    def encode(self) -> bytes:
        return _U64.pack(self.value)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if len(data) != _U64.size:
            raise ConfigError(f"carries a u64 (8 bytes), got {len(data)} bytes")
        value: int = _U64.unpack(data)[0]
        return cls(value)


@dataclass(frozen=True, slots=True)
class UserMemoryRegion(FixedLayout):
    """One region of SET_MEM_TABLE: a guest-physical range, the front-end's virtual
    address for it, and where it starts inside the fd sent alongside (mmap_offset)."""

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<QQQQ")
    C_NAME: ClassVar[str] = "VhostUserMemoryRegion"
    guest_phys_addr: int
    memory_size: int
    userspace_addr: int
    mmap_offset: int = 0

    @classmethod
    def decode(cls, data: bytes) -> Self:
        gpa, size, uaddr, offset = cls.unpack(data)
        return cls(gpa, size, uaddr, offset)


@dataclass(frozen=True, slots=True)
class MemTablePayload:
    """`u32 nregions, u32 padding`, then nregions x 32-byte regions (at most 8)."""

    regions: tuple[UserMemoryRegion, ...]

    def __post_init__(self) -> None:
        if len(self.regions) > MAX_MEM_REGIONS:
            raise ConfigError(
                f"SET_MEM_TABLE holds at most {MAX_MEM_REGIONS} regions, got {len(self.regions)}"
            )

    def encode(self) -> bytes:
        head = _COUNT.pack(len(self.regions), 0)
        return head + b"".join(region.encode() for region in self.regions)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if len(data) < _COUNT.size:
            raise ConfigError(f"needs nregions and padding (8 bytes), got {len(data)} bytes")
        count, padding = _COUNT.unpack_from(data)
        if count > MAX_MEM_REGIONS:
            raise ConfigError(f"nregions = {count}, more than the {MAX_MEM_REGIONS} allowed")
        if padding:
            raise ConfigError(f"the padding word after nregions is 0x{padding:x}, not 0")
        size = UserMemoryRegion.LAYOUT.size
        expected = _COUNT.size + count * size
        if len(data) != expected:
            raise ConfigError(f"nregions = {count} needs {expected} bytes, got {len(data)}")
        starts = range(_COUNT.size, expected, size)
        return cls(tuple(UserMemoryRegion.decode(data[at : at + size]) for at in starts))


@dataclass(frozen=True, slots=True)
class VringFdPayload:
    """SET_VRING_KICK / CALL / ERR: a u64 with the vring index in bits 0-7 and bit 8 set
    when no fd is attached (the other side polls instead)."""

    index: int
    no_fd: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.index <= VRING_INDEX_MASK:
            raise ConfigError(f"vring index {self.index} does not fit in bits 0-7")

    def encode(self) -> bytes:
        return _U64.pack(self.index | (VRING_NOFD if self.no_fd else 0))

    @classmethod
    def decode(cls, data: bytes) -> Self:
        value = U64Payload.decode(data).value
        if value & ~(VRING_INDEX_MASK | VRING_NOFD):
            raise ConfigError(f"u64 0x{value:x} sets bits above bit 8, which are reserved")
        return cls(value & VRING_INDEX_MASK, bool(value & VRING_NOFD))


@dataclass(frozen=True, slots=True)
class RawPayload:
    """The payload of a request no story tells: kept as bytes."""

    data: bytes

    def encode(self) -> bytes:
        return self.data

    @classmethod
    def decode(cls, data: bytes) -> Self:
        return cls(bytes(data))


Payload = (
    NoPayload | U64Payload | VringState | VringAddr | MemTablePayload | VringFdPayload | RawPayload
)
PayloadClass = (
    type[NoPayload] | type[U64Payload] | type[VringState] | type[VringAddr]
    | type[MemTablePayload] | type[VringFdPayload] | type[RawPayload]
)  # fmt: skip
