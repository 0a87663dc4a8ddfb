"""PCI configuration space of a virtio device: header, virtio capabilities, MSI-X.
virtio-1.2 §4.1.2 (ids), §4.1.4 (capabilities), §4.1.5.1.2 (MSI-X); PCI Local Bus 3.0.

How this works: the 256-byte configuration space is a bytearray plus a write mask
(which bits the driver may change; everything else ignores writes, as on real PCI) and
a list of named fields for the event log. The layout mirrors QEMU 7.2's modern
virtio-pci device, so the real recording in shared/traces/qemu-split lines up:

    BAR1  32-bit memory, 4 KiB:   MSI-X table at 0x000, PBA at 0x800
    BAR4  64-bit prefetchable memory, 16 KiB:
          common 0x0000, ISR 0x1000, device 0x2000, notify 0x3000 (multiplier 4)
    capabilities (list head 0x98):
          0x98 MSI-X -> 0x84 PCI_CFG -> 0x70 NOTIFY -> 0x60 DEVICE -> 0x50 ISR -> 0x40 COMMON

`walk_capabilities()` is the driver's side: follow the list through config reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import DeviceId

PCI_VENDOR_ID_REDHAT_QUMRANET = 0x1AF4  # §4.1.2
PCI_DEVICE_ID_MODERN_BASE = 0x1040  # §4.1.2: 0x1040 + virtio device id
PCI_SUBSYSTEM_ID_QEMU = 0x1100  # non-transitional: >= 0x40 (§4.1.2.1)
CONFIG_SIZE = 256
PCI_COMMAND, PCI_STATUS, PCI_CAPABILITY_LIST = 0x04, 0x06, 0x34
PCI_STATUS_INTERRUPT, PCI_STATUS_CAP_LIST = 0x08, 0x10
PCI_COMMAND_INTX_DISABLE = 0x400
PCI_CAP_ID_VNDR, PCI_CAP_ID_MSIX = 0x09, 0x11
MSIX_ENABLE, MSIX_FUNCTION_MASK = 0x8000, 0x4000

# virtio-1.2 §4.1.4: cfg_type
VIRTIO_PCI_CAP_COMMON_CFG = 1
VIRTIO_PCI_CAP_NOTIFY_CFG = 2
VIRTIO_PCI_CAP_ISR_CFG = 3
VIRTIO_PCI_CAP_DEVICE_CFG = 4
VIRTIO_PCI_CAP_PCI_CFG = 5
CFG_TYPE_NAMES = {1: "COMMON_CFG", 2: "NOTIFY_CFG", 3: "ISR_CFG", 4: "DEVICE_CFG", 5: "PCI_CFG"}

MODERN_BAR, MSIX_BAR = 4, 1
MODERN_BAR_SIZE, MSIX_BAR_SIZE = 0x4000, 0x1000
COMMON_OFFSET, ISR_OFFSET, DEVICE_OFFSET, NOTIFY_OFFSET = 0x0000, 0x1000, 0x2000, 0x3000
REGION_SIZE = 0x1000  # QEMU's length for each of the four structures
NOTIFY_OFF_MULTIPLIER = 4  # QEMU_VIRTIO_PCI_QUEUE_MEM_MULT
MSIX_TABLE_OFFSET, MSIX_PBA_OFFSET = 0x000, 0x800

_CLASS: dict[int, tuple[int, int]] = {
    DeviceId.NET: (0x02, 0x00),
    DeviceId.BLOCK: (0x01, 0x00),
}  # ethernet, SCSI storage


@dataclass(frozen=True, slots=True)
class Field:
    offset: int
    width: int
    name: str


@dataclass(frozen=True, slots=True)
class Capability:
    """One capability as the driver finds it while walking the list."""

    at: int  # its offset in configuration space
    cap_id: int
    next: int
    length: int  # cap_len (vendor capabilities); 12 for MSI-X
    cfg_type: int = 0
    bar: int = 0
    offset: int = 0
    struct_length: int = 0
    notify_off_multiplier: int = 0
    msix_table_size: int = 0

    @property
    def name(self) -> str:
        if self.cap_id == PCI_CAP_ID_MSIX:
            return "MSI-X"
        return CFG_TYPE_NAMES.get(self.cfg_type, f"vendor cfg_type {self.cfg_type}")


class PciConfigSpace:
    """Bytes, write mask and field names of one function's configuration space."""

    def __init__(
        self, *, device_id: int, msix_vectors: int, bar1_address: int, bar4_address: int
    ) -> None:
        if not 1 <= msix_vectors <= 0x800:  # §4.1.5.1.2: up to 0x800 table entries
            raise ConfigError(f"{msix_vectors} MSI-X vectors: a table holds 1..2048")
        if bar4_address % MODERN_BAR_SIZE or bar1_address % MSIX_BAR_SIZE:
            raise ConfigError("BAR addresses must be aligned to their sizes")
        self.data = bytearray(CONFIG_SIZE)
        self.wmask = bytearray(CONFIG_SIZE)
        self.fields: list[Field] = []
        self.msix_vectors = msix_vectors
        self._header(device_id, bar1_address, bar4_address)
        self.pci_cfg_at = 0
        self.msix_at = 0
        self._capabilities()

    # -- building -------------------------------------------------------------------------
    def _put(self, offset: int, width: int, name: str, value: int, wmask: int = 0) -> None:
        self.data[offset : offset + width] = value.to_bytes(width, "little")
        self.wmask[offset : offset + width] = wmask.to_bytes(width, "little")
        self.fields.append(Field(offset, width, name))

    def _header(self, device_id: int, bar1: int, bar4: int) -> None:
        klass, subclass = _CLASS.get(device_id, (0xFF, 0x00))
        self._put(0x00, 2, "vendor_id", PCI_VENDOR_ID_REDHAT_QUMRANET)
        self._put(0x02, 2, "device_id", PCI_DEVICE_ID_MODERN_BASE + device_id)
        self._put(0x04, 2, "command", 0, wmask=0x0407)  # I/O, memory, bus master, INTx off
        self._put(0x06, 2, "status", PCI_STATUS_CAP_LIST)
        self._put(0x08, 1, "revision_id", 1)  # §4.1.2.1: non-transitional, revision >= 1
        self._put(0x09, 1, "prog_if", 0)
        self._put(0x0A, 1, "subclass", subclass)
        self._put(0x0B, 1, "class_code", klass)
        self._put(0x0E, 1, "header_type", 0)
        bar1_mask = ~(MSIX_BAR_SIZE - 1) & 0xFFFF_FFFF
        self._put(0x14, 4, "bar1", bar1, wmask=bar1_mask)  # 32-bit memory
        bar4_mask = ~(MODERN_BAR_SIZE - 1) & 0xFFFF_FFF0
        self._put(0x20, 4, "bar4", (bar4 & 0xFFFF_FFFF) | 0xC, wmask=bar4_mask)  # 64-bit, pref.
        self._put(0x24, 4, "bar5 (bar4 high)", bar4 >> 32, wmask=0xFFFF_FFFF)
        self._put(0x2C, 2, "subsystem_vendor_id", PCI_VENDOR_ID_REDHAT_QUMRANET)
        self._put(0x2E, 2, "subsystem_id", PCI_SUBSYSTEM_ID_QEMU)
        self._put(0x3C, 1, "interrupt_line", 0, wmask=0xFF)
        self._put(0x3D, 1, "interrupt_pin", 1)  # INTA#

    def _vendor_cap(
        self, at: int, *, next_at: int, cfg_type: int, bar: int, offset: int, length: int
    ) -> None:
        """struct virtio_pci_cap, §4.1.4: 16 bytes (20 for notify / PCI_CFG)."""
        name = f"cap[{at:#x}] {CFG_TYPE_NAMES[cfg_type]}"
        extra = cfg_type in (VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_PCI_CFG)
        rw = 0xFFFF_FFFF if cfg_type == VIRTIO_PCI_CAP_PCI_CFG else 0
        self._put(at + 0, 1, f"{name}.cap_vndr", PCI_CAP_ID_VNDR)
        self._put(at + 1, 1, f"{name}.cap_next", next_at)
        self._put(at + 2, 1, f"{name}.cap_len", 20 if extra else 16)
        self._put(at + 3, 1, f"{name}.cfg_type", cfg_type)
        self._put(at + 4, 1, f"{name}.bar", bar, wmask=rw & 0xFF)
        self._put(at + 5, 1, f"{name}.id", 0)
        self._put(at + 6, 2, f"{name}.padding", 0)
        self._put(at + 8, 4, f"{name}.offset", offset, wmask=rw)
        self._put(at + 12, 4, f"{name}.length", length, wmask=rw)

    def _capabilities(self) -> None:
        modern = [
            (0x40, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFFSET),
            (0x50, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFFSET),
            (0x60, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFFSET),
            (0x70, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFFSET),
        ]
        next_at = 0
        for at, cfg_type, offset in modern:  # each added cap becomes the list head
            self._vendor_cap(
                at, next_at=next_at, cfg_type=cfg_type, bar=MODERN_BAR, offset=offset,
                length=REGION_SIZE,
            )  # fmt: skip
            next_at = at
        self._put(0x80, 4, "cap[0x70] NOTIFY_CFG.notify_off_multiplier", NOTIFY_OFF_MULTIPLIER)
        self.pci_cfg_at = 0x84  # §4.1.4.9: a window onto the BARs through config space
        self._vendor_cap(
            0x84, next_at=next_at, cfg_type=VIRTIO_PCI_CAP_PCI_CFG, bar=0, offset=0, length=0
        )
        self._put(0x94, 4, "cap[0x84] PCI_CFG.pci_cfg_data", 0, wmask=0xFFFF_FFFF)
        self.msix_at = at = 0x98
        self._put(at + 0, 1, "cap[0x98] MSI-X.cap_id", PCI_CAP_ID_MSIX)
        self._put(at + 1, 1, "cap[0x98] MSI-X.cap_next", 0x84)
        control_mask = MSIX_ENABLE | MSIX_FUNCTION_MASK
        table_size = self.msix_vectors - 1
        self._put(at + 2, 2, "cap[0x98] MSI-X.message_control", table_size, wmask=control_mask)
        self._put(at + 4, 4, "cap[0x98] MSI-X.table_offset_bir", MSIX_TABLE_OFFSET | MSIX_BAR)
        self._put(at + 8, 4, "cap[0x98] MSI-X.pba_offset_bir", MSIX_PBA_OFFSET | MSIX_BAR)
        self._put(PCI_CAPABILITY_LIST, 1, "capabilities_pointer", at)

    # -- access ---------------------------------------------------------------------------
    def read(self, offset: int, width: int) -> int:
        return int.from_bytes(self.data[offset : offset + width], "little")

    def write(self, offset: int, width: int, value: int) -> int:
        """Store the writable bits; return the value the bytes now hold."""
        for i in range(width):
            byte, mask = value >> (8 * i) & 0xFF, self.wmask[offset + i]
            self.data[offset + i] = (self.data[offset + i] & ~mask) | (byte & mask)
        return self.read(offset, width)

    def writable(self, offset: int, width: int) -> bool:
        return any(self.wmask[offset : offset + width])

    def name_of(self, offset: int, width: int) -> str:
        """The field(s) an access covers, e.g. 'vendor_id+device_id'."""
        names = [
            f.name for f in self.fields if f.offset < offset + width and offset < f.offset + f.width
        ]
        return "+".join(names) if names else f"reserved[{offset:#x}]"

    def u32(self, offset: int) -> int:
        return self.read(offset, 4)

    # -- state the transport needs ---------------------------------------------------------
    @property
    def msix_enabled(self) -> bool:
        return bool(self.read(self.msix_at + 2, 2) & MSIX_ENABLE)

    def bar_address(self, bar: int) -> int:
        if bar == MSIX_BAR:
            return self.u32(0x14) & ~0xF
        if bar == MODERN_BAR:
            return (self.u32(0x20) & ~0xF) | self.u32(0x24) << 32
        raise ConfigError(f"BAR{bar} is not implemented by this device (only BAR1 and BAR4)")


