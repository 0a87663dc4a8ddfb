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
from virtio_viz.model.spec import VIRTQ_AVAIL_F_NO_INTERRUPT
from virtio_viz.model.split.layout import RING_HEADER_SIZE, SplitLayout, recheck
from virtio_viz.model.virtqueue import follow

_ACTOR = "driver"
# the kinds recorded here (the data path's are told in steps.py) that belong to notifications
_NOTIFICATION_KINDS = frozenset({"lab_avail_flags_write", "lab_used_event_write"})


@dataclass(frozen=True, slots=True)
class Outstanding:
    """What the driver remembers about an exposed buffer (Linux: desc_state[head])."""

    token: object | None  # mypyc compiles no dataclass field of plain `object`
    desc_count: int  # ring descriptors the buffer holds
    tail: int  # its last ring descriptor, linked back into the free list on reclaim
    table: MemRange | None  # the indirect table, if it uses one

    def __init__(
        self, token: object | None, desc_count: int, tail: int, table: MemRange | None
    ) -> None:
        object.__setattr__(self, "token", token)  # a compiled __init__ (model/frozen.py)
        object.__setattr__(self, "desc_count", desc_count)
        object.__setattr__(self, "tail", tail)
        object.__setattr__(self, "table", table)


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
        callback: bool = True,
    ) -> None:
        """Take over the ring memory of `layout` and initialize it, as a driver does when
        it allocates a queue. `callback` False is a queue whose driver wants no interrupts
        (Linux: a NULL callback, as virtio_net's control queue has). ConfigError /
        MemoryFault for an impossible layout or index; alignment (N34) is checked by the
        device side when it takes the ring."""
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
        # Linux's desc_extra[].next: the free list, private to the driver (see driver.py)
        self._next = [(i + 1) % size for i in range(size)]
        self._free_head = 0
        self._num_free = size
        self._avail_idx = initial_index
        self._last_used_idx = initial_index
        self._num_added = 0
        # Linux's avail_flags_shadow: NO_INTERRUPT while the driver wants no interrupts
        self._interrupts_enabled = callback
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
        """The free descriptors in list order, from `free_head` (private: not in the ring)."""
        return follow(self._next, self._free_head, self._num_free)

    def exposed_descriptors(self) -> frozenset[int]:
        """Ring descriptors that belong to buffers the device may still be using."""
        return frozenset(
            index
            for head, outstanding in self._in_flight.items()
            for index in follow(self._next, head, outstanding.desc_count)
        )

    # -- setup ------------------------------------------------------------------------
    def _initialize_rings(self, initial: int) -> None:
        """What guest memory holds once Linux has allocated the ring: zeroed pages
        (vring_alloc_queue_split() asks for __GFP_ZERO). The free list is not written
        anywhere in them. Only a starting index other than 0 (the model's way to show
        16-bit wraparound in a few steps) and a queue without a callback leave bytes."""
        layout, size = self.layout, self.layout.size
        self.memory.write(layout.desc_addr, bytes(layout.desc_bytes))
        self._record(
            "desc_table_init",
            "§2.7.5",
            "vring_alloc_queue_split() in Linux (zeroed pages)",
            f"The driver allocates the {size}-entry descriptor table at "
            f"0x{layout.desc_addr:x}, zeroed. All {size} descriptors are free, but the free "
            "list is the driver's own: it lives in private memory (Linux: desc_extra[].next), "
            "not in the table",
            values={"addr": layout.desc_addr, "size": size, "free_head": 0},
        )
        event_value = initial if self.event_idx else 0
        # virtqueue_vring_init_split(): no callback and no EVENT_IDX -> avail.flags NO_INTERRUPT
        flags = 0 if self._interrupts_enabled or self.event_idx else VIRTQ_AVAIL_F_NO_INTERRUPT
        area = flags.to_bytes(2, "little") + _ring_area(initial, 2 * size, event_value)[2:]
        self.memory.write(layout.avail_addr, area)
        why = ", because nobody handles its interrupts" if flags else ""
        self._record(
            "avail_ring_init",
            "§2.7.6",
            "vring_alloc_queue_split() + virtqueue_vring_init_split() in Linux",
            f"The driver clears the available ring at 0x{layout.avail_addr:x}: avail.flags "
            f"{flags}{why}, avail.idx {initial}, used_event {event_value}",
            values={"addr": layout.avail_addr, "flags": flags, "idx": initial,
                    "used_event": event_value},
        )  # fmt: skip
        # virtio-1.2 §2.7.10.1: the driver zeroes used.flags when allocating the ring (N59)
        self.memory.write(layout.used_addr, _ring_area(initial, 8 * size, event_value))
        self._record(
            "used_ring_init",
            "§2.7.10",
            "vring_alloc_queue_split() in Linux (zeroed pages)",
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
