"""A driver and a device sharing one packed ring in guest memory, for the packed tests.

The rig lays the ring out at fixed guest-physical addresses so the tests can name exact
bytes at exact offsets. The few tests here check the rig itself: a fresh ring is zeroed
and both sides start at slot 0 with their wrap counters at 1 (virtio-1.2 §2.8.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.events import Event, EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed.device import PackedDeviceQueue
from virtio_viz.model.packed.driver import PackedDriverQueue
from virtio_viz.model.packed.layout import PackedLayout
from virtio_viz.model.virtqueue import Buffer

RAM = 0x1000_0000
RAM_SIZE = 0x10000
DESC = RAM  # descriptor ring, 16 bytes per slot
DRIVER_EVENT = RAM + 0x800  # Driver Area: le16 off_wrap, le16 flags
DEVICE_EVENT = RAM + 0x810  # Device Area
DATA = RAM + 0x1000  # buffers, 0x100 apart
TABLE = RAM + 0x8000  # indirect tables


@dataclass
class Rig:
    memory: GuestMemory
    log: EventLog
    layout: PackedLayout
    driver: PackedDriverQueue
    device: PackedDeviceQueue

    def slot(self, slot: int) -> bytes:
        """The 16 bytes of desc[slot], read without journaling."""
        return self.memory.peek(self.layout.desc_entry_addr(slot), 16)

    def flags(self, slot: int) -> int:
        return int.from_bytes(self.slot(slot)[14:16], "little")

    def take(self) -> list[Event]:
        return self.log.take()


def make_rig(
    size: int = 5, *, event_idx: bool = False, indirect: bool = False, in_order: bool = False
) -> Rig:
    memory = GuestMemory.with_regions([("ram", RAM, RAM_SIZE)])
    log = EventLog(memory)
    layout = PackedLayout.checked(memory, size, DESC, DRIVER_EVENT, DEVICE_EVENT)
    driver = PackedDriverQueue(
        memory, log, layout, queue_index=0, event_idx=event_idx, indirect=indirect
    )
    device = PackedDeviceQueue(
        memory,
        log,
        layout,
        queue_index=0,
        event_idx=event_idx,
        indirect=indirect,
        in_order=in_order,
    )
    return Rig(memory, log, layout, driver, device)


def desc(addr: int, length: int, buffer_id: int, flags: int) -> bytes:
    """The wire bytes of a pvirtq_desc: le64 addr, le32 len, le16 id, le16 flags."""
    return (
        addr.to_bytes(8, "little")
        + length.to_bytes(4, "little")
        + buffer_id.to_bytes(2, "little")
        + flags.to_bytes(2, "little")
    )


def out(n: int, length: int = 0x40) -> Buffer:
    """A device-readable buffer, the n-th in the data area."""
    return Buffer(DATA + 0x100 * n, length)


def inn(n: int, length: int = 0x80) -> Buffer:
    """A device-writable buffer, the n-th in the data area."""
    return Buffer(DATA + 0x100 * n, length, writable=True)


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


# -- the rig itself ---------------------------------------------------------------------------
