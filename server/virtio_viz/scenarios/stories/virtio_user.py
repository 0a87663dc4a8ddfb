"""virtio-user: a poll-mode driver in guest user space, a vhost-user back-end on the host.

How this works: the host side is the vhost-user story's (same connection, same setup
messages, same memory table). The guest side is a DPDK-style poll-mode driver: it drives
the device's registers from user space and, once the rings run, neither side wants to be
woken. The driver sets VIRTQ_AVAIL_F_NO_INTERRUPT (packed: the driver event flags say
DISABLE) and the back-end sets VIRTQ_USED_F_NO_NOTIFY (packed: the device event flags),
using the model's `disable_interrupts()` / `disable_notifications()`. Then nobody kicks
and nobody interrupts: the back-end's loop calls the device's `handle_queue()` to poll the
available ring, and the guest's loop calls `get_used()` to poll the used ring. Such a
driver does not take VIRTIO_F_EVENT_IDX (DPDK's virtio PMD does not), so the flags are
the whole story.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from virtio_viz.model.events import Event
from virtio_viz.model.features import bit
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.routing import is_notify_write
from virtio_viz.scenarios.stories import net_chapters as chapters
from virtio_viz.scenarios.stories import questions, vhost_user
from virtio_viz.scenarios.stories.vhost_setup import QUEUE_NAMES, VhostWorld
from virtio_viz.scenarios.stories.vhost_voice import (
    KICK_VIA_IOEVENTFD,
    VHOST_USER_DEVICE,
    make_voice,
)
from virtio_viz.scenarios.story import Beat, Chapter, Story
from virtio_viz.scenarios.topologies import virtio_user

RX, TX = 0, 1
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")
_PMD = "in DPDK's virtio PMD"


def build(options: StoryOptions, seed: int) -> VhostWorld:
    return vhost_user.build(options, seed, declined=EVENT_IDX)


# -- what each side's loop does --------------------------------------------------------------
def driver_stops_interrupts(world: VhostWorld) -> None:
    world.require_live()
    for queue in (RX, TX):
        world.machine.driver.queues[queue].disable_interrupts()


def backend_stops_kicks(world: VhostWorld) -> None:
    world.require_live()
    for queue in world.rings:
        ring = world.machine.device.live_queue(queue)
        if ring is not None:
            ring.disable_notifications()


def backend_polls(queue: int) -> Any:
    def poll(world: VhostWorld) -> None:
        """One turn of the back-end's loop on `queue` (rte_vhost_dequeue_burst())."""
        world.require_live()
        world.machine.net.handle_queue(world.machine.device, queue)
        world.machine.device.flush_notifications()

    return poll


def guest_polls_tx(world: VhostWorld) -> None:
    world.require_live()
    world.machine.net_driver.reclaim_tx(world.machine.driver)


def guest_polls_rx(world: VhostWorld) -> None:
    world.require_live()
    world.machine.net_driver.poll_rx(world.machine.driver)


# -- chapters ------------------------------------------------------------------------------
def polling() -> Chapter[Any]:
    return Chapter(
        "polling",
        "Both sides switch notifications off",
        "A poll-mode driver owns a CPU and spins on its rings, so an interrupt would only "
        "cost a trip through the guest kernel for news it is about to find anyway. It sets "
        "VIRTQ_AVAIL_F_NO_INTERRUPT in each ring's avail.flags (with a packed ring, DISABLE "
        "in the driver event structure). The back-end spins too, and a kick would make the "
        "guest exit to KVM for nothing: it sets VIRTQ_USED_F_NO_NOTIFY in used.flags (packed: "
        "DISABLE in the device event structure). Both flags are hints the other side reads "
        "before notifying.",
        (
            Beat("the guest driver: no interrupts, please", driver_stops_interrupts),
            Beat("the back-end: no kicks, please", backend_stops_kicks),
        ),
    )


