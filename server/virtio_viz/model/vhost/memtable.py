"""The memory table a vhost back-end uses to reach guest buffers.

How this works: the VMM tells the back-end, region by region, which guest-physical range
is backed by which part of its own memory (VHOST_SET_MEM_TABLE in linux/vhost.h;
VHOST_USER_SET_MEM_TABLE in vhost-user.rst). A descriptor's `addr` is guest-physical, so
before touching a buffer the back-end finds the one region holding the whole range and
adds the offset inside it to where that region sits in the back-end's own memory:

- vhost in the kernel runs in the VMM's address space: `userspace_addr + offset`;
- a vhost-user back-end mmap()ed the fd sent with each region, and the region begins
  `mmap_offset` bytes into that mapping: `mapped_at + mmap_offset + offset`.

Ring addresses arrive differently: SET_VRING_ADDR gives the VMM's *virtual* addresses,
which `translate_uaddr()` looks up by `userspace_addr` instead. Guests choose descriptor
addresses, so a range outside every region is not a model error: the lookup returns a
`TranslationFault` the caller records as an event (the back-end refuses the descriptor).
`translate()` wants one contiguous back-end range, so a range that crosses into the next
region is a fault there too ("straddle"); real back-ends cut such a range at the region
boundary and use one iovec per piece (TRANSLATE_ANALOG), which `split()` does.
`to_guest()` runs the lookup backwards, so a view can say which region and offset a
back-end address belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.vhost.structs import MemoryRegion, VhostMemory

if TYPE_CHECKING:  # vhost-user's messages load where they are used (vhost-net has none)
    from virtio_viz.model.vhost.user_payloads import MemTablePayload

TRANSLATE_ANALOG = "translate_desc() in Linux vhost, vu_gpa_to_va() in libvhost-user"
Space = Literal["guest-physical", "front-end virtual", "back-end virtual"]
FaultReason = Literal["unmapped", "straddle", "past_end"]
_LIMIT = 1 << 64


@dataclass(frozen=True, slots=True)
class TableRegion:
    """One region: guest range, the VMM's virtual address for it, and (vhost-user) where
    it starts in the fd (`mmap_offset`) and where the back-end mapped that fd."""

    guest_phys_addr: int
    memory_size: int
    userspace_addr: int
    mmap_offset: int = 0
    mapped_at: int | None = None  # None: the back-end shares the VMM's addresses (vhost)

    def __post_init__(self) -> None:
        starts = (self.guest_phys_addr, self.userspace_addr, self.backend_base)
        if self.memory_size <= 0 or any(not 0 <= s <= _LIMIT - self.memory_size for s in starts):
            raise ConfigError(
                f"memory region guest 0x{self.guest_phys_addr:x} size 0x{self.memory_size:x}"
                " does not fit in a 64-bit address space"
            )
        if self.mmap_offset < 0:
            raise ConfigError(f"mmap_offset {self.mmap_offset} is negative")

    @property
    def backend_base(self) -> int:
        """Where byte 0 of the region is in the back-end's address space."""
        if self.mapped_at is None:
            return self.userspace_addr
        return self.mapped_at + self.mmap_offset

    def base_in(self, space: Space) -> int:
        if space == "guest-physical":
            return self.guest_phys_addr
        return self.userspace_addr if space == "front-end virtual" else self.backend_base


@dataclass(frozen=True, slots=True)
class Translation:
    """A range that lies inside region `region`, `offset` bytes from its start."""

    gpa: int
    length: int
    region: int
    offset: int
    uaddr: int  # the VMM's virtual address of the range
    backend_addr: int  # the back-end's address of the range

    def describe(self) -> str:
        return (
            f"guest 0x{self.gpa:x}+{self.length} lies in region {self.region} at offset "
            f"0x{self.offset:x}: front-end 0x{self.uaddr:x}, back-end 0x{self.backend_addr:x}"
        )


@dataclass(frozen=True, slots=True)
class TranslationFault:
    """A range the table cannot translate, and why (for the caller's fault event)."""

    addr: int
    length: int
    space: Space
    reason: FaultReason
    region: int | None  # the region the range starts in, if any
    detail: str


def _span(base: int, size: int) -> str:
    return f"0x{base:x}..0x{base + size:x}"


