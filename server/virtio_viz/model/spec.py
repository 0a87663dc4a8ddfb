"""Constants of virtio 1.2, with the section that defines each.

Spec names are used throughout; the Linux uapi alias is given where it differs
(tests/model/test_uapi_headers.py compiles the real headers and compares).
"""

from __future__ import annotations

from enum import IntEnum, IntFlag


class Status(IntFlag):
    """Device status bits. virtio-1.2 §2.1 (uapi VIRTIO_CONFIG_S_*)."""

    ACKNOWLEDGE = 1
    DRIVER = 2
    DRIVER_OK = 4
    FEATURES_OK = 8
    DEVICE_NEEDS_RESET = 0x40  # uapi VIRTIO_CONFIG_S_NEEDS_RESET
    FAILED = 0x80


def status_names(value: int) -> str:
    """'ACKNOWLEDGE|DRIVER' for 3; '0' for 0 (bits in ascending value)."""
    names = [bit.name for bit in Status if value & bit and bit.name]
    return "|".join(names) if names else "0"


# -- split virtqueue, virtio-1.2 §2.7.5 / §2.7.6 / §2.7.8 (uapi VRING_*) -----------------
VIRTQ_DESC_F_NEXT = 1
VIRTQ_DESC_F_WRITE = 2
VIRTQ_DESC_F_INDIRECT = 4
VIRTQ_AVAIL_F_NO_INTERRUPT = 1  # §2.7.6
VIRTQ_USED_F_NO_NOTIFY = 1  # §2.7.8
MAX_QUEUE_SIZE = 32768  # §2.7: power of 2, at most 32768 (packed: §2.8, up to 2^15)

DESC_SIZE = 16  # struct virtq_desc / struct pvirtq_desc
SPLIT_DESC_ALIGN = 16  # §2.7.1
SPLIT_AVAIL_ALIGN = 2
SPLIT_USED_ALIGN = 4

# -- packed virtqueue, virtio-1.2 §2.8 ----------------------------------------------------
VIRTQ_DESC_F_AVAIL = 1 << 7  # uapi VRING_PACKED_DESC_F_AVAIL is the shift, 7
VIRTQ_DESC_F_USED = 1 << 15  # uapi VRING_PACKED_DESC_F_USED is the shift, 15
RING_EVENT_FLAGS_ENABLE = 0x0  # §2.8.10
RING_EVENT_FLAGS_DISABLE = 0x1
RING_EVENT_FLAGS_DESC = 0x2
PACKED_EVENT_WRAP_SHIFT = 15  # uapi VRING_PACKED_EVENT_F_WRAP_CTR
PACKED_DESC_ALIGN = 16  # §2.8.11
PACKED_EVENT_ALIGN = 4


class DeviceId(IntEnum):
    """Virtio device ids. virtio-1.2 §5."""

    NET = 1
    BLOCK = 2
    CONSOLE = 3
    ENTROPY = 4
    BALLOON = 5
    SCSI = 8


# -- interrupts -------------------------------------------------------------------------
ISR_QUEUE = 0x1  # §4.1.4.5 (MMIO InterruptStatus uses the same two bits, §4.2.2)
ISR_CONFIG = 0x2
VIRTIO_MSI_NO_VECTOR = 0xFFFF  # §4.1.5.1.2
