"""Virtio over PCI, the modern interface. virtio-1.2 §4.1.

How this works: `PciTransport` is one PCI function in front of a `VirtioDevice`. The
driver reaches it the way a CPU does: configuration-space reads and writes
(`config_read` / `config_write`), and memory accesses to BAR1 (the MSI-X table) and BAR4
(the virtio structures: common config, ISR, device config, notify; see `pci_config.py`
for the layout, which mirrors QEMU's). Each access is checked first (unknown offsets,
wrong widths and unaligned accesses raise ConfigError with nothing changed), recorded
as a register_read / register_write event, and then carried out on the device.

The transport is also the device's `InterruptRoute`: MSI-X vectors once the driver sets
MSI-X Enable in the capability, INTx with the ISR otherwise (the PCI Status Interrupt
bit mirrors ISR then, §4.1.4.5.1). MSI-X masking is not modelled: entries are plain
storage the event shows as the message address and data.
"""

from __future__ import annotations

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Plane
from virtio_viz.model.features import bit
from virtio_viz.model.spec import status_names
from virtio_viz.model.transport.pci_common import COMMON_FIELDS, CommonConfig, locate
from virtio_viz.model.transport.pci_config import (
    COMMON_OFFSET,
    CONFIG_SIZE,
    DEVICE_OFFSET,
    ISR_OFFSET,
    MODERN_BAR,
    MODERN_BAR_SIZE,
    MSIX_BAR,
    MSIX_BAR_SIZE,
    MSIX_PBA_OFFSET,
    NOTIFY_OFF_MULTIPLIER,
    NOTIFY_OFFSET,
    PCI_COMMAND,
    PCI_COMMAND_INTX_DISABLE,
    PCI_STATUS,
    PCI_STATUS_INTERRUPT,
    REGION_SIZE,
    Capability,
    PciConfigSpace,
    walk_capabilities,
)
from virtio_viz.model.transport.registers import (
    AccessPlace,
    Op,
    check_aligned,
    check_value,
    record_access,
)

NOTIFICATION_DATA = bit("VIRTIO_F_NOTIFICATION_DATA")
_REGIONS = {COMMON_OFFSET: "common", ISR_OFFSET: "isr", DEVICE_OFFSET: "device"}
_REGIONS[NOTIFY_OFFSET] = "notify"
_MSIX_ENTRY_FIELDS = ("message_address_low", "message_address_high", "message_data", "control")
_CONFIG_ANALOG = (
    "pci_read_config_*() / pci_write_config_*() in Linux; pci_default_*_config() in QEMU"
)


