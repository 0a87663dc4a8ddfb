"""The driver's virtio core: bring a device up the way Linux does.

How this works: `VirtioDriver.probe()` (or `bring_up()`, phase by phase) follows
virtio-1.2 §3.1.1 step by step through a transport's `ConfigOps` (so each step is a
register access the transport records): reset, ACKNOWLEDGE, DRIVER, read the offered
features, accept the subset this driver understands, FEATURES_OK and read it back (a
device that refused the subset leaves the bit clear: the driver sets FAILED and stops,
§2.2.2 / §3.1.1), device-specific setup (config reads and virtqueues, placed in guest
RAM like Linux places them), enable the queues, DRIVER_OK. The device-type part (which
features, which queues, what to read from config space) comes from a `DeviceDriver` such
as `net.NetDriver`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Protocol

from virtio_viz.model.driver.alloc import GuestAllocator, align_up
from virtio_viz.model.driver.ops import ConfigOps, QueueSetup
from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit, describe
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.packed import PackedDriverQueue, PackedLayout
from virtio_viz.model.spec import Status, status_names
from virtio_viz.model.split import SplitDriverQueue, SplitLayout
from virtio_viz.model.virtqueue import DriverQueue

# Transport features Linux 6.1 keeps (vring_transport_features()), virtio-1.2 §6, less
# VIRTIO_F_SR_IOV: Linux keeps that one only for a function with an SR-IOV capability, and
# the modelled PCI device has none (§6.1, N25).
LINUX_TRANSPORT_FEATURES = sum(
    bit(name)
    for name in (
        "VIRTIO_F_INDIRECT_DESC",
        "VIRTIO_F_EVENT_IDX",
        "VIRTIO_F_VERSION_1",
        "VIRTIO_F_ACCESS_PLATFORM",
        "VIRTIO_F_RING_PACKED",
        "VIRTIO_F_ORDER_PLATFORM",
        "VIRTIO_F_RING_RESET",
    )
)


@dataclass(frozen=True, slots=True)
class QueueWish:
    """A virtqueue a device driver wants: its index, name and whether it takes interrupts."""

    index: int
    name: str
    interrupts: bool = True


class DeviceDriver(Protocol):
    """The device-type half of a driver (Linux: struct virtio_driver)."""

    device_id: int
    supported_features: int
    reads_config_before_queues: bool

    def queues(self, negotiated: int) -> list[QueueWish]: ...

    def read_config(self, ops: ConfigOps, negotiated: int) -> None: ...


@dataclass(slots=True)
class VirtioDriver:
    ops: ConfigOps
    memory: GuestMemory
    log: EventLog
    alloc: GuestAllocator
    device: DeviceDriver
    refuse_features: int = 0  # bits this driver declines on purpose (a scenario knob)
    negotiated: int = 0
    queues: dict[int, DriverQueue] = field(default_factory=dict)
    failed: bool = False

    # -- the init sequence, virtio-1.2 §3.1.1 ----------------------------------------------
    def probe(self) -> bool:
        """Initialize the device; True once it is live (DRIVER_OK), False if it gave up."""
        phases = self.bring_up()
        while True:
            try:
                next(phases)
            except StopIteration as done:
                result: bool = done.value
                return result

    def bring_up(self) -> Generator[str, None, bool]:
        """`probe()` one phase at a time: yields the name of each phase as it completes
        (a story pauses there), returns True once the device is live."""
        self.ops.reset()
        yield "reset"
        self._add_status(Status.ACKNOWLEDGE)
        yield "acknowledge"
        self._add_status(Status.DRIVER)
        yield "driver"
        offered = self.ops.get_features()
        yield "features_read"
        if not offered & bit("VIRTIO_F_VERSION_1"):  # §2.2.1 (N8): a modern driver needs it
            self._give_up("the device does not offer VIRTIO_F_VERSION_1")
            return False
        self.negotiated = self._choose_features(offered)
        self.ops.finalize_features(self.negotiated)
        yield "features_written"
        self._add_status(Status.FEATURES_OK)
        if not self.ops.get_status() & Status.FEATURES_OK:
            self._give_up("the device did not keep FEATURES_OK: it refused this feature set")
            return False
        yield "features_ok"
        if self.device.reads_config_before_queues:
            self.device.read_config(self.ops, self.negotiated)
        if not (yield from self._find_queues()):
            return False
        if not self.device.reads_config_before_queues:
            self.device.read_config(self.ops, self.negotiated)
        yield "config_read"
        self._add_status(Status.DRIVER_OK)
        yield "driver_ok"
        return True

    def _add_status(self, bit_to_add: Status) -> None:
        """Linux's virtio_add_status(): read the status, write it back with one more bit."""
        self.ops.set_status(self.ops.get_status() | bit_to_add)

    def _choose_features(self, offered: int) -> int:
        wanted = (self.device.supported_features | LINUX_TRANSPORT_FEATURES) & ~self.refuse_features
        accepted = offered & wanted
        declined = offered & ~accepted
        dev = self.device.device_id
        self.log.record(
            "driver_features_chosen",
            actor="driver",
            plane="control",
            spec="§2.2",
            analog="virtio_dev_probe() in Linux",
            summary=f"The driver accepts 0x{accepted:x} of the offered 0x{offered:x}"
            + (f"; it declines {', '.join(describe(declined, dev))}" if declined else "")
            + ".",
            values={"offered": offered, "accepted": accepted, "declined": declined},
        )
        return accepted

    def _give_up(self, why: str) -> None:
        """§3.1.1: set FAILED and stop; only a reset can start over (§2.1.1)."""
        self.failed = True
        self.log.record(
            "driver_gives_up",
            actor="driver",
            plane="control",
            spec="§3.1.1",
            analog="virtio_dev_probe() in Linux",
            summary=f"The driver gives up: {why}. It sets FAILED.",
            values={"status": status_names(self.ops.get_status() | Status.FAILED)},
        )
        self._add_status(Status.FAILED)

    # -- virtqueues: Linux's vp_modern_find_vqs() / vm_find_vqs() ------------------------------
    def _find_queues(self) -> Generator[str, None, bool]:
        wishes = self.device.queues(self.negotiated)
        has_vectors = self.ops.set_config_vector(0)
        next_vector = 1
        setups: list[QueueSetup] = []
        for wish in wishes:
            size = self.ops.queue_max_size(wish.index)
            if size == 0:
                self._give_up(f"queue {wish.index} ({wish.name}) does not exist")
                return False
            vector = None
            if wish.interrupts and has_vectors:
                vector, next_vector = next_vector, next_vector + 1
            setup = self._place_queue(wish, size, vector)
            if not self.ops.setup_queue(setup):
                refused = f"MSI-X vector {vector}" if vector is not None else "the setup"
                self._give_up(f"the device refused {refused} for {wish.name}")
                return False
            setups.append(setup)
            yield f"queue_{wish.name}"
        if not self.ops.enable_queues([setup.index for setup in setups]):
            self._give_up("the device refused to enable the queues or their interrupts")
            return False
        yield "queues_enabled"
        return True

    def _place_queue(self, wish: QueueWish, size: int, vector: int | None) -> QueueSetup:
        """Allocate the rings in guest RAM and create the driver side of the queue."""
        event_idx = bool(self.negotiated & bit("VIRTIO_F_EVENT_IDX"))
        indirect = bool(self.negotiated & bit("VIRTIO_F_INDIRECT_DESC"))
        queue: DriverQueue
        if self.negotiated & bit("VIRTIO_F_RING_PACKED"):
            desc = self.alloc.allocate_pages(16 * size)
            driver_area, device_area = self.alloc.allocate(4, 4), self.alloc.allocate(4, 4)
            packed = PackedLayout.checked(self.memory, size, desc, driver_area, device_area)
            queue = PackedDriverQueue(
                self.memory, self.log, packed, queue_index=wish.index,
                event_idx=event_idx, indirect=indirect, callback=wish.interrupts,
            )  # fmt: skip
        else:
            # Linux's vring_size(): desc, then avail, then used aligned to the transport's
            # vring_align (a cache line on PCI, a page on channel I/O).
            align = self.ops.vring_align
            avail_end = 16 * size + 6 + 2 * size
            total = align_up(avail_end, align) + 6 + 8 * size
            base = self.alloc.allocate_pages(total)
            split = SplitLayout.contiguous(self.memory, size, base, used_align=align)
            desc, driver_area, device_area = split.desc_addr, split.avail_addr, split.used_addr
            queue = SplitDriverQueue(
                self.memory, self.log, split, queue_index=wish.index,
                event_idx=event_idx, indirect=indirect, callback=wish.interrupts,
            )  # fmt: skip
        self.queues[wish.index] = queue
        return QueueSetup(wish.index, size, desc, driver_area, device_area, vector)
