"""Per-queue state of the device core, and the gate every ring access goes through.

How this works: `QueueConfig` is what the transport registers program for one queue
(size, the three area addresses, enable, MSI-X vector, notify offset; virtio-1.2
§4.1.4.3, §4.2.2). When the driver enables the queue, the device core builds the split
or packed device side of the ring (`make_device_queue`) and wraps it in a `LiveQueue`.

A `LiveQueue` lives from the queue's enable to the next device reset or queue reset,
which retires it for good. It only lets the device take buffers while the device is live
(DRIVER_OK set, DEVICE_NEEDS_RESET not), so a device cannot consume buffers before
DRIVER_OK (N4) or touch a queue after a reset (N12) however it is written: an early or
retired `pop()` returns None. A `push()` on a retired queue (a request finished after
the reset) is refused and recorded as the device breaking N12. When the ring reports
`broken` after an access, the gate tells the device core, which sets DEVICE_NEEDS_RESET
(§2.1.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDeviceQueue, PackedLayout
from virtio_viz.model.spec import VIRTIO_MSI_NO_VECTOR
from virtio_viz.model.split import SplitDeviceQueue, SplitLayout
from virtio_viz.model.virtqueue import Chain, DeviceQueue

Area = Literal["desc", "driver", "device"]
AREAS: tuple[Area, ...] = ("desc", "driver", "device")

RING_PACKED = bit("VIRTIO_F_RING_PACKED")
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")
INDIRECT_DESC = bit("VIRTIO_F_INDIRECT_DESC")
IN_ORDER = bit("VIRTIO_F_IN_ORDER")


@dataclass(slots=True)
class QueueConfig:
    """One queue's transport-visible configuration; reset values per §4.1.4.3.1."""

    index: int
    max_size: int
    size: int = 0
    desc_addr: int = 0
    driver_addr: int = 0
    device_addr: int = 0
    enabled: bool = False
    msix_vector: int = VIRTIO_MSI_NO_VECTOR
    notify_off: int = 0
    written: set[str] = field(default_factory=set)  # areas the driver set since reset

    def __post_init__(self) -> None:
        self.size = self.size or self.max_size

    @property
    def exists(self) -> bool:
        return self.max_size > 0

    def address(self, area: Area) -> int:
        return {"desc": self.desc_addr, "driver": self.driver_addr, "device": self.device_addr}[
            area
        ]

    def set_address(self, area: Area, value: int) -> None:
        if area == "desc":
            self.desc_addr = value
        elif area == "driver":
            self.driver_addr = value
        else:
            self.device_addr = value
        self.written.add(area)

    @property
    def unconfigured(self) -> tuple[str, ...]:
        """The areas the driver has not programmed since the last reset."""
        return tuple(a for a in AREAS if a not in self.written)

    def reset(self) -> None:
        """§4.1.4.3.1: queue_enable 0 (N92), queue_size back to the maximum, vector unmapped."""
        self.size = self.max_size
        self.desc_addr = self.driver_addr = self.device_addr = 0
        self.enabled = False
        self.msix_vector = VIRTIO_MSI_NO_VECTOR  # §4.1.5.1.2.1 (N103)
        self.written.clear()


def _ring_flags(negotiated: int) -> dict[str, bool]:
    return {
        "event_idx": bool(negotiated & EVENT_IDX),
        "indirect": bool(negotiated & INDIRECT_DESC),
        "in_order": bool(negotiated & IN_ORDER),
    }


def check_layout(
    memory: GuestMemory, config: QueueConfig, negotiated: int
) -> SplitLayout | PackedLayout:
    """The ring layout the driver programmed: packed if RING_PACKED was negotiated, else
    split. Raises ConfigError / MemoryFault for an impossible one; records nothing."""
    addrs = (config.desc_addr, config.driver_addr, config.device_addr)
    if negotiated & RING_PACKED:
        return PackedLayout.checked(memory, config.size, *addrs)
    return SplitLayout.checked(memory, config.size, *addrs)


def make_device_queue(
    memory: GuestMemory, log: EventLog, config: QueueConfig, negotiated: int
) -> DeviceQueue:
    """Build the device side of the ring (see `check_layout`); the queue classes record
    misaligned parts as the driver's violations (N34 split, N69 packed)."""
    layout = check_layout(memory, config, negotiated)
    flags = _ring_flags(negotiated)
    if isinstance(layout, PackedLayout):
        return PackedDeviceQueue(memory, log, layout, queue_index=config.index, **flags)
    return SplitDeviceQueue(memory, log, layout, queue_index=config.index, **flags)


class DeviceGate(Protocol):
    """What a LiveQueue asks of the device core."""

    log: EventLog

    @property
    def processing(self) -> bool:
        """DRIVER_OK is set and DEVICE_NEEDS_RESET is not."""


class QueueHost(Protocol):
    """What a device type asks of whatever runs it (the device core, or a vhost-user
    back-end serving a real guest): the usable rings, and the interrupts they earned."""

    def live_queue(self, index: int) -> LiveQueue | None:
        """The ring of queue `index` while the device may use it, else None."""

    def flush_notifications(self) -> None:
        """Consider a used-buffer notification for every ring that used buffers."""


class LiveQueue:
    """A device-side ring, usable only until retired and while the device is live."""

    def __init__(
        self,
        inner: DeviceQueue,
        gate: DeviceGate,
        on_broken: Callable[[int, str], None],
    ) -> None:
        self.inner = inner  # for views; devices go through the methods below
        self.queue_index = inner.queue_index
        self._gate = gate
        self._retired = False
        self._on_broken = on_broken
        self._reported_broken = False
        self.pushed_since_notify = 0

    def retire(self) -> None:
        """The device or the queue was reset: this ring may never be used again."""
        self._retired = True

    @property
    def stale(self) -> bool:
        """True once the device (or this queue) was reset after the queue was enabled."""
        return self._retired

    @property
    def usable(self) -> bool:
        return not self.stale and self._gate.processing

    @property
    def broken(self) -> bool:
        return bool(getattr(self.inner, "broken", False))

    # -- DeviceQueue -----------------------------------------------------------------------
    def has_available(self) -> bool:
        if not self.usable:
            return False
        answer = self.inner.has_available()
        self._check_broken()
        return answer

    def pop(self) -> Chain | None:
        if not self.usable:
            return None
        chain = self.inner.pop()
        self._check_broken()
        return chain

    def push(self, chain: Chain, written: int) -> None:
        if self.stale:
            self._gate.log.violation(
                12,
                actor="device",
                detail=f"the device tries to return buffer {chain.id} on queue "
                f"{self.queue_index} after a reset; the model refuses the write",
                analog="a device must drop in-flight requests on reset (virtio_reset() in QEMU)",
                queue=self.queue_index,
                values={"id": chain.id, "len": written},
            )
            return
        self.inner.push(chain, written)
        self.pushed_since_notify += 1

    def should_notify(self) -> bool:
        return self.usable and self.inner.should_notify()

    def disable_notifications(self) -> None:
        if not self.stale:
            self.inner.disable_notifications()

    def enable_notifications(self) -> None:
        if not self.stale:
            self.inner.enable_notifications()

    def _check_broken(self) -> None:
        if self.broken and not self._reported_broken:
            self._reported_broken = True
            reason = getattr(self.inner, "broken_reason", "") or "the ring is broken"
            self._on_broken(self.queue_index, str(reason))
