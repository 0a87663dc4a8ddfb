"""A virtual machine with one virtio device: guest RAM, the device behind its transport,
and the Linux-like driver, wired the way real hardware wires them.

How this works: the driver reaches the device only through its transport (the registers
of `PciOps` over `PciTransport` or `MmioOps` over `MmioTransport`, or the channel programs
of `CcwOps` over `CcwTransport`) and guest memory; the
device reaches the driver only through guest memory and interrupts. A kick runs the
device at once (as QEMU does on an ioeventfd); interrupts the device raised are queued
until `service_interrupts()` runs the driver's handlers, so a story can show the kick,
the device's work and the interrupt as separate moments. Everything is recorded on one
`EventLog`, in order.

PCI, the transport of every built-in story by default, loads with this module; MMIO's and
channel I/O's modules load with the first machine that uses them, so a program that never
builds one does not pay for importing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.devices.blk import QEMU_BLK_FEATURES, BlkDevice
from virtio_viz.model.devices.net import QEMU_NET_FEATURES, NetDevice
from virtio_viz.model.driver.alloc import GuestAllocator
from virtio_viz.model.driver.blk import BlkCompletion, BlkDriver
from virtio_viz.model.driver.core import VirtioDriver
from virtio_viz.model.driver.net import NetDriver
from virtio_viz.model.driver.pci_ops import PciOps
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog
from virtio_viz.model.interrupts import Interrupt
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.negotiation import RefuseKnob
from virtio_viz.model.transport.pci import PciTransport

if TYPE_CHECKING:
    from virtio_viz.model.driver.ccw_ops import CcwOps
    from virtio_viz.model.driver.mmio_ops import MmioOps
    from virtio_viz.model.transport.ccw import CcwTransport
    from virtio_viz.model.transport.mmio import MmioTransport

    Transport = PciTransport | MmioTransport | CcwTransport
    Ops = PciOps | MmioOps | CcwOps

TransportKind = Literal["pci", "mmio", "ccw"]
RAM_BASE = 0x0200_0000
RAM_SIZE = 0x0040_0000  # 4 MiB: rings for every queue, buffers, indirect tables


@dataclass(frozen=True, slots=True)
class MachineOptions:
    transport: TransportKind = "pci"
    offered: int | None = None  # the device's feature offer (default: what QEMU 7.2 offers)
    device_refuses: RefuseKnob = 0  # feature bits whose acceptance the device refuses
    driver_declines: int = 0  # feature bits the driver turns down on purpose
    ram_size: int = RAM_SIZE
    queue_size: int | None = None  # what the device offers per data queue (default: 256)
    adapter_interrupts: bool = True  # ccw: two-stage indicators (False: classic ones)


@dataclass(slots=True)
class Machine:
    memory: GuestMemory
    log: EventLog
    device: VirtioDevice
    transport: Transport
    ops: Ops
    driver: VirtioDriver
    booted: bool = False
    interrupts_seen: list[Interrupt] = field(default_factory=list)

    # -- bring-up ----------------------------------------------------------------------------
    def boot(self) -> bool:
        """Discover the device on its bus and initialize it (virtio-1.2 §3.1.1)."""
        device_id = self.ops.discover()
        if device_id != self.driver.device.device_id:
            raise ConfigError(f"found virtio device {device_id}, not the driver's type")
        self.booted = self.driver.probe()
        return self.booted

    # -- interrupts: the driver's handlers ------------------------------------------------
    def service_interrupts(self) -> list[Interrupt]:
        """Run the driver's interrupt handling for everything the device signalled."""
        pending = self.device.take_interrupts()
        if pending:
            self.ops.service_interrupt(self.driver.queues.keys())
        self.interrupts_seen.extend(pending)
        return pending

    def transport_msix(self) -> bool:
        return self.transport.msix_enabled

    def channel_io(self) -> bool:
        """Is the device on channel I/O (virtio-ccw, §4.3)?"""
        return self.transport.kind == "ccw"


