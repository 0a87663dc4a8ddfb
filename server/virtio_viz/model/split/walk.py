"""The device walks a descriptor chain, from guest memory only. virtio-1.2 §2.7.5, §2.7.14.

How this works: starting at the head, the device reads each 16-byte descriptor from the
descriptor table and follows `next` while NEXT is set. A descriptor with INDIRECT names
a table of descriptors elsewhere in memory (§2.7.5.3); the walk moves into that table at
entry 0 and ends when a table entry has no NEXT. Zero or more ordinary descriptors may
come before the indirect one (N47), and the WRITE flag of the indirect one means nothing
(N46).

Everything the driver could have got wrong is checked on the way (the chain's shape
first; whether its buffers lie in guest memory once the shape is known), and the first
problem ends the walk with a `ChainFault` naming the rule (or `None` when the spec has no
numbered MUST for it, e.g. an address outside guest memory). The walk itself changes no
state apart from the events it records. It works on each descriptor's raw fields; a
`Descriptor` is built for an INDIRECT one, and for the others only when their event is
read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtio_viz.model.events import EventLog
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import (
    DESC_SIZE,
    VIRTQ_DESC_F_INDIRECT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
)
from virtio_viz.model.split import steps
from virtio_viz.model.split.descriptor import Descriptor, read_fields
from virtio_viz.model.split.layout import SplitLayout
from virtio_viz.model.virtqueue import Buffer, Chain

MAX_CHAIN_BYTES = 1 << 32  # virtio-1.2 §2.7.5.2


@dataclass(frozen=True, slots=True)
class ChainFault:
    """Why the device refuses a chain: an N-number (FACTS.md §12) or None, and the story."""

    rule: int | None
    detail: str
    values: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Table:
    """The descriptor table the walk is in: the ring's own, or an indirect one."""

    base: int
    count: int
    indirect: bool

    def name(self, index: int) -> str:
        if self.indirect:
            return f"entry {index} of the indirect table at 0x{self.base:x}"
        return f"descriptor {index}"


class ChainWalker:
    """Reads and validates one chain; `walk(head)` returns a Chain or a ChainFault."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: SplitLayout,
        *,
        queue_index: int,
        indirect_negotiated: bool,
    ) -> None:
        self.memory = memory
        self.log = log
        self.layout = layout
        self.queue_index = queue_index
        self.indirect_negotiated = indirect_negotiated
        self._ring = _Table(layout.desc_addr, layout.size, indirect=False)
        self._total = 0  # bytes in the chain so far

    def walk(self, head: int) -> Chain | ChainFault:
        if not 0 <= head < self.layout.size:
            return ChainFault(
                None,
                f"head {head} is not a descriptor of a queue of size {self.layout.size}",
                {"head": head},
            )
        table = self._ring
        visited: set[int] = set()  # of the table the walk is in
        self._total = 0
        buffers: list[Buffer] = []
        ring_descs, index = 0, head
        while True:
            if index in visited:
                return ChainFault(
                    39,
                    f"the chain from head {head} comes back to {table.name(index)}: it loops",
                    {"head": head, "index": index},
                )
            visited.add(index)
            raw = read_fields(self.memory, table.base + DESC_SIZE * index)
            addr, length, flags, next_index = raw
            ring_descs += 0 if table.indirect else 1
            if flags & VIRTQ_DESC_F_INDIRECT:
                entered = self._enter_indirect(table, index, Descriptor(*raw))
                if isinstance(entered, ChainFault):
                    return entered
                table, index, visited = entered, 0, set()
                continue
            if table.indirect:
                self.log.note(steps.indirect_desc_read, self.queue_index, table.base, index, raw)
            else:
                self.log.note(steps.desc_read, self.queue_index, index, raw)
            writable = bool(flags & VIRTQ_DESC_F_WRITE)
            fault = self._check_buffer(addr, length, writable, buffers)
            if fault is not None:
                return fault
            buffers.append(Buffer(addr, length, writable))
            self._total += length
            if not flags & VIRTQ_DESC_F_NEXT:
                return self._check_memory(buffers) or Chain(head, tuple(buffers), ring_descs)
            if next_index >= table.count:
                return ChainFault(
                    None,
                    f"{table.name(index)} names next {next_index}, but the "
                    f"table has only {table.count} entries",
                    {"next": next_index},
                )
            index = next_index

    # -- checks -------------------------------------------------------------------------
    def _check_buffer(
        self, addr: int, length: int, writable: bool, buffers: list[Buffer]
    ) -> ChainFault | None:
        total = self._total
        if not writable and buffers and buffers[-1].writable:
            # virtio-1.2 §2.7.4.2: device-readable elements come first (N36)
            return ChainFault(
                36,
                f"a device-readable buffer at 0x{addr:x} follows a device-writable one",
                {"addr": addr, "len": length},
            )
        if total + length > MAX_CHAIN_BYTES:
            return ChainFault(
                39,
                f"the chain adds up to {total + length} bytes, more than 2^32",
                {"addr": addr, "len": length},
            )
        if len(buffers) + 1 > self.layout.size:
            # virtio-1.2 §2.7.5.3.1: no chain longer than the queue size (N43)
            return ChainFault(
                43,
                f"the chain has more than {self.layout.size} descriptors, the queue size",
                {"size": self.layout.size},
            )
        return None

    def _check_memory(self, buffers: list[Buffer]) -> ChainFault | None:
        """Once the chain's shape is sound: is every buffer backed by guest memory?"""
        for b in buffers:
            if not self.memory.contains(b.addr, b.length):
                detail = f"the buffer 0x{b.addr:x}+{b.length} is outside guest memory"
                return ChainFault(None, detail, {"addr": b.addr, "len": b.length})
        return None

    def _enter_indirect(self, table: _Table, index: int, desc: Descriptor) -> _Table | ChainFault:
        """Validate an INDIRECT descriptor (§2.7.5.3) and return the table it names."""
        where = table.name(index)
        values = {"index": index, "flags": desc.flags, "addr": desc.addr, "len": desc.length}
        if table.indirect:
            return ChainFault(42, f"{where} sets INDIRECT inside an indirect table", values)
        if not self.indirect_negotiated:
            return ChainFault(
                41, f"{where} sets INDIRECT but VIRTIO_F_INDIRECT_DESC was not negotiated", values
            )
        if desc.has_next:
            return ChainFault(44, f"{where} sets both INDIRECT and NEXT", values)
        if desc.length == 0 or desc.length % DESC_SIZE:
            return ChainFault(
                None,
                f"{where} gives an indirect table length of {desc.length}, "
                f"not a positive multiple of {DESC_SIZE}",
                values,
            )
        if not self.memory.contains(desc.addr, desc.length):
            return ChainFault(
                None,
                f"the indirect table 0x{desc.addr:x}+{desc.length} is outside guest memory",
                values,
            )
        entries = desc.length // DESC_SIZE
        self.log.note(steps.indirect_table_found, self.queue_index, where, index, desc, entries)
        return _Table(desc.addr, entries, indirect=True)


pickled_by_fields(ChainFault, _Table)  # virtio_viz/model/frozen.py
