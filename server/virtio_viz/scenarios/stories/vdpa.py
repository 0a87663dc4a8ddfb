"""vdpa: the NIC runs the virtio rings in hardware, through an IOMMU (the seed's fifth
architecture). QEMU keeps the control plane and programs the card over vhost-vdpa."""

from __future__ import annotations

from dataclasses import replace

from virtio_viz import frames
from virtio_viz.model.devices.net import TRANSMITQ1, NetHeader
from virtio_viz.model.virtqueue import Buffer
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import net_chapters as net
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.device_voices import VDPA_VOICE
from virtio_viz.scenarios.stories.vdpa_card import HIGH_RAM_BASE
from virtio_viz.scenarios.stories.vdpa_world import VdpaWorld, vdpa_world
from virtio_viz.scenarios.story import Beat, Chapter, Story
from virtio_viz.scenarios.topologies import vdpa

VdpaChapter = Chapter[VdpaWorld]


def _open() -> VdpaChapter:
    return Chapter(
        "vdpa-open",
        "QEMU opens the card",
        "Before the guest runs, QEMU opens /dev/vhost-vdpa-0, the host kernel's handle on a "
        "network card that speaks virtio itself. It claims the device, learns what the card "
        "is and what it can do, agrees on how it will describe memory to it, and asks which "
        "I/O virtual addresses the card's DMA can use. The guest never sees any of this.",
        (
            Beat("claim the card", VdpaWorld.take_ownership),
            Beat("backend features and the IOVA window", VdpaWorld.read_limits),
            Beat("ACKNOWLEDGE | DRIVER on the card", VdpaWorld.acknowledge_card),
        ),
    )


def _discovery(options: StoryOptions) -> VdpaChapter:
    chapter: VdpaChapter = net.discovery(options)
    return replace(chapter, intro=(
        "The guest finds an ordinary virtio-net device. Its registers are QEMU's: every "
        "configuration access still exits to QEMU, which answers from its own copy and "
        "passes on to the card what the card must know. Only the notification area is "
        "different: QEMU will back it with the card's real doorbell pages."
    ))  # fmt: skip


def _queues() -> VdpaChapter:
    chapter: VdpaChapter = net.queues()
    return replace(chapter, beats=chapter.beats[:2], intro=(
        "The driver places each ring in guest RAM and writes the three guest-physical "
        "addresses into QEMU's queue registers, then reads the MAC address. The guest "
        "negotiated no VIRTIO_F_ACCESS_PLATFORM, so it hands out plain guest-physical "
        "addresses; QEMU will map guest RAM for the card so that those same numbers work "
        "as I/O virtual addresses."
    ))  # fmt: skip


def _start() -> VdpaChapter:
    return Chapter(
        "card-start",
        "DRIVER_OK: QEMU starts the card",
        "The guest's DRIVER_OK write exits to QEMU, and the vCPU waits there while QEMU "
        "hands the rings to the card: the negotiated features (plus ACCESS_PLATFORM, which a "
        "vDPA card always gets), each ring's size, starting position and addresses, and the "
        "eventfds for kicks and interrupts. It maps guest RAM into the card's IOMMU domain "
        "with IOTLB messages, maps the card's doorbells into the guest, switches the rings "
        "on and sets DRIVER_OK in the card. The card's first look at each ring goes through "
        "the IOMMU too; its IOTLB keeps those translations, so later ring accesses are not "
        "shown one by one.",
        (
            Beat("the guest sets DRIVER_OK", lambda world: world.bring_up_until("driver_ok")),
            Beat("features to the card", VdpaWorld.set_card_features),
            Beat("the rings to the card", VdpaWorld.set_card_rings),
            Beat("guest RAM into the IOMMU", VdpaWorld.map_guest_ram),
            Beat("doorbells and ring enable", VdpaWorld.enable_card_rings),
            Beat("DRIVER_OK on the card", VdpaWorld.start_card),
            Beat("the card reaches its rings", VdpaWorld.reach_rings),
        ),
    )


