"""What the addresses and names in a QEMU trace mean: regions, registers, devices, queues.

QEMU names the four memory regions of a modern virtio-pci device
`virtio-pci-{common,isr,device,notify}-<device name>`; each sits in its own 4 KiB page
of the BAR (virtio-1.2 §4.1.4), so the low 12 bits of an address are the offset inside
its region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGION = re.compile(r"virtio-pci-(?P<part>common|isr|device|notify)-(?P<device>[\w.-]+)")
PAGE_MASK = 0xFFF
MSIX_ENTRY_SIZE = 16  # address low, address high, data, vector control (PCI MSI-X table)
NO_VECTOR = 0xFFFF  # virtio-1.2 §4.1.5.1.2

# QEMU's virtio device names -> virtio device ids (virtio-1.2 §5)
DEVICE_IDS: dict[str, int] = {
    "virtio-net": 1,
    "virtio-blk": 2,
    "virtio-serial": 3,
    "virtio-rng": 4,
    "virtio-balloon": 5,
    "virtio-scsi": 8,
    "virtio-9p": 9,
    "virtio-gpu": 16,
    "virtio-input": 18,
    "virtio-vsock": 19,
    "virtio-crypto": 20,
    "virtio-iommu": 23,
    "virtio-mem": 24,
    "virtio-fs": 26,
    "virtio-pmem": 27,
}


@dataclass(frozen=True, slots=True)
class Register:
    name: str
    width: int


# virtio-1.2 §4.1.4.3: struct virtio_pci_common_cfg, by offset
COMMON: dict[int, Register] = {
    0x00: Register("device_feature_select", 4),
    0x04: Register("device_feature", 4),
    0x08: Register("driver_feature_select", 4),
    0x0C: Register("driver_feature", 4),
    0x10: Register("config_msix_vector", 2),
    0x12: Register("num_queues", 2),
    0x14: Register("device_status", 1),
    0x15: Register("config_generation", 1),
    0x16: Register("queue_select", 2),
    0x18: Register("queue_size", 2),
    0x1A: Register("queue_msix_vector", 2),
    0x1C: Register("queue_enable", 2),
    0x1E: Register("queue_notify_off", 2),
    0x20: Register("queue_desc (low)", 4),
    0x24: Register("queue_desc (high)", 4),
    0x28: Register("queue_driver (low)", 4),
    0x2C: Register("queue_driver (high)", 4),
    0x30: Register("queue_device (low)", 4),
    0x34: Register("queue_device (high)", 4),
    0x38: Register("queue_notify_data", 2),
    0x3A: Register("queue_reset", 2),
}
# queue_desc / queue_driver / queue_device: offset -> (area, which 32-bit half)
ADDRESS_REGISTERS: dict[int, tuple[str, int]] = {
    0x20: ("desc", 0),
    0x24: ("desc", 1),
    0x28: ("driver", 0),
    0x2C: ("driver", 1),
    0x30: ("device", 0),
    0x34: ("device", 1),
}

# Device configuration fields worth naming: virtio-1.2 §5.1.4 (net), §5.2.4 (blk)
_DEVICE_CONFIG: dict[int, dict[int, str]] = {
    1: {0: "mac[0]", 1: "mac[1]", 2: "mac[2]", 3: "mac[3]", 4: "mac[4]", 5: "mac[5]",
        6: "status", 8: "max_virtqueue_pairs", 10: "mtu", 12: "speed", 16: "duplex"},
    2: {0: "capacity (low)", 4: "capacity (high)", 8: "size_max", 12: "seg_max",
        16: "geometry.cylinders", 18: "geometry.heads", 19: "geometry.sectors",
        20: "blk_size", 24: "topology.physical_block_exp", 25: "topology.alignment_offset",
        26: "topology.min_io_size", 28: "topology.opt_io_size", 32: "writeback",
        34: "num_queues", 36: "max_discard_sectors", 40: "max_discard_seg",
        44: "discard_sector_alignment", 48: "max_write_zeroes_sectors"},
}  # fmt: skip


def device_id(name: str) -> int:
    """The virtio device id of a QEMU device name ("virtio-net#2" too), 0 if unknown."""
    return DEVICE_IDS.get(name.split("#", 1)[0], 0)


def config_field(dev_id: int, offset: int) -> str:
    return _DEVICE_CONFIG.get(dev_id, {}).get(offset, f"config+{offset:#x}")


# Devices whose queues have fixed names: virtio-1.2 §5.4.2 (entropy), §5.7.2 (GPU),
# §5.8.2 (input), §5.10.2 (socket), §5.13.2 (IOMMU)
_FIXED_QUEUES: dict[int, tuple[str, ...]] = {
    4: ("requestq",), 16: ("controlq", "cursorq"), 18: ("eventq", "statusq"),
    19: ("rx", "tx", "event"), 23: ("requestq", "eventq"),
}  # fmt: skip


def queue_name(dev_id: int, index: int, num_queues: int | None) -> str:
    """The spec's name of a virtqueue (virtio-1.2 §5.1.2, §5.2.2, §5.6.2, and the fixed
    layouts above); `queueN` for a device or index the spec does not name."""
    if dev_id == 1:
        if num_queues is not None and num_queues % 2 == 1 and index == num_queues - 1:
            return "controlq"
        return f"receiveq{index // 2 + 1}" if index % 2 == 0 else f"transmitq{index // 2 + 1}"
    if dev_id == 2:
        return f"requestq{index + 1}"
    if dev_id == 8:  # SCSI host
        return ("controlq", "eventq")[index] if index < 2 else f"requestq{index - 1}"
    fixed = _FIXED_QUEUES.get(dev_id, ())
    return fixed[index] if index < len(fixed) else f"queue{index}"


def pci_device_name(dev: str) -> str:
    """`virtio-net-pci` (msix_write_config's dev) -> `virtio-net`."""
    return dev.removesuffix("-pci")
