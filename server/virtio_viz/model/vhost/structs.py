"""The argument structures of the vhost ioctls, byte for byte (linux/vhost_types.h).

How this works: the kernel copies each argument out of the VMM's memory in the CPU's
native byte order. The model targets x86_64, which is little-endian, so every layout
below is a `struct.Struct` spelled with "<". The C structures need no padding of their
own (each field already sits at a multiple of its size), so the packed "<" layout and
the C layout agree; tests/model/vhost/test_kernel_uapi.py checks every size and offset
against the real header. The fixed-size structures share `FixedLayout`: one `LAYOUT`, the
dataclass fields in C order, range checks on construction, `encode()` / `decode()`.
vhost-user reuses the vring state and vring address layouts unchanged (vhost-user.rst).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, fields
from typing import ClassVar, Self

from virtio_viz.model.errors import ConfigError

VHOST_FILE_UNBIND = -1  # linux/vhost.h: the fd that detaches a ring's eventfd / backend
VHOST_VRING_F_LOG = 0  # linux/vhost_types.h: bit number in vhost_vring_addr.flags
VHOST_PAGE_SIZE = 0x1000  # linux/vhost_types.h: region addresses and sizes are 4 KiB aligned

_RANGES = {  # struct format code -> (lowest, highest) value
    "B": (0, 0xFF),
    "H": (0, 0xFFFF),
    "I": (0, 0xFFFF_FFFF),
    "i": (-(1 << 31), (1 << 31) - 1),
    "Q": (0, (1 << 64) - 1),
}


def check_length(what: str, data: bytes, expected: int) -> None:
    """Refuse `data` unless it is exactly `expected` bytes long."""
    if len(data) != expected:
        raise ConfigError(f"{what} must be {expected} bytes, got {len(data)}")


def check_u64(what: str, value: int) -> None:
    if not 0 <= value < 1 << 64:
        raise ConfigError(f"{what} 0x{value:x} does not fit in 64 bits")


class FixedLayout:
    """A fixed-size C structure: dataclass fields in C order, one code each in LAYOUT."""

    __slots__ = ()
    LAYOUT: ClassVar[struct.Struct]
    C_NAME: ClassVar[str]

    @classmethod
    def codes(cls) -> str:
        """One struct code per field: the layout without "<" and without tail padding."""
        return cls.LAYOUT.format[1:].rstrip("x").rstrip("0123456789")

    def __post_init__(self) -> None:
        for f, code in zip(fields(self), self.codes(), strict=True):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            low, high = _RANGES[code]
            if not low <= value <= high:
                raise ConfigError(f"{self.C_NAME}.{f.name} = {value} does not fit its field")

    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    def encode(self) -> bytes:
        return self.LAYOUT.pack(*self.values())

    @classmethod
    def offsets(cls) -> dict[str, int]:
        """Field name -> byte offset, as offsetof() reports it."""
        codes = cls.codes()
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        return {name: struct.calcsize("<" + codes[:i]) for i, name in enumerate(names)}

    @classmethod
    def unpack(cls, data: bytes) -> tuple[int, ...]:
        check_length(f"struct {cls.C_NAME}", data, cls.LAYOUT.size)
        values: tuple[int, ...] = cls.LAYOUT.unpack(data)
        return values


@dataclass(frozen=True, slots=True)
class VringState(FixedLayout):
    """struct vhost_vring_state: a ring index and one number (its size, base, enable...)."""

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<II")
    C_NAME: ClassVar[str] = "vhost_vring_state"
    index: int
    num: int

    @classmethod
    def decode(cls, data: bytes) -> Self:
        index, num = cls.unpack(data)
        return cls(index, num)

    def describe(self) -> str:
        return f"{{index = {self.index}, num = {self.num}}}"


@dataclass(frozen=True, slots=True)
class VringFile(FixedLayout):
    """struct vhost_vring_file: a ring index and a file descriptor (-1 unbinds)."""

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<Ii")
    C_NAME: ClassVar[str] = "vhost_vring_file"
    index: int
    fd: int

    @classmethod
    def decode(cls, data: bytes) -> Self:
        index, fd = cls.unpack(data)
        return cls(index, fd)

    def describe(self) -> str:
        fd = "-1 (unbind)" if self.fd == VHOST_FILE_UNBIND else str(self.fd)
        return f"{{index = {self.index}, fd = {fd}}}"


@dataclass(frozen=True, slots=True)
class VringAddr(FixedLayout):
    """struct vhost_vring_addr: where the three parts of one ring live (40 bytes).

    The ring addresses are addresses of the VMM process (or IOVAs once
    VIRTIO_F_ACCESS_PLATFORM is negotiated), not guest-physical ones; `log_guest_addr`
    is guest-physical and only matters when bit VHOST_VRING_F_LOG of `flags` is set.
    """

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<IIQQQQ")
    C_NAME: ClassVar[str] = "vhost_vring_addr"
    index: int
    flags: int
    desc_user_addr: int
    used_user_addr: int
    avail_user_addr: int
    log_guest_addr: int = 0

    @classmethod
    def decode(cls, data: bytes) -> Self:
        index, flags, desc, used, avail, log = cls.unpack(data)
        return cls(index, flags, desc, used, avail, log)

    @property
    def logging(self) -> bool:
        return bool(self.flags >> VHOST_VRING_F_LOG & 1)

    def describe(self) -> str:
        return (
            f"{{index = {self.index}, flags = 0x{self.flags:x}, "
            f"desc_user_addr = 0x{self.desc_user_addr:x}, "
            f"used_user_addr = 0x{self.used_user_addr:x}, "
            f"avail_user_addr = 0x{self.avail_user_addr:x}, "
            f"log_guest_addr = 0x{self.log_guest_addr:x}}}"
        )


@dataclass(frozen=True, slots=True)
class MemoryRegion(FixedLayout):
    """struct vhost_memory_region: guest-physical range -> VMM virtual address."""

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<QQQQ")
    C_NAME: ClassVar[str] = "vhost_memory_region"
    guest_phys_addr: int
    memory_size: int
    userspace_addr: int
    flags_padding: int = 0  # no flags are defined

    @classmethod
    def decode(cls, data: bytes) -> Self:
        gpa, size, uaddr, flags = cls.unpack(data)
        return cls(gpa, size, uaddr, flags)

    def describe(self) -> str:
        return (
            f"{{guest_phys_addr = 0x{self.guest_phys_addr:x}, "
            f"memory_size = 0x{self.memory_size:x}, userspace_addr = 0x{self.userspace_addr:x}}}"
        )


@dataclass(frozen=True, slots=True)
class IovaRange(FixedLayout):
    """struct vhost_vdpa_iova_range: the inclusive IOVA window a vDPA device can map."""

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<QQ")
    C_NAME: ClassVar[str] = "vhost_vdpa_iova_range"
    first: int
    last: int

    @classmethod
    def decode(cls, data: bytes) -> Self:
        first, last = cls.unpack(data)
        return cls(first, last)

    def describe(self) -> str:
        return f"{{first = 0x{self.first:x}, last = 0x{self.last:x}}}"


@dataclass(frozen=True, slots=True)
class IotlbMsg(FixedLayout):
    """struct vhost_iotlb_msg: one IOTLB update, invalidation, miss or access failure.

    A VMM does not send this with an ioctl: it write()s it, wrapped in a vhost_msg_v2
    (`encode_v2`), to the vhost or vhost-vdpa fd; vhost-user carries the same bytes in
    VHOST_USER_IOTLB_MSG. 24 bytes of fields, then 6 bytes of C tail padding.
    """

    LAYOUT: ClassVar[struct.Struct] = struct.Struct("<QQQBB6x")
    C_NAME: ClassVar[str] = "vhost_iotlb_msg"
    iova: int
    size: int
    uaddr: int
    perm: int  # VHOST_ACCESS_RO / WO / RW
    type: int  # VHOST_IOTLB_MISS / UPDATE / INVALIDATE / ACCESS_FAIL / BATCH_*

    @classmethod
    def decode(cls, data: bytes) -> Self:
        iova, size, uaddr, perm, kind = cls.unpack(data)
        return cls(iova, size, uaddr, perm, kind)

    def encode_v2(self, asid: int = 0) -> bytes:
        """struct vhost_msg_v2 {u32 type = VHOST_IOTLB_MSG_V2, u32 asid, 64-byte union}."""
        if not 0 <= asid <= 0xFFFF_FFFF:
            raise ConfigError(f"vhost_msg_v2.asid = {asid} does not fit in 32 bits")
        body = self.encode().ljust(VHOST_MSG_UNION_SIZE, b"\0")
        return _COUNTED.pack(VHOST_IOTLB_MSG_V2, asid) + body

    def describe(self) -> str:
        return (
            f"{{iova = 0x{self.iova:x}, size = 0x{self.size:x}, uaddr = 0x{self.uaddr:x}, "
            f"perm = {self.perm}, type = {self.type}}}"
        )


VHOST_ACCESS_RO, VHOST_ACCESS_WO, VHOST_ACCESS_RW = 0x1, 0x2, 0x3
VHOST_IOTLB_MISS, VHOST_IOTLB_UPDATE, VHOST_IOTLB_INVALIDATE = 1, 2, 3
VHOST_IOTLB_ACCESS_FAIL, VHOST_IOTLB_BATCH_BEGIN, VHOST_IOTLB_BATCH_END = 4, 5, 6
VHOST_IOTLB_MSG, VHOST_IOTLB_MSG_V2 = 0x1, 0x2
VHOST_MSG_UNION_SIZE = 64  # the padding[64] arm of the union in vhost_msg / vhost_msg_v2

_COUNTED = struct.Struct("<II")  # u32 count/offset, u32 padding/length: both headers below


@dataclass(frozen=True, slots=True)
class VhostMemory:
    """struct vhost_memory: `u32 nregions, u32 padding`, then the regions (8 + n x 32)."""

    HEADER_SIZE: ClassVar[int] = _COUNTED.size  # sizeof(struct vhost_memory)
    regions: tuple[MemoryRegion, ...]

    def encode(self) -> bytes:
        header = _COUNTED.pack(len(self.regions), 0)
        return header + b"".join(region.encode() for region in self.regions)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if len(data) < cls.HEADER_SIZE:
            raise ConfigError(f"struct vhost_memory needs 8 header bytes, got {len(data)}")
        count, _padding = _COUNTED.unpack_from(data)
        head, size = cls.HEADER_SIZE, MemoryRegion.LAYOUT.size
        check_length(f"struct vhost_memory with {count} regions", data, head + count * size)
        chunks = (data[head + i * size : head + (i + 1) * size] for i in range(count))
        return cls(tuple(MemoryRegion.decode(chunk) for chunk in chunks))

    def describe(self) -> str:
        listed = ", ".join(region.describe() for region in self.regions)
        return f"{{nregions = {len(self.regions)}, regions = [{listed}]}}"


@dataclass(frozen=True, slots=True)
class VdpaConfig:
    """struct vhost_vdpa_config: `u32 off, u32 len`, then `len` bytes of device config."""

    HEADER_SIZE: ClassVar[int] = _COUNTED.size  # sizeof(struct vhost_vdpa_config)
    off: int
    data: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.off <= 0xFFFF_FFFF:
            raise ConfigError(f"vhost_vdpa_config.off = {self.off} does not fit in 32 bits")

    def encode(self) -> bytes:
        return _COUNTED.pack(self.off, len(self.data)) + self.data

    @classmethod
    def decode(cls, data: bytes) -> Self:
        if len(data) < cls.HEADER_SIZE:
            raise ConfigError(f"struct vhost_vdpa_config needs 8 header bytes, got {len(data)}")
        off, length = _COUNTED.unpack_from(data)
        check_length(f"struct vhost_vdpa_config with len {length}", data, cls.HEADER_SIZE + length)
        return cls(off, bytes(data[cls.HEADER_SIZE :]))

    def describe(self) -> str:
        return f"{{off = {self.off}, len = {len(self.data)}, buf = {self.data.hex(' ')}}}"
