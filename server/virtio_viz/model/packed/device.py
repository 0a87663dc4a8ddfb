"""The device side of a packed virtqueue (QEMU: VirtQueue, packed). virtio-1.2 §2.8.12, §2.8.15.

How this works: the device keeps two positions in the one ring, each with its own wrap
counter starting at 1 (§2.8.1): `next_avail`, where it looks for the next available
head, and `next_used`, where it writes its next used descriptor. It reads each list
from guest memory (never from the driver's Python objects), then, when the buffer is
done, writes ONE used descriptor for the whole list at `next_used` (id and len first,
flags last) and moves `next_used` on by the number of slots the list took. Used
descriptors go out in completion order, so buffer B finished first lands on the slot
where A's head was.

A list the driver got wrong is refused: the broken MUST is recorded (or a
`device_error` where the spec has no MUST), the queue is marked `broken` (the device
would set DEVICE_NEEDS_RESET) and no position moves.

The device remembers the lists it took as the popped `Chain` objects themselves, oldest
first, as QEMU keeps a VirtQueueElement per request: a buffer id is only the name the
used descriptor carries. So a driver that reuses an id still in flight (a Violation the
device records when it takes the second list) cannot make the device lose track: `push()`
returns exactly the chain it is given, and a hand-made use (`use_buffer`) picks the
oldest list with that id and that many slots.
"""

from __future__ import annotations

from virtio_viz.model.conformance import RULES
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import steps
from virtio_viz.model.packed.layout import (
    DESC_FLAGS_OFFSET,
    DESC_LEN_OFFSET,
    LEN_AND_ID,
    PackedLayout,
    record_misalignment,
)
from virtio_viz.model.packed.ring import (
    EventSuppress,
    RingPositions,
    advance,
    is_available,
    notify_decision,
    read_event,
    used_bits,
)
from virtio_viz.model.packed.steps import Said, UsedDesc, plural
from virtio_viz.model.packed.walk import ListReader, Refusal
from virtio_viz.model.spec import (
    DESC_SIZE,
    RING_EVENT_FLAGS_DESC,
    RING_EVENT_FLAGS_DISABLE,
    RING_EVENT_FLAGS_ENABLE,
    VIRTQ_DESC_F_WRITE,
)
from virtio_viz.model.virtqueue import Chain


