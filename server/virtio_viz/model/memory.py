"""Guest-physical memory shared by driver and device.

How this works: memory is a set of non-overlapping regions, each a bytearray at a
guest-physical base address. Every multi-byte accessor is little-endian, as virtio 1.x
requires for non-legacy devices (virtio-1.2 §1.4). Each read and write is appended to a
journal; the event log takes the journal when it records an event, so every event
knows exactly which bytes its step read and wrote. `peek` reads without journaling, for
views and tests that must not disturb what the model reports.

Every step of the model goes through here, so the common path is kept short: the
region of the last access is remembered (nearly every access hits the same one), the
journal is a flat list of (start, end) pairs, appended to and nothing else, that only
becomes MemRanges (touching ranges merged) when drained (`drain_journal`) or when an
event noted on the data path is built (the log takes the lists themselves,
`journal_ranges`), and the fixed-width accessors share one read and one write
(`_read_fixed` / `_write_fixed`) with `struct` doing the conversion, except le16, the
commonest, which is two byte accesses. The module is plain enough for mypyc to compile
(`virtio_viz/pure_model.py`).

A region's bytes are usually a bytearray the model owns. `map_region` instead takes a
writable memoryview of bytes that live elsewhere (a vhost-user back-end's mapping of
the guest's RAM): the accessors work on either, so the device code runs unchanged on a
real guest's rings.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from virtio_viz.model import mypyc_attr
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.frozen import pickled_by_fields


@dataclass(frozen=True, slots=True)
class MemRange:
    """A guest-physical byte range [addr, addr + length)."""

    addr: int
    length: int

    @property
    def end(self) -> int:
        return self.addr + self.length


RegionData = bytearray | memoryview


@dataclass(slots=True)
class Region:
    """A named block of guest-physical memory. `data` keeps its identity and size for
    the region's life: GuestMemory remembers the last region it used by its bytes."""

    name: str
    base: int
    data: RegionData

    @property
    def end(self) -> int:
        return self.base + len(self.data)


@dataclass(frozen=True, slots=True)
class MemorySnapshot:
    """An immutable copy of every region's bytes, for checkpoints."""

    regions: tuple[tuple[str, int, bytes], ...]


def journal_ranges(journal: list[int]) -> tuple[MemRange, ...]:
    """The MemRanges of a flat (start, end) journal, in order, each range merged into the
    one before it when that one ends exactly where it starts."""
    if len(journal) == 2:  # by far the most common case: one access per event
        start, end = journal
        return (MemRange(start, end - start),)
    ranges: list[MemRange] = []
    start, end = journal[0], journal[1]
    for index in range(2, len(journal), 2):
        if journal[index] != end:
            ranges.append(MemRange(start, end - start))
            start = journal[index]
        end = journal[index + 1]
    ranges.append(MemRange(start, end - start))
    return tuple(ranges)


def _journal(journal: list[int], addr: int, length: int) -> None:
    """Note an access of `length` bytes at `addr`: two appends, no tuple built."""
    journal.append(addr)
    journal.append(addr + length)


def _too_wide(value: int, size: int) -> ConfigError:
    return ConfigError(f"value {value} does not fit in {size} bytes")


# Final: compiled code then holds them as constants instead of looking up module globals
_U8: Final = struct.Struct("<B")
_LE32: Final = struct.Struct("<I")
_LE64: Final = struct.Struct("<Q")