@dataclass(frozen=True, slots=True)
class MemoryTable:
    """The regions in the order the VMM sent them (their index is their position)."""

    regions: tuple[TableRegion, ...]

    def __post_init__(self) -> None:
        for space in ("guest-physical", "front-end virtual", "back-end virtual"):
            spans = sorted((r.base_in(space), r.memory_size) for r in self.regions)
            for (base, size), (next_base, _) in pairwise(spans):
                if next_base < base + size:
                    raise ConfigError(
                        f"two memory regions overlap in {space} space at 0x{next_base:x}"
                    )

    # -- building a table from what the VMM sent ------------------------------------------
    @classmethod
    def from_user(
        cls, payload: MemTablePayload, mapped_at: Sequence[int] | None = None
    ) -> MemoryTable:
        """From VHOST_USER_SET_MEM_TABLE; `mapped_at[i]` is where region i's fd was mapped."""
        if mapped_at is not None and len(mapped_at) != len(payload.regions):
            raise ConfigError(f"{len(payload.regions)} regions but {len(mapped_at)} mappings")
        mapped: Sequence[int | None] = mapped_at or [None] * len(payload.regions)
        return cls(
            tuple(
                TableRegion(r.guest_phys_addr, r.memory_size, r.userspace_addr, r.mmap_offset, at)
                for r, at in zip(payload.regions, mapped, strict=True)
            )
        )

    @classmethod
    def from_kernel(cls, memory: VhostMemory) -> MemoryTable:
        """From VHOST_SET_MEM_TABLE's struct vhost_memory."""
        return cls(
            tuple(
                TableRegion(r.guest_phys_addr, r.memory_size, r.userspace_addr)
                for r in memory.regions
            )
        )

    @classmethod
    def from_guest_memory(
        cls, memory: GuestMemory, userspace_base: int, mapped_base: int | None = None
    ) -> MemoryTable:
        """A table for the model's guest RAM as a VMM would build it: each region at
        `userspace_base + gpa` in the VMM (and `mapped_base + gpa` in a vhost-user back-end)."""
        regions = []
        for r in memory.regions:
            at = None if mapped_base is None else mapped_base + r.base
            regions.append(TableRegion(r.base, len(r.data), userspace_base + r.base, 0, at))
        return cls(tuple(regions))

    def user_payload(self) -> MemTablePayload:
        """The VHOST_USER_SET_MEM_TABLE payload that describes this table."""
        from virtio_viz.model.vhost.user_payloads import (  # noqa: PLC0415
            MemTablePayload,
            UserMemoryRegion,
        )

        return MemTablePayload(
            tuple(
                UserMemoryRegion(r.guest_phys_addr, r.memory_size, r.userspace_addr, r.mmap_offset)
                for r in self.regions
            )
        )

    def kernel_memory(self) -> VhostMemory:
        """The struct vhost_memory (VHOST_SET_MEM_TABLE argument) for this table."""
        return VhostMemory(
            tuple(
                MemoryRegion(r.guest_phys_addr, r.memory_size, r.userspace_addr)
                for r in self.regions
            )
        )

    # -- lookups ---------------------------------------------------------------------------
    def translate(self, gpa: int, length: int) -> Translation | TranslationFault:
        """Guest-physical range -> the region holding it, the VMM's and back-end's address."""
        return self._lookup(gpa, length, "guest-physical")

    def split(self, gpa: int, length: int) -> tuple[Translation, ...] | TranslationFault:
        """A guest range cut at region boundaries into one piece per region (the iovecs a
        back-end builds); a fault if any byte of it is outside every region."""
        pieces: list[Translation] = []
        while True:
            step = self.translate(gpa, length)
            if isinstance(step, Translation):
                return (*pieces, step)
            if step.reason != "straddle":
                return step
            region = self.regions[step.region or 0]
            head = region.guest_phys_addr + region.memory_size - gpa
            first = self.translate(gpa, head)  # the part inside its own region
            if isinstance(first, TranslationFault):
                return first
            pieces.append(first)
            gpa, length = gpa + head, length - head

    def translate_uaddr(self, uaddr: int, length: int) -> Translation | TranslationFault:
        """VMM virtual range (a ring address of SET_VRING_ADDR) -> same answer."""
        return self._lookup(uaddr, length, "front-end virtual")

    def to_guest(self, backend_addr: int, length: int = 1) -> Translation | TranslationFault:
        """Back-end address -> which region, which offset, which guest address."""
        return self._lookup(backend_addr, length, "back-end virtual")

    def locate(self, gpa: int) -> tuple[int, int] | None:
        """(region index, offset) of one guest-physical byte, or None (for views)."""
        found = self._region_holding(gpa, lambda r: r.guest_phys_addr)
        return None if found is None else (found, gpa - self.regions[found].guest_phys_addr)

    def _region_holding(self, addr: int, base: Callable[[TableRegion], int]) -> int | None:
        for index, region in enumerate(self.regions):
            if base(region) <= addr < base(region) + region.memory_size:
                return index
        return None

    def _lookup(self, addr: int, length: int, space: Space) -> Translation | TranslationFault:
        if addr < 0 or length < 0:
            raise ConfigError(f"address 0x{addr:x} / length {length} cannot be negative")

        def base(region: TableRegion) -> int:
            return region.base_in(space)

        index = self._region_holding(addr, base)
        if index is None:
            detail = f"{space} 0x{addr:x}+{length} is outside every memory region"
            return TranslationFault(addr, length, space, "unmapped", None, detail)
        region = self.regions[index]
        end = base(region) + region.memory_size
        if addr + length > end:
            return self._leaving(addr, length, space, index, end)
        offset = addr - base(region)
        return Translation(
            region.guest_phys_addr + offset, length, index, offset,
            region.userspace_addr + offset, region.backend_base + offset,
        )  # fmt: skip

    def _leaving(
        self, addr: int, length: int, space: Space, index: int, end: int
    ) -> TranslationFault:
        """The fault for a range that starts in region `index` and runs past `end`: a
        straddle if other regions hold all the rest, past_end if some byte has none."""
        region = self.regions[index]
        over = addr + length - end
        where = f"{space} 0x{addr:x}+{length} starts in region {index} "
        where += f"({_span(region.base_in(space), region.memory_size)}) and runs {over} bytes "
        hole = self._first_hole(end, addr + length, space)
        if hole is not None:
            detail = where + f"past its end, and 0x{hole:x} is in no region"
            return TranslationFault(addr, length, space, "past_end", index, detail)
        following = self._region_holding(end, lambda r: r.base_in(space))
        detail = where + f"on into region {following}: one range must stay in one region"
        return TranslationFault(addr, length, space, "straddle", index, detail)

    def _first_hole(self, start: int, stop: int, space: Space) -> int | None:
        """The first address of [start, stop) that no region holds, or None."""
        while start < stop:
            index = self._region_holding(start, lambda r: r.base_in(space))
            if index is None:
                return start
            start = self.regions[index].base_in(space) + self.regions[index].memory_size
        return None
