"""Guest-physical allocation for the driver: where rings and buffers live.

A simple bump allocator over one guest RAM region, page-granular for rings (as Linux's
DMA allocations are) and aligned for buffers. Freed buffers are kept on per-size free
lists and reused, so long runs do not exhaust the region. Deterministic by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.memory import GuestMemory

PAGE_SIZE = 4096
SMP_CACHE_BYTES = 64  # Linux aligns the split used ring to this (vring_size's `align`)


def align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) & ~(alignment - 1)


@dataclass(slots=True)
class GuestAllocator:
    memory: GuestMemory
    base: int
    size: int
    _next: int = 0
    _free: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def over_region(cls, memory: GuestMemory, name: str) -> GuestAllocator:
        for region in memory.regions:
            if region.name == name:
                return cls(memory, region.base, len(region.data))
        raise ConfigError(f"no guest memory region named {name!r}")

    def allocate(self, length: int, alignment: int = 16) -> int:
        """Reserve `length` bytes (not cleared, like kmalloc); return the address."""
        if length <= 0:
            raise ConfigError(f"cannot allocate {length} bytes")
        reusable = self._free.get(length)
        if reusable:
            return reusable.pop()
        start = align_up(self.base + self._next, alignment)
        if start + length > self.base + self.size:
            raise ConfigError(f"guest RAM exhausted: {length} bytes requested")
        self._next = start + length - self.base
        return start

    def free(self, addr: int, length: int) -> None:
        self._free.setdefault(length, []).append(addr)

    def allocate_pages(self, length: int) -> int:
        return self.allocate(align_up(length, PAGE_SIZE), PAGE_SIZE)
