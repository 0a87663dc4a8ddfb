"""State shared by the device side of a split virtqueue: shadows, used-ring writes, errors.

`SplitDeviceQueue` (device.py) adds the QEMU-style algorithms and `DeviceLab`
(device_lab.py) the raw ring-lab actions; both build on this base.
"""

from __future__ import annotations

from collections.abc import Mapping

from virtio_viz.model.events import EventLog, EventType, Plane, Value
from virtio_viz.model.index16 import wrap16
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.split.layout import (
    RING_HEADER_SIZE,
    USED_ELEM,
    USED_ELEM_SIZE,
    SplitLayout,
    recheck,
    record_misalignment,
)
from virtio_viz.model.split.walk import ChainWalker
from virtio_viz.model.virtqueue import Chain

# the kinds recorded here (the data path's are told in steps.py) that belong to notifications
_NOTIFICATION_KINDS = frozenset({"avail_event_write", "used_flags_write"})


class DeviceBase:
    """Construction, shadows, the used-ring write and the broken state of the device side."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        layout: SplitLayout,
        *,
        queue_index: int,
        event_idx: bool,
        indirect: bool = False,
        in_order: bool = False,
        initial_index: int = 0,
    ) -> None:
        self.layout = recheck(memory, layout, initial_index)
        # virtio-1.2 §2.7.1: the driver's alignment MUST (N34), checked wherever a device
        # takes a ring, so no path can skip it
        record_misalignment(self.layout, log, queue_index=queue_index)
        self.memory = memory
        self.log = log
        self.queue_index = queue_index
        self.event_idx = event_idx
        self.indirect = indirect
        self.in_order = in_order
        # the addresses used on every buffer, computed once (the layout is frozen)
        self._avail_idx_addr = self.layout.avail_idx_addr
        self._avail_ring_addr = self.layout.avail_addr + RING_HEADER_SIZE  # avail.ring[0]
        self._used_event_addr = self.layout.used_event_addr
        self._used_ring_addr = self.layout.used_addr + RING_HEADER_SIZE  # used.ring[0]
        self._used_idx_addr = self.layout.used_idx_addr
        self._avail_event_addr = self.layout.avail_event_addr
        self._walker = ChainWalker(
            memory, log, self.layout, queue_index=queue_index, indirect_negotiated=indirect
        )
        self._last_avail_idx = initial_index
        self._shadow_avail_idx = initial_index  # QEMU: shadow_avail_idx
        self._used_idx = initial_index
        self._signalled_used = initial_index  # used.idx at the last should_notify()
        self._notifications_enabled = True
        self._in_flight: list[Chain] = []  # popped, not yet pushed, in pop order
        self.broken = False
        self.broken_reason: str | None = None

    # -- state for views and tests ------------------------------------------------------
    @property
    def last_avail_idx(self) -> int:
        return self._last_avail_idx

    @property
    def used_idx(self) -> int:
        """The device's shadow of used.idx (the next value it will publish, minus one)."""
        return self._used_idx

    @property
    def notifications_enabled(self) -> bool:
        return self._notifications_enabled

    @property
    def in_flight(self) -> tuple[Chain, ...]:
        return tuple(self._in_flight)

    # -- the used ring (§2.7.8) -----------------------------------------------------------
    def _write_used(
        self,
        head: int,
        length: int,
        elem_written: EventType[int, int, int, bool],
        idx_published: EventType[int, int, int],
        *,
        popped: bool = True,
    ) -> None:
        """used.ring[used_idx % N] = {head, length}, then used.idx + 1 (in that order, N56),
        told as the two event types given. `popped` False: a ring-lab device returning a
        head it never took."""
        slot = self._used_idx % self.layout.size
        elem = self._used_ring_addr + USED_ELEM_SIZE * slot  # used.ring[slot]
        self.memory.write(elem, USED_ELEM.pack(head, length))  # id, len (both fit le32)
        self.log.note(elem_written, self.queue_index, slot, head, length, popped)
        old, self._used_idx = self._used_idx, wrap16(self._used_idx + 1)
        # virtio-1.2 §2.7.8.2: len is set before used.idx moves (N56), after a barrier
        self.memory.write_le16(self._used_idx_addr, self._used_idx)
        self.log.note(idx_published, self.queue_index, old, self._used_idx, head)

    # -- device MUSTs when using a buffer ---------------------------------------------------
    def _check_use(self, chain: Chain, length: int, analog: str) -> None:
        """The device MUSTs about using a buffer it popped: order (N27), len (N57)."""
        oldest = self._in_flight[0]
        if self.in_order and oldest != chain:
            self._device_violation(
                analog,
                27,
                f"the device uses buffer {chain.id} before buffer {oldest.id}, which became "
                "available first, although VIRTIO_F_IN_ORDER was negotiated",
                {"id": chain.id, "expected": oldest.id},
            )
        capacity = chain.writable_capacity
        if length > capacity:
            self._device_violation(
                analog,
                57,
                f"the device reports len {length} for buffer {chain.id}, whose writable part "
                f"holds only {capacity} bytes",
                {"id": chain.id, "len": length, "capacity": capacity},
            )

    def _device_violation(
        self, analog: str, rule: int, detail: str, values: dict[str, int]
    ) -> None:
        self.log.violation(
            rule,
            actor="device",
            detail=detail,
            analog=analog,
            queue=self.queue_index,
            values=values,
        )

    # -- errors ---------------------------------------------------------------------------
    def _fail(self, rule: int | None, detail: str, values: dict[str, int]) -> None:
        """Refuse what the driver published: record it, then stop using the queue.

        QEMU's virtio_error() does the same: the device is marked broken and, for a
        VERSION_1 device, the device core sets DEVICE_NEEDS_RESET and raises a config
        change interrupt (N5). last_avail_idx stays where it was.
        """
        if rule is None:
            summary = f"The device refuses what the driver published: {detail}"
            self._record("device_error", "§2.7", "virtio_error() in QEMU", summary, values)
        else:
            self.log.violation(
                rule,
                actor="driver",
                detail=f"the device finds that {detail}",
                analog="virtio_error() in QEMU",
                queue=self.queue_index,
                values=values,
            )
        self.broken = True
        self.broken_reason = detail
        self._record(
            "queue_broken",
            "§2.1.2",
            "virtio_error() in QEMU",
            f"The device stops using queue {self.queue_index}: it needs a reset "
            "(DEVICE_NEEDS_RESET)",
            {"last_avail_idx": self._last_avail_idx},
        )

    # -- events ---------------------------------------------------------------------------
    def _record(
        self, kind: str, spec: str, analog: str, summary: str, values: Mapping[str, Value]
    ) -> None:
        plane: Plane = "notification" if kind in _NOTIFICATION_KINDS else "data"
        if kind == "queue_broken":
            plane = "control"  # it ends in DEVICE_NEEDS_RESET, a status change
        self.log.record(
            kind,
            actor="device",
            plane=plane,
            spec=spec,
            analog=analog,
            summary=summary,
            queue=self.queue_index,
            values=values,
        )
