"""Virtio over MMIO, version 2. virtio-1.2 §4.2.

How this works: `MmioTransport` is the register window of one virtio-mmio device (QEMU
puts them at 0x0a000000 + 0x200 * n on its arm "virt" machine). The driver uses
`read(offset, width)` / `write(offset, width, value)`. Control registers (below 0x100)
take only 32-bit aligned accesses (§4.2.2.2); the device configuration at 0x100 and up
takes 8-, 16- and 32-bit aligned ones. Unknown offsets, the version-1-only registers and
wrong widths raise ConfigError with nothing changed. Every access is recorded as a
register_read / register_write event, then carried out on the `VirtioDevice`.

Choices: reading a write-only register returns 0 and writing a read-only one does
nothing (QEMU logs a guest error and does the same); the event says so. Queue rules of
§4.2.2.2 are Violations that leave the queue as it was: QueueNum above QueueNumMax
(N112), QueueNum or an address while QueueReady is 1 (N113). Writing 0 to QueueReady
is how a driver stops a queue on MMIO; the device drops the ring. There is one interrupt
line: InterruptStatus bits stay set until InterruptACK clears them (N109, N114).
"""

from __future__ import annotations

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.device_queue import Area
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Plane
from virtio_viz.model.features import bit
from virtio_viz.model.spec import status_names
from virtio_viz.model.transport.registers import (
    Access,
    AccessPlace,
    Op,
    Register,
    check_aligned,
    check_value,
    record_access,
)

MAGIC_VALUE = 0x7472_6976  # "virt" (§4.2.2)
VERSION = 2
VENDOR_ID_QEMU = 0x554D_4551  # "QEMU", what QEMU's virtio-mmio presents
CONFIG_OFFSET = 0x100
WINDOW_SIZE = 0x200
RING_RESET = bit("VIRTIO_F_RING_RESET")
_S = "§4.2.2"


def _reg(name: str, offset: int, access: Access, linux: str) -> Register:
    return Register(name, offset, 4, access, linux, _S)


MMIO_REGISTERS: tuple[Register, ...] = (
    _reg("MagicValue", 0x000, "RO", "virtio_mmio_probe()"),
    _reg("Version", 0x004, "RO", "virtio_mmio_probe()"),
    _reg("DeviceID", 0x008, "RO", "virtio_mmio_probe()"),
    _reg("VendorID", 0x00C, "RO", "virtio_mmio_probe()"),
    _reg("DeviceFeatures", 0x010, "RO", "vm_get_features()"),
    _reg("DeviceFeaturesSel", 0x014, "WO", "vm_get_features()"),
    _reg("DriverFeatures", 0x020, "WO", "vm_finalize_features()"),
    _reg("DriverFeaturesSel", 0x024, "WO", "vm_finalize_features()"),
    _reg("QueueSel", 0x030, "WO", "vm_setup_vq()"),
    _reg("QueueNumMax", 0x034, "RO", "vm_setup_vq()"),
    _reg("QueueNum", 0x038, "WO", "vm_setup_vq()"),
    _reg("QueueReady", 0x044, "RW", "vm_setup_vq() / vm_del_vq()"),
    _reg("QueueNotify", 0x050, "WO", "vm_notify()"),
    _reg("InterruptStatus", 0x060, "RO", "vm_interrupt()"),
    _reg("InterruptACK", 0x064, "WO", "vm_interrupt()"),
    _reg("Status", 0x070, "RW", "vm_get_status() / vm_set_status()"),
    _reg("QueueDescLow", 0x080, "WO", "vm_setup_vq()"),
    _reg("QueueDescHigh", 0x084, "WO", "vm_setup_vq()"),
    _reg("QueueDriverLow", 0x090, "WO", "vm_setup_vq()"),
    _reg("QueueDriverHigh", 0x094, "WO", "vm_setup_vq()"),
    _reg("QueueDeviceLow", 0x0A0, "WO", "vm_setup_vq()"),
    _reg("QueueDeviceHigh", 0x0A4, "WO", "vm_setup_vq()"),
    _reg("SHMSel", 0x0AC, "WO", "vm_get_shm_region()"),
    _reg("SHMLenLow", 0x0B0, "RO", "vm_get_shm_region()"),
    _reg("SHMLenHigh", 0x0B4, "RO", "vm_get_shm_region()"),
    _reg("SHMBaseLow", 0x0B8, "RO", "vm_get_shm_region()"),
    _reg("SHMBaseHigh", 0x0BC, "RO", "vm_get_shm_region()"),
    _reg("QueueReset", 0x0C0, "RW", "vm_reset_vq()"),
    _reg("ConfigGeneration", 0x0FC, "RO", "vm_generation()"),
)
_BY_OFFSET = {r.offset: r for r in MMIO_REGISTERS}
_LEGACY = {0x028: "GuestPageSize", 0x03C: "QueueAlign", 0x040: "QueuePFN"}
_AREAS: dict[str, Area] = {"QueueDesc": "desc", "QueueDriver": "driver", "QueueDevice": "device"}


