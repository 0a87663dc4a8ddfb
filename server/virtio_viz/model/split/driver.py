"""The driver side of a split virtqueue. virtio-1.2 §2.7.13, §2.7.7, §2.7.10.

How this works (the Linux 6.1 design, in our own code): the driver keeps its free
descriptors in a singly linked list, starting at `free_head`, whose links live in private
memory (`_next`, Linux's desc_extra[].next), never in the descriptor table. The table
stays zeroed until a chain is written into it. Adding a buffer takes descriptors from the
front of that list in list order and writes each one with its `next` copied from the
private link, so a chain's links already name the following descriptor; only the last
loses its NEXT flag, and its `next` still names the rest of the free list (the value
Linux writes too). When a used buffer comes back, the chain's tail is linked to the old
`free_head` and the chain's head becomes the new `free_head`, in private memory only:
reclaiming writes nothing into the ring.

The id the device returns is checked the way Linux checks it (model/bad_ring.py) before
any bookkeeping changes; a bad one marks the queue broken for good.

`avail.idx` and `used.idx` (and, with EVENT_IDX, used_event and avail_event) start at
`initial_index` rather than 0, so 16-bit wraparound can be shown in a few steps; the
device side must be given the same value. Linux always starts at 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from virtio_viz.model.bad_ring import failed_check, record_bad_ring
from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.events import EventType
from virtio_viz.model.index16 import need_event, wrap16
from virtio_viz.model.memory import MemRange
from virtio_viz.model.spec import (
    DESC_SIZE,
    VIRTQ_AVAIL_F_NO_INTERRUPT,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
    VIRTQ_USED_F_NO_NOTIFY,
)
from virtio_viz.model.split import steps
from virtio_viz.model.split.descriptor import Descriptor, Fields, write_descriptor, write_fields
from virtio_viz.model.split.driver_base import Outstanding
from virtio_viz.model.split.driver_lab import DriverLab
from virtio_viz.model.split.layout import USED_ELEM, USED_ELEM_SIZE
from virtio_viz.model.virtqueue import Buffer, UsedBuffer

MAX_CHAIN_BYTES = 1 << 32  # virtio-1.2 §2.7.5.2 (N39)


_Element = tuple[int, int, bool]  # (addr, length, device-writable): one buffer element


class SplitDriverQueue(DriverLab):
    """A split virtqueue as the driver sees it (Linux: struct vring_virtqueue, split)."""

    # -- supplying buffers (§2.7.13) -------------------------------------------------------
    def add_buffer(
        self,
        out: Sequence[Buffer],
        in_: Sequence[Buffer],
        token: object = None,
        *,
        indirect_table_addr: int | None = None,
    ) -> int:
        """Expose one buffer: `out` elements are device-readable, `in_` device-writable
        (their `Buffer.writable` field is not consulted: the list decides). Returns the
        head descriptor index. Publishes avail.idx at once, as Linux does per add."""
        elements = [(b.addr, b.length, False) for b in out]
        elements += [(b.addr, b.length, True) for b in in_]
        table = self._check_add(elements, indirect_table_addr)
        if table is not None:
            head, count, tail = self._write_indirect(elements, table.addr)
        else:
            head, count, tail = self._write_direct(elements)
        self._in_flight[head] = Outstanding(token, count, tail, table)
        self._publish(head)
        return head

    def _check_add(self, elements: Sequence[_Element], table_addr: int | None) -> MemRange | None:
        """Refuse impossible adds before touching anything; return the indirect table to
        use, if any (a single element never needs one)."""
        if self.broken:
            raise ConfigError(f"queue {self.queue_index} is broken; nothing can be added")
        if not elements:
            raise ConfigError("a buffer needs at least one element")
        total = 0
        for _addr, length, _writable in elements:
            if not 0 <= length < MAX_CHAIN_BYTES:
                raise ConfigError(f"element length {length} does not fit in le32 len")
            total += length
        if total > MAX_CHAIN_BYTES:
            raise ConfigError(f"N39: a chain of {total} bytes is longer than 2^32 bytes")
        for addr, length, _writable in elements:
            if addr < 0 or not self.memory.contains(addr, length):
                raise MemoryFault(addr, length)
        if len(elements) > self.layout.size:
            raise ConfigError(
                f"N43: a chain of {len(elements)} elements is longer than the queue size "
                f"{self.layout.size}"
            )
        if table_addr is not None and not self.indirect:
            raise ConfigError("N41: VIRTIO_F_INDIRECT_DESC was not negotiated")
        table = None
        if table_addr is not None and len(elements) > 1:
            table = MemRange(table_addr, DESC_SIZE * len(elements))
            self._check_table(table)
        needed = 1 if table is not None else len(elements)
        if needed > self._num_free:
            raise ConfigError(
                f"the buffer needs {needed} descriptors but only {self._num_free} are free"
            )
        return table

    def _check_table(self, table: MemRange) -> None:
        if table.addr < 0 or not self.memory.contains(table.addr, table.length):
            raise MemoryFault(table.addr, table.length)
        for outstanding in self._in_flight.values():
            busy = outstanding.table
            if busy is not None and table.addr < busy.end and busy.addr < table.end:
                raise ConfigError(
                    f"N20: the table at 0x{table.addr:x} overlaps the one at 0x{busy.addr:x}, "
                    "which the device may still be reading"
                )

    def _write_direct(self, elements: Sequence[_Element]) -> tuple[int, int, int]:
        head = index = tail = self._free_head
        last = len(elements) - 1
        for position, (addr, length, writable) in enumerate(elements):
            flags = VIRTQ_DESC_F_WRITE if writable else 0
            if position != last:
                flags |= VIRTQ_DESC_F_NEXT
            self._write_ring_desc(index, (addr, length, flags, self._next[index]))
            tail, index = index, self._next[index]
        self._free_head = index
        self._num_free -= len(elements)
        return head, len(elements), tail

    def _write_indirect(self, elements: Sequence[_Element], table: int) -> tuple[int, int, int]:
        for position, (addr, length, writable) in enumerate(elements):
            last = position == len(elements) - 1
            flags = (VIRTQ_DESC_F_WRITE if writable else 0) | (0 if last else VIRTQ_DESC_F_NEXT)
            # alloc_indirect_split() links every entry to the next, the last one too
            entry = Descriptor(addr, length, flags, position + 1)
            write_descriptor(self.memory, table + DESC_SIZE * position, entry)
            self.log.note(steps.indirect_desc_write, self.queue_index, table, position, entry)
        head = self._free_head
        length = DESC_SIZE * len(elements)
        self._write_ring_desc(head, (table, length, VIRTQ_DESC_F_INDIRECT, self._next[head]))
        self._free_head = self._next[head]
        self._num_free -= 1
        return head, 1, head

    def _write_ring_desc(self, index: int, fields: Fields) -> None:
        """desc[index] = fields (the values fit: _check_add made sure)."""
        write_fields(self.memory, self._desc_addr + DESC_SIZE * index, fields)
        self.log.note(steps.desc_write, self.queue_index, index, fields)

    def _publish(self, head: int) -> None:
        slot = self._avail_idx % self.layout.size
        self.memory.write_le16(self._avail_ring_addr + 2 * slot, head)  # avail.ring[slot]
        self.log.note(steps.avail_ring_write, self.queue_index, slot, head)
        old, self._avail_idx = self._avail_idx, wrap16(self._avail_idx + 1)
        self._num_added += 1
        # virtio-1.2 §2.7.13.3.1: a write barrier orders the ring writes before idx (N67)
        self.memory.write_le16(self._avail_idx_addr, self._avail_idx)
        self.log.note(steps.avail_idx_publish, self.queue_index, old, self._avail_idx, head)

    # -- available buffer notifications (§2.7.10, §2.7.13.4) ----------------------------------
    def kick_prepare(self) -> bool:
        """Should the driver notify the device about the buffers added since the last call?"""
        added, self._num_added = self._num_added, 0
        new, old = self._avail_idx, wrap16(self._avail_idx - added)
        if added == 0:
            self.log.note(steps.nothing_to_kick, self.queue_index)
            return False
        # virtio-1.2 §2.7.13.4.1: a full barrier before reading the suppression fields (N68)
        if self.event_idx:
            # N62: with EVENT_IDX the driver ignores used.flags and compares with avail_event
            event = self.memory.read_le16(self._avail_event_addr)
            # Linux also forces a kick when 65535 adds went unannounced: the window would wrap
            kick = added >= 0xFFFF or need_event(event, new, old)
            self.log.note(steps.kick_by_avail_event, self.queue_index, added, event, old, new, kick)
        else:
            # N60/N61: without EVENT_IDX only used.flags counts; 0 means "notify me"
            flags = self.memory.read_le16(self.layout.used_flags_addr)
            kick = not flags & VIRTQ_USED_F_NO_NOTIFY
            self.log.note(steps.kick_by_used_flags, self.queue_index, added, flags, old, new, kick)
        return kick

    # -- reclaiming used buffers (§2.7.14) -------------------------------------------------
    def get_used(self) -> UsedBuffer | None:
        """Take the next used buffer, free its descriptors and return it (or None).
        A broken queue returns None without looking, as Linux's get_buf does."""
        if self.broken:
            return None
        queue, last = self.queue_index, self._last_used_idx
        used_idx = self.memory.read_le16(self._used_idx_addr)
        if used_idx == last:
            self.log.note(steps.used_ring_empty, queue, queue, used_idx, last)
            return None
        slot = last % self.layout.size
        elem = self._used_ring_addr + USED_ELEM_SIZE * slot  # used.ring[slot]
        head, length = self.memory.read_struct(USED_ELEM, elem)
        check = failed_check(head, self.layout.size, self._in_flight)
        if check is not None:
            record_bad_ring(
                self.log, check, buffer_id=head, size=self.layout.size, queue=queue,
                where=f"used.ring[{slot}]", ring="split",
            )  # fmt: skip
            self.broken = True
            return None
        self.log.note(steps.used_elem_read, queue, used_idx, last, slot, head, length)
        outstanding = self._in_flight.pop(head)
        self._detach(head, outstanding)
        self._last_used_idx = wrap16(last + 1)
        # Linux writes used_event here whenever interrupts are wanted, EVENT_IDX or not
        if self._interrupts_enabled:
            self._write_used_event(steps.used_event_after_reclaim, self._last_used_idx)
        return UsedBuffer(head, length, outstanding.token)

    def _detach(self, head: int, outstanding: Outstanding) -> None:
        """Put the chain back at the front of the free list, in private memory only."""
        tail = outstanding.tail
        self._next[tail] = self._free_head
        self._free_head = head
        self._num_free += outstanding.desc_count
        self.log.note(
            steps.chain_detach, self.queue_index,
            head, tail, outstanding.desc_count, self._next[tail], self._num_free,
        )  # fmt: skip

    # -- used buffer notification suppression (§2.7.7) ----------------------------------------
    def disable_interrupts(self) -> None:
        """Ask the device not to send used-buffer notifications (best effort, §2.7.7), as
        Linux's virtqueue_disable_cb_split() does; nothing if they are already off.

        Without EVENT_IDX: avail.flags = NO_INTERRUPT. With EVENT_IDX avail.flags must stay
        0 (N50), so Linux writes 0 into used_event instead: the device stays quiet until
        used.idx passes 0 again, and a notification then is a stray one the driver copes
        with (N51). While disabled, get_used() stops moving used_event.
        """
        if not self._interrupts_enabled:
            return
        self._interrupts_enabled = False
        if self.event_idx:
            self._write_used_event(steps.used_event_disable, 0)
            return
        self.memory.write_le16(self.layout.avail_flags_addr, VIRTQ_AVAIL_F_NO_INTERRUPT)
        self.log.note(steps.no_interrupt_set, self.queue_index)

    def enable_interrupts(self) -> bool:
        """Ask for used-buffer notifications again; True if used buffers are already
        waiting (Linux's virtqueue_enable_cb() returns the opposite: true when none are),
        so the caller must poll once more instead of waiting for an interrupt.

        As virtqueue_enable_cb_prepare_split(): avail.flags goes back to 0 only if it was
        NO_INTERRUPT and EVENT_IDX is off; used_event is set to last_used_idx either way.
        """
        was_enabled, self._interrupts_enabled = self._interrupts_enabled, True
        if not was_enabled and not self.event_idx:
            self.memory.write_le16(self.layout.avail_flags_addr, 0)
            self.log.note(steps.no_interrupt_cleared, self.queue_index)
        last = self._last_used_idx
        self._write_used_event(steps.used_event_enable, last)
        if self.broken:  # virtqueue_poll() answers "nothing" on a broken queue
            return False
        used_idx = self.memory.read_le16(self.layout.used_idx_addr)
        pending = used_idx != last
        self.log.note(steps.used_ring_poll, self.queue_index, used_idx, last, pending)
        return pending

    def _write_used_event(self, told: EventType[int, bool], value: int) -> None:
        self.memory.write_le16(self._used_event_addr, value)
        self.log.note(told, self.queue_index, value, self.event_idx)