def transmit() -> Chapter[Any]:
    return Chapter(
        "transmit",
        "Transmitting a frame, with no kick and no interrupt",
        "The guest's driver writes the ARP request and its header into a buffer and publishes "
        "it. Before kicking it reads used.flags, finds NO_NOTIFY and does not kick: no VM "
        "exit. The back-end's loop finds the new avail.idx on its next turn, sends the frame "
        "and returns the buffer; avail.flags says NO_INTERRUPT, so it does not signal. The "
        "guest's loop finds the used buffer on its own next turn.",
        (
            Beat("the driver queues the ARP request", lambda w: w.send("arp_request")),
            Beat(f"the back-end polls {QUEUE_NAMES[TX]}", backend_polls(TX)),
            Beat("the driver polls the used ring", guest_polls_tx),
        ),
    )


def receive() -> Chapter[Any]:
    return Chapter(
        "receive",
        "Receiving a frame by polling",
        "The ARP reply comes in on the card the back-end polls. The back-end copies it into "
        "the next receive buffer and publishes it in the used ring without an interrupt. The "
        "guest's receive loop sees used.idx move, takes the frame and posts a fresh buffer, "
        "again without a kick.",
        (
            Beat("the ARP reply reaches the back-end", lambda w: w.arrive("arp_reply")),
            Beat(f"the driver polls {QUEUE_NAMES[RX]}", guest_polls_rx),
        ),
    )


def burst() -> Chapter[Any]:
    return Chapter(
        "suppression",
        "A burst without a single notification",
        "Two pings go out and two replies come back. With both flags set, four frames cross "
        "the rings and not one kick or interrupt is sent: each side only reads the other's "
        "indices when its own loop comes round.",
        (
            Beat("the driver queues a ping", lambda w: w.send("icmp_echo")),
            Beat(f"the back-end polls {QUEUE_NAMES[TX]}", backend_polls(TX)),
            Beat("the driver queues another ping", lambda w: w.send("icmp_echo")),
            Beat(f"the back-end polls {QUEUE_NAMES[TX]} again", backend_polls(TX)),
            Beat("a reply arrives", lambda w: w.arrive("icmp_echo_reply")),
            Beat("another reply arrives", lambda w: w.arrive("icmp_echo_reply")),
            Beat(f"the driver polls {QUEUE_NAMES[RX]}", guest_polls_rx),
            Beat("the driver polls the used transmit ring", guest_polls_tx),
        ),
    )


def _chapters(options: StoryOptions) -> tuple[Chapter[Any], ...]:
    return (
        vhost_user.opening("Before the guest runs: QEMU connects to the back-end", OPENING),
        replace(chapters.discovery(options), intro=DISCOVERY),
        chapters.handshake(),
        replace(chapters.features(), intro=FEATURES),
        chapters.queues(),
        vhost_user.backend_setup(vhost_user.SETUP),
        polling(),
        replace(chapters.rx_refill(), intro=RX_REFILL),
        transmit(),
        receive(),
        burst(),
        vhost_user.fault(FAULT),
        replace(chapters.teardown(), intro=TEARDOWN),
    )


OPENING = (
    "On the host this is the vhost-user set-up: a back-end process listens on a unix socket, "
    "and QEMU connects, learns the features and protocol extensions the back-end has, and "
    "claims the session. What differs is inside the guest."
)
DISCOVERY = (
    "The guest kernel finds the virtio PCI function, but it is bound to vfio-pci (or "
    "uio_pci_generic) instead of virtio_net. A DPDK application in guest user space maps the "
    "BARs through it and reads the capability list itself: from here on the driver's "
    "register accesses come from user space, though each one still exits to KVM and QEMU."
)
FEATURES = (
    "The poll-mode driver negotiates like any driver, through the feature registers. It "
    "does not take VIRTIO_F_EVENT_IDX: it will not be interrupted at all, so it has no use "
    "for fine-grained event indices, and the plain NO_INTERRUPT / NO_NOTIFY flags will do."
)
RX_REFILL = (
    "The driver fills the receive ring. Before it would kick, it reads used.flags: the "
    "back-end asked for no notifications, so the driver does not write the notify register "
    "and the vCPU never leaves the guest."
)
FAULT = (
    "The back-end process exits. QEMU reports the link down through the configuration space "
    "and its configuration-change interrupt, which reaches the poll-mode driver's interrupt "
    "thread through vfio (a poll-mode application may also just poll the link status). "
    "When a back-end is back, QEMU replays the connection and the ring set-up; the rings "
    "themselves are untouched."
)
TEARDOWN = (
    "The application stops and the driver resets the device. QEMU disables the rings in the "
    "back-end and asks where each stopped before the device forgets them."
)