class MmioTransport:
    """One virtio-mmio version 2 device (QEMU: VirtIOMMIOProxy)."""

    line = "the virtio-mmio interrupt line"
    kind = "mmio"  # what Machine.channel_io() asks, with no import of the others
    msix_enabled = False

    def __init__(self, device: VirtioDevice, *, base: int = 0x0A00_0000) -> None:
        if base % WINDOW_SIZE:
            raise ConfigError(f"virtio-mmio base {base:#x} is not {WINDOW_SIZE:#x}-aligned")
        self.device = device
        self.log = device.log
        self.base = base
        self.queue_select = 0
        self.shm_select = 0
        device.attach(self)

    def msi_message(self, vector: int) -> tuple[int, int]:
        raise ConfigError("virtio-mmio has no MSI-X vectors")

    # -- the driver's accesses -----------------------------------------------------------------
    def _locate(self, offset: int, width: int) -> Register | None:
        """The control register at `offset`, or None for device configuration."""
        if offset >= CONFIG_OFFSET:
            check_aligned(
                offset, width, f"virtio-mmio config+{offset - CONFIG_OFFSET:#x}", (1, 2, 4)
            )
            self.device.check_config_access(offset - CONFIG_OFFSET, width)
            return None
        if offset in _LEGACY:
            raise ConfigError(
                f"{_LEGACY[offset]} ({offset:#05x}) exists only in legacy virtio-mmio version 1"
            )
        register = _BY_OFFSET.get(offset - offset % 4)
        if register is None or offset < 0:
            raise ConfigError(f"virtio-mmio has no register at offset {offset:#05x} (§4.2.2)")
        check_aligned(offset, width, f"{register.name} ({offset:#05x})", (4,))
        return register

    def read(self, offset: int, width: int) -> int:
        register = self._locate(offset, width)
        if register is None:
            value, note = self.device.read_config(offset - CONFIG_OFFSET, width), ""
        elif register.access == "WO":
            value, note = 0, "write-only register: reads 0"
        else:
            value = self._read_register(register.name)
            note = status_names(value) if register.name == "Status" and value else ""
        self._record("read", offset, width, value, register=register, note=note)
        return value

    def write(self, offset: int, width: int, value: int) -> None:
        register = self._locate(offset, width)
        check_value(value, width, f"virtio-mmio offset {offset:#05x}")
        if register is None:
            self._record("write", offset, width, value, register=None)
            self.device.write_config(offset - CONFIG_OFFSET, width, value)
            return
        if register.name == "QueueNum":
            self.device.queues.check_size(self.queue_select, value, over_max_rule=112)
        if register.name == "QueueReady" and value == 1:
            self.device.queues.check_enable(self.queue_select)
        note = self._write_note(register, value)
        self._record("write", offset, 4, value, register=register, note=note)
        if register.access != "RO":
            self._write_register(register.name, value)

    # -- register semantics --------------------------------------------------------------------
    def _read_register(self, name: str) -> int:
        device, features = self.device, self.device.status.features
        queue = device.queues.config(self.queue_select)
        fixed = {
            "MagicValue": MAGIC_VALUE,
            "Version": VERSION,
            "DeviceID": device.device_id,
            "VendorID": VENDOR_ID_QEMU,
            "DeviceFeatures": features.device_word(),
            "QueueNumMax": queue.max_size if queue else 0,  # 0: no such queue
            "QueueReady": int(queue.enabled) if queue else 0,
            "InterruptStatus": device.interrupts.isr,
            "Status": device.device_status,
            "QueueReset": 0,  # a queue reset completes at once
            "ConfigGeneration": device.config_generation,
        }
        return fixed.get(name, 0xFFFF_FFFF)  # SHMLen / SHMBase: no such region (all ones)

    def _write_note(self, register: Register, value: int) -> str:
        if register.access == "RO":
            return "read-only register: ignored"
        if register.name == "Status":
            return status_names(value) if value else "a reset"
        if register.name == "QueueReady" and value > 1:
            return "only 0 and 1 mean anything: ignored"
        if register.name == "QueueReset" and not self.device.negotiated & RING_RESET:
            return "VIRTIO_F_RING_RESET was not negotiated: ignored"
        return ""

    def _write_register(self, name: str, value: int) -> None:
        device, status, select = self.device, self.device.status, self.queue_select
        match name:
            case "DeviceFeaturesSel":
                status.select_device_word(value)
            case "DriverFeaturesSel":
                status.select_driver_word(value)
            case "DriverFeatures":
                status.write_driver_word(value)
            case "QueueSel":
                self.queue_select = value
            case "QueueNum":
                device.queues.set_size(select, value, locked_rule=113, over_max_rule=112)
            case "QueueReady":
                self._write_ready(value)
            case "QueueNotify":
                device.notify(value & 0xFFFF)  # vqn; NOTIFICATION_DATA adds bits 16..31
            case "InterruptACK":
                device.interrupts.acknowledge(value)
            case "Status":
                device.write_status(value)
                if value == 0:
                    self.queue_select = 0
            case "SHMSel":
                self.shm_select = value
            case "QueueReset":
                if value == 1 and device.negotiated & RING_RESET:
                    device.queues.reset(select)
            case _:
                self._write_address(name, value)

    def _write_ready(self, value: int) -> None:
        if value == 1:
            self.device.queues.enable(self.queue_select)
        elif value == 0 and self.device.queues.ring(self.queue_select) is not None:
            why = "the driver writes 0 to QueueReady"
            self.device.queues.disable(self.queue_select, why=why, spec="§4.2.3.2")

    def _write_address(self, name: str, value: int) -> None:
        area, half = _AREAS[name.removesuffix("Low").removesuffix("High")], name[-4:]
        queue = self.device.queues.config(self.queue_select)
        old = queue.address(area) if queue else 0
        keep, shift = (0xFFFF_FFFF, 32) if half == "High" else (~0xFFFF_FFFF, 0)
        new = (old & keep) | value << shift
        self.device.queues.set_address(self.queue_select, area, new, locked_rule=113)

    # -- events --------------------------------------------------------------------------------
    def _record(
        self,
        op: Op,
        offset: int,
        width: int,
        value: int,
        *,
        register: Register | None,
        note: str = "",
    ) -> None:
        linux = (
            register.linux if register is not None else ("vm_get()" if op == "read" else "vm_set()")
        )
        name = register.name if register is not None else f"config[{offset - CONFIG_OFFSET}]"
        region = "config" if register is None else "registers"
        local = offset - CONFIG_OFFSET if register is None else offset
        place = AccessPlace("mmio", region, local, self.base + offset)
        plane: Plane = "control"
        if name in ("QueueNotify", "InterruptStatus", "InterruptACK"):
            plane = "notification"
        queue = None
        if name == "QueueNotify":
            queue = value & 0xFFFF  # vqn; NOTIFICATION_DATA adds bits 16..31
        elif name.startswith("Queue") and name != "QueueSel":
            queue = self.queue_select
        record_access(
            self.log, op, place, register=name, width=width, value=value,
            spec=_S if register is not None else "§4.2.2 (device config)",
            analog=f"{linux} in Linux; virtio_mmio_{op}() in QEMU", note=note, plane=plane,
            queue=queue,
        )  # fmt: skip
