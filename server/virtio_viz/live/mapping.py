"""Guest RAM as the back-end sees it: the memory table's fds, mmap()ed, as a GuestMemory.

How this works: SET_MEM_TABLE hands over one fd per region (QEMU's memfd). Each is
mapped shared and read-write, from offset 0 to `mmap_offset + memory_size` (the region
starts `mmap_offset` bytes into its fd), and the region's slice of the mapping becomes a
region of a `CapturingMemory` at its guest-physical base. The model's device code then
reads and writes the guest's real rings through the ordinary GuestMemory accessors.

Before mapping, each fd must be a memfd sealed against shrinking (QEMU's
memory-backend-memfd seals by default) and at least as long as the range: a mapping of
pages the file no longer has would kill the whole server with SIGBUS on first touch.

`CapturingMemory` also keeps a copy of every byte the device read or wrote, at the moment
it did: the guest keeps running while the back-end works, so bytes read back later could
already be newer than the ones the device decoded. A frame shows the captured bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import mmap
import os
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.vhost.memtable import MemoryTable
from virtio_viz.model.vhost.user_payloads import MemTablePayload

RAM_LIMIT = 4 << 30  # the most guest RAM one back-end maps


class MappingError(Exception):
    """A region's fd cannot be mapped safely; the message that carried it is refused."""


def _captured_read(name: str, size: int) -> Callable[..., int]:
    base: Callable[[GuestMemory, int], int] = getattr(GuestMemory, name)

    def read(self: CapturingMemory, addr: int) -> int:
        value = base(self, addr)
        self.seen.append((addr, value.to_bytes(size, "little")))
        return value

    return read


def _captured_write(name: str, size: int) -> Callable[..., None]:
    base: Callable[[GuestMemory, int, int], None] = getattr(GuestMemory, name)

    def write(self: CapturingMemory, addr: int, value: int) -> None:
        base(self, addr, value)
        self.seen.append((addr, value.to_bytes(size, "little")))

    return write


class CapturingMemory(GuestMemory):
    """A GuestMemory that remembers the bytes of every access (see the module docstring)."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, bytes]] = []

    def read(self, addr: int, length: int) -> bytes:
        data = GuestMemory.read(self, addr, length)
        self.seen.append((addr, data))
        return data

    def write(self, addr: int, payload: bytes) -> None:
        GuestMemory.write(self, addr, payload)
        self.seen.append((addr, bytes(payload)))

    def read_uint(self, addr: int, size: int) -> int:
        value = GuestMemory.read_uint(self, addr, size)
        self.seen.append((addr, value.to_bytes(size, "little")))
        return value

    def read_struct(self, layout: struct.Struct, addr: int) -> tuple[int, ...]:
        fields = GuestMemory.read_struct(self, layout, addr)
        self.seen.append((addr, self.peek(addr, layout.size)))
        return fields

    read_u8 = _captured_read("read_u8", 1)
    read_le16 = _captured_read("read_le16", 2)
    read_le32 = _captured_read("read_le32", 4)
    read_le64 = _captured_read("read_le64", 8)
    write_u8 = _captured_write("write_u8", 1)
    write_le16 = _captured_write("write_le16", 2)
    write_le32 = _captured_write("write_le32", 4)
    write_le64 = _captured_write("write_le64", 8)

    def take_seen(self) -> tuple[tuple[int, bytes], ...]:
        """The bytes accessed since the last call, adjacent runs joined, oldest first."""
        runs: list[tuple[int, bytes]] = []
        for addr, data in self.seen:
            if runs and runs[-1][0] + len(runs[-1][1]) == addr:
                runs[-1] = (runs[-1][0], runs[-1][1] + data)
            else:
                runs.append((addr, data))
        self.seen.clear()
        return tuple(runs)


@dataclass(slots=True)
class _Mapped:
    name: str
    mapping: mmap.mmap
    view: memoryview
    address: int  # where the mapping starts in this process


class GuestRam:
    """The mappings of the current memory table, and the table with real addresses."""

    def __init__(self, memory: CapturingMemory) -> None:
        self.memory = memory
        self.table: MemoryTable | None = None
        self._mapped: list[_Mapped] = []

    def map(self, table: MemTablePayload, fds: tuple[int, ...]) -> MemoryTable:
        """Map every region (replacing an earlier table); the fds stay the caller's."""
        total = sum(r.memory_size for r in table.regions)
        if total > RAM_LIMIT:
            raise MappingError(
                f"the table shares {total >> 20} MiB; the limit is {RAM_LIMIT >> 20} MiB"
            )
        fresh: list[_Mapped] = []
        try:
            for number, (region, fd) in enumerate(zip(table.regions, fds, strict=True)):
                name = f"guest-ram-{number}"
                fresh.append(_map_one(name, fd, region.mmap_offset, region.memory_size))
        except MappingError:
            _release(fresh)
            raise
        self.unmap()
        for mapped, region in zip(fresh, table.regions, strict=True):
            self.memory.map_region(mapped.name, region.guest_phys_addr, mapped.view)
        self._mapped = fresh
        self.table = MemoryTable.from_user(table, [m.address for m in fresh])
        return self.table

    def unmap(self) -> None:
        for mapped in self._mapped:
            self.memory.remove_region(mapped.name)
        _release(self._mapped)
        self._mapped = []
        self.table = None


def _map_one(name: str, fd: int, offset: int, size: int) -> _Mapped:
    _check_fd(name, fd, offset + size)
    try:
        mapping = mmap.mmap(fd, offset + size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except (OSError, ValueError, OverflowError) as error:
        raise MappingError(f"{name}: mmap() of the region's fd failed: {error}") from None
    anchor: Any = ctypes.c_char.from_buffer(mapping)
    address = ctypes.addressof(anchor)
    del anchor  # a ctypes view would keep the mapping from ever being closed
    view = memoryview(mapping)[offset : offset + size]
    return _Mapped(name, mapping, view, address + offset)


def _check_fd(name: str, fd: int, needed: int) -> None:
    try:
        info = os.fstat(fd)
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    except OSError as error:
        raise MappingError(
            f"{name}: the fd is not a sealed memfd ({error.strerror}); guest RAM must come "
            "from memory-backend-memfd"
        ) from None
    if not stat.S_ISREG(info.st_mode) or not seals & fcntl.F_SEAL_SHRINK:
        raise MappingError(
            f"{name}: the fd is not sealed against shrinking, so the front-end could take "
            "pages away under the back-end"
        )
    if info.st_size < needed:
        raise MappingError(f"{name}: the fd holds {info.st_size} bytes, the region needs {needed}")


def _release(mapped: list[_Mapped]) -> None:
    for item in mapped:
        item.view.release()
        with contextlib.suppress(BufferError):  # a view still in use keeps it until collected
            item.mapping.close()
