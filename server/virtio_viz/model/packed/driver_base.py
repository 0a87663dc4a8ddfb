"""State shared by the driver side of a packed virtqueue: setup, bookkeeping, buffer ids.

`PackedDriverQueue` (driver.py) adds the Linux-style algorithms and `DriverLab`
(driver_lab.py) the raw ring-lab actions; both build on this base.

How buffer ids are handed out (Linux 6.1's design, in our own code): the driver keeps a
private linked list of ids, one entry per ring slot (Linux: desc_extra[].next), starting
at `free_head`. A buffer takes its id from the front of that list and consumes one entry
for every ring slot it fills, so a 3-descriptor buffer with id 0 moves `free_head` to 3
and the next buffer gets id 3, not 1. When a buffer comes back, the last entry it
consumed is linked to the old `free_head` and its id becomes the new `free_head`. The list
always holds as many entries as there are free slots, so an id is never handed out twice
while in flight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import steps
from virtio_viz.model.packed.layout import PackedLayout
from virtio_viz.model.packed.ring import RingPositions
from virtio_viz.model.packed.steps import Said
from virtio_viz.model.spec import RING_EVENT_FLAGS_DISABLE, RING_EVENT_FLAGS_ENABLE
from virtio_viz.model.virtqueue import follow


@dataclass(frozen=True, slots=True)
class InFlight:
    """What the driver remembers about an exposed buffer (Linux: desc_state[id])."""

    desc_count: int  # ring slots the buffer fills
    last: int  # the last id-list entry it consumed, linked back on reclaim
    token: object | None  # mypyc compiles no dataclass field of plain `object`

    def __init__(self, desc_count: int, last: int, token: object | None) -> None:
        object.__setattr__(self, "desc_count", desc_count)  # compiled (model/frozen.py)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "token", token)


class DriverBase(RingPositions):
    """Construction, positions, the id list and event recording of the driver side."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: PackedLayout,
        *,
        queue_index: int,
        event_idx: bool,
        indirect: bool = False,
        callback: bool = True,
    ) -> None:
        """Take over the ring of `layout`. `callback` False is a queue whose driver wants
        no interrupts (Linux: a NULL callback): its driver event flags start as DISABLE."""
        layout.check_in(memory)
        self.memory = memory
        self.log = log
        self.layout = layout
        self.queue_index = queue_index
        self.event_idx = event_idx
        self.indirect = indirect
        self._desc_addr = layout.desc_addr  # desc[slot] is at _desc_addr + 16 * slot
        # virtio-1.2 §2.8.1: the Driver Ring Wrap Counter starts at 1
        self._next_avail, self._avail_wrap = 0, 1
        self._next_used, self._used_wrap = 0, 1
        size = layout.size
        self._next = [(i + 1) % size for i in range(size)]  # Linux: desc_extra[].next
        self._free_head = 0
        self._in_flight: dict[int, InFlight] = {}
        self._num_free = size
        self._added_since_kick = 0
        self._broken = False
        self._event_flags_shadow = RING_EVENT_FLAGS_ENABLE  # Linux: event_flags_shadow
        if not callback:
            self._event_flags_shadow = RING_EVENT_FLAGS_DISABLE
            self.memory.write_le16(layout.driver_event_flags_addr, RING_EVENT_FLAGS_DISABLE)
            self._emit(
                steps.NO_CALLBACK,
                "Nobody handles this queue's interrupts, so the driver sets its event "
                "suppression flags to DISABLE from the start.",
                mode="DISABLE",
                event_flags=RING_EVENT_FLAGS_DISABLE,
            )

    # -- state, for views and tests -------------------------------------------------------
    @property
    def free_count(self) -> int:
        """Ring slots the driver may fill now (Linux: vq->num_free)."""
        return self._num_free

    @property
    def free_head(self) -> int:
        """The id the next buffer gets (Linux: vq->free_head)."""
        return self._free_head

    def free_ids(self) -> tuple[int, ...]:
        """The driver's private id list in order, from `free_head` (`free_count` entries)."""
        return follow(self._next, self._free_head, self._num_free)

    @property
    def in_flight(self) -> Mapping[int, int]:
        """Buffer id -> ring slots it occupies, for every buffer not yet reclaimed."""
        return {buffer_id: entry.desc_count for buffer_id, entry in self._in_flight.items()}

    @property
    def broken(self) -> bool:
        return self._broken

    # -- the id list ----------------------------------------------------------------------
    def _take_ids(self, count: int) -> tuple[int, int]:
        """Take `count` entries from the front of the id list: (the buffer id, the last
        entry taken)."""
        buffer_id = last = self._free_head
        entry = buffer_id
        for _ in range(count):
            last, entry = entry, self._next[entry]
        self._free_head = entry
        return buffer_id, last

    def _give_back_ids(self, buffer_id: int, entry: InFlight) -> None:
        """Link a returned buffer's entries back at the front (Linux: detach_buf_packed())."""
        self._next[entry.last] = self._free_head
        self._free_head = buffer_id
        self._num_free += entry.desc_count

    def _emit(self, step: Said, summary: str, **values: Value) -> None:
        """Record an event put into words here (setup, the ring lab)."""
        self.log.note(step, self.queue_index, summary, values)
