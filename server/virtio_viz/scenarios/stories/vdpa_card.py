"""The vDPA card: a virtio-net data plane in hardware whose every DMA passes an IOMMU.

How this works: the model's virtio-net device does the ring work, and `VdpaNic` is that
device with one seam a real card has: before it touches a buffer, each address it took
from a descriptor (an I/O virtual address, IOVA) goes through the IOMMU domain QEMU
filled (`CardDma.follow`). Each piece of a buffer that a mapping covers is recorded as a
translation (IOVA -> host-physical), and the device then reaches the guest-RAM bytes
behind that host-physical address. An access no mapping allows is recorded as a fault
and never touches memory: the card cannot finish that buffer, stops, and sets
DEVICE_NEEDS_RESET (what a card does after a DMA error is up to its firmware; this one
reports it the virtio way).

Addresses: QEMU maps guest RAM at IOVA = guest-physical address (there is no IOMMU
inside the guest), so the numbers in descriptors are guest-physical to the driver and
IOVAs to the card. Guest RAM is backed by 2 MiB huge pages that need not be next to each
other in host-physical memory; `HugePage` says where each one is. The ring areas are
translated once when the card starts: the IOMMU's IOTLB keeps those entries, and the
story does not repeat them for every ring access.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.model.devices.net import QEMU_NET_FEATURES, NetDevice
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.iommu import DmaTranslation, IommuDomain, IommuFault
from virtio_viz.model.machine import RAM_BASE, RAM_SIZE, NetMachine, virtio_net_machine
from virtio_viz.model.virtqueue import Buffer, Chain, DeviceQueue
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories.followed_queue import FollowedQueue
from virtio_viz.scenarios.stories.worlds import machine_options

HUGE_PAGE = 0x20_0000  # 2 MiB
# Where the huge pages behind guest RAM happen to sit in host-physical memory (made up,
# deliberately not contiguous), and where QEMU mapped guest RAM in its own address space.
HOST_PHYSICAL_PAGES = (0x1_3C40_0000, 0x0_8AE0_0000)
QEMU_RAM_VA = 0x7F3A_4000_0000  # userspace_addr of guest RAM = this + (gpa - RAM_BASE)
# RAM above 4 GiB that the card cannot reach: its IOVA window ends at 4 GiB.
HIGH_RAM_BASE = 0x1_0000_0000
HIGH_RAM_SIZE = 0x1_0000
IOVA_WINDOW = (0x0, 0xFFFF_FFFF)  # what this card reports for VHOST_VDPA_GET_IOVA_RANGE


@dataclass(frozen=True, slots=True)
class HugePage:
    """One huge page of guest RAM: its guest-physical and host-physical addresses."""

    gpa: int
    hpa: int
    size: int = HUGE_PAGE


def guest_ram_pages() -> tuple[HugePage, ...]:
    count = RAM_SIZE // HUGE_PAGE
    if count > len(HOST_PHYSICAL_PAGES) or RAM_SIZE % HUGE_PAGE:
        raise ConfigError(f"guest RAM of 0x{RAM_SIZE:x} bytes does not fit the huge pages")
    return tuple(HugePage(RAM_BASE + i * HUGE_PAGE, HOST_PHYSICAL_PAGES[i]) for i in range(count))


class CardDma:
    """The card's DMA engine: every buffer address goes through the IOMMU domain."""

    def __init__(self, iommu: IommuDomain, pages: tuple[HugePage, ...]) -> None:
        self.iommu = iommu
        self.pages = pages
        self.on_fault: Callable[[IommuFault, int | None], None] = lambda fault, queue: None

    def reach(
        self, iova: int, length: int, *, write: bool, queue: int | None
    ) -> list[Buffer] | None:
        """The guest-RAM pieces behind [iova, iova + length), one per mapping crossed,
        each translation recorded; None (after recording the fault) if any is blocked."""
        pieces: list[Buffer] = []
        at, left = iova, length
        while True:
            mapping = self.iommu.lookup(at)
            piece = left if mapping is None else min(left, mapping.end - at)
            found = self.iommu.translate(at, piece, write=write, queue=queue)
            if not isinstance(found, DmaTranslation):
                self.on_fault(found, queue)
                return None
            pieces.append(Buffer(self.gpa_of(found.hpa), piece, writable=write))
            at, left = at + piece, left - piece
            if left <= 0:
                return pieces

    def follow(self, chain: Chain, queue: int) -> Chain | None:
        """The chain with each buffer turned into the guest RAM the card really reaches."""
        buffers: list[Buffer] = []
        for buffer in chain.buffers:
            pieces = self.reach(buffer.addr, buffer.length, write=buffer.writable, queue=queue)
            if pieces is None:
                return None
            buffers += pieces
        return Chain(chain.id, tuple(buffers), chain.desc_count)

    def gpa_of(self, hpa: int) -> int:
        """The guest-physical address whose RAM lives at host-physical `hpa`."""
        for page in self.pages:
            if page.hpa <= hpa < page.hpa + page.size:
                return page.gpa + hpa - page.hpa
        raise ConfigError(f"host-physical 0x{hpa:x} is not guest RAM")


@dataclass(slots=True)
class VdpaNic(NetDevice):
    """virtio-net in the card: its buffer DMA goes through `dma`; a device reset first
    lets QEMU stop the card (`stopping`), as QEMU does when the guest writes 0."""

    dma: CardDma | None = None
    stopping: Callable[[], None] | None = None

    def _gate(self, ring: DeviceQueue) -> DeviceQueue:
        return ring if self.dma is None else FollowedQueue(ring, self.dma.follow)

    def transmit(self, txq: DeviceQueue) -> int:
        return NetDevice.transmit(self, self._gate(txq))

    def receive(self, rxq: DeviceQueue, frame: bytes) -> bool:
        return NetDevice.receive(self, self._gate(rxq), frame)

    def control(self, ctrlq: DeviceQueue) -> int:
        return NetDevice.control(self, self._gate(ctrlq))

    def reset(self) -> None:
        if self.stopping is not None:
            self.stopping()
        NetDevice.reset(self)


def vdpa_machine(options: StoryOptions) -> tuple[NetMachine, CardDma]:
    """A guest whose virtio-net data plane is the card, plus RAM above 4 GiB."""
    machine = virtio_net_machine(machine_options(options, QEMU_NET_FEATURES))
    machine.memory.add_region("ram-high", HIGH_RAM_BASE, HIGH_RAM_SIZE)
    iommu = IommuDomain(machine.log, aperture=IOVA_WINDOW, device="card")
    dma = CardDma(iommu, guest_ram_pages())
    old = machine.net
    nic = VdpaNic(
        old.memory, old.log, mac=old.mac, offered=old.offered, queue_sizes=old.queue_sizes,
        dma=dma,
    )  # fmt: skip
    machine.net = nic
    machine.device.backend = nic
    return machine, dma