@dataclass(slots=True)
class NetMachine(Machine):
    net: NetDevice = field(default=None)  # type: ignore[assignment]
    net_driver: NetDriver = field(default_factory=NetDriver)

    def boot(self) -> bool:
        if not Machine.boot(self):
            return False
        self.net_driver.refill_rx(self.driver)
        return True

    def send(self, frame: bytes) -> None:
        """The guest transmits a frame (it reaches `net.outbox` when the device sends it)."""
        self.net_driver.transmit(self.driver, frame)

    def arrive(self, frame: bytes) -> bool:
        """A frame arrives on the wire for the guest."""
        return self.net.deliver(self.device, frame)

    def service_interrupts(self) -> list[Interrupt]:
        pending = Machine.service_interrupts(self)
        if pending:
            self.net_driver.poll_rx(self.driver)
            self.net_driver.reclaim_tx(self.driver)
        return pending


@dataclass(slots=True)
class BlkMachine(Machine):
    blk: BlkDevice = field(default=None)  # type: ignore[assignment]
    blk_driver: BlkDriver = field(default_factory=BlkDriver)
    completed: list[BlkCompletion] = field(default_factory=list)

    def submit(self, kind: int, sector: int, data: bytes = b"", *, read_len: int = 0) -> int:
        return self.blk_driver.submit(self.driver, kind, sector, data, read_len=read_len)

    def service_interrupts(self) -> list[Interrupt]:
        pending = Machine.service_interrupts(self)
        if pending:
            self.completed.extend(self.blk_driver.complete(self.driver))
        return pending


def _assemble(
    backend: NetDevice | BlkDevice, options: MachineOptions, alloc: GuestAllocator
) -> tuple[VirtioDevice, Transport, Ops]:
    device = VirtioDevice(
        backend.memory, backend.log, backend, refuse_features=options.device_refuses
    )
    if options.transport == "pci":
        pci = PciTransport(device)
        return device, pci, PciOps(pci)
    if options.transport == "ccw":
        from virtio_viz.model.driver.ccw_ops import CcwOps  # noqa: PLC0415
        from virtio_viz.model.transport.ccw import CcwTransport  # noqa: PLC0415

        ccw = CcwTransport(device)
        ops = CcwOps(ccw, device.memory, device.log, alloc,
                     adapter_interrupts=options.adapter_interrupts)  # fmt: skip
        return device, ccw, ops
    from virtio_viz.model.driver.mmio_ops import MmioOps  # noqa: PLC0415
    from virtio_viz.model.transport.mmio import MmioTransport  # noqa: PLC0415

    mmio = MmioTransport(device)
    return device, mmio, MmioOps(mmio)


def _memory(options: MachineOptions) -> tuple[GuestMemory, EventLog, GuestAllocator]:
    memory = GuestMemory.with_regions([("ram", RAM_BASE, options.ram_size)])
    return memory, EventLog(memory), GuestAllocator.over_region(memory, "ram")


def virtio_net_machine(options: MachineOptions | None = None) -> NetMachine:
    options = options or MachineOptions()
    memory, log, alloc = _memory(options)
    offered = QEMU_NET_FEATURES if options.offered is None else options.offered
    net = NetDevice(memory, log, offered=offered)
    if options.queue_size is not None:
        net.queue_sizes = (options.queue_size, options.queue_size, 64)
    device, transport, ops = _assemble(net, options, alloc)
    net_driver = NetDriver()
    core = VirtioDriver(
        ops, memory, log, alloc, net_driver, refuse_features=options.driver_declines
    )
    return NetMachine(memory, log, device, transport, ops, core, net=net, net_driver=net_driver)


def virtio_blk_machine(options: MachineOptions | None = None) -> BlkMachine:
    options = options or MachineOptions()
    memory, log, alloc = _memory(options)
    offered = QEMU_BLK_FEATURES if options.offered is None else options.offered
    blk = BlkDevice(memory, log, offered=offered)
    if options.queue_size is not None:
        blk.queue_sizes = (options.queue_size,)
    device, transport, ops = _assemble(blk, options, alloc)
    blk_driver = BlkDriver()
    core = VirtioDriver(
        ops, memory, log, alloc, blk_driver, refuse_features=options.driver_declines
    )
    return BlkMachine(memory, log, device, transport, ops, core, blk=blk, blk_driver=blk_driver)
