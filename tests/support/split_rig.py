"""A split-ring test rig: one guest RAM region, a ring, a driver and a device on it.

Split-ring tests and device tests build on `make_rig`; tests/model/test_split_rig.py
checks the rig itself.

Memory map (1 MiB of RAM at 0x1000_0000):
    0x1000_0000  the ring (contiguous layout: desc, avail, used)
    0x1001_0000  data buffers, one 4 KiB page each: `rig.buf(n, ...)`
    0x1008_0000  indirect tables, 256 bytes each: `rig.table(n)`
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.events import EventLog, Violation
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.split import SplitDeviceQueue, SplitDriverQueue, SplitLayout
from virtio_viz.model.virtqueue import Buffer

RAM_BASE = 0x1000_0000
RAM_SIZE = 0x10_0000
DATA_BASE = RAM_BASE + 0x1_0000
TABLE_BASE = RAM_BASE + 0x8_0000
OUTSIDE = RAM_BASE + RAM_SIZE  # first byte past RAM


@dataclass
class Rig:
    memory: GuestMemory
    log: EventLog
    layout: SplitLayout
    driver: SplitDriverQueue
    device: SplitDeviceQueue

    # -- building blocks ------------------------------------------------------------
    @staticmethod
    def buf(n: int, length: int = 64, writable: bool = False) -> Buffer:
        return Buffer(DATA_BASE + 0x1000 * n, length, writable)

    @staticmethod
    def table(n: int) -> int:
        return TABLE_BASE + 0x100 * n

    # -- reading memory without disturbing the journal --------------------------------
    def le16(self, addr: int) -> int:
        return int.from_bytes(self.memory.peek(addr, 2), "little")

    def le32(self, addr: int) -> int:
        return int.from_bytes(self.memory.peek(addr, 4), "little")

    def desc_raw(self, index: int) -> bytes:
        return self.memory.peek(self.layout.desc_entry_addr(index), 16)

    def avail_idx(self) -> int:
        return self.le16(self.layout.avail_idx_addr)

    def used_idx(self) -> int:
        return self.le16(self.layout.used_idx_addr)

    def avail_slot(self, slot: int) -> int:
        return self.le16(self.layout.avail_ring_addr(slot))

    def used_elem(self, slot: int) -> tuple[int, int]:
        addr = self.layout.used_elem_addr(slot)
        return self.le32(addr), self.le32(addr + 4)

    def ring_bytes(self) -> bytes:
        start = self.layout.desc_addr
        return self.memory.peek(start, self.layout.used_addr + self.layout.used_bytes - start)

    # -- events -----------------------------------------------------------------------
    def kinds(self) -> list[str]:
        return [e.kind for e in self.log.events]

    def rules(self) -> list[int]:
        return [v.rule for v in self.log.violations()]

    def only_violation(self) -> Violation:
        violations = self.log.violations()
        assert len(violations) == 1, [v.summary for v in violations]
        return violations[0]


def make_rig(
    size: int = 8,
    *,
    event_idx: bool = False,
    indirect: bool = False,
    in_order: bool = False,
    initial_index: int = 0,
) -> Rig:
    memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
    log = EventLog(memory)
    layout = SplitLayout.contiguous(memory, size, RAM_BASE)
    driver = SplitDriverQueue(
        memory,
        log,
        layout,
        queue_index=0,
        event_idx=event_idx,
        indirect=indirect,
        initial_index=initial_index,
    )
    device = SplitDeviceQueue(
        memory,
        log,
        layout,
        queue_index=0,
        event_idx=event_idx,
        indirect=indirect,
        in_order=in_order,
        initial_index=initial_index,
    )
    log.take()  # start each scenario with an empty log (setup is tested separately)
    return Rig(memory, log, layout, driver, device)


def desc_bytes(addr: int, length: int, flags: int, next_: int) -> bytes:
    """struct virtq_desc spelled out byte by byte (virtio-1.2 §2.7.5), independently of
    the model's encoder."""
    return (
        addr.to_bytes(8, "little")
        + length.to_bytes(4, "little")
        + flags.to_bytes(2, "little")
        + next_.to_bytes(2, "little")
    )