def _rx_refill() -> VdpaChapter:
    chapter: VdpaChapter = net.rx_refill()
    return replace(chapter, intro=(
        "The driver posts empty receive buffers as it would for any virtio-net device and "
        "rings the receive doorbell. The doorbell write lands in the card directly: no VM "
        "exit, no QEMU. The card notes the new buffers; it only reaches them by DMA when a "
        "frame arrives."
    ))  # fmt: skip


def _transmit() -> VdpaChapter:
    chapter: VdpaChapter = net.transmit()
    return replace(chapter, intro=(
        "The guest sends an ARP request. The driver publishes the buffer and writes the "
        "transmit doorbell, which is the card's own register. The card fetches the "
        "descriptor, and the buffer's address (an IOVA) goes through the IOMMU to the "
        "host-physical page behind it before a byte is read. The card puts the frame on the "
        "wire, writes the used ring, and raises an MSI that KVM delivers to the vCPU."
    ))  # fmt: skip


def _receive() -> VdpaChapter:
    chapter: VdpaChapter = net.receive()
    return replace(chapter, intro=(
        "The gateway's reply reaches the card's port. The card takes the next receive "
        "buffer, has the IOMMU check that it may write there, writes the header and the "
        "frame straight into guest RAM, and signals the interrupt with an MSI. QEMU is not "
        "involved at any point."
    ))  # fmt: skip


def _suppression(options: StoryOptions) -> VdpaChapter:
    return net.suppression(options)


def _send_from_high_ram(world: VdpaWorld) -> None:
    """The guest transmits a frame it built in RAM above 4 GiB (Linux: xmit_skb())."""
    world.require_live()
    core = world.machine.driver
    packet = NetHeader().pack() + frames.arp_request()
    core.memory.write(HIGH_RAM_BASE, packet)
    txq = core.queues[TRANSMITQ1]
    txq.add_buffer([Buffer(HIGH_RAM_BASE, len(packet))], [], token=(HIGH_RAM_BASE, len(packet)))
    if txq.kick_prepare():
        core.ops.notify(TRANSMITQ1)


def _fault() -> VdpaChapter:
    return Chapter(
        "iommu-fault",
        "An address the IOMMU does not map",
        f"This guest also has RAM above 4 GiB, at 0x{HIGH_RAM_BASE:x}. The card's IOVA "
        "window ends at 4 GiB, so QEMU left that RAM out of the card's mappings and only "
        "logged it. The guest does not know: it builds a frame there and publishes it. The "
        "card reads the descriptor, asks the IOMMU for the buffer, and the IOMMU finds no "
        "mapping: the DMA is blocked and the host logs a fault. Nothing is read or written. "
        "The card cannot finish the buffer; this one stops and sets DEVICE_NEEDS_RESET "
        "(real cards differ here), and the guest's only way forward is a reset.",
        (
            Beat("a frame in unmapped RAM", _send_from_high_ram),
            Beat("the driver notices", VdpaWorld.notice_config_change),
            Beat("the driver resets the device, QEMU starts the card again", VdpaWorld.recover),
        ),
    )


def _teardown() -> VdpaChapter:
    chapter: VdpaChapter = net.teardown()
    return replace(chapter, intro=(
        "The driver unbinds and writes 0 to device_status. The write exits to QEMU, which "
        "resets the card before the write completes and takes guest RAM out of the card's "
        "IOMMU domain: from then on any DMA the card tried would fault."
    ))  # fmt: skip


def _chapters(options: StoryOptions) -> tuple[VdpaChapter, ...]:
    return (
        _open(),
        _discovery(options),
        net.handshake(),
        net.features(),
        _queues(),
        _start(),
        _rx_refill(),
        _transmit(),
        _receive(),
        _suppression(options),
        _fault(),
        _teardown(),
    )


STORY = Story(
    id="vdpa", topology=vdpa.TOPOLOGY, build=vdpa_world, chapters=_chapters,
    voice=VDPA_VOICE, questions=questions.NET, transports=("pci", "mmio"),
    why_not="this story follows the card's doorbell page mapped into the guest and the "
    "card's MSIs, which exist on PCI; an s390x guest has neither",
)  # fmt: skip
