"""The driver side of virtio-MMIO version 2: Linux's virtio_mmio, as register accesses.

Each operation is a 32-bit access to a register at its virtio-1.2 §4.2.2 offset
(device configuration at 0x100 and up allows byte access). As in Linux's setup_vq(),
a queue is made ready as soon as it is programmed, so `enable_queues` has nothing left
to do; feature words are read and written high word first, like vm_get_features().
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from virtio_viz.model.driver.alloc import SMP_CACHE_BYTES
from virtio_viz.model.driver.ops import QueueSetup
from virtio_viz.model.errors import ConfigError

MAGIC_VALUE = 0x000
VERSION = 0x004
DEVICE_ID = 0x008
DEVICE_FEATURES = 0x010
DEVICE_FEATURES_SEL = 0x014
DRIVER_FEATURES = 0x020
DRIVER_FEATURES_SEL = 0x024
QUEUE_SEL = 0x030
QUEUE_NUM_MAX = 0x034
QUEUE_NUM = 0x038
QUEUE_READY = 0x044
QUEUE_NOTIFY = 0x050
INTERRUPT_STATUS = 0x060
INTERRUPT_ACK = 0x064
STATUS = 0x070
QUEUE_DESC_LOW = 0x080
QUEUE_DRIVER_LOW = 0x090
QUEUE_DEVICE_LOW = 0x0A0
CONFIG_GENERATION = 0x0FC
CONFIG = 0x100
MAGIC = 0x74726976  # "virt", little-endian


class MmioBus(Protocol):
    def read(self, offset: int, size: int) -> int: ...

    def write(self, offset: int, size: int, value: int) -> None: ...


@dataclass(slots=True)
class MmioOps:
    bus: MmioBus
    name: str = "virtio-mmio (version 2)"
    vring_align: int = SMP_CACHE_BYTES

    def discover(self) -> int:
        """§4.2.3.1.1: magic, version 2, and a device id other than 0."""
        if self.bus.read(MAGIC_VALUE, 4) != MAGIC:
            raise ConfigError("no virtio-mmio device here: wrong MagicValue")
        version = self.bus.read(VERSION, 4)
        if version != 2:
            raise ConfigError(f"virtio-mmio version {version}: only version 2 is modelled")
        device_id = self.bus.read(DEVICE_ID, 4)
        if device_id == 0:
            raise ConfigError("DeviceID 0 is a placeholder: the driver must leave it alone")
        return device_id

    def reset(self) -> None:
        self.bus.write(STATUS, 4, 0)
        while self.bus.read(STATUS, 4) != 0:  # §2.4.2: reset is done when status reads 0
            pass

    def get_status(self) -> int:
        return self.bus.read(STATUS, 4)

    def set_status(self, status: int) -> None:
        self.bus.write(STATUS, 4, status)

    def get_features(self) -> int:
        self.bus.write(DEVICE_FEATURES_SEL, 4, 1)
        high = self.bus.read(DEVICE_FEATURES, 4)
        self.bus.write(DEVICE_FEATURES_SEL, 4, 0)
        return high << 32 | self.bus.read(DEVICE_FEATURES, 4)

    def finalize_features(self, features: int) -> None:
        self.bus.write(DRIVER_FEATURES_SEL, 4, 1)
        self.bus.write(DRIVER_FEATURES, 4, features >> 32)
        self.bus.write(DRIVER_FEATURES_SEL, 4, 0)
        self.bus.write(DRIVER_FEATURES, 4, features & 0xFFFF_FFFF)

    def read_config(self, offset: int, size: int) -> int:
        return self.bus.read(CONFIG + offset, size)

    def config_generation(self) -> int:
        return self.bus.read(CONFIG_GENERATION, 4)

    def set_config_vector(self, vector: int | None) -> bool:
        return False  # one interrupt line, no MSI-X vectors

    def queue_max_size(self, index: int) -> int:
        """MMIO has no queue count: a queue exists when QueueNumMax is not 0."""
        self.bus.write(QUEUE_SEL, 4, index)
        if self.bus.read(QUEUE_READY, 4):
            raise ConfigError(f"queue {index} is already ready")
        return self.bus.read(QUEUE_NUM_MAX, 4)

    def setup_queue(self, setup: QueueSetup) -> bool:
        """§4.2.3.2: QueueNum, the three areas (low then high), then QueueReady."""
        self.bus.write(QUEUE_SEL, 4, setup.index)
        self.bus.write(QUEUE_NUM, 4, setup.size)
        for low, addr in (
            (QUEUE_DESC_LOW, setup.desc_addr),
            (QUEUE_DRIVER_LOW, setup.driver_addr),
            (QUEUE_DEVICE_LOW, setup.device_addr),
        ):
            self.bus.write(low, 4, addr & 0xFFFF_FFFF)
            self.bus.write(low + 4, 4, addr >> 32)
        self.bus.write(QUEUE_READY, 4, 1)
        return True

    def enable_queues(self, indices: list[int]) -> bool:
        """Already ready: Linux's setup_vq() sets QueueReady while programming the queue."""
        return True

    def notify(self, index: int) -> None:
        self.bus.write(QUEUE_NOTIFY, 4, index)

    def service_interrupt(self, queues: Collection[int]) -> None:
        """Linux's vm_interrupt(): read and acknowledge first (virtio-1.2 §4.2.3.4)."""
        self.acknowledge_interrupt()

    def acknowledge_interrupt(self) -> int:
        """§4.2.3.4: read InterruptStatus, then write the handled bits to InterruptACK."""
        pending = self.bus.read(INTERRUPT_STATUS, 4)
        if pending:
            self.bus.write(INTERRUPT_ACK, 4, pending)
        return pending
