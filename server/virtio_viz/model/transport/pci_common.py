"""The common configuration structure of virtio over PCI. virtio-1.2 §4.1.4.3, §4.1.3.1.

How this works: `COMMON_FIELDS` is struct virtio_pci_common_cfg at its exact offsets
(FACTS.md §6.3, 0..59). `locate()` turns an access into (field, half): 8-, 16- and
32-bit fields take accesses of exactly their width; a 64-bit field takes 32-bit accesses
to either half (§4.1.3.1). Anything else raises ConfigError before anything happens.
`CommonConfig` carries out reads and writes on the device core; queue fields act on the
queue named by queue_select.

Choices: a vector beyond the MSI-X table reads back NO_VECTOR (how a device reports a
mapping failure, §4.1.5.1.2); writes to read-only fields are ignored (noted in the
event); queue_enable 0 is the driver's N95 and is ignored; mapping a vector and going
on without reading it back is the driver's N104.
"""

from __future__ import annotations

from typing import Literal

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.device_queue import Area
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.features import bit
from virtio_viz.model.spec import VIRTIO_MSI_NO_VECTOR, Status
from virtio_viz.model.transport.registers import Register

Half = Literal["", "low", "high"]
_S = "§4.1.4.3"


def _field(name: str, offset: int, width: int, access: Literal["RW", "RO"], linux: str) -> Register:
    return Register(name, offset, width, access, linux, _S)


COMMON_FIELDS: tuple[Register, ...] = (
    _field("device_feature_select", 0, 4, "RW", "vp_modern_get_features()"),
    _field("device_feature", 4, 4, "RO", "vp_modern_get_features()"),
    _field("driver_feature_select", 8, 4, "RW", "vp_modern_set_features()"),
    _field("driver_feature", 12, 4, "RW", "vp_modern_set_features()"),
    _field("config_msix_vector", 16, 2, "RW", "vp_modern_config_vector()"),
    _field("num_queues", 18, 2, "RO", "vp_modern_get_num_queues()"),
    _field("device_status", 20, 1, "RW", "vp_modern_get_status() / vp_modern_set_status()"),
    _field("config_generation", 21, 1, "RO", "vp_modern_generation()"),
    _field("queue_select", 22, 2, "RW", "vp_modern_get_queue_size() and friends"),
    _field("queue_size", 24, 2, "RW", "vp_modern_get_queue_size() / vp_modern_set_queue_size()"),
    _field("queue_msix_vector", 26, 2, "RW", "vp_modern_queue_vector()"),
    _field("queue_enable", 28, 2, "RW", "vp_modern_set_queue_enable()"),
    _field("queue_notify_off", 30, 2, "RO", "vp_modern_get_queue_notify_off()"),
    _field("queue_desc", 32, 8, "RW", "vp_modern_queue_address()"),
    _field("queue_driver", 40, 8, "RW", "vp_modern_queue_address()"),
    _field("queue_device", 48, 8, "RW", "vp_modern_queue_address()"),
    _field("queue_notify_data", 56, 2, "RO", "vp_modern_get_queue_notify_data()"),
    _field("queue_reset", 58, 2, "RW", "vp_modern_set_queue_reset()"),
)
COMMON_SIZE = 60
_BY_OFFSET = {f.offset: f for f in COMMON_FIELDS}
_AREAS: dict[str, Area] = {"queue_desc": "desc", "queue_driver": "driver", "queue_device": "device"}
RING_RESET = bit("VIRTIO_F_RING_RESET")


def locate(offset: int, width: int) -> tuple[Register, Half]:
    """The field an access hits; ConfigError for a hole, a wrong width or misalignment."""
    if not 0 <= offset < COMMON_SIZE:
        raise ConfigError(
            f"common configuration has no register at offset {offset:#x} "
            f"(the structure is {COMMON_SIZE} bytes, §4.1.4.3)"
        )
    field = _BY_OFFSET.get(offset) or _BY_OFFSET.get(offset - 4)
    if field is not None and field.width == 8 and offset == field.offset + 4:
        half: Half = "high"
    elif field is not None and field.offset == offset:
        half = "low" if field.width == 8 else ""
    else:
        inside = next(f for f in COMMON_FIELDS if f.offset <= offset < f.end)
        raise ConfigError(
            f"offset {offset:#x} is inside {inside.name} (at {inside.offset:#x}); "
            "accesses must start at a field (§4.1.3.1)"
        )
    natural = 4 if field.width == 8 else field.width
    if width != natural:
        raise ConfigError(
            f"{field.name} is a {8 * field.width}-bit field: it takes {natural}-byte accesses, "
            f"not {width} (§4.1.3.1)"
        )
    return field, half


