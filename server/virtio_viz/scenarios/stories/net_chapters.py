"""The chapters every virtio-net story shares, from finding the device to tearing it down.

Each function returns one chapter; a story picks the chapters it tells and may replace
an intro to say what its architecture does differently. Beats stay small so a reader's
action can come in between them.
"""

from __future__ import annotations

from typing import TypeVar

from virtio_viz.model.spec import Status
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories.worlds import MachineWorld, NetWorld
from virtio_viz.scenarios.story import Beat, Chapter

NetChapter = Chapter[NetWorld]
# The chapters that only bring the device up or down work on any machine world (net, blk).
MW = TypeVar("MW", bound=MachineWorld)
NW = TypeVar("NW", bound=NetWorld)  # and the net ones on any net world (vdpa's, vhost's)


def _phase(label: str, phase: str) -> Beat[MW]:
    return Beat(label, lambda world: world.bring_up_until(phase))


def discovery(options: StoryOptions) -> Chapter[MW]:
    if options.transport == "ccw":
        intro = (
            "An s390x guest has no PCI: it finds devices in the channel subsystem. For the "
            "subchannel the driver runs SENSE ID, a channel command every device answers, "
            "and the control unit type 0x3832 says a virtio-ccw proxy sits behind it, its "
            "model being the virtio device id. The driver then sets the transport revision "
            "with CCW_CMD_SET_VIRTIO_REV (2, which adds CCW_CMD_READ_STATUS); no other "
            "virtio command may come before it."
        )
    elif options.transport == "mmio":
        intro = (
            "The guest learns about the device from the platform description and reads "
            "its MMIO registers: the magic value, the version and the device id say a "
            "virtio-net device sits at this address."
        )
    else:
        intro = (
            "The guest's PCI scan finds a function with Red Hat's vendor id 0x1af4. The "
            "driver walks its capability list to find where the common configuration, "
            "the notification area, the ISR byte and the device configuration live in "
            "the BARs, and the MSI-X table beside them."
        )
    return Chapter("discovery", "Finding the device", intro,
                   (Beat("discover", MachineWorld.discover),))  # fmt: skip


def handshake(options: StoryOptions | None = None) -> Chapter[MW]:
    if options is not None and options.transport == "ccw":
        reset = (
            "Before anything else the driver resets the device with CCW_CMD_VDEV_RESET: "
            "when that channel program ends, the reset is complete. It then raises status "
            "bits one at a time: ACKNOWLEDGE (a guest noticed the device), DRIVER (and knows "
            "how to drive it). Each bit is a CCW_CMD_READ_STATUS followed by a "
            "CCW_CMD_WRITE_STATUS of the status with one more bit, as Linux's "
            "virtio_add_status() does; each is a channel program of its own."
        )
    else:
        reset = (
            "Before anything else the driver resets the device by writing 0 to "
            "device_status, then reads it back until it sees 0. It then raises status bits "
            "one at a time: ACKNOWLEDGE (a guest noticed the device), DRIVER (and knows how "
            "to drive it). Each bit is a read of the status followed by a write of the status "
            "with one more bit, as Linux's virtio_add_status() does."
        )
    return Chapter(
        "handshake",
        "Reset and the status handshake",
        reset,
        (
            _phase("reset", "reset"),
            _phase("ACKNOWLEDGE", "acknowledge"),
            _phase("DRIVER", "driver"),
        ),
    )


def features(options: StoryOptions | None = None) -> Chapter[MW]:
    if options is not None and options.transport == "ccw":
        words = (
            "The device offers 64 feature bits, read 32 at a time with CCW_CMD_READ_FEAT: "
            "the driver puts the word's index in a 5-byte block and the device fills in the "
            "bits, little-endian although everything else on channel I/O is big-endian. The "
            "driver keeps the ones it understands and writes them back with "
            "CCW_CMD_WRITE_FEAT,"
        )
    else:
        words = (
            "The device offers 64 feature bits, read 32 at a time through "
            "device_feature_select. The driver keeps the ones it understands, writes them "
            "back through driver_feature_select,"
        )
    return Chapter(
        "features",
        "Feature negotiation",
        f"{words} then sets FEATURES_OK and reads the status again: only if the device kept "
        "FEATURES_OK is the set agreed. A device that cannot work with the subset leaves the "
        "bit clear, and the driver must give up.",
        (
            _phase("read the offer", "features_read"),
            _phase("write the accepted subset", "features_written"),
            _phase("FEATURES_OK", "features_ok"),
        ),
    )


