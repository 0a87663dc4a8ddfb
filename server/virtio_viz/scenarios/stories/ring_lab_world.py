"""The ring lab's world: one virtqueue in guest memory, with the reader playing both sides.

How this works: guest memory is one 4 MiB RAM region. The ring sits at its start
(`RING_BASE`), the buffers `add_buffer` places go in a data area after it (a cursor that
wraps), and tables for indirect buffers in a table area after that. The driver and
device sides are the model's own queue classes (split or packed, as the options say);
every action is one call into them, so the lab never does ring arithmetic of its own.

The lab shows the two sides as a live device would be after DRIVER_OK: a status of
ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK, and the features the options leave on
(VERSION_1, EVENT_IDX, INDIRECT_DESC and RING_PACKED as chosen; `declined` turns one off).
"""

from __future__ import annotations

from typing import Any

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.features import by_name
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDeviceQueue, PackedDriverQueue, PackedLayout
from virtio_viz.model.spec import DESC_SIZE, Status
from virtio_viz.model.split import SplitDeviceQueue, SplitDriverQueue, SplitLayout
from virtio_viz.scenarios import view
from virtio_viz.scenarios.options import StoryOptions

RAM_BASE = 0x1000_0000
RAM_SIZE = 0x40_0000
RING_BASE = RAM_BASE  # the largest split ring (32768 entries) needs 852 KiB
DATA_BASE = RAM_BASE + 0x10_0000
DATA_SIZE = 0x20_0000
TABLE_BASE = DATA_BASE + DATA_SIZE
TABLE_SIZE = 0x10_0000
QUEUE = 0
LIVE = Status.ACKNOWLEDGE | Status.DRIVER | Status.FEATURES_OK | Status.DRIVER_OK

_DRIVER_LAB = "ring-lab: the user acts as the driver"
_DEVICE_LAB = "ring-lab: the user acts as the device"


def _bit(name: str) -> int:
    return 1 << by_name(name).bit


