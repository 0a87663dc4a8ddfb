"""The driver side of a packed virtqueue (Linux: vring_virtqueue). virtio-1.2 §2.8.21, §2.8.22.

How this works: the driver writes each element of a buffer into the next free ring slot,
giving every descriptor the AVAIL/USED encoding of the lap that slot is in, so a list
that runs past the end of the ring carries two encodings. The head's flags are written
last (§2.8.6, N83): until then the device sees nothing. Every descriptor carries the
buffer id (Linux writes it into all of them; the spec needs it in the last one); ids
come from the driver's private id list (driver_base.py), as Linux hands them out.

The device answers with one used descriptor per buffer, written in completion order at
its own used position; the driver reads them at its `next_used` slot, checks the id the
way Linux does (model/bad_ring.py) and skips forward by the number of ring slots that
buffer took, which it remembers per id. Because used descriptors always fill the ring in
order, the free slots are always the `free_count` slots starting at `next_avail`.

Notification suppression follows Linux's `event_flags_shadow`: the flags are written
only when they change, and with EVENT_IDX the used position is re-armed after every
reclaimed buffer only while the flags say DESC.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from virtio_viz.model.bad_ring import failed_check, record_bad_ring
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.packed import steps
from virtio_viz.model.packed.driver_base import InFlight
from virtio_viz.model.packed.driver_lab import DriverLab
from virtio_viz.model.packed.layout import (
    DESC_FLAGS_OFFSET,
    DESC_ID_OFFSET,
    DESC_LEN_OFFSET,
    LEN_AND_ID,
)
from virtio_viz.model.packed.ring import (
    EventSuppress,
    Fields,
    PackedDesc,
    advance,
    avail_bits,
    is_used,
    notify_decision,
    read_event,
)
from virtio_viz.model.spec import (
    DESC_SIZE,
    RING_EVENT_FLAGS_DESC,
    RING_EVENT_FLAGS_DISABLE,
    RING_EVENT_FLAGS_ENABLE,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
)
from virtio_viz.model.virtqueue import Buffer, UsedBuffer

_Element = tuple[int, int, bool]  # (addr, length, device-writable): one buffer element
_ADDR_LEN_ID = struct.Struct("<QIH")  # the first 14 bytes of a descriptor, flags excluded
_MAX_ADDR = (1 << 64) - 1  # le64 addr
_MAX_LEN = (1 << 32) - 1  # le32 len
_WRAP_SHIFT = 15  # off_wrap: the wrap counter sits in bit 15


class PackedDriverQueue(DriverLab):
    """The driver's view of one packed virtqueue: wrap counters, positions, free ids."""

    # -- setup --------------------------------------------------------------------------------
    def zero_ring(self) -> None:
        """Zero-fill the three areas, as a fresh allocation is (virtio-1.2 §2.8.13)."""
        if self._in_flight:
            raise ConfigError("cannot zero a ring that still holds buffers")
        for _name, area in self.layout.areas():
            self.memory.fill(area.addr, area.length)
        self._emit(
            steps.RING_ZEROED,
            f"The driver zero-fills the {self.layout.size}-slot descriptor ring at "
            f"0x{self.layout.desc_addr:x} and both event suppression structures.",
            size=self.layout.size,
            desc_addr=self.layout.desc_addr,
        )

    # -- supplying buffers, virtio-1.2 §2.8.21 ---------------------------------------------
    def add_buffer(
        self,
        out: Sequence[Buffer],
        in_: Sequence[Buffer],
        token: object = None,
        *,
        indirect_table_addr: int | None = None,
    ) -> int:
        """Expose `out` (device-readable) then `in_` (device-writable) as one buffer and
        return its id. Which list an element is in decides its direction. With
        `indirect_table_addr`, the elements go into an indirect table there and the ring
        gets one INDIRECT descriptor (§2.8.7)."""
        elements = [(b.addr, b.length, False) for b in out]
        elements += [(b.addr, b.length, True) for b in in_]
        self._check_can_add(elements, indirect_table_addr)
        slots = 1 if indirect_table_addr is not None else len(elements)
        buffer_id, last = self._take_ids(slots)
        if indirect_table_addr is None:
            descs = _list_descs(elements, buffer_id)
        else:
            descs = [self._write_indirect(buffer_id, elements, indirect_table_addr)]
        self._in_flight[buffer_id] = InFlight(slots, last, token)
        self._num_free -= slots
        self._added_since_kick += len(descs)
        self._write_list(buffer_id, descs)
        return buffer_id

    def _check_can_add(self, elements: Sequence[_Element], table_addr: int | None) -> None:
        """Refuse impossible requests before anything changes."""
        if self._broken:
            raise ConfigError(f"queue {self.queue_index} is broken; reset the device first")
        if not elements:
            raise ConfigError("a buffer needs at least one element (virtio-1.2 §2.8)")
        for addr, length, _writable in elements:
            if not (0 <= addr <= _MAX_ADDR and 0 <= length <= _MAX_LEN):
                PackedDesc(addr, length, 0, 0)  # raises, naming the field
        slots = 1 if table_addr is not None else len(elements)
        if slots > self.layout.size:
            raise ConfigError(
                f"a list of {slots} descriptors can never fit a ring of {self.layout.size} (N79)"
            )
        if slots > self._num_free:
            raise ConfigError(
                f"no room: the list needs {slots} slots but only {self._num_free} are free; "
                "the driver must find room before exposing the head (virtio-1.2 §2.8.17, N82)"
            )
        if table_addr is not None:
            table = PackedDesc(table_addr, DESC_SIZE * len(elements), 0, 0)
            if not self.memory.contains(table.addr, table.length):
                raise MemoryFault(table.addr, table.length)

    def _write_list(self, buffer_id: int, descs: Sequence[Fields]) -> None:
        """Write descriptors at successive slots, the head's flags last (§2.8.21.1, N83).
        The values fit their fields: _check_can_add made sure."""
        head, head_wrap = self._next_avail, self._avail_wrap
        position, wrap = head, head_wrap
        for number, desc in enumerate(descs):
            flags = desc[3] | avail_bits(wrap)  # the encoding of this slot's lap (§2.8.1)
            self._write_slot(position, desc, flags, is_head=number == 0, count=len(descs))
            position, wrap = advance(position, wrap, 1, self.layout.size)
        self._next_avail, self._avail_wrap = position, wrap
        # virtio-1.2 §2.8.21.1.1: a write barrier, then the head's flags expose the list (N89)
        head_flags = descs[0][3] | avail_bits(head_wrap)
        self.memory.write_le16(self._desc_addr + DESC_SIZE * head + DESC_FLAGS_OFFSET, head_flags)
        self.log.note(
            steps.head_flags_written, self.queue_index,
            head, head_flags, buffer_id, len(descs), head_wrap, position, wrap,
        )  # fmt: skip

    def _write_slot(
        self, slot: int, desc: Fields, flags: int, *, is_head: bool, count: int
    ) -> None:
        """Write `desc` at `slot` with `flags` (its lap's encoding), the flags only when
        the slot is not the head."""
        base = self._desc_addr + DESC_SIZE * slot
        self.memory.write_struct(_ADDR_LEN_ID, base, desc[:3])
        if not is_head:
            self.memory.write_le16(base + DESC_FLAGS_OFFSET, flags)
        self.log.note(steps.desc_written, self.queue_index, slot, desc, flags, is_head, count)

    def _write_indirect(self, buffer_id: int, elements: Sequence[_Element], table: int) -> Fields:
        """Fill an indirect table (only WRITE may be set in it, §2.8.19); return the one
        INDIRECT descriptor that will name it in the ring."""
        if not self.indirect:
            self.log.violation(
                85,
                actor="driver",
                queue=self.queue_index,
                detail="the driver uses an indirect table although VIRTIO_F_INDIRECT_DESC "
                "was not negotiated",
            )
        if len(elements) > self.layout.size:
            self.log.violation(
                87,
                actor="driver",
                queue=self.queue_index,
                detail=f"the indirect table holds {len(elements)} descriptors, more than "
                f"the queue size {self.layout.size}",
            )
        for number, (addr, length, writable) in enumerate(elements):
            # Linux fills addr, len and flags of each entry; the id field is left as it was
            entry = PackedDesc(addr, length, 0, VIRTQ_DESC_F_WRITE * writable).encode()
            base = table + DESC_SIZE * number
            self.memory.write(base, entry[:DESC_ID_OFFSET])
            self.memory.write(base + DESC_FLAGS_OFFSET, entry[DESC_FLAGS_OFFSET:])
        writable_count = sum(element[2] for element in elements)
        self.log.note(
            steps.indirect_table_written, self.queue_index,
            table, len(elements), writable_count, buffer_id,
        )  # fmt: skip
        return table, DESC_SIZE * len(elements), buffer_id, VIRTQ_DESC_F_INDIRECT

    # -- available buffer notifications, virtio-1.2 §2.8.21.2 ------------------------------------
    def kick_prepare(self) -> bool:
        """Read the Device Event Suppression structure and decide whether to notify."""
        # virtio-1.2 §2.8.21.3.1: a full barrier before this read (N90)
        event = read_event(self.memory, self.layout.device_event_addr)
        moved, self._added_since_kick = self._added_since_kick, 0
        new, wrap = self._next_avail, self._avail_wrap
        kick, why = notify_decision(
            event, event_idx=self.event_idx, size=self.layout.size, wrap=wrap, new=new, moved=moved
        )
        self.log.note(steps.kick_checked, self.queue_index, event, moved, why, kick, new)
        return kick

    # -- receiving used buffers, virtio-1.2 §2.8.22 ----------------------------------------------
    def get_used(self) -> UsedBuffer | None:
        """Reclaim the buffer whose used descriptor sits at `next_used`, if any. A broken
        queue returns None without looking, as Linux's get_buf does."""
        if self._broken:
            return None
        slot, wrap = self._next_used, self._used_wrap
        base = self._desc_addr + DESC_SIZE * slot
        flags = self.memory.read_le16(base + DESC_FLAGS_OFFSET)
        if not is_used(flags, wrap):
            queue = self.queue_index
            self.log.note(steps.no_used_buffer, queue, queue, slot, flags, wrap)
            return None
        # virtio-1.2 §2.8.22: a read barrier between the flags and the rest
        length, buffer_id = self.memory.read_struct(LEN_AND_ID, base + DESC_LEN_OFFSET)
        check = failed_check(buffer_id, self.layout.size, self._in_flight)
        if check is not None:
            record_bad_ring(
                self.log, check, buffer_id=buffer_id, size=self.layout.size,
                queue=self.queue_index, where=f"the used descriptor at slot {slot}", ring="packed",
            )  # fmt: skip
            self._broken = True
            return None
        entry = self._in_flight.pop(buffer_id)
        self._give_back_ids(buffer_id, entry)
        self._next_used, self._used_wrap = advance(slot, wrap, entry.desc_count, self.layout.size)
        self.log.note(
            steps.used_buffer_reclaimed, self.queue_index,
            slot, flags, buffer_id, length, entry.desc_count, self._next_used, self._used_wrap,
        )  # fmt: skip
        if self._event_flags_shadow == RING_EVENT_FLAGS_DESC:
            self._write_used_position()
        return UsedBuffer(buffer_id, length, entry.token)

    # -- used buffer notification suppression, virtio-1.2 §2.8.10 ----------------------------
    def disable_interrupts(self) -> None:
        """Ask the device for no used buffer notifications (flags = DISABLE), as Linux's
        virtqueue_disable_cb_packed(): nothing is written if they are already off."""
        if self._event_flags_shadow == RING_EVENT_FLAGS_DISABLE:
            return
        self._event_flags_shadow = RING_EVENT_FLAGS_DISABLE
        self.memory.write_le16(self.layout.driver_event_flags_addr, RING_EVENT_FLAGS_DISABLE)
        self.log.note(steps.interrupts_disabled, self.queue_index, RING_EVENT_FLAGS_DISABLE)

    def enable_interrupts(self) -> bool:
        """Ask for used buffer notifications again; True if a used buffer already waits.

        As Linux's virtqueue_enable_cb_prepare_packed(): with EVENT_IDX the structure's
        desc names the driver's next used position (off, wrap) first; the flags are
        written only if they were DISABLE (DESC with EVENT_IDX, else ENABLE).
        """
        if self.event_idx:
            off_wrap = self._next_used | self._used_wrap << _WRAP_SHIFT
            self.memory.write_le16(self.layout.driver_event_desc_addr, off_wrap)
        if self._event_flags_shadow == RING_EVENT_FLAGS_DISABLE:
            wanted = RING_EVENT_FLAGS_DESC if self.event_idx else RING_EVENT_FLAGS_ENABLE
            self._event_flags_shadow = wanted
            self.memory.write_le16(self.layout.driver_event_flags_addr, wanted)
        event = EventSuppress(self._next_used, self._used_wrap, self._event_flags_shadow)
        # re-check after the write, or a buffer used in between would never be signalled;
        # virtqueue_poll() answers "nothing" on a broken queue
        flags = self.memory.read_le16(self.layout.desc_flags_addr(self._next_used))
        pending = is_used(flags, self._used_wrap) and not self._broken
        self.log.note(steps.interrupts_enabled, self.queue_index, event, self._next_used, pending)
        return pending

    def _write_used_position(self) -> None:
        """After a reclaim with flags DESC: desc = (next_used, used wrap counter)."""
        off_wrap = self._next_used | self._used_wrap << _WRAP_SHIFT
        self.memory.write_le16(self.layout.driver_event_desc_addr, off_wrap)
        self.log.note(steps.used_event_moved, self.queue_index, self._next_used, self._used_wrap)


def _list_descs(elements: Sequence[_Element], buffer_id: int) -> list[Fields]:
    """The list's descriptors before their AVAIL/USED bits: WRITE on device-writable
    elements, NEXT on all but the last (§2.8.6), the buffer id in every one."""
    last = len(elements) - 1
    return [
        (addr, length, buffer_id, VIRTQ_DESC_F_WRITE * writable | VIRTQ_DESC_F_NEXT * (n < last))
        for n, (addr, length, writable) in enumerate(elements)
    ]
