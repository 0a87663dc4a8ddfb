"""The loops `benchmarks/ring_roundtrip.py` times: a ring's round trips, and the baselines
it sets them against (see that module for what each one is). Every loop takes a count and
a chunk size and returns the events it recorded and the CPU seconds of each chunk.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.model.events import EventLog, Told, event_type
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDeviceQueue, PackedDriverQueue, PackedLayout
from virtio_viz.model.split import SplitDeviceQueue, SplitDriverQueue, SplitLayout
from virtio_viz.model.virtqueue import Buffer, DeviceQueue, DriverQueue

RAM_BASE = 0x1000_0000
RAM_SIZE = 0x20_0000  # 2 MiB: a 32768-entry split ring takes about 832 KiB
BUFFER_ADDR = RAM_BASE + 0x10_0000  # the packet buffer, past the largest ring
PACKET_BYTES = 1500
CLOCK = time.process_time  # CPU seconds of this process, which has one thread
Loop = Callable[[int, int], tuple[int, tuple[float, ...]]]  # (count, chunk) -> events, seconds


@dataclass(slots=True)
class Queues:
    """One ring in guest memory, with its driver and device side sharing one log."""

    memory: GuestMemory
    log: EventLog
    driver: DriverQueue
    device: DeviceQueue


# -- the rings -------------------------------------------------------------------------------
def build(ring: str, size: int, *, event_idx: bool = True) -> Queues:
    """A fresh ring of `size` at the start of RAM, both sides set up; the setup events
    are taken away, so a run counts only its own."""
    memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
    log = EventLog(memory)
    driver: DriverQueue
    device: DeviceQueue
    if ring == "split":
        split = SplitLayout.contiguous(memory, size, RAM_BASE)
        driver = SplitDriverQueue(memory, log, split, queue_index=0, event_idx=event_idx)
        device = SplitDeviceQueue(memory, log, split, queue_index=0, event_idx=event_idx)
    elif ring == "packed":
        events = RAM_BASE + 16 * size  # the two event suppression structures follow the ring
        packed = PackedLayout.checked(memory, size, RAM_BASE, events, events + 4)
        packed_driver = PackedDriverQueue(memory, log, packed, queue_index=0, event_idx=event_idx)
        packed_driver.zero_ring()
        driver = packed_driver
        device = PackedDeviceQueue(memory, log, packed, queue_index=0, event_idx=event_idx)
    else:
        raise ValueError(f"unknown ring {ring!r}")
    log.take()
    return Queues(memory, log, driver, device)


def round_trips(
    queues: Queues, count: int, chunk: int, *, read: bool = False
) -> tuple[int, tuple[float, ...]]:
    """Run `count` round trips; return the events recorded and the seconds per chunk.
    The consumer takes the events after each round trip, reading every one if `read`."""
    driver, device, log = queues.driver, queues.device, queues.log
    in_ = (Buffer(BUFFER_ADDR, PACKET_BYTES, writable=True),)
    no_out: tuple[Buffer, ...] = ()
    take = log.take if read else log.take_unread
    events = 0
    seconds: list[float] = []
    clock = CLOCK
    for done in range(0, count, chunk):
        start = clock()
        for _ in range(min(chunk, count - done)):
            driver.add_buffer(no_out, in_)
            driver.kick_prepare()
            chain = device.pop()
            if chain is None:
                raise RuntimeError("the device found no buffer")
            device.push(chain, PACKET_BYTES)
            device.should_notify()
            used = driver.get_used()
            if used is None or used.length != PACKET_BYTES:
                raise RuntimeError(f"the driver got {used} back")
            events += len(take())
        seconds.append(clock() - start)
    return events, tuple(seconds)


# -- the baselines ---------------------------------------------------------------------------
_DESC = struct.Struct("<QIHH")
_U16 = struct.Struct("<H")
_ELEM = struct.Struct("<II")


def floor_loop(size: int) -> Loop:
    """The reads and writes of a split round trip (event index on), with `struct` on one
    bytearray: descriptor, avail.ring slot, avail.idx, avail_event, used element,
    used.idx, used_event (the free list is private, as in Linux: reclaiming writes no
    ring memory). No checks, no journal, no events."""

    def loop(count: int, chunk: int) -> tuple[int, tuple[float, ...]]:
        ram = bytearray(RAM_SIZE)
        desc, avail = 0, 16 * size
        used = (avail + 6 + 2 * size + 3) & ~3
        avail_event, used_event = used + 4 + 8 * size, avail + 4 + 2 * size
        pack_desc, unpack_desc = _DESC.pack_into, _DESC.unpack_from
        pack16, unpack16 = _U16.pack_into, _U16.unpack_from
        pack_elem, unpack_elem = _ELEM.pack_into, _ELEM.unpack_from
        avail_idx = used_idx = 0
        seconds: list[float] = []
        clock = CLOCK
        for done in range(0, count, chunk):
            start = clock()
            for _ in range(min(chunk, count - done)):
                slot = avail_idx % size
                pack_desc(ram, desc, BUFFER_ADDR, PACKET_BYTES, 2, 1)  # driver: descriptor 0
                pack16(ram, avail + 4 + 2 * slot, 0)
                avail_idx = (avail_idx + 1) & 0xFFFF
                pack16(ram, avail + 2, avail_idx)
                unpack16(ram, avail_event)  # kick_prepare
                (seen,) = unpack16(ram, avail + 2)  # device: pop
                (head,) = unpack16(ram, avail + 4 + 2 * slot)
                unpack_desc(ram, desc + 16 * head)
                pack16(ram, avail_event, seen)
                pack_elem(ram, used + 4 + 8 * slot, head, PACKET_BYTES)  # push
                used_idx = (used_idx + 1) & 0xFFFF
                pack16(ram, used + 2, used_idx)
                unpack16(ram, used_event)  # should_notify
                unpack16(ram, used + 2)  # driver: get_used
                unpack_elem(ram, used + 4 + 8 * slot)
                pack16(ram, used_event, used_idx)
            seconds.append(clock() - start)
        return 0, tuple(seconds)

    return loop


def memory_loop(size: int) -> Loop:
    """The same reads and writes as `floor_loop`, through GuestMemory's journaled
    accessors, the journal drained once per round trip; no events."""

    def loop(count: int, chunk: int) -> tuple[int, tuple[float, ...]]:
        memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
        layout = SplitLayout.contiguous(memory, size, RAM_BASE)
        desc, avail_idx_addr, used_idx_addr = (
            layout.desc_addr,
            layout.avail_idx_addr,
            layout.used_idx_addr,
        )
        avail_event, used_event = layout.avail_event_addr, layout.used_event_addr
        desc_bytes = _DESC.pack(BUFFER_ADDR, PACKET_BYTES, 2, 1)
        avail_idx = used_idx = 0
        seconds: list[float] = []
        clock = CLOCK
        for done in range(0, count, chunk):
            start = clock()
            for _ in range(min(chunk, count - done)):
                slot = avail_idx % size
                memory.write(desc, desc_bytes)
                memory.write_le16(layout.avail_ring_addr(slot), 0)
                avail_idx = (avail_idx + 1) & 0xFFFF
                memory.write_le16(avail_idx_addr, avail_idx)
                memory.read_le16(avail_event)
                seen = memory.read_le16(avail_idx_addr)
                head = memory.read_le16(layout.avail_ring_addr(slot))
                memory.read(desc + 16 * head, 16)
                memory.write_le16(avail_event, seen)
                elem = layout.used_elem_addr(slot)
                memory.write_le32(elem, head)
                memory.write_le32(elem + 4, PACKET_BYTES)
                used_idx = (used_idx + 1) & 0xFFFF
                memory.write_le16(used_idx_addr, used_idx)
                memory.read_le16(used_event)
                memory.read_le16(used_idx_addr)
                memory.read_le32(elem)
                memory.read_le32(elem + 4)
                memory.write_le16(used_event, used_idx)
                memory.drain_journal()
            seconds.append(clock() - start)
        return 0, tuple(seconds)

    return loop


@event_type("avail_idx_publish", "driver", "data", "§2.7.13.3", "virtqueue_add_split() in Linux")
def _published(old: int, idx: int, head: int) -> Told:
    summary = f"The driver moves avail.idx from {old} to {idx}: head {head} is visible"
    return summary, {"old": old, "idx": idx, "head": head}


def bare_event_loop(*, at_once: bool) -> Loop:
    """One bare event per iteration: a journaled le16 write, then the event, with three
    values, as the data path notes it (`EventLog.note`), or told at once (`at_once`:
    `EventLog.record` with an f-string summary); the events are taken, unread, every 15
    iterations."""

    def loop(count: int, chunk: int) -> tuple[int, tuple[float, ...]]:
        memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
        log = EventLog(memory)
        addr = RAM_BASE + 2
        seconds: list[float] = []
        clock = CLOCK
        for done in range(0, count, chunk):
            start = clock()
            for n in range(done, done + min(chunk, count - done)):
                idx = n & 0xFFFF
                memory.write_le16(addr, idx)
                if at_once:
                    log.record(
                        "avail_idx_publish", actor="driver", plane="data", spec="§2.7.13.3",
                        analog="virtqueue_add_split() in Linux",
                        summary=f"The driver moves avail.idx from {idx - 1} to {idx}: "
                        "head 0 is visible",
                        queue=0, values={"old": idx - 1, "idx": idx, "head": 0},
                    )  # fmt: skip
                else:
                    log.note(_published, 0, idx - 1, idx, 0)
                if n % 15 == 14:
                    log.take_unread()
            seconds.append(clock() - start)
        return count, tuple(seconds)

    return loop
