"""How the device reads one descriptor list out of a packed ring. virtio-1.2 §2.8.6, §2.8.7.

How this works: starting at an available head, the device reads descriptors from guest
memory in ring order while NEXT is set, crossing the end of the ring and flipping its
wrap counter there, so each following descriptor must carry the encoding of its own lap.
The buffer id comes from the last descriptor of the list. An INDIRECT descriptor, alone
in its list, points at a table of `pvirtq_desc` that holds the elements instead.

Anything the driver got wrong ends the walk with a `Refusal` naming the broken MUST
(FACTS.md §12 N-number), or no number when the spec states no MUST for it (an element
outside guest memory, a malformed table length). Nothing in the queue changes here.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.events import EventLog
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import steps
from virtio_viz.model.packed.layout import PackedLayout
from virtio_viz.model.packed.ring import (
    PackedDesc,
    advance,
    flag_names,
    is_available,
    read_desc,
    read_fields,
)
from virtio_viz.model.spec import (
    DESC_SIZE,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
)
from virtio_viz.model.virtqueue import Buffer, Chain


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the device will not use a list: `rule` is the N-number, None for a plain error."""

    rule: int | None
    detail: str


class ListReader:
    """Reads descriptor lists for one device queue, recording each descriptor it reads."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: PackedLayout,
        *,
        queue_index: int,
        indirect_ok: bool,
    ) -> None:
        self.memory = memory
        self.log = log
        self.layout = layout
        self.queue_index = queue_index
        self.indirect_ok = indirect_ok

    def read(self, head: int, wrap: int) -> Chain | Refusal:
        """Read the list whose (available) head is at slot `head` in the lap `wrap`."""
        buffers: list[Buffer] = []
        position, slot_wrap = head, wrap
        count = 0
        while True:
            count += 1
            fields = read_fields(self.memory, self.layout.desc_addr + DESC_SIZE * position)
            addr, length, buffer_id, flags = fields
            if count > 1 and not is_available(flags, slot_wrap):
                return Refusal(
                    83,
                    f"the head at slot {head} is available but slot {position}, which its "
                    f"NEXT flag leads to, is not (flags 0x{flags:04x}, wrap {slot_wrap})",
                )
            self.log.note(steps.desc_read, self.queue_index, position, fields, slot_wrap)
            if flags & VIRTQ_DESC_F_INDIRECT:
                refusal = self._read_indirect(PackedDesc(*fields), position, count, buffers)
            else:
                element = Buffer(addr, length, bool(flags & VIRTQ_DESC_F_WRITE))
                refusal = _take(self.memory, element, buffers, "slot", position)
            if refusal is not None:
                return refusal
            if not flags & VIRTQ_DESC_F_NEXT:
                # virtio-1.2 §2.8.6: the buffer id is in the last descriptor of the list
                return Chain(buffer_id, tuple(buffers), count)
            if count == self.layout.size:
                return Refusal(
                    79,
                    f"the list starting at slot {head} is still going after "
                    f"{count} descriptors, the whole queue",
                )
            position, slot_wrap = advance(position, slot_wrap, 1, self.layout.size)

    def _read_indirect(
        self, desc: PackedDesc, slot: int, count: int, buffers: list[Buffer]
    ) -> Refusal | None:
        """Read the table an INDIRECT descriptor names (virtio-1.2 §2.8.7, §2.8.19)."""
        if not self.indirect_ok:
            return Refusal(85, f"slot {slot} has INDIRECT set, but INDIRECT_DESC is not negotiated")
        if count > 1 or desc.has_next:
            return Refusal(88, f"slot {slot} has INDIRECT set inside a NEXT-linked list")
        if desc.length == 0 or desc.length % DESC_SIZE:
            return Refusal(
                None,
                f"the indirect table at slot {slot} is {desc.length} bytes, "
                "not a non-zero multiple of 16",
            )
        entries = desc.length // DESC_SIZE
        if entries > self.layout.size:
            return Refusal(
                87,
                f"the indirect table at slot {slot} holds {entries} descriptors, more than "
                f"the queue size {self.layout.size} the device allows",
            )
        if not self.memory.contains(desc.addr, desc.length):
            return Refusal(
                None, f"the indirect table 0x{desc.addr:x}+{desc.length} is outside guest memory"
            )
        for number in range(entries):
            entry = read_desc(self.memory, desc.addr + DESC_SIZE * number)
            self.log.note(steps.indirect_desc_read, self.queue_index, number, desc.addr, entry)
            if entry.flags & ~VIRTQ_DESC_F_WRITE:
                return Refusal(
                    86,
                    f"indirect descriptor {number} at 0x{desc.addr:x} has flags "
                    f"{flag_names(entry.flags)}; only WRITE is allowed there",
                )
            element = Buffer(entry.addr, entry.length, entry.writable)
            refusal = _take(self.memory, element, buffers, "indirect descriptor", number)
            if refusal is not None:
                return refusal
        return None


def _take(
    memory: GuestMemory, element: Buffer, buffers: list[Buffer], what: str, number: int
) -> Refusal | None:
    """Add one element to the list, or say why it cannot be used (`what` `number`, e.g.
    "slot 3", names the descriptor it came from)."""
    if not memory.contains(element.addr, element.length):
        return Refusal(
            None,
            f"{what} {number} points at 0x{element.addr:x}+{element.length}, outside guest memory",
        )
    if buffers and buffers[-1].writable and not element.writable:
        # virtio-1.2 §2.8.17: device-readable elements come before device-writable ones
        return Refusal(
            80, f"{what} {number} is device-readable but follows a device-writable element"
        )
    buffers.append(element)
    return None


pickled_by_fields(Refusal)  # virtio_viz/model/frozen.py
