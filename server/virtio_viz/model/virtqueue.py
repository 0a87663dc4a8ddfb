"""What split and packed virtqueues have in common.

The split (`model/split/`) and packed (`model/packed/`) modules are parallel: each has a
layout, a driver side and a device side with the same public names, so devices
(`model/devices/`) and the driver (`model/driver.py`) work with either ring. This module
holds the shared value types and the two protocols both implementations satisfy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory


@dataclass(frozen=True, slots=True)
class Buffer:
    """One scatter-gather element: a guest-physical range, device-readable or -writable."""

    addr: int
    length: int
    writable: bool = False

    def __init__(self, addr: int, length: int, writable: bool = False) -> None:
        object.__setattr__(self, "addr", addr)  # a compiled __init__ (model/frozen.py)
        object.__setattr__(self, "length", length)
        object.__setattr__(self, "writable", writable)


@dataclass(frozen=True, slots=True)
class Chain:
    """A buffer the device fetched: its id (split: head index; packed: buffer id),
    its elements in order, and how many ring descriptors it occupied."""

    id: int
    buffers: tuple[Buffer, ...]
    desc_count: int

    def __init__(self, id: int, buffers: tuple[Buffer, ...], desc_count: int) -> None:
        object.__setattr__(self, "id", id)  # a compiled __init__ (model/frozen.py)
        object.__setattr__(self, "buffers", buffers)
        object.__setattr__(self, "desc_count", desc_count)

    @property
    def readable(self) -> tuple[Buffer, ...]:
        return tuple(b for b in self.buffers if not b.writable)

    @property
    def writable(self) -> tuple[Buffer, ...]:
        return tuple(b for b in self.buffers if b.writable)

    @property
    def writable_capacity(self) -> int:
        return sum(b.length for b in self.buffers if b.writable)

    def read_all(self, memory: GuestMemory) -> bytes:
        """Gather the device-readable bytes, in chain order."""
        return b"".join(memory.read(b.addr, b.length) for b in self.readable)

    def write_all(self, memory: GuestMemory, data: bytes) -> int:
        """Scatter `data` into the device-writable buffers; return bytes written.

        Writes only ever go to writable elements, so a device built on this cannot
        write a device-readable buffer (virtio-1.2 §2.7.5.1 / §2.8.15, N37 / N72).
        """
        written = 0
        for b in self.writable:
            if written >= len(data):
                break
            piece = data[written : written + b.length]
            memory.write(b.addr, piece)
            written += len(piece)
        return written


@dataclass(frozen=True, slots=True)
class UsedBuffer:
    """A buffer the driver reclaimed: its id, the device's used length, its token."""

    id: int
    length: int
    token: object | None = None  # mypyc compiles no dataclass field of plain `object`

    def __init__(self, id: int, length: int, token: object | None = None) -> None:
        object.__setattr__(self, "id", id)  # a compiled __init__ (model/frozen.py)
        object.__setattr__(self, "length", length)
        object.__setattr__(self, "token", token)


def follow(links: Sequence[int], start: int, count: int) -> tuple[int, ...]:
    """`count` entries of a linked list kept in `links` (entry -> next entry), from
    `start`: how a driver walks its private free list (Linux: desc_extra[].next)."""
    order, entry = [], start
    for _ in range(count):
        order.append(entry)
        entry = links[entry]
    return tuple(order)


class DriverQueue(Protocol):
    """The driver side of a virtqueue (Linux: struct vring_virtqueue)."""

    queue_index: int

    def add_buffer(
        self,
        out: Sequence[Buffer],
        in_: Sequence[Buffer],
        token: object = None,
        *,
        indirect_table_addr: int | None = None,
    ) -> int: ...

    def kick_prepare(self) -> bool: ...

    def get_used(self) -> UsedBuffer | None: ...

    def disable_interrupts(self) -> None: ...

    def enable_interrupts(self) -> bool: ...

    @property
    def free_count(self) -> int: ...


class DeviceQueue(Protocol):
    """The device side of a virtqueue (QEMU: VirtQueue)."""

    queue_index: int

    def has_available(self) -> bool: ...

    def pop(self) -> Chain | None: ...

    def push(self, chain: Chain, written: int) -> None: ...

    def should_notify(self) -> bool: ...

    def disable_notifications(self) -> None: ...

    def enable_notifications(self) -> None: ...


pickled_by_fields(Buffer, Chain, UsedBuffer)  # virtio_viz/model/frozen.py