# -- naming DPDK's poll-mode driver ---------------------------------------------------------
_ADD = {RX: f"virtqueue_enqueue_recv_refill() {_PMD}", TX: f"virtqueue_enqueue_xmit() {_PMD}"}
_TAKE = {RX: f"virtio_recv_pkts() {_PMD}", TX: f"virtio_xmit_cleanup() {_PMD}"}
_ADD_KINDS = frozenset({"desc_write", "avail_ring_write", "avail_idx_publish", "head_flags_write",
                        "indirect_desc_write"})  # fmt: skip
_TAKE_KINDS = frozenset({"used_elem_read", "used_ring_empty", "used_desc_empty", "chain_detach",
                         "used_event_write"})  # fmt: skip
_RING_INIT = frozenset({"desc_table_init", "avail_ring_init", "used_ring_init"})
_REGISTERS = (  # keyword of Linux's accessor -> DPDK's (drivers/net/virtio/virtio_pci.c)
    ("vp_notify", f"modern_notify_queue() {_PMD}"),
    ("status", f"modern_get_status() / modern_set_status() {_PMD}"),
    ("features", f"modern_get_features() / modern_set_features() {_PMD}"),
    ("config_vector", f"modern_set_config_irq() {_PMD}"),
    ("queue_vector", f"modern_set_queue_irq() {_PMD}"),
    ("queue", f"modern_get_queue_num() / modern_setup_queue() {_PMD}"),
    ("vp_get", f"modern_read_dev_config() {_PMD}"),
    ("generation", f"modern_read_dev_config() {_PMD}"),
    ("msi", "VFIO_DEVICE_SET_IRQS through vfio-pci, for DPDK's EAL"),
    ("pci_", "rte_pci_read_config() in DPDK's EAL, through vfio-pci"),
)


def pmd_name(event: Event) -> str | None:
    """DPDK's poll-mode driver in place of Linux's virtio_net and virtio_ring."""
    queue = event.queue if event.queue in (RX, TX) else None
    if event.kind in _ADD_KINDS and queue is not None:
        return _ADD[queue]
    if event.kind in _TAKE_KINDS and queue is not None:
        return _TAKE[queue]
    if event.kind in {"avail_flags_write", "driver_event_write"}:
        return f"virtqueue_disable_intr() {_PMD}"
    if event.kind == "kick_check":
        return f"virtqueue_kick_prepare() {_PMD}"
    if event.kind in _RING_INIT:
        return f"virtio_init_vring() {_PMD}"
    if event.kind == "driver_features_chosen":
        return "virtio_ethdev_negotiate_features() in DPDK"
    if event.kind == "driver_recovers":
        return (
            "the application reconfigures the port: rte_eth_dev_configure() resets the device "
            "through virtio_init_device() in DPDK's virtio PMD (the PMD does not do it by itself)"
        )
    if event.kind in {"register_read", "register_write"}:
        named = _register_name(event.analog)
        if named is not None and is_notify_write(event):  # never reaches QEMU
            return f"{named.split(';', 1)[0]}; {KICK_VIA_IOEVENTFD}"
        return named
    return None


def _register_name(analog: str) -> str | None:
    linux, _, qemu = analog.partition("; ")
    if not linux.startswith(("vp_", "pci_", "__pci")):
        return None  # MMIO: DPDK has no virtio-mmio driver, keep Linux's names
    dpdk = next((name for key, name in _REGISTERS if key in linux), None)
    if dpdk is None:
        return None
    return dpdk + (f"; {qemu}" if qemu else "")


STORY = Story(
    id="virtio-user", topology=virtio_user.TOPOLOGY, build=build, chapters=_chapters,
    voice=make_voice(VHOST_USER_DEVICE, pmd_name), questions=questions.NET,
    transports=("pci", "mmio"),
    why_not="DPDK's virtio poll-mode driver reaches its device through vfio-pci or uio in "
    "the guest; it has no channel I/O driver",
)  # fmt: skip