class CommonConfig:
    """The common configuration registers of one device (QEMU: virtio_pci_common_*)."""

    def __init__(self, device: VirtioDevice, msix_vectors: int) -> None:
        self.device = device
        self.msix_vectors = msix_vectors
        self.queue_select = 0
        self._unverified: set[str] = set()  # vectors mapped and not read back (N104)

    # -- reads ------------------------------------------------------------------------------
    def read(self, field: Register, half: Half) -> int:
        device, status = self.device, self.device.status
        queue = device.queues.config(self.queue_select)
        match field.name:
            case "device_feature_select":
                return status.features.device_feature_select
            case "device_feature":
                return status.features.device_word()
            case "driver_feature_select":
                return status.features.driver_feature_select
            case "driver_feature":
                return status.features.driver_word()
            case "config_msix_vector":
                self._unverified.discard("config")
                return device.interrupts.config_vector
            case "num_queues":
                return len(device.queues)
            case "device_status":
                return device.device_status
            case "config_generation":
                return device.config_generation
            case "queue_select":
                return self.queue_select
            case "queue_msix_vector":
                self._unverified.discard(f"queue {self.queue_select}")
                return queue.msix_vector if queue else VIRTIO_MSI_NO_VECTOR
            case "queue_reset":
                return 0  # a queue reset completes at once
        if queue is None:
            return 0  # §4.1.4.3: queue_size 0 = no such queue; the rest reads 0
        if field.name in _AREAS:
            value = queue.address(_AREAS[field.name])
            return value >> 32 if half == "high" else value & 0xFFFF_FFFF
        return {
            "queue_size": queue.size,
            "queue_enable": int(queue.enabled),
            "queue_notify_off": queue.notify_off,
            "queue_notify_data": queue.index,  # what a driver would send anyway (§4.1.5.2)
        }[field.name]

    # -- writes -----------------------------------------------------------------------------
    def check_write(self, field: Register, value: int) -> None:
        """Raise ConfigError for a write no device could take; nothing changes."""
        queues = self.device.queues
        if field.name == "queue_size":
            queues.check_size(self.queue_select, value, over_max_rule=None)
        elif field.name == "queue_enable" and value == 1:
            queues.check_enable(self.queue_select)

    def write_note(self, field: Register, value: int) -> str:
        """What the event should add about this write (read-only, vector refused...)."""
        if field.access == "RO":
            return "read-only: the device ignores the write"
        if field.name in ("config_msix_vector", "queue_msix_vector") and not self._vector_ok(value):
            return f"the table has {self.msix_vectors} entries: the vector becomes NO_VECTOR"
        if field.name == "queue_enable" and value > 1:
            return "only 1 enables a queue: the device ignores the write"
        if field.name == "queue_reset" and not self.device.negotiated & RING_RESET:
            return "VIRTIO_F_RING_RESET was not negotiated: ignored"
        return ""

    def _vector_ok(self, vector: int) -> bool:
        return vector == VIRTIO_MSI_NO_VECTOR or vector < self.msix_vectors

    def write(self, field: Register, half: Half, value: int) -> None:
        if field.access == "RO":
            return
        device, status, select = self.device, self.device.status, self.queue_select
        match field.name:
            case "device_feature_select":
                status.select_device_word(value)
            case "driver_feature_select":
                status.select_driver_word(value)
            case "driver_feature":
                status.write_driver_word(value)
            case "config_msix_vector":
                vector = value if self._vector_ok(value) else VIRTIO_MSI_NO_VECTOR
                device.interrupts.config_vector = vector
                self._unverified.add("config")
            case "device_status":
                self._check_vectors_verified(value)
                device.write_status(value)
                if value == 0:
                    self.queue_select = 0
                    self._unverified.clear()
            case "queue_select":
                self.queue_select = value
            case "queue_size":
                device.queues.set_size(select, value, locked_rule=None, over_max_rule=None)
            case "queue_msix_vector":
                vector = value if self._vector_ok(value) else VIRTIO_MSI_NO_VECTOR
                device.queues.set_vector(select, vector)
                self._unverified.add(f"queue {select}")
            case "queue_enable":
                self._write_enable(value)
            case "queue_reset":
                if value == 1 and device.negotiated & RING_RESET:
                    device.queues.reset(select)
            case _:
                self._write_address(field, half, value)

    def _write_address(self, field: Register, half: Half, value: int) -> None:
        queue = self.device.queues.config(self.queue_select)
        area = _AREAS[field.name]
        old = queue.address(area) if queue else 0
        keep, shift = (0xFFFF_FFFF, 32) if half == "high" else (~0xFFFF_FFFF, 0)
        new = (old & keep) | value << shift
        self.device.queues.set_address(self.queue_select, area, new, locked_rule=None)

    def _write_enable(self, value: int) -> None:
        select = self.queue_select
        if value == 1:
            self.device.queues.enable(select)
        elif value == 0:  # §4.1.4.3.2 (N95)
            detail = f"the driver writes 0 to queue_enable of queue {select}; the device "
            detail += "ignores it (a queue is stopped by queue_reset or a device reset)"
            self.device.log.violation(
                95, actor="driver", detail=detail, analog="virtio_pci_common_write() in QEMU",
                queue=select,
            )  # fmt: skip

    def _check_vectors_verified(self, status_value: int) -> None:
        """§4.1.5.1.2.2 (N104): a driver goes live only after reading mapped vectors back."""
        adds_driver_ok = status_value & ~self.device.device_status & Status.DRIVER_OK
        if not adds_driver_ok or not self._unverified:
            return
        for what in sorted(self._unverified):
            self.device.log.violation(
                104,
                actor="driver",
                detail=f"the driver maps the {what} vector and sets DRIVER_OK without reading "
                "it back",
                analog="vp_modern_queue_vector() in Linux reads the vector back",
            )
        self._unverified.clear()
