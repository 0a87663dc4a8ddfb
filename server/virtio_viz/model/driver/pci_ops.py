"""The driver side of virtio over PCI: Linux's virtio_pci_modern, as register accesses.

How this works: `PciOps.discover()` does what Linux's vp_modern_probe() does: check the
vendor and device ids in configuration space, walk the capability list from
PCI_CAPABILITY_LIST, and note where the common, notify, ISR and device-specific
structures live (BAR + offset, virtio-1.2 §4.1.4) and how many MSI-X vectors exist.
Every operation after that is a read or write of a field of the common configuration
structure (§4.1.4.3) at its exact offset and width, in the order Linux 6.1 makes them
(compare shared/traces/qemu-split: the test suite does).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from virtio_viz.model.driver.alloc import SMP_CACHE_BYTES
from virtio_viz.model.driver.ops import QueueSetup
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import VIRTIO_MSI_NO_VECTOR

PCI_VENDOR_ID_REDHAT_QUMRANET = 0x1AF4  # §4.1.2
PCI_STATUS = 0x06
PCI_STATUS_CAP_LIST = 0x10
PCI_CAPABILITY_LIST = 0x34
PCI_CAP_ID_VNDR = 0x09
PCI_CAP_ID_MSIX = 0x11
PCI_MSIX_FLAGS_ENABLE, PCI_MSIX_FLAGS_MASKALL = 0x8000, 0x4000  # message control bits
PCI_MSIX_ENTRY_SIZE = 16
MSI_ADDRESS = 0xFEE0_1004  # the local APIC's MSI window, as Linux programs it on x86
FIRST_APIC_VECTOR = 0x26  # vector numbers like the recording's (config 38, rx 39, tx 40)
VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG = 1, 2  # §4.1.4 cfg_type
VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_DEVICE_CFG = 3, 4

# struct virtio_pci_common_cfg, §4.1.4.3: (offset, width)
DEVICE_FEATURE_SELECT = (0, 4)
DEVICE_FEATURE = (4, 4)
DRIVER_FEATURE_SELECT = (8, 4)
DRIVER_FEATURE = (12, 4)
CONFIG_MSIX_VECTOR = (16, 2)
NUM_QUEUES = (18, 2)
DEVICE_STATUS = (20, 1)
CONFIG_GENERATION = (21, 1)
QUEUE_SELECT = (22, 2)
QUEUE_SIZE = (24, 2)
QUEUE_MSIX_VECTOR = (26, 2)
QUEUE_ENABLE = (28, 2)
QUEUE_NOTIFY_OFF = (30, 2)
QUEUE_DESC = (32, 8)
QUEUE_DRIVER = (40, 8)
QUEUE_DEVICE = (48, 8)


class PciBus(Protocol):
    """How the driver reaches one PCI function: config space and its BARs."""

    def config_read(self, offset: int, size: int) -> int: ...

    def config_write(self, offset: int, size: int, value: int) -> None: ...

    def bar_read(self, bar: int, offset: int, size: int) -> int: ...

    def bar_write(self, bar: int, offset: int, size: int, value: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Structure:
    bar: int
    offset: int
    length: int


@dataclass(slots=True)
class PciOps:
    bus: PciBus
    name: str = "virtio-pci (modern)"
    vring_align: int = SMP_CACHE_BYTES
    common_cfg: Structure | None = None
    notify_cfg: Structure | None = None
    isr_cfg: Structure | None = None
    device_cfg: Structure | None = None
    notify_off_multiplier: int = 0
    msix_vectors: int = 0
    msix_cap: int = 0
    msix_table: Structure | None = None
    msix_enabled: bool = False  # Linux's vp_dev->msix_enabled
    notify_offsets: dict[int, int] = field(default_factory=dict)

    # -- discovery: vp_modern_probe() ---------------------------------------------------------
    def discover(self) -> int:
        """Find the virtio structures; return the virtio device id (§4.1.2)."""
        vendor, device = self.bus.config_read(0, 2), self.bus.config_read(2, 2)
        if vendor != PCI_VENDOR_ID_REDHAT_QUMRANET or not 0x1040 <= device <= 0x107F:
            raise ConfigError(
                f"PCI function {vendor:04x}:{device:04x} is not a modern virtio device"
            )
        if not self.bus.config_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST:
            raise ConfigError("the PCI function has no capability list")
        pointer = self.bus.config_read(PCI_CAPABILITY_LIST, 1)
        seen: set[int] = set()
        while pointer and pointer not in seen:
            seen.add(pointer)
            self._read_capability(pointer)
            pointer = self.bus.config_read(pointer + 1, 1)
        if self.common_cfg is None or self.notify_cfg is None or self.isr_cfg is None:
            raise ConfigError("missing common, notify or ISR capability (§4.1.4)")
        return device - 0x1040

    def _read_capability(self, at: int) -> None:
        cap_id = self.bus.config_read(at, 1)
        if cap_id == PCI_CAP_ID_MSIX:
            self.msix_cap = at
            self.msix_vectors = (self.bus.config_read(at + 2, 2) & 0x7FF) + 1
            table = self.bus.config_read(at + 4, 4)  # BIR in bits 0..2, offset above
            self.msix_table = Structure(table & 7, table & ~7, 16 * self.msix_vectors)
            return
        if cap_id != PCI_CAP_ID_VNDR:
            return
        cfg_type = self.bus.config_read(at + 3, 1)
        where = Structure(
            bar=self.bus.config_read(at + 4, 1),
            offset=self.bus.config_read(at + 8, 4),
            length=self.bus.config_read(at + 12, 4),
        )
        # §4.1.4: the driver uses the first capability of each type and ignores unknown ones
        if cfg_type == VIRTIO_PCI_CAP_COMMON_CFG and self.common_cfg is None:
            self.common_cfg = where
        elif cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG and self.notify_cfg is None:
            self.notify_cfg = where
            self.notify_off_multiplier = self.bus.config_read(at + 16, 4)
        elif cfg_type == VIRTIO_PCI_CAP_ISR_CFG and self.isr_cfg is None:
            self.isr_cfg = where
        elif cfg_type == VIRTIO_PCI_CAP_DEVICE_CFG and self.device_cfg is None:
            self.device_cfg = where

    # -- common configuration accessors ------------------------------------------------------
    def _read(self, reg: tuple[int, int]) -> int:
        common = self._need(self.common_cfg)
        offset, width = reg
        if width == 8:  # §4.1.3.1: 64-bit fields are two 32-bit accesses, low first
            low = self.bus.bar_read(common.bar, common.offset + offset, 4)
            return low | self.bus.bar_read(common.bar, common.offset + offset + 4, 4) << 32
        return self.bus.bar_read(common.bar, common.offset + offset, width)

    def _write(self, reg: tuple[int, int], value: int) -> None:
        common = self._need(self.common_cfg)
        offset, width = reg
        if width == 8:
            self.bus.bar_write(common.bar, common.offset + offset, 4, value & 0xFFFF_FFFF)
            self.bus.bar_write(common.bar, common.offset + offset + 4, 4, value >> 32)
            return
        self.bus.bar_write(common.bar, common.offset + offset, width, value)

    @staticmethod
    def _need(structure: Structure | None) -> Structure:
        if structure is None:
            raise ConfigError("the driver has not discovered the device yet")
        return structure

    # -- ConfigOps ---------------------------------------------------------------------------
    def reset(self) -> None:
        self._write(DEVICE_STATUS, 0)
        while self._read(DEVICE_STATUS) != 0:  # §4.1.4.3.2: wait to read 0 (N94)
            pass

    def get_status(self) -> int:
        return self._read(DEVICE_STATUS)

    def set_status(self, status: int) -> None:
        self._write(DEVICE_STATUS, status)

    def get_features(self) -> int:
        self._write(DEVICE_FEATURE_SELECT, 0)
        low = self._read(DEVICE_FEATURE)
        self._write(DEVICE_FEATURE_SELECT, 1)
        return low | self._read(DEVICE_FEATURE) << 32

    def finalize_features(self, features: int) -> None:
        self._write(DRIVER_FEATURE_SELECT, 0)
        self._write(DRIVER_FEATURE, features & 0xFFFF_FFFF)
        self._write(DRIVER_FEATURE_SELECT, 1)
        self._write(DRIVER_FEATURE, features >> 32)

    def read_config(self, offset: int, size: int) -> int:
        device = self._need(self.device_cfg)
        return self.bus.bar_read(device.bar, device.offset + offset, size)

    def config_generation(self) -> int:
        return self._read(CONFIG_GENERATION)

    def enable_msix(self) -> bool:
        """Linux's msix_capability_init(): enable with all vectors masked, program each
        table entry (address, data, unmasked), then clear the mask."""
        if not self.msix_vectors or self.msix_table is None:
            return False
        control = self.bus.config_read(self.msix_cap + 2, 2)
        masked = control | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL
        self.bus.config_write(self.msix_cap + 2, 2, masked)
        for entry in range(self.msix_vectors):
            at = self.msix_table.offset + PCI_MSIX_ENTRY_SIZE * entry
            self.bus.bar_write(self.msix_table.bar, at, 4, MSI_ADDRESS)
            self.bus.bar_write(self.msix_table.bar, at + 4, 4, 0)
            self.bus.bar_write(self.msix_table.bar, at + 8, 4, FIRST_APIC_VECTOR + entry)
            self.bus.bar_write(self.msix_table.bar, at + 12, 4, 0)
        self.bus.config_write(self.msix_cap + 2, 2, masked & ~PCI_MSIX_FLAGS_MASKALL)
        self.msix_enabled = True
        return True

    def set_config_vector(self, vector: int | None) -> bool:
        if not self.msix_vectors:
            return False
        control = self.bus.config_read(self.msix_cap + 2, 2)
        if not control & PCI_MSIX_FLAGS_ENABLE:
            self.enable_msix()
        wanted = VIRTIO_MSI_NO_VECTOR if vector is None else vector
        self._write(CONFIG_MSIX_VECTOR, wanted)
        return self._read(CONFIG_MSIX_VECTOR) == wanted  # §4.1.5.1.2.2: read back (N104)

    def num_queues(self) -> int:
        return self._read(NUM_QUEUES)

    def queue_max_size(self, index: int) -> int:
        if index >= self.num_queues():
            return 0
        self._write(QUEUE_SELECT, index)
        size = self._read(QUEUE_SIZE)
        self._write(QUEUE_SELECT, index)
        if self._read(QUEUE_ENABLE):
            raise ConfigError(f"queue {index} is already enabled")
        return size

    def setup_queue(self, setup: QueueSetup) -> bool:
        """§4.1.5.1.3: size, ring addresses, vector (read back), then the notify offset."""
        self._write(QUEUE_SELECT, setup.index)
        self._write(QUEUE_SIZE, setup.size)
        self._write(QUEUE_SELECT, setup.index)
        self._write(QUEUE_DESC, setup.desc_addr)
        self._write(QUEUE_DRIVER, setup.driver_addr)
        self._write(QUEUE_DEVICE, setup.device_addr)
        if setup.vector is not None:
            self._write(QUEUE_SELECT, setup.index)
            self._write(QUEUE_MSIX_VECTOR, setup.vector)
            if self._read(QUEUE_MSIX_VECTOR) != setup.vector:
                return False
        self._write(QUEUE_SELECT, setup.index)
        self.notify_offsets[setup.index] = self._read(QUEUE_NOTIFY_OFF)
        return True

    def enable_queues(self, indices: list[int]) -> bool:
        for index in indices:
            self._write(QUEUE_SELECT, index)
            self._write(QUEUE_ENABLE, 1)
        return True

    def notify(self, index: int) -> None:
        """§4.1.4.4: write the queue index at cap.offset + queue_notify_off * multiplier."""
        notify = self._need(self.notify_cfg)
        offset = notify.offset + self.notify_offsets[index] * self.notify_off_multiplier
        self.bus.bar_write(notify.bar, offset, 2, index)

    def service_interrupt(self, queues: Collection[int]) -> None:
        """Linux's vp_interrupt(): with MSI-X each vector says what it is for; without it,
        the handler reads (and so clears) the ISR status first (virtio-1.2 §4.1.5.4)."""
        if not self.msix_enabled:
            self.read_isr()

    def read_isr(self) -> int:
        """Read-to-clear ISR status (§4.1.4.5); only needed without MSI-X."""
        isr = self._need(self.isr_cfg)
        return self.bus.bar_read(isr.bar, isr.offset, 1)