def queues(options: StoryOptions | None = None) -> Chapter[MW]:
    if options is not None and options.transport == "ccw":
        setup = (
            "For each queue the driver asks for its largest size with CCW_CMD_READ_VQ_CONF, "
            "places the descriptor table, the driver area and the device area in guest "
            "memory (each part page-aligned), and hands size and addresses over in one "
            "32-byte vq_info_block with CCW_CMD_SET_VQ. There are no vectors: the driver "
            "registers indicators instead, two-stage ones for adapter interrupts "
            "(CCW_CMD_SET_IND_ADAPTER) and a 64-bit one for configuration changes "
            "(CCW_CMD_SET_CONF_IND)."
        )
    else:
        setup = (
            "For each queue the driver selects it, reads the largest size the device allows, "
            "places the descriptor table, the driver area and the device area in guest "
            "memory, writes their guest-physical addresses, picks an MSI-X vector, and only "
            "then enables it."
        )
    return Chapter(
        "queues",
        "Setting up the virtqueues",
        f"{setup} It reads the configuration it needs (for a network card the MAC address "
        "and link status), and sets DRIVER_OK: from now on the device may use the rings.",
        (
            _phase("set up the queues", "queues_enabled"),
            _phase("read the configuration", "config_read"),
            _phase("DRIVER_OK", "driver_ok"),
        ),
    )


def rx_refill() -> Chapter[NW]:
    def refill(world: NetWorld) -> None:
        world.require_live()
        world.machine.net_driver.refill_rx(world.machine.driver)

    return Chapter(
        "rx-refill",
        "Filling the receive queue",
        "A network device cannot ask for memory when a frame arrives, so the driver hands "
        "it empty buffers in advance. Each is a single device-writable descriptor, large "
        "enough for the 12-byte virtio-net header and a full Ethernet frame. The driver "
        "publishes them all and then kicks once.",
        (Beat("refill the receive queue", refill),),
    )


def transmit() -> Chapter[NW]:
    return Chapter(
        "transmit",
        "Transmitting a frame",
        "The guest sends an ARP request asking who has the gateway's address. The driver "
        "puts the virtio-net header and the frame in one device-readable buffer, "
        "publishes its head in the available ring and kicks the transmit queue. The "
        "device walks the chain, sends the frame, returns the buffer in the used ring "
        "and interrupts.",
        (
            Beat("transmit the ARP request", lambda world: world.send("arp_request")),
            Beat("handle the interrupt", NetWorld.service_interrupts),
        ),
    )


def receive() -> Chapter[NW]:
    return Chapter(
        "receive",
        "Receiving a frame",
        "The gateway's ARP reply arrives. The device takes the next receive buffer, "
        "writes the header and the frame into it, puts it in the used ring with the "
        "number of bytes written, and interrupts. The driver takes the buffer back, "
        "hands the frame to the network stack, and posts a fresh buffer.",
        (
            Beat("the ARP reply arrives", lambda world: world.arrive("arp_reply")),
            Beat("handle the interrupt", NetWorld.service_interrupts),
        ),
    )


def suppression(options: StoryOptions) -> Chapter[NW]:
    if options.event_idx:
        intro = (
            "With VIRTIO_F_EVENT_IDX both sides say exactly when they want to hear from "
            "each other: the driver writes used_event (interrupt me once used.idx passes "
            "it) and the device writes avail_event (kick me once avail.idx passes it). "
            "Here the guest sends two pings back to back and answers come in while the "
            "driver is still busy, so several notifications are never sent."
        )
    else:
        intro = (
            "Without VIRTIO_F_EVENT_IDX the only tools are two flags: the driver sets "
            "VIRTQ_AVAIL_F_NO_INTERRUPT while it is polling anyway, and the device sets "
            "VIRTQ_USED_F_NO_NOTIFY while it is already working through the ring. Both "
            "are hints: the other side may still notify."
        )
    return Chapter(
        "suppression",
        "Fewer notifications",
        intro,
        (
            Beat("send a ping", lambda world: world.send("icmp_echo")),
            Beat("send another ping", lambda world: world.send("icmp_echo")),
            Beat("a reply arrives", lambda world: world.arrive("icmp_echo_reply")),
            Beat("another reply arrives", lambda world: world.arrive("icmp_echo_reply")),
            Beat("handle the interrupts", NetWorld.service_interrupts),
        ),
    )


def fault() -> NetChapter:
    def fail(world: NetWorld) -> None:
        if world.machine.device.device_status & Status.DRIVER_OK:
            world.machine.device.needs_reset("the device model hit an internal error")

    return Chapter(
        "fault",
        "A device error and the way back",
        "Something goes wrong inside the device. It cannot simply stop answering, so it "
        "sets DEVICE_NEEDS_RESET and raises a configuration-change interrupt. The driver "
        "reads the status, sees the bit, and the only way forward is a full reset and a "
        "fresh initialization, with new rings.",
        (
            Beat("the device fails", fail),
            Beat("the driver notices", NetWorld.notice_config_change),
            Beat("the driver resets the device and brings it up again", NetWorld.recover),
        ),
    )


def teardown() -> Chapter[MW]:
    return Chapter(
        "teardown",
        "Tearing down",
        "When the driver unbinds (the module is removed, the guest shuts down), it "
        "resets the device: writing 0 to device_status makes the device forget its "
        "queues and features and stop touching guest memory, and only then may the "
        "driver free the rings.",
        (Beat("reset the device", lambda world: world.machine.driver.ops.reset()),),
    )