@mypyc_attr(allow_interpreted_subclasses=True)  # live/mapping.py: CapturingMemory
@dataclass(slots=True)
class GuestMemory:
    """Guest-physical address space with little-endian accessors and an access journal.

    The journal holds flat (start, end) pairs; the region of the last access is cached
    as (base, size, data), since nearly every access hits the region of the one before.
    """

    regions: list[Region] = field(default_factory=list)
    _reads: list[int] = field(default_factory=list, repr=False, compare=False)
    _writes: list[int] = field(default_factory=list, repr=False, compare=False)
    _hot_base: int = field(default=0, repr=False, compare=False)
    _hot_size: int = field(default=0, repr=False, compare=False)
    _hot_data: RegionData = field(default_factory=bytearray, repr=False, compare=False)

    @classmethod
    def with_regions(cls, regions: Iterable[tuple[str, int, int]]) -> GuestMemory:
        memory = cls()
        for name, base, size in regions:
            memory.add_region(name, base, size)
        return memory

    def add_region(self, name: str, base: int, size: int) -> Region:
        self._check_room(name, base, size)
        return self._insert(Region(name, base, bytearray(size)))

    def map_region(self, name: str, base: int, data: memoryview) -> Region:
        """A region over bytes owned elsewhere (writable, one byte per address)."""
        if data.readonly or data.itemsize != 1:
            raise ConfigError(f"region {name!r}: a mapped region needs writable bytes")
        self._check_room(name, base, data.nbytes)
        return self._insert(Region(name, base, data))

    def remove_region(self, name: str) -> None:
        """Forget region `name` (a back-end unmapping guest RAM it was given)."""
        self.regions = [r for r in self.regions if r.name != name]
        self._hot_base, self._hot_size, self._hot_data = 0, 0, bytearray()

    def _check_room(self, name: str, base: int, size: int) -> None:
        if size <= 0 or base < 0 or base + size > 1 << 64:
            raise ConfigError(f"region {name!r}: impossible base 0x{base:x} / size {size}")
        for other in self.regions:
            if base < other.end and other.base < base + size:
                raise ConfigError(f"region {name!r} overlaps region {other.name!r}")

    def _insert(self, region: Region) -> Region:
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
        offset = addr - self._hot_base
        if offset >= 0 and offset + length <= self._hot_size and length > 0:
            return True  # inside the region of the last access
        return length >= 0 and self.region_at(addr, max(length, 1)) is not None

    def _locate(self, addr: int, length: int) -> tuple[RegionData, int]:
        offset = addr - self._hot_base
        if offset >= 0 and offset + length <= self._hot_size and length > 0:
            return self._hot_data, offset
        region = self.region_at(addr, max(length, 1))
        if region is None:
            raise MemoryFault(addr, length)
        self._hot_base, self._hot_size, self._hot_data = region.base, len(region.data), region.data
        return region.data, addr - region.base

    # -- raw access -----------------------------------------------------------------
    def peek(self, addr: int, length: int) -> bytes:
        """Read without journaling (views, tests)."""
        data, offset = self._locate(addr, length)
        return bytes(data[offset : offset + length])

    def read(self, addr: int, length: int) -> bytes:
        offset = addr - self._hot_base
        if offset >= 0 and offset + length <= self._hot_size and length > 0:
            data = self._hot_data  # _locate(), inlined: this runs for every descriptor
        else:
            data, offset = self._locate(addr, length)
        if length > 0:
            _journal(self._reads, addr, length)
        return bytes(data[offset : offset + length])

    def read_struct(self, layout: struct.Struct, addr: int) -> tuple[int, ...]:
        """Read the (integer) fields of `layout` at `addr`, journaled as one read of
        `layout.size` bytes: a descriptor, straight from memory, with no bytes copy."""
        size = layout.size
        data, offset = self._locate(addr, size)
        _journal(self._reads, addr, size)
        fields: tuple[int, ...] = layout.unpack_from(data, offset)
        return fields

    def write_struct(self, layout: struct.Struct, addr: int, values: tuple[int, ...]) -> None:
        """Write `values` as the fields of `layout` at `addr` (they must fit), journaled as
        one write of `layout.size` bytes, packed straight into memory."""
        size = layout.size
        data, offset = self._locate(addr, size)
        layout.pack_into(data, offset, *values)
        _journal(self._writes, addr, size)

    def write(self, addr: int, payload: bytes) -> None:
        length = len(payload)
        offset = addr - self._hot_base
        if offset >= 0 and offset + length <= self._hot_size and length > 0:
            data = self._hot_data  # _locate(), inlined: this runs for every descriptor
        else:
            data, offset = self._locate(addr, length)
        data[offset : offset + length] = payload
        if length:
            _journal(self._writes, addr, length)

    def fill(self, addr: int, length: int, byte: int = 0) -> None:
        self.write(addr, bytes([byte]) * length)

    # -- little-endian accessors ------------------------------------------------------
    def read_uint(self, addr: int, size: int) -> int:
        data, offset = self._locate(addr, size)
        _journal(self._reads, addr, size)
        return int.from_bytes(data[offset : offset + size], "little")

    def write_uint(self, addr: int, size: int, value: int) -> None:
        try:
            payload = value.to_bytes(size, "little")
        except OverflowError:
            raise _too_wide(value, size) from None
        self.write(addr, payload)

    def _read_fixed(self, addr: int, layout: struct.Struct) -> int:
        """The journaled read of one fixed width, with the region lookup and the journal
        append written out inline: it runs on every access."""
        size = layout.size
        offset = addr - self._hot_base
        if offset >= 0 and offset + size <= self._hot_size:
            data = self._hot_data
        else:
            data, offset = self._locate(addr, size)
        _journal(self._reads, addr, size)
        value: int = layout.unpack_from(data, offset)[0]
        return value

    def _write_fixed(self, addr: int, value: int, layout: struct.Struct) -> None:
        """The journaled write of one fixed width; a value that does not fit raises
        ConfigError before the address is even looked at (and before `struct`, which
        zeroes the field before it finds out)."""
        size = layout.size
        if not 0 <= value < 1 << (8 * size):
            raise _too_wide(value, size)
        offset = addr - self._hot_base
        if offset >= 0 and offset + size <= self._hot_size:
            data = self._hot_data
        else:
            data, offset = self._locate(addr, size)
        layout.pack_into(data, offset, value)
        _journal(self._writes, addr, size)

    def read_u8(self, addr: int) -> int:
        return self._read_fixed(addr, _U8)

    def read_le16(self, addr: int) -> int:
        # The commonest access (every ring index and event field): compiled, two byte reads
        # cost a third of a `struct` call.
        data, offset = self._locate(addr, 2)
        _journal(self._reads, addr, 2)
        return data[offset] | data[offset + 1] << 8

    def read_le32(self, addr: int) -> int:
        return self._read_fixed(addr, _LE32)

    def read_le64(self, addr: int) -> int:
        return self._read_fixed(addr, _LE64)

    def write_u8(self, addr: int, value: int) -> None:
        self._write_fixed(addr, value, _U8)

    def write_le16(self, addr: int, value: int) -> None:
        if not 0 <= value <= 0xFFFF:  # as read_le16: two byte writes instead of `struct`
            raise _too_wide(value, 2)
        data, offset = self._locate(addr, 2)
        data[offset] = value & 0xFF
        data[offset + 1] = value >> 8
        _journal(self._writes, addr, 2)

    def write_le32(self, addr: int, value: int) -> None:
        self._write_fixed(addr, value, _LE32)

    def write_le64(self, addr: int, value: int) -> None:
        self._write_fixed(addr, value, _LE64)

    # -- journal and checkpoints ---------------------------------------------------------
    def drain_journal(self) -> tuple[tuple[MemRange, ...], tuple[MemRange, ...]]:
        """Return (reads, writes) since the last drain, and start a new journal."""
        reads, writes = self._reads, self._writes
        if reads:
            reads_taken = journal_ranges(reads)
            reads.clear()
        else:
            reads_taken = ()
        if writes:
            writes_taken = journal_ranges(writes)
            writes.clear()
        else:
            writes_taken = ()
        return reads_taken, writes_taken

    def snapshot(self) -> MemorySnapshot:
        return MemorySnapshot(tuple((r.name, r.base, bytes(r.data)) for r in self.regions))

    @classmethod
    def restore(cls, snapshot: MemorySnapshot) -> GuestMemory:
        memory = cls()
        for name, base, data in snapshot.regions:
            memory.add_region(name, base, len(data)).data[:] = data
        return memory


pickled_by_fields(MemRange, MemorySnapshot)  # virtio_viz/model/frozen.py