class LabBase:
    """Memory, the event log, the queue's two sides and the lab's allocators."""

    def __init__(self, options: StoryOptions) -> None:
        self.options = options
        self.memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
        self.log = EventLog(self.memory)
        self.packed = options.ring == "packed"
        declined = set(options.declined)
        self.event_idx = options.event_idx and "VIRTIO_F_EVENT_IDX" not in declined
        self.indirect = "VIRTIO_F_INDIRECT_DESC" not in declined
        self.split_driver: SplitDriverQueue | None = None
        self.split_device: SplitDeviceQueue | None = None
        self.packed_driver: PackedDriverQueue | None = None
        self.packed_device: PackedDeviceQueue | None = None
        self._data_cursor = DATA_BASE
        self._table_cursor = TABLE_BASE

    # -- the events the lab itself records (notifications, register writes) ----------------
    def record(  # noqa: PLR0917 (EventLog.record's fields, in their order)
        self, kind: str, actor: str, plane: Any, spec: str, analog: str, summary: str,
        **values: Value,
    ) -> None:  # fmt: skip
        self.log.record(kind, actor=actor, plane=plane, spec=spec, analog=analog,
                        summary=summary, queue=QUEUE, values=values)  # fmt: skip

    # -- setting the queue up ---------------------------------------------------------------
    def allocate(self) -> None:
        """The driver takes the ring memory and initializes it (an empty queue)."""
        size = self.options.queue_size
        if self.packed:
            layout = PackedLayout.checked(
                self.memory, size, RING_BASE, RING_BASE + DESC_SIZE * size,
                RING_BASE + DESC_SIZE * size + 4,
            )  # fmt: skip
            driver = PackedDriverQueue(
                self.memory, self.log, layout, queue_index=QUEUE, event_idx=self.event_idx,
                indirect=self.indirect,
            )  # fmt: skip
            driver.zero_ring()
            self.packed_driver = driver
        else:
            split = SplitLayout.contiguous(self.memory, size, RING_BASE)
            self.split_driver = SplitDriverQueue(
                self.memory, self.log, split, queue_index=QUEUE, event_idx=self.event_idx,
                indirect=self.indirect, initial_index=self.options.initial_index,
            )  # fmt: skip

    def areas(self) -> list[dict[str, Any]]:
        driver = self.packed_driver or self.split_driver
        if driver is None:
            return []
        return view.ring_areas(driver)[2]

    def tell_device(self) -> None:
        """The driver writes the queue's size and addresses, then enables it (§4.1.4.3)."""
        names = ("queue_desc", "queue_driver", "queue_device")
        for name, area in zip(names, self.areas(), strict=True):
            self.record(
                "register_write", "driver", "control", "§4.1.4.3",
                "vp_modern_queue_address() in Linux",
                f"The driver writes {name} = 0x{area['addr']:x}: the {area['label']} of "
                f"queue {QUEUE} ({area['size']} bytes)",
                register=name, value=area["addr"],
            )  # fmt: skip
        self.record(
            "register_write", "driver", "control", "§4.1.4.3",
            "vp_modern_set_queue_enable() in Linux",
            f"The driver writes queue_enable = 1: queue {QUEUE} ({self.options.queue_size} "
            "entries) is ready",
            register="queue_enable", value=1,
        )  # fmt: skip

    def attach_device(self) -> None:
        """The device takes the queue the driver described, with the same starting point."""
        if self.packed_driver is not None:
            self.packed_device = PackedDeviceQueue(
                self.memory, self.log, self.packed_driver.layout, queue_index=QUEUE,
                event_idx=self.event_idx, indirect=self.indirect,
            )  # fmt: skip
            start = "next_avail 0 and next_used 0, both wrap counters 1"
        elif self.split_driver is not None:
            self.split_device = SplitDeviceQueue(
                self.memory, self.log, self.split_driver.layout, queue_index=QUEUE,
                event_idx=self.event_idx, indirect=self.indirect,
                initial_index=self.options.initial_index,
            )  # fmt: skip
            start = f"last_avail_idx and used.idx {self.options.initial_index}"
        self.record(
            "queue_enabled", "device", "control", "§4.1.4.3",
            "virtio_queue_set_rings() + virtio_queue_enable() in QEMU",
            f"The device takes queue {QUEUE} at 0x{RING_BASE:x}: {start}; the queue is empty",
            queue_size=self.options.queue_size,
        )  # fmt: skip

    def restart(self) -> None:
        self.split_driver = self.split_device = None
        self.packed_driver = self.packed_device = None
        self._data_cursor, self._table_cursor = DATA_BASE, TABLE_BASE
        self.allocate()
        self.tell_device()
        self.attach_device()

    # -- the lab's allocators (not the driver's: these only place bytes) -------------------
    @property
    def cursors(self) -> tuple[int, int]:
        return self._data_cursor, self._table_cursor

    @cursors.setter
    def cursors(self, value: tuple[int, int]) -> None:
        self._data_cursor, self._table_cursor = value

    def place(self, length: int) -> int:
        """An address in the data area for an element of `length` bytes (wraps around)."""
        addr = (self._data_cursor + 15) & ~15
        if addr + length > DATA_BASE + DATA_SIZE:
            addr = DATA_BASE
        self._data_cursor = addr + length
        return addr

    def place_table(self, entries: int) -> int:
        length = DESC_SIZE * entries
        addr = self._table_cursor
        if addr + length > TABLE_BASE + TABLE_SIZE:
            addr = TABLE_BASE
        if length > TABLE_SIZE:
            raise ConfigError("the table does not fit the lab's table area")
        self._table_cursor = addr + length
        return addr

    # -- the viewer's state -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        offered = (
            _bit("VIRTIO_F_VERSION_1") | _bit("VIRTIO_F_EVENT_IDX") | _bit("VIRTIO_F_INDIRECT_DESC")
        )
        if self.packed:
            offered |= _bit("VIRTIO_F_RING_PACKED")
        accepted = offered
        if not self.event_idx:
            accepted &= ~_bit("VIRTIO_F_EVENT_IDX")
        if not self.indirect:
            accepted &= ~_bit("VIRTIO_F_INDIRECT_DESC")
        driver = self.packed_driver or self.split_driver
        device = self.packed_device or self.split_device
        broken = bool(device is not None and device.broken)
        queue = view.queue_state(QUEUE, "queue0", driver, device, enabled=device is not None,
                                 msix_vector=None)  # fmt: skip
        return {
            "status": view.status_state(int(LIVE | (Status.DEVICE_NEEDS_RESET * broken))),
            "features": view.features_state(0, offered, accepted, accepted),
            "device": {"needs_reset": broken, "config_generation": 0, "isr": 0},
            "queues": [queue],
            "extras": {
                "lab_areas": [
                    {"name": "data", "label": "buffers (add_buffer)", "addr": DATA_BASE,
                     "size": DATA_SIZE},
                    {"name": "tables", "label": "indirect tables (add_buffer)",
                     "addr": TABLE_BASE, "size": TABLE_SIZE},
                ],
            },
        }  # fmt: skip
