"""State shared by the driver side of a split virtqueue: setup, bookkeeping, events.

`SplitDriverQueue` (driver.py) adds the Linux-style algorithms and `DriverLab`
(driver_lab.py) the raw ring-lab actions; both build on this base. See driver.py for
how the free list works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.split.descriptor import Descriptor
from virtio_viz.model.split.layout import RING_HEADER_SIZE, SplitLayout, recheck

_ACTOR = "driver"
_NOTIFICATION_KINDS = frozenset(
    {
        "kick_check",
        "used_event_write",
        "avail_flags_write",
        "used_ring_poll",
        "lab_avail_flags_write",
        "lab_used_event_write",
    }
)


@dataclass(frozen=True, slots=True)
class Outstanding:
    """What the driver remembers about an exposed buffer (Linux: desc_state[head])."""

    token: object
    desc_count: int  # ring descriptors the buffer holds
    tail: int  # its last ring descriptor, linked back into the free list on reclaim
    table: MemRange | None  # the indirect table, if it uses one


def _ring_area(idx: int, ring_bytes: int, event: int) -> bytes:
    """flags 0, idx, a cleared ring, then the trailing event index (§2.7.6, §2.7.8)."""
    return b"\0\0" + idx.to_bytes(2, "little") + bytes(ring_bytes) + event.to_bytes(2, "little")


class DriverBase:
    """Construction, shadows and event recording of the driver side."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: SplitLayout,
        *,
        queue_index: int,
        event_idx: bool,
        indirect: bool = False,
        initial_index: int = 0,
    ) -> None:
        """Take over the ring memory of `layout` and initialize it, as a driver does when
        it allocates a queue. ConfigError / MemoryFault for an impossible layout or index;
        alignment (N34) is the caller's to check with `record_misalignment()`."""
        self.layout = recheck(memory, layout, initial_index)
        self.memory = memory
        self.log = log
        self.queue_index = queue_index
        self.event_idx = event_idx
        self.indirect = indirect
        # the addresses used on every buffer, computed once (the layout is frozen)
        self._desc_addr = self.layout.desc_addr
        self._avail_ring_addr = self.layout.avail_addr + RING_HEADER_SIZE  # avail.ring[0]
        self._avail_idx_addr = self.layout.avail_idx_addr
        self._avail_event_addr = self.layout.avail_event_addr
        self._used_ring_addr = self.layout.used_addr + RING_HEADER_SIZE  # used.ring[0]
        self._used_idx_addr = self.layout.used_idx_addr
        self._used_event_addr = self.layout.used_event_addr
        size = layout.size
        self._next = [(i + 1) % size for i in range(size)]
        self._free_head = 0
        self._num_free = size
        self._avail_idx = initial_index
        self._last_used_idx = initial_index
        self._num_added = 0
        self._interrupts_enabled = True
        self._in_flight: dict[int, Outstanding] = {}
        self.broken = False
        self._initialize_rings(initial_index)

    # -- state for views and tests ------------------------------------------------------
    @property
    def free_count(self) -> int:
        return self._num_free

    @property
    def free_head(self) -> int:
        return self._free_head

    @property
    def last_used_idx(self) -> int:
        return self._last_used_idx

    @property
    def avail_idx_shadow(self) -> int:
        return self._avail_idx

    @property
    def interrupts_enabled(self) -> bool:
        return self._interrupts_enabled

    @property
    def in_flight_heads(self) -> tuple[int, ...]:
        return tuple(self._in_flight)

    def free_list(self) -> tuple[int, ...]:
        """The free descriptors in list order, from `free_head`."""
        return self._follow(self._free_head, self._num_free)

    def exposed_descriptors(self) -> frozenset[int]:
        """Ring descriptors that belong to buffers the device may still be using."""
        return frozenset(
            index
            for head, outstanding in self._in_flight.items()
            for index in self._follow(head, outstanding.desc_count)
        )

    def _follow(self, start: int, count: int) -> tuple[int, ...]:
        order, index = [], start
        for _ in range(count):
            order.append(index)
            index = self._next[index]
        return tuple(order)

    # -- setup ------------------------------------------------------------------------
    def _initialize_rings(self, initial: int) -> None:
        layout, size = self.layout, self.layout.size
        self.memory.write(
            layout.desc_addr,
            b"".join(Descriptor(0, 0, 0, self._next[i]).encode() for i in range(size)),
        )
        self._record(
            "desc_table_init",
            "§2.7.5",
            "vring_create_virtqueue_split() in Linux",
            f"The driver clears the {size}-entry descriptor table at 0x{layout.desc_addr:x} "
            f"and links descriptor i to i+1 through next: all {size} are on the free list",
            values={"addr": layout.desc_addr, "size": size, "free_head": 0},
        )
        event_value = initial if self.event_idx else 0
        self.memory.write(layout.avail_addr, _ring_area(initial, 2 * size, event_value))
        self._record(
            "avail_ring_init",
            "§2.7.6",
            "vring_create_virtqueue_split() in Linux",
            f"The driver clears the available ring at 0x{layout.avail_addr:x}: avail.flags 0, "
            f"avail.idx {initial}, used_event {event_value}",
            values={"addr": layout.avail_addr, "idx": initial, "used_event": event_value},
        )
        # virtio-1.2 §2.7.10.1: the driver zeroes used.flags when allocating the ring (N59)
        self.memory.write(layout.used_addr, _ring_area(initial, 8 * size, event_value))
        self._record(
            "used_ring_init",
            "§2.7.10",
            "vring_create_virtqueue_split() in Linux",
            f"The driver clears the used ring at 0x{layout.used_addr:x}: used.flags 0, "
            f"used.idx {initial}, avail_event {event_value}",
            values={"addr": layout.used_addr, "idx": initial, "avail_event": event_value},
        )

    # -- events ------------------------------------------------------------------------
    def _record(
        self,
        kind: str,
        spec: str,
        analog: str,
        summary: str,
        *,
        values: Mapping[str, Value] | None = None,
    ) -> None:
        self.log.record(
            kind,
            actor=_ACTOR,
            plane="notification" if kind in _NOTIFICATION_KINDS else "data",
            spec=spec,
            analog=analog,
            summary=summary,
            queue=self.queue_index,
            values=values,
        )
