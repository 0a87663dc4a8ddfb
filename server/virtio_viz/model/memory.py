"""Guest-physical memory shared by driver and device.

How this works: memory is a set of non-overlapping regions, each a bytearray at a
guest-physical base address. Every multi-byte accessor is little-endian, as virtio 1.x
requires for non-legacy devices (virtio-1.2 §1.4). Each read and write is appended to a
journal; the event log drains the journal when it records an event, so every event
knows exactly which bytes its step read and wrote. `peek` reads without journaling, for
views and tests that must not disturb what the model reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from virtio_viz.model.errors import ConfigError, MemoryFault


@dataclass(frozen=True, slots=True)
class MemRange:
    """A guest-physical byte range [addr, addr + length)."""

    addr: int
    length: int

    @property
    def end(self) -> int:
        return self.addr + self.length


@dataclass(slots=True)
class Region:
    name: str
    base: int
    data: bytearray

    @property
    def end(self) -> int:
        return self.base + len(self.data)


@dataclass(frozen=True, slots=True)
class MemorySnapshot:
    """An immutable copy of every region's bytes, for checkpoints."""

    regions: tuple[tuple[str, int, bytes], ...]


def _merge_append(journal: list[MemRange], addr: int, length: int) -> None:
    """Append a range, coalescing with the previous one when they touch."""
    if journal:
        last = journal[-1]
        if last.addr + last.length == addr:
            journal[-1] = MemRange(last.addr, last.length + length)
            return
    journal.append(MemRange(addr, length))


@dataclass(slots=True)
class GuestMemory:
    """Guest-physical address space with little-endian accessors and an access journal."""

    regions: list[Region] = field(default_factory=list)
    _reads: list[MemRange] = field(default_factory=list)
    _writes: list[MemRange] = field(default_factory=list)
    _hot: Region | None = None  # the region of the last access: most accesses repeat it

    @classmethod
    def with_regions(cls, regions: Iterable[tuple[str, int, int]]) -> GuestMemory:
        memory = cls()
        for name, base, size in regions:
            memory.add_region(name, base, size)
        return memory

    def add_region(self, name: str, base: int, size: int) -> Region:
        if size <= 0 or base < 0 or base + size > 1 << 64:
            raise ConfigError(f"region {name!r}: impossible base 0x{base:x} / size {size}")
        for other in self.regions:
            if base < other.end and other.base < base + size:
                raise ConfigError(f"region {name!r} overlaps region {other.name!r}")
        region = Region(name, base, bytearray(size))
        self.regions.append(region)
        self.regions.sort(key=lambda r: r.base)
        return region

    # -- lookup -------------------------------------------------------------------
    def region_at(self, addr: int, length: int = 1) -> Region | None:
        """The region that holds all of [addr, addr + length), or None."""
        for region in self.regions:
            if region.base <= addr and addr + length <= region.end:
                return region
        return None

    def contains(self, addr: int, length: int) -> bool:
        return length >= 0 and self.region_at(addr, max(length, 1)) is not None

    def _locate(self, addr: int, length: int) -> tuple[bytearray, int]:
        hot = self._hot
        if hot is not None and hot.base <= addr and addr + length <= hot.base + len(hot.data):
            return hot.data, addr - hot.base
        region = self.region_at(addr, max(length, 1))
        if region is None:
            raise MemoryFault(addr, length)
        self._hot = region
        return region.data, addr - region.base

    # -- raw access -----------------------------------------------------------------
    def peek(self, addr: int, length: int) -> bytes:
        """Read without journaling (views, tests)."""
        data, offset = self._locate(addr, length)
        return bytes(data[offset : offset + length])

    def read(self, addr: int, length: int) -> bytes:
        data, offset = self._locate(addr, length)
        if length:
            _merge_append(self._reads, addr, length)
        return bytes(data[offset : offset + length])

    def write(self, addr: int, payload: bytes) -> None:
        data, offset = self._locate(addr, len(payload))
        data[offset : offset + len(payload)] = payload
        if payload:
            _merge_append(self._writes, addr, len(payload))

    def fill(self, addr: int, length: int, byte: int = 0) -> None:
        self.write(addr, bytes([byte]) * length)

    # -- little-endian accessors ------------------------------------------------------
    def read_uint(self, addr: int, size: int) -> int:
        data, offset = self._locate(addr, size)
        _merge_append(self._reads, addr, size)
        return int.from_bytes(data[offset : offset + size], "little")

    def write_uint(self, addr: int, size: int, value: int) -> None:
        try:
            payload = value.to_bytes(size, "little")
        except OverflowError:
            raise ConfigError(f"value {value} does not fit in {size} bytes") from None
        self.write(addr, payload)

    def read_u8(self, addr: int) -> int:
        return self.read_uint(addr, 1)

    def read_le16(self, addr: int) -> int:
        return self.read_uint(addr, 2)

    def read_le32(self, addr: int) -> int:
        return self.read_uint(addr, 4)

    def read_le64(self, addr: int) -> int:
        return self.read_uint(addr, 8)

    def write_u8(self, addr: int, value: int) -> None:
        self.write_uint(addr, 1, value)

    def write_le16(self, addr: int, value: int) -> None:
        self.write_uint(addr, 2, value)

    def write_le32(self, addr: int, value: int) -> None:
        self.write_uint(addr, 4, value)

    def write_le64(self, addr: int, value: int) -> None:
        self.write_uint(addr, 8, value)

    # -- journal and checkpoints ---------------------------------------------------------
    def drain_journal(self) -> tuple[tuple[MemRange, ...], tuple[MemRange, ...]]:
        """Return (reads, writes) since the last drain, and start a new journal."""
        reads = tuple(self._reads) if self._reads else ()
        writes = tuple(self._writes) if self._writes else ()
        self._reads.clear()
        self._writes.clear()
        return reads, writes

    def snapshot(self) -> MemorySnapshot:
        return MemorySnapshot(tuple((r.name, r.base, bytes(r.data)) for r in self.regions))

    @classmethod
    def restore(cls, snapshot: MemorySnapshot) -> GuestMemory:
        memory = cls()
        for name, base, data in snapshot.regions:
            memory.add_region(name, base, len(data)).data[:] = data
        return memory
