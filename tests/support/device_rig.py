"""A device-core test rig: a small echo device behind a PCI or MMIO transport.

`EchoBackend` is a device type for tests: two queues (default 8 entries each), an
8-byte config space (le32 `mode`, writable; le32 `served`, read-only), and on a kick it
copies each chain's readable bytes, reversed, into its writable part. The rig's
`pci_*` / `mmio_*` helpers make register accesses by spec name, as a driver would.

Memory map (1 MiB of RAM at 0x1000_0000):
    0x1000_0000 + 0x1_0000 * q   queue q's split ring (contiguous) or packed areas
    0x1008_0000 + 0x1000 * n     data buffers: `rig.buf(n, ...)`
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.events import EventLog, Violation
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.negotiation import RefuseKnob
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.split import SplitDriverQueue, SplitLayout
from virtio_viz.model.transport.mmio import MmioTransport
from virtio_viz.model.transport.pci import PciTransport
from virtio_viz.model.transport.pci_common import COMMON_FIELDS
from virtio_viz.model.transport.pci_config import COMMON_OFFSET, MODERN_BAR, NOTIFY_OFFSET
from virtio_viz.model.virtqueue import Buffer

RAM_BASE = 0x1000_0000
RAM_SIZE = 0x10_0000
RING_BASE = RAM_BASE
DATA_BASE = RAM_BASE + 0x8_0000
OUTSIDE = RAM_BASE + RAM_SIZE

VERSION_1 = bit("VIRTIO_F_VERSION_1")
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")
INDIRECT_DESC = bit("VIRTIO_F_INDIRECT_DESC")
RING_PACKED = bit("VIRTIO_F_RING_PACKED")
RING_RESET = bit("VIRTIO_F_RING_RESET")
ECHO_FEATURES = VERSION_1 | EVENT_IDX | INDIRECT_DESC | RING_PACKED | RING_RESET

COMMON = {f.name: f for f in COMMON_FIELDS}
MMIO = {
    "MagicValue": 0x000, "Version": 0x004, "DeviceID": 0x008, "VendorID": 0x00C,
    "DeviceFeatures": 0x010, "DeviceFeaturesSel": 0x014, "DriverFeatures": 0x020,
    "DriverFeaturesSel": 0x024, "QueueSel": 0x030, "QueueNumMax": 0x034, "QueueNum": 0x038,
    "QueueReady": 0x044, "QueueNotify": 0x050, "InterruptStatus": 0x060,
    "InterruptACK": 0x064, "Status": 0x070, "QueueDescLow": 0x080, "QueueDescHigh": 0x084,
    "QueueDriverLow": 0x090, "QueueDriverHigh": 0x094, "QueueDeviceLow": 0x0A0,
    "QueueDeviceHigh": 0x0A4, "SHMSel": 0x0AC, "SHMLenLow": 0x0B0, "SHMLenHigh": 0x0B4,
    "SHMBaseLow": 0x0B8, "SHMBaseHigh": 0x0BC, "QueueReset": 0x0C0, "ConfigGeneration": 0x0FC,
}  # fmt: skip


@dataclass
class EchoBackend:
    """A tiny device type (see the module docstring)."""

    device_id: int = DeviceId.ENTROPY
    offered: int = ECHO_FEATURES
    queue_sizes: tuple[int, ...] = (8, 8)
    negotiated: int = 0
    mode: int = 0
    served: int = 0
    resets: int = 0
    handled: list[int] = field(default_factory=list)
    config_writes: list[tuple[int, bytes]] = field(default_factory=list)

    def config_space(self) -> bytes:
        return struct.pack("<II", self.mode, self.served)

    def write_config(self, offset: int, data: bytes) -> None:
        self.config_writes.append((offset, data))
        if offset == 0 and len(data) == 4:
            self.mode = int.from_bytes(data, "little")

    def handle_queue(self, device: VirtioDevice, queue_index: int) -> None:
        self.handled.append(queue_index)
        ring = device.live_queue(queue_index)
        while ring is not None and (chain := ring.pop()) is not None:
            data = chain.read_all(device.memory)[::-1]
            written = chain.write_all(device.memory, data)
            ring.push(chain, written)
            self.served += 1

    def reset(self) -> None:
        self.resets += 1
        self.served = 0


@dataclass
class Rig:
    memory: GuestMemory
    log: EventLog
    backend: EchoBackend
    device: VirtioDevice

    @staticmethod
    def buf(n: int, length: int = 64, writable: bool = False) -> Buffer:
        return Buffer(DATA_BASE + 0x1000 * n, length, writable)

    @staticmethod
    def ring_base(queue: int) -> int:
        return RING_BASE + 0x1_0000 * queue

    def split_layout(self, queue: int, size: int = 8) -> SplitLayout:
        return SplitLayout.contiguous(self.memory, size, self.ring_base(queue))

    def driver_queue(
        self, queue: int, size: int = 8, *, event_idx: bool = False
    ) -> SplitDriverQueue:
        layout = self.split_layout(queue, size)
        return SplitDriverQueue(
            self.memory, self.log, layout, queue_index=queue, event_idx=event_idx
        )

    def le16(self, addr: int) -> int:
        return int.from_bytes(self.memory.peek(addr, 2), "little")

    def kinds(self) -> list[str]:
        return [e.kind for e in self.log.events]

    def rules(self) -> list[int]:
        return [v.rule for v in self.log.violations()]

    def only_violation(self) -> Violation:
        violations = self.log.violations()
        assert len(violations) == 1, [v.summary for v in violations]
        return violations[0]


def make_device(
    *, refuse_features: RefuseKnob = 0, backend: EchoBackend | None = None
) -> tuple[GuestMemory, EventLog, EchoBackend, VirtioDevice]:
    memory = GuestMemory.with_regions([("ram", RAM_BASE, RAM_SIZE)])
    log = EventLog(memory)
    echo = backend or EchoBackend()
    return memory, log, echo, VirtioDevice(memory, log, echo, refuse_features=refuse_features)


@dataclass
class PciRig(Rig):
    pci: PciTransport

    # -- register access by spec name (common configuration) ----------------------------
    def read(self, name: str, half: str = "") -> int:
        reg = COMMON[name]
        offset = reg.offset + (4 if half == "high" else 0)
        width = 4 if reg.width == 8 else reg.width
        return self.pci.bar_read(MODERN_BAR, COMMON_OFFSET + offset, width)

    def write(self, name: str, value: int) -> None:
        reg = COMMON[name]
        if reg.width == 8:
            self.pci.bar_write(MODERN_BAR, COMMON_OFFSET + reg.offset, 4, value & 0xFFFF_FFFF)
            self.pci.bar_write(MODERN_BAR, COMMON_OFFSET + reg.offset + 4, 4, value >> 32)
            return
        self.pci.bar_write(MODERN_BAR, COMMON_OFFSET + reg.offset, reg.width, value)

    def kick(self, queue: int) -> None:
        self.write("queue_select", queue)
        notify_off = self.read("queue_notify_off")
        self.pci.bar_write(MODERN_BAR, NOTIFY_OFFSET + 4 * notify_off, 2, queue)

    def enable_msix(self) -> None:
        control = self.pci.config_read(0x9A, 2)
        self.pci.config_write(0x9A, 2, control | 0x8000)

    # -- the Linux init sequence ------------------------------------------------------------
    def negotiate(self, features: int | None = None) -> int:
        """reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; return the status read back."""
        self.write("device_status", 0)
        assert self.read("device_status") == 0
        self.write("device_status", 1)
        self.write("device_status", 3)
        self.write("device_feature_select", 0)
        low = self.read("device_feature")
        self.write("device_feature_select", 1)
        offered = low | self.read("device_feature") << 32
        accepted = offered if features is None else features
        self.write("driver_feature_select", 0)
        self.write("driver_feature", accepted & 0xFFFF_FFFF)
        self.write("driver_feature_select", 1)
        self.write("driver_feature", accepted >> 32)
        self.write("device_status", 0xB)
        return self.read("device_status")

    def setup_queue(self, queue: int, size: int = 8, vector: int | None = None) -> SplitLayout:
        layout = self.split_layout(queue, size)
        self.write("queue_select", queue)
        self.write("queue_size", size)
        self.write("queue_desc", layout.desc_addr)
        self.write("queue_driver", layout.avail_addr)
        self.write("queue_device", layout.used_addr)
        if vector is not None:
            self.write("queue_msix_vector", vector)
            assert self.read("queue_msix_vector") == vector
        self.write("queue_enable", 1)
        return layout

    def bring_up(self, *, queues: int = 2, msix: bool = False) -> None:
        """The whole Linux-like sequence: 0 -> 1 -> 3 -> 11 -> (queues) -> 15."""
        assert self.negotiate(VERSION_1 | EVENT_IDX) == 0xB
        if msix:
            self.enable_msix()
            self.write("config_msix_vector", 0)
            assert self.read("config_msix_vector") == 0
        for queue in range(queues):
            self.setup_queue(queue, vector=queue + 1 if msix else None)
        self.write("device_status", 0xF)


def make_pci_rig(*, refuse_features: RefuseKnob = 0, backend: EchoBackend | None = None) -> PciRig:
    memory, log, echo, device = make_device(refuse_features=refuse_features, backend=backend)
    return PciRig(memory, log, echo, device, PciTransport(device))


@dataclass
class MmioRig(Rig):
    mmio: MmioTransport

    def read(self, name: str) -> int:
        return self.mmio.read(MMIO[name], 4)

    def write(self, name: str, value: int) -> None:
        self.mmio.write(MMIO[name], 4, value)

    def negotiate(self, features: int | None = None) -> int:
        self.write("Status", 0)
        assert self.read("Status") == 0
        self.write("Status", 1)
        self.write("Status", 3)
        self.write("DeviceFeaturesSel", 1)
        high = self.read("DeviceFeatures")
        self.write("DeviceFeaturesSel", 0)
        offered = high << 32 | self.read("DeviceFeatures")
        accepted = offered if features is None else features
        self.write("DriverFeaturesSel", 1)
        self.write("DriverFeatures", accepted >> 32)
        self.write("DriverFeaturesSel", 0)
        self.write("DriverFeatures", accepted & 0xFFFF_FFFF)
        self.write("Status", 0xB)
        return self.read("Status")

    def program_queue(self, queue: int, size: int = 8) -> SplitLayout:
        layout = self.split_layout(queue, size)
        self.write("QueueSel", queue)
        self.write("QueueNum", size)
        for name, addr in (
            ("QueueDesc", layout.desc_addr),
            ("QueueDriver", layout.avail_addr),
            ("QueueDevice", layout.used_addr),
        ):
            self.write(name + "Low", addr & 0xFFFF_FFFF)
            self.write(name + "High", addr >> 32)
        return layout

    def bring_up(self, *, queues: int = 2) -> None:
        assert self.negotiate(VERSION_1 | EVENT_IDX) == 0xB
        for queue in range(queues):
            self.program_queue(queue)
            self.write("QueueReady", 1)
        self.write("Status", 0xF)


def make_mmio_rig(
    *, refuse_features: RefuseKnob = 0, backend: EchoBackend | None = None
) -> MmioRig:
    memory, log, echo, device = make_device(refuse_features=refuse_features, backend=backend)
    return MmioRig(memory, log, echo, device, MmioTransport(device))