class PciTransport:
    """One modern virtio PCI function (QEMU: VirtIOPCIProxy)."""

    line = "INTx"
    kind = "pci"  # what Machine.channel_io() asks, with no import of the others

    def __init__(
        self,
        device: VirtioDevice,
        *,
        bar4_address: int = 0xFEBF_8000,
        bar1_address: int = 0xFEBF_D000,
        msix_vectors: int | None = None,
    ) -> None:
        vectors = msix_vectors if msix_vectors is not None else len(device.queues) + 1
        self.device = device
        self.log = device.log
        self.config = PciConfigSpace(
            device_id=device.device_id,
            msix_vectors=vectors,
            bar1_address=bar1_address,
            bar4_address=bar4_address,
        )
        self.common = CommonConfig(device, vectors)
        self.msix_table = bytearray(16 * vectors)
        device.attach(self)

    # -- InterruptRoute ------------------------------------------------------------------------
    @property
    def msix_enabled(self) -> bool:
        return self.config.msix_enabled

    def msi_message(self, vector: int) -> tuple[int, int]:
        entry = self.msix_table[16 * vector : 16 * vector + 16]
        address = int.from_bytes(entry[0:8], "little")
        return address, int.from_bytes(entry[8:12], "little")

    # -- helpers for the driver side and for views ---------------------------------------------
    def capabilities(self) -> list[Capability]:
        """The capability list as a driver finds it, read without recording events."""
        return walk_capabilities(self.config.read)

    def bar_address(self, bar: int) -> int:
        return self.config.bar_address(bar)

    def notify_address(self, queue_index: int) -> int:
        """§4.1.4.4: BAR + cap.offset + queue_notify_off * notify_off_multiplier."""
        queue = self.device.queues.config(queue_index)
        if queue is None:
            raise ConfigError(f"queue {queue_index} does not exist")
        offset = NOTIFY_OFFSET + queue.notify_off * NOTIFY_OFF_MULTIPLIER
        return self.bar_address(MODERN_BAR) + offset

    # -- configuration space -------------------------------------------------------------------
    def _check_config(self, offset: int, width: int) -> None:
        where = f"PCI configuration space offset {offset:#x}"
        check_aligned(offset, width, where, (1, 2, 4))
        if offset < 0 or offset + width > CONFIG_SIZE:
            raise ConfigError(f"{where}: outside the {CONFIG_SIZE}-byte configuration space")

    def _window(self) -> tuple[int, int, int]:
        """§4.1.4.9: the PCI_CFG capability's (bar, offset, length)."""
        at = self.config.pci_cfg_at
        return self.config.read(at + 4, 1), self.config.u32(at + 8), self.config.u32(at + 12)

    def _hits_window(self, offset: int, width: int) -> bool:
        data = self.config.pci_cfg_at + 16
        return offset < data + 4 and data < offset + width

    def config_read(self, offset: int, width: int) -> int:
        self._check_config(offset, width)
        if self._hits_window(offset, width):
            bar, bar_offset, length = self._window()
            value = self.bar_read(bar, bar_offset, length)
        else:
            value = self.config.read(offset, width)
            if offset <= PCI_STATUS < offset + width and self._intx_pending():
                value |= PCI_STATUS_INTERRUPT << (8 * (PCI_STATUS - offset))
        self._record_config("read", offset, width, value, "")
        return value

    def config_write(self, offset: int, width: int, value: int) -> None:
        self._check_config(offset, width)
        check_value(value, width, f"PCI configuration space offset {offset:#x}")
        window = self._hits_window(offset, width)
        note = "" if window or self.config.writable(offset, width) else "read-only: ignored"
        if window:
            bar, bar_offset, length = self._window()
            self._record_config("write", offset, width, value, f"forwarded to BAR{bar}")
            self.bar_write(bar, bar_offset, length, value & ((1 << (8 * length)) - 1))
            return
        self._record_config("write", offset, width, value, note)
        self.config.write(offset, width, value)

    def _intx_pending(self) -> bool:
        disabled = self.config.read(PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE
        return bool(self.device.interrupts.isr) and not self.msix_enabled and not disabled

    def _record_config(self, op: Op, offset: int, width: int, value: int, note: str) -> None:
        place = AccessPlace("pci", "config", offset, offset)
        name = self.config.name_of(offset, width)
        record_access(
            self.log, op, place, register=name, width=width, value=value, spec="§4.1.4",
            analog=_CONFIG_ANALOG, note=note,
        )  # fmt: skip

    # -- BAR accesses --------------------------------------------------------------------------
    def _region(self, bar: int, offset: int, width: int) -> tuple[str, int]:
        check_aligned(offset, width, f"BAR{bar} offset {offset:#x}", (1, 2, 4, 8))
        if bar == MSIX_BAR and 0 <= offset < MSIX_BAR_SIZE:
            return "msix", offset
        if bar != MODERN_BAR:
            raise ConfigError(f"BAR{bar} offset {offset:#x}: this device implements BAR1, BAR4")
        if not 0 <= offset < MODERN_BAR_SIZE:
            raise ConfigError(f"BAR4 offset {offset:#x} is past the {MODERN_BAR_SIZE:#x}-byte BAR")
        start = offset - offset % REGION_SIZE
        return _REGIONS[start], offset - start

    def bar_read(self, bar: int, offset: int, width: int) -> int:
        region, local = self._region(bar, offset, width)
        readers = {
            "common": self._read_common,
            "isr": self._read_isr,
            "device": self._read_device,
            "notify": self._read_notify,
            "msix": self._read_msix,
        }
        return readers[region](local, width)

    def bar_write(self, bar: int, offset: int, width: int, value: int) -> None:
        region, local = self._region(bar, offset, width)
        check_value(value, width, f"BAR{bar} offset {offset:#x}")
        writers = {
            "common": self._write_common,
            "isr": self._write_isr,
            "device": self._write_device,
            "notify": self._write_notify,
            "msix": self._write_msix,
        }
        writers[region](local, width, value)

    # -- common configuration (§4.1.4.3) -------------------------------------------------------
    def _read_common(self, offset: int, width: int) -> int:
        field, half = locate(offset, width)
        value = self.common.read(field, half)
        note = status_names(value) if field.name == "device_status" and value else ""
        self._record_bar(
            "read", "common", offset, width, value, name=field.name, half=half, note=note,
            queue=self._selected(field.name),
        )  # fmt: skip
        return value

    def _write_common(self, offset: int, width: int, value: int) -> None:
        field, half = locate(offset, width)
        self.common.check_write(field, value)
        note = self.common.write_note(field, value)
        if field.name == "device_status":
            note = status_names(value) if value else "a reset"
        self._record_bar(
            "write", "common", offset, width, value, name=field.name, half=half, note=note,
            queue=self._selected(field.name),
        )  # fmt: skip
        self.common.write(field, half, value)

    def _selected(self, field_name: str) -> int | None:
        """The queue a queue register's access concerns: the one queue_select names."""
        queue_register = field_name.startswith("queue_") and field_name != "queue_select"
        return self.common.queue_select if queue_register else None

    # -- ISR status (§4.1.4.5) -----------------------------------------------------------------
    def _check_isr(self, offset: int, width: int) -> None:
        if offset != 0 or width != 1:
            raise ConfigError(
                f"ISR status is one byte at isr+0x0; a {width}-byte access at isr+{offset:#x} "
                "has no register"
            )

    def _read_isr(self, offset: int, width: int) -> int:
        self._check_isr(offset, width)
        value = self.device.interrupts.take_isr()  # read-to-clear (N102)
        note = "reading clears it" if value else ""
        self._record_bar("read", "isr", 0, 1, value, name="isr_status", note=note)
        return value

    def _write_isr(self, offset: int, width: int, value: int) -> None:
        self._check_isr(offset, width)
        note = "read-only: ignored"
        self._record_bar("write", "isr", 0, 1, value, name="isr_status", note=note)

    # -- device-specific configuration (§4.1.4.6) ----------------------------------------------
    def _check_device(self, offset: int, width: int) -> None:
        check_aligned(offset, width, f"device config offset {offset:#x}", (1, 2, 4))
        self.device.check_config_access(offset, width)

    def _read_device(self, offset: int, width: int) -> int:
        self._check_device(offset, width)
        value = self.device.read_config(offset, width)
        self._record_bar("read", "device", offset, width, value, name=f"config[{offset}]")
        return value

    def _write_device(self, offset: int, width: int, value: int) -> None:
        self._check_device(offset, width)
        self._record_bar("write", "device", offset, width, value, name=f"config[{offset}]")
        self.device.write_config(offset, width, value)

    # -- notifications (§4.1.4.4) --------------------------------------------------------------
    def _notify_queue(self, offset: int, width: int) -> int:
        widths = (2, 4) if self.device.negotiated & NOTIFICATION_DATA else (2,)
        check_aligned(offset, width, f"notify+{offset:#x}", widths)
        queue = offset // NOTIFY_OFF_MULTIPLIER
        if offset % NOTIFY_OFF_MULTIPLIER or queue >= len(self.device.queues):
            raise ConfigError(
                f"notify+{offset:#x} is no queue's notification address (queue_notify_off * "
                f"{NOTIFY_OFF_MULTIPLIER}, {len(self.device.queues)} queues)"
            )
        return queue

    def _read_notify(self, offset: int, width: int) -> int:
        queue = self._notify_queue(offset, width)
        self._record_bar(
            "read", "notify", offset, width, 0, name=f"notify[{queue}]", note="reads 0", queue=queue
        )
        return 0

    def _write_notify(self, offset: int, width: int, value: int) -> None:
        queue = self._notify_queue(offset, width)
        note = ""
        if value & 0xFFFF != queue:
            note = f"the value names queue {value & 0xFFFF}; the device goes by the address"
        self._record_bar(
            "write", "notify", offset, width, value, name=f"notify[{queue}]", note=note, queue=queue
        )
        self.device.notify(queue)

    # -- MSI-X table and PBA (BAR1) ------------------------------------------------------------
    def _msix_name(self, offset: int, width: int) -> str:
        check_aligned(offset, width, f"MSI-X BAR offset {offset:#x}", (4, 8))
        if offset < len(self.msix_table):
            return f"msix_table[{offset // 16}].{_MSIX_ENTRY_FIELDS[offset % 16 // 4]}"
        if (
            MSIX_PBA_OFFSET
            <= offset
            < MSIX_PBA_OFFSET + 8 * ((len(self.msix_table) // 16 + 63) // 64)
        ):
            return f"msix_pba[{(offset - MSIX_PBA_OFFSET) // 8}]"
        raise ConfigError(f"MSI-X BAR offset {offset:#x} is neither table nor PBA")

    def _read_msix(self, offset: int, width: int) -> int:
        name = self._msix_name(offset, width)
        table = offset < len(self.msix_table)
        value = int.from_bytes(self.msix_table[offset : offset + width], "little") if table else 0
        self._record_bar("read", "msix", offset, width, value, name=name)
        return value

    def _write_msix(self, offset: int, width: int, value: int) -> None:
        name = self._msix_name(offset, width)
        table = offset < len(self.msix_table)
        self._record_bar(
            "write", "msix", offset, width, value, name=name, note="" if table else "read-only"
        )
        if table:
            self.msix_table[offset : offset + width] = value.to_bytes(width, "little")

    # -- events --------------------------------------------------------------------------------
    def _record_bar(
        self,
        op: Op,
        region: str,
        offset: int,
        width: int,
        value: int,
        *,
        name: str,
        half: str = "",
        note: str = "",
        queue: int | None = None,
    ) -> None:
        bar = MSIX_BAR if region == "msix" else MODERN_BAR
        start = {"common": COMMON_OFFSET, "isr": ISR_OFFSET, "device": DEVICE_OFFSET}.get(region, 0)
        start = NOTIFY_OFFSET if region == "notify" else start
        place = AccessPlace("pci", region, offset, self.bar_address(bar) + start + offset)
        register = f"{name} ({half} half)" if half else name
        plane: Plane = "notification" if region in ("notify", "isr") else "control"
        record_access(
            self.log, op, place, register=register, width=width, value=value,
            spec=_SPEC[region], analog=_analog(region, op, name), note=note, plane=plane,
            queue=queue,
        )  # fmt: skip


_SPEC = {
    "common": "§4.1.4.3",
    "isr": "§4.1.4.5",
    "device": "§4.1.4.6",
    "notify": "§4.1.4.4",
    "msix": "§4.1.5.1.2",
}


def _analog(region: str, op: Op, name: str) -> str:
    qemu = {
        "common": f"virtio_pci_common_{op}()",
        "isr": "virtio_pci_isr_read()",
        "device": f"virtio_pci_device_{op}()",
        "notify": "virtio_pci_notify_write()",
        "msix": f"msix_table_mmio_{op}()",
    }[region]
    linux = {
        "isr": "vp_interrupt()",
        "device": "vp_get()" if op == "read" else "vp_set()",
        "notify": "vp_notify()",
        "msix": "__pci_write_msi_msg()",
    }.get(region)
    if region == "common":
        linux = next(f.linux for f in COMMON_FIELDS if f.name == name)
    return f"{linux} in Linux; {qemu} in QEMU"