class PackedDeviceQueue(RingPositions):
    """The device's view of one packed virtqueue: two positions, two wrap counters."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: PackedLayout,
        *,
        queue_index: int,
        event_idx: bool,
        indirect: bool = False,
        in_order: bool = False,
    ) -> None:
        layout.check_in(memory)
        # virtio-1.2 §2.8.11: the driver's alignment MUST (N69), checked wherever a device
        # takes a ring, so no path can skip it
        record_misalignment(layout, log, queue_index=queue_index)
        self.memory = memory
        self.log = log
        self.layout = layout
        self.queue_index = queue_index
        self.event_idx = event_idx
        self.indirect = indirect
        self.in_order = in_order
        self._desc_addr = layout.desc_addr  # desc[slot] is at _desc_addr + 16 * slot
        self._reader = ListReader(
            memory, log, layout, queue_index=queue_index, indirect_ok=indirect
        )
        # virtio-1.2 §2.8.1: the Device Ring Wrap Counter starts at 1
        self._next_avail, self._avail_wrap = 0, 1
        self._next_used, self._used_wrap = 0, 1
        self._in_flight: list[Chain] = []  # popped, not yet used, oldest first
        self._used_since_check = 0
        self._broken = False
        self._broken_reason = ""

    # -- state, for views and tests ---------------------------------------------------------
    @property
    def in_flight(self) -> tuple[tuple[int, int], ...]:
        """(buffer id, ring slots) of every buffer popped and not yet used, oldest first."""
        return tuple((chain.id, chain.desc_count) for chain in self._in_flight)

    @property
    def broken(self) -> bool:
        """True after a refused list: the device needs a reset (DEVICE_NEEDS_RESET)."""
        return self._broken

    @property
    def broken_reason(self) -> str:
        """What the device found wrong, "" while it is not broken."""
        return self._broken_reason

    def _emit(self, step: Said, summary: str, **values: Value) -> None:
        """Record an event put into words here (setup, errors, the ring lab)."""
        self.log.note(step, self.queue_index, summary, values)

    # -- taking available buffers, virtio-1.2 §2.8.12, §2.8.15 --------------------------------
    def has_available(self) -> bool:
        """Whether the slot at next_avail holds an available head (a peek: no event)."""
        if self._broken:
            return False
        raw = self.memory.peek(self.layout.desc_flags_addr(self._next_avail), 2)
        return is_available(int.from_bytes(raw, "little"), self._avail_wrap)

    def pop(self) -> Chain | None:
        """Read the next available list from memory; None if there is none or it is refused."""
        if self._broken:
            return None
        head, wrap = self._next_avail, self._avail_wrap
        flags = self.memory.read_le16(self._desc_addr + DESC_SIZE * head + DESC_FLAGS_OFFSET)
        # virtio-1.2 §2.8.15 (N73): only a flipped AVAIL bit makes a slot available; zeroed
        # memory (AVAIL == USED == 0) and last lap's descriptors do not count
        if not is_available(flags, wrap):
            self.log.note(steps.no_available_desc, self.queue_index, head, flags, wrap)
            return None
        result = self._reader.read(head, wrap)
        if isinstance(result, Refusal):
            self._refuse(result)
            return None
        self._next_avail, self._avail_wrap = advance(
            head, wrap, result.desc_count, self.layout.size
        )
        self._check_id_free(result, head)
        self._in_flight.append(result)
        self.log.note(
            steps.chain_popped, self.queue_index, result, head, self._next_avail, self._avail_wrap
        )
        return result

    def _refuse(self, refusal: Refusal) -> None:
        """Record what the driver got wrong, then stop using the queue. QEMU's
        virtio_error() does the same: the device core then sets DEVICE_NEEDS_RESET."""
        if refusal.rule is None:
            self._emit(steps.DEVICE_ERROR, f"The device refuses the buffer: {refusal.detail}.")
        else:
            self.log.violation(
                refusal.rule,
                actor=RULES[refusal.rule].party,
                detail=f"the device finds that {refusal.detail}",
                analog=steps.DEVICE_ERROR.analog,
                queue=self.queue_index,
            )
        self._broken, self._broken_reason = True, refusal.detail
        self._emit(
            steps.QUEUE_BROKEN,
            f"The device stops using queue {self.queue_index}: it needs a reset "
            "(DEVICE_NEEDS_RESET); its next available slot stays "
            f"{self._next_avail} (wrap {self._avail_wrap}).",
            next_avail=self._next_avail,
            avail_wrap_counter=self._avail_wrap,
        )

    def _check_id_free(self, chain: Chain, head: int) -> None:
        """A list whose buffer id names a list still in flight: the driver reused an id
        (recorded, and the list is taken all the same, as QEMU would)."""
        older = next((c for c in self._in_flight if c.id == chain.id), None)
        if older is None:
            return
        self.log.violation(
            20,
            actor="driver",
            detail=f"the device finds that the list at slot {head} reuses buffer id "
            f"{chain.id}, which still names a {plural(older.desc_count, 'slot')} list it has "
            "not returned; an id must name one exposed buffer until it is used (the driver "
            "takes the next free id, §2.8.21.1), so the driver has changed what an exposed "
            "entry means",
            analog="virtqueue_packed_pop() in QEMU takes it anyway",
            queue=self.queue_index,
            values={"buffer_id": chain.id, "slot": head, "in_flight_slots": older.desc_count,
                    "slots": chain.desc_count},
        )  # fmt: skip

    # -- returning used buffers, virtio-1.2 §2.8.4, §2.8.6 ----------------------------------------
    def push(self, chain: Chain, written: int) -> None:
        """Mark a popped buffer used, with `written` bytes put into its writable elements."""
        if not 0 <= written <= min(chain.writable_capacity, 0xFFFF_FFFF):  # len is le32
            raise ConfigError(
                f"buffer {chain.id} has {chain.writable_capacity} writable bytes; "
                f"{written} cannot have been written"
            )
        popped = self._popped(chain.id, chain.desc_count, chain)
        if popped is None or popped.desc_count != chain.desc_count:
            raise ConfigError(f"buffer {chain.id} was not popped from queue {self.queue_index}")
        self._complete(popped, chain.id, written, chain.desc_count, steps.used_desc_written)

    def use_buffer(self, buffer_id: int, length: int, desc_count: int) -> None:
        """Ring lab: write a used descriptor for any id at next_used and skip `desc_count`
        slots, whether or not the device popped that buffer."""
        if not 0 <= buffer_id <= 0xFFFF or not 0 <= length <= 0xFFFF_FFFF:
            raise ConfigError(f"id {buffer_id} / len {length} do not fit le16 / le32")
        if not 1 <= desc_count <= self.layout.size:
            raise ConfigError(f"a buffer takes 1..{self.layout.size} slots, not {desc_count}")
        popped = self._popped(buffer_id, desc_count)
        self._complete(popped, buffer_id, length, desc_count, steps.raw_used_desc)

    def _popped(self, buffer_id: int, desc_count: int, chain: Chain | None = None) -> Chain | None:
        """The popped list a completion returns: `chain` itself if the device holds it,
        else the oldest with that id and that many slots, else the oldest with that id.
        (A back-end may hand back a translated copy of the chain it was given.)"""
        if any(c is chain for c in self._in_flight):
            return chain
        same_id = [c for c in self._in_flight if c.id == buffer_id]
        exact = [c for c in same_id if c.desc_count == desc_count]
        found = exact or same_id
        return found[0] if found else None

    def _complete(
        self, chain: Chain | None, buffer_id: int, length: int, desc_count: int, step: UsedDesc
    ) -> None:
        """Forget `chain` (if the device had popped it), then write its used descriptor."""
        if chain is not None:
            oldest = self._in_flight[0]
            if self.in_order and chain is not oldest:
                self.log.violation(
                    27,
                    actor="device",
                    detail=f"with IN_ORDER negotiated the device completes buffer {buffer_id} "
                    f"({plural(chain.desc_count, 'slot')}) before buffer {oldest.id} "
                    f"({plural(oldest.desc_count, 'slot')}), which became available earlier",
                    analog=step.analog,
                    queue=self.queue_index,
                    values={"buffer_id": buffer_id, "expected": oldest.id},
                )
            self._in_flight = [c for c in self._in_flight if c is not chain]
        self._write_used(buffer_id, length, desc_count, step, popped=chain is not None)

    def _write_used(
        self, buffer_id: int, length: int, desc_count: int, step: UsedDesc, *, popped: bool
    ) -> None:
        """One used descriptor for the whole list (§2.8.6): id and len first, flags last.
        `popped` False: a ring-lab device returning an id it never took."""
        slot, wrap = self._next_used, self._used_wrap
        base = self._desc_addr + DESC_SIZE * slot
        # virtio-1.2 §2.8.4: addr is unused in a used descriptor; it is left as it was
        self.memory.write(base + DESC_LEN_OFFSET, LEN_AND_ID.pack(length, buffer_id))
        self.log.note(step, self.queue_index, slot, buffer_id, length, desc_count, popped)
        # virtio-1.2 §2.8.1, §2.8.3: AVAIL = USED = wrap counter, WRITE if data was written
        flags = used_bits(wrap) | (VIRTQ_DESC_F_WRITE if length else 0)
        self.memory.write_le16(base + DESC_FLAGS_OFFSET, flags)
        self._next_used, self._used_wrap = advance(slot, wrap, desc_count, self.layout.size)
        self._used_since_check += desc_count
        self.log.note(
            steps.used_flags_written, self.queue_index,
            slot, flags, buffer_id, desc_count, self._next_used, self._used_wrap,
        )  # fmt: skip

    # -- used buffer notifications, virtio-1.2 §2.8.10 ----------------------------------------
    def should_notify(self) -> bool:
        """Read the Driver Event Suppression structure: notify the driver about the used
        descriptors written since the last check?"""
        event = read_event(self.memory, self.layout.driver_event_addr)
        moved, self._used_since_check = self._used_since_check, 0
        notify, why = notify_decision(
            event,
            event_idx=self.event_idx,
            size=self.layout.size,
            wrap=self._used_wrap,
            new=self._next_used,
            moved=moved,
        )
        self.log.note(
            steps.notify_checked, self.queue_index, event, moved, why, notify, self._next_used
        )
        return notify

    # -- available buffer notification suppression, virtio-1.2 §2.8.10 -----------------------
    def disable_notifications(self) -> None:
        """Ask the driver for no available buffer notifications (flags = DISABLE)."""
        self.memory.write_le16(self.layout.device_event_flags_addr, RING_EVENT_FLAGS_DISABLE)
        self.log.note(steps.device_events_off, self.queue_index, RING_EVENT_FLAGS_DISABLE)

    def enable_notifications(self) -> None:
        """Ask for kicks again; with EVENT_IDX only when the driver makes the slot at
        next_avail (in the current lap) available."""
        event = EventSuppress(0, 0, RING_EVENT_FLAGS_ENABLE)
        if self.event_idx:
            event = EventSuppress(self._next_avail, self._avail_wrap, RING_EVENT_FLAGS_DESC)
            self.memory.write_le16(self.layout.device_event_desc_addr, event.off_wrap)
        self.memory.write_le16(self.layout.device_event_flags_addr, event.flags)
        self.log.note(steps.device_events_on, self.queue_index, event)

    def set_device_event(self, off: int, wrap: int, flags: int) -> None:
        """Ring lab: write the Device Event Suppression structure by hand (desc, then flags)."""
        event = EventSuppress(off, wrap, flags)
        self.memory.write(self.layout.device_event_addr, event.encode())
        self._emit(
            steps.RAW_DEVICE_EVENT,
            f"The device writes its event suppression structure by hand: {event.describe()}.",
            mode=event.mode_name,
            event_flags=flags,
            off=off,
            wrap=wrap,
        )
