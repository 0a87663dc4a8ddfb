"""Reading a live guest's rings without the model: a second mapping of its RAM, and the
virtio 1.2 layouts decoded with `struct`, to check what the back-end decoded.

`RawGuest` maps every region the back-end maps, itself (its own mmap of a dup of each
fd), so nothing here goes through the model's GuestMemory. `check_pops()` wraps each live
ring's `pop()`: the moment the device takes a chain, the chain's descriptors are read from the
raw mapping and compared with what the device decoded. By then the driver made them
available and may not touch them until they are used (virtio-1.2 §2.7.13, §2.8.21), so
the comparison cannot race with the guest.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from virtio_viz.live.world import LiveWorld
from virtio_viz.model.device_queue import LiveQueue
from virtio_viz.model.packed import PackedDeviceQueue
from virtio_viz.model.split import SplitDeviceQueue
from virtio_viz.model.vhost.user_payloads import MemTablePayload
from virtio_viz.model.virtqueue import Chain
from virtio_viz.timeline.frames import Frame

SPLIT_DESC = struct.Struct("<QIHH")  # addr, len, flags, next (virtio-1.2 §2.7.5)
PACKED_DESC = struct.Struct("<QIHH")  # addr, len, id, flags (virtio-1.2 §2.8.13)
NEXT, WRITE, INDIRECT = 1, 2, 4
Element = tuple[int, int, bool]  # addr, len, writable


@dataclass
class RawGuest:
    regions: list[tuple[int, mmap.mmap]] = field(default_factory=list)
    checked_chains: int = 0

    def attach(self, world: LiveWorld) -> None:
        """Map whatever the back-end maps, and check every chain it pops."""
        original_map, original_start = world.map_table, world.device.start

        def map_table(table: MemTablePayload, fds: tuple[int, ...]) -> None:
            original_map(table, fds)
            for region, fd in zip(table.regions, fds, strict=True):
                copy = os.dup(fd)
                size = region.mmap_offset + region.memory_size
                mapping = mmap.mmap(copy, size, mmap.MAP_SHARED, mmap.PROT_READ)
                self.regions.append((region.guest_phys_addr - region.mmap_offset, mapping))
                os.close(copy)

        def start(place: object) -> None:
            original_start(place)  # type: ignore[arg-type]
            for ring in world.device.rings.values():
                inner = ring.inner
                fresh = not getattr(ring, "checked", False)
                if fresh and isinstance(inner, SplitDeviceQueue | PackedDeviceQueue):
                    self._check_pops(ring, inner)

        world.map_table = map_table  # type: ignore[method-assign]
        world.device.start = start  # type: ignore[method-assign]

    def read(self, addr: int, length: int) -> bytes:
        for base, mapping in self.regions:
            if base <= addr and addr + length <= base + len(mapping):
                return mapping[addr - base : addr - base + length]
        raise AssertionError(f"0x{addr:x}+{length} is in no region the back-end was given")

    # -- the chains, straight from the raw mapping ----------------------------------------
    def split_chain(self, queue: SplitDeviceQueue, head: int) -> list[Element]:
        layout, found, index = queue.layout, [], head
        while True:
            addr, length, flags, nxt = SPLIT_DESC.unpack(
                self.read(layout.desc_addr + 16 * index, 16)
            )
            if flags & INDIRECT:
                found += self._table(addr, length, SPLIT_DESC, split=True)
            else:
                found.append((addr, length, bool(flags & WRITE)))
            if not flags & NEXT:
                return found
            index = nxt

    def packed_chain(self, queue: PackedDeviceQueue, slot: int) -> tuple[int, list[Element]]:
        found: list[Element] = []
        while True:
            at = queue.layout.desc_addr + 16 * slot
            addr, length, buffer_id, flags = PACKED_DESC.unpack(self.read(at, 16))
            if flags & INDIRECT:
                found += self._table(addr, length, PACKED_DESC, split=False)
            else:
                found.append((addr, length, bool(flags & WRITE)))
            if not flags & NEXT:
                return buffer_id, found
            slot = (slot + 1) % queue.layout.size

    def _table(
        self, addr: int, length: int, layout: struct.Struct, *, split: bool
    ) -> list[Element]:
        entries = [layout.unpack(self.read(addr + 16 * n, 16)) for n in range(length // 16)]
        flags_at = 2 if split else 3
        return [(e[0], e[1], bool(e[flags_at] & WRITE)) for e in entries]

    def _check_pops(self, ring: LiveQueue, queue: SplitDeviceQueue | PackedDeviceQueue) -> None:
        """Wrap the live ring's pop (the model's own queues may be compiled by mypyc, whose
        instances take no new attributes)."""
        original: Callable[[], Chain | None] = ring.pop

        def pop() -> Chain | None:
            slot = queue.next_avail if isinstance(queue, PackedDeviceQueue) else 0
            chain = original()
            if chain is None:
                return None
            decoded = [(b.addr, b.length, b.writable) for b in chain.buffers]
            if isinstance(queue, PackedDeviceQueue):
                buffer_id, raw = self.packed_chain(queue, slot)
                assert buffer_id == chain.id, f"buffer id {buffer_id} in memory, {chain.id} decoded"
            else:
                raw = self.split_chain(queue, chain.id)
            assert raw == decoded, (
                f"chain {chain.id}: memory holds {raw}, the device took {decoded}"
            )
            self.checked_chains += 1
            return chain

        ring.pop = pop  # type: ignore[method-assign]
        ring.checked = True  # type: ignore[attr-defined]


def carried(frame: Frame, addr: int, length: int) -> bytes:
    """The bytes at [addr, addr + length) among the bytes a frame carries."""
    for start, data in frame.memory:
        if start <= addr and addr + length <= start + len(data):
            return data[addr - start : addr - start + length]
    raise AssertionError(f"frame {frame.index} carries no bytes at 0x{addr:x}+{length}")


def check_descriptor_frame(frame: Frame, desc_area: int, packed: bool) -> None:
    """A desc_read / indirect_desc_read step carries the 16 bytes it decoded."""
    values = frame.event.values
    table = values.get("table") or values.get("table_addr")
    index = values.get("index") if table is not None or not packed else values.get("slot")
    base = int(str(table)) if table is not None else desc_area
    raw = carried(frame, base + 16 * int(str(index)), 16)
    if packed:
        addr, length, buffer_id, flags = PACKED_DESC.unpack(raw)
        assert (addr, length, buffer_id, flags) == (values["addr"], values["len"], values["id"],
                                                    values["flags"])  # fmt: skip
    else:
        addr, length, flags, nxt = SPLIT_DESC.unpack(raw)
        assert (addr, length, flags, nxt) == (values["addr"], values["len"], values["flags"],
                                              values["next"])  # fmt: skip