def walk_capabilities(config_read: Callable[[int, int], int]) -> list[Capability]:
    """The driver's walk of the capability list (Linux: pci_find_capability() and
    virtio_pci_find_capability()), through `config_read(offset, width)`."""
    if not config_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST:
        return []
    found: list[Capability] = []
    seen: set[int] = set()
    at = config_read(PCI_CAPABILITY_LIST, 1) & ~0x3
    while at and at not in seen:  # a looping list ends where it repeats
        seen.add(at)
        cap_id, next_at = config_read(at, 1), config_read(at + 1, 1) & ~0x3
        if cap_id == PCI_CAP_ID_MSIX:
            size = (config_read(at + 2, 2) & 0x7FF) + 1
            found.append(Capability(at, cap_id, next_at, 12, msix_table_size=size))
        elif cap_id == PCI_CAP_ID_VNDR:
            cap_len, cfg_type = config_read(at + 2, 1), config_read(at + 3, 1)
            multiplier = config_read(at + 16, 4) if cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG else 0
            found.append(
                Capability(
                    at, cap_id, next_at, cap_len, cfg_type=cfg_type,
                    bar=config_read(at + 4, 1), offset=config_read(at + 8, 4),
                    struct_length=config_read(at + 12, 4), notify_off_multiplier=multiplier,
                )
            )  # fmt: skip
        else:
            found.append(Capability(at, cap_id, next_at, 0))
        at = next_at
    return found
