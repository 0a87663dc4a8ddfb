"""What the virtio core asks of a transport: Linux's `struct virtio_config_ops`.

The driver core (`core.py`) initializes a device only through these operations; the
PCI (`pci_ops.py`) and MMIO (`mmio_ops.py`) implementations turn each into register
accesses on the device's transport, and the channel I/O one (`ccw_ops.py`) into channel
programs, so every step is visible as transport events.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class QueueSetup:
    """Where the driver put one virtqueue, and which interrupt vector it wants."""

    index: int
    size: int
    desc_addr: int
    driver_addr: int
    device_addr: int
    vector: int | None  # MSI-X table entry, or None for no interrupt (a polled queue)


class ConfigOps(Protocol):
    """One device as the driver sees it through its transport."""

    name: str
    vring_align: int  # where a split ring's used ring starts (Linux's vring_align)

    def reset(self) -> None:
        """Write status 0 and wait until the device reads back 0 (virtio-1.2 §2.4)."""

    def get_status(self) -> int: ...

    def set_status(self, status: int) -> None: ...

    def get_features(self) -> int:
        """All 64 device feature bits, read 32 at a time through the select register."""

    def finalize_features(self, features: int) -> None:
        """Write the driver's accepted feature bits, 32 at a time."""

    def read_config(self, offset: int, size: int) -> int:
        """Read a device-specific configuration field (little-endian)."""

    def config_generation(self) -> int: ...

    def set_config_vector(self, vector: int | None) -> bool:
        """Route config-change interrupts to `vector`; False if the device refused it."""

    def queue_max_size(self, index: int) -> int:
        """The largest size the device offers for queue `index`; 0 = no such queue."""

    def setup_queue(self, setup: QueueSetup) -> bool:
        """Program size, ring addresses and vector; False if the vector was refused."""

    def enable_queues(self, indices: list[int]) -> bool:
        """After every queue is set up: enable them (PCI) or register how interrupts
        reach the driver (channel I/O); False if the device refused."""

    def notify(self, index: int) -> None:
        """Kick: tell the device queue `index` has new available buffers (§2.9)."""

    def service_interrupt(self, queues: Collection[int]) -> None:
        """What the driver's interrupt handler reads or clears first on this transport,
        before it looks at the used rings of `queues`."""
