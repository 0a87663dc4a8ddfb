"""vhost-net: QEMU keeps the control plane and hands the rings to the host kernel.

How this works: the guest's driver does exactly what it does with QEMU's own device.
Before the guest runs, QEMU opens /dev/vhost-net (VHOST_SET_OWNER) and asks what it
serves (VHOST_GET_FEATURES), trimming its own offer to match. When the driver sets
DRIVER_OK, QEMU's vhost_dev_start() registers the eventfds with KVM and describes guest
memory, each ring and the tap to vhost-net with ioctls; every ioctl is an event of the
device model travelling the topology's "setup" wire, with its request number and
argument bytes. From then on the model's device work is told as vhost's (see
`vhost_voice`), and a reset first stops vhost (VHOST_NET_SET_BACKEND -1,
VHOST_GET_VRING_BASE) before the device forgets its rings.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from virtio_viz.model.features import bit, describe
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.vhost import kernel
from virtio_viz.model.vhost.kernel import VhostIoctl
from virtio_viz.model.vhost.structs import VHOST_FILE_UNBIND, VringAddr, VringState
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import net_chapters as chapters
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.vhost_setup import (
    CHECKED,
    DATA_QUEUES,
    QUEUE_NAMES,
    VhostWorld,
    call_fd,
    kick_fd,
    vhost_machine,
)
from virtio_viz.scenarios.stories.vhost_voice import (
    VHOST_NET_DEVICE,
    kick_through_ioeventfd,
    make_voice,
)
from virtio_viz.scenarios.story import Beat, Chapter, Story
from virtio_viz.scenarios.topologies import vhost_net

TAP_FD = 25  # illustrative, like the eventfd numbers
# What vhost-net serves (drivers/vhost/net.c VHOST_NET_FEATURES): NOTIFY_ON_EMPTY (24),
# VHOST_F_LOG_ALL (26), VHOST_NET_F_VIRTIO_NET_HDR (27), INDIRECT_DESC, EVENT_IDX,
# MRG_RXBUF, VERSION_1, ACCESS_PLATFORM and RING_RESET. No packed rings.
KERNEL_FEATURES = sum(1 << n for n in (24, 26, 27, 28, 29, 15, 32, 33, 40))
LACKING = CHECKED & ~KERNEL_FEATURES

_SPEC = {  # the virtio mechanism each ioctl sets up
    "VHOST_SET_OWNER": "§3.1.1", "VHOST_GET_FEATURES": "§2.2", "VHOST_SET_FEATURES": "§2.2",
    "VHOST_SET_MEM_TABLE": "§2.7.5", "VHOST_SET_VRING_NUM": "§2.7",
    "VHOST_SET_VRING_ADDR": "§2.7", "VHOST_SET_VRING_BASE": "§2.7.14",
    "VHOST_GET_VRING_BASE": "§2.4", "VHOST_SET_VRING_KICK": "§2.9",
    "VHOST_SET_VRING_CALL": "§2.3", "VHOST_NET_SET_BACKEND": "§5.1",
}  # fmt: skip


def _analog(call: VhostIoctl) -> str:
    helper = call.name.removeprefix("VHOST_").lower()
    return f"vhost_kernel_{helper}() in QEMU; vhost_net_ioctl() in Linux"


def ioctl(
    world: VhostWorld, call: VhostIoctl, what: str, *, queue: int | None = None,
    result: int | None = None,
) -> None:  # fmt: skip
    """Record one ioctl QEMU makes on /dev/vhost-net: name, number, argument bytes."""
    values: dict[str, int | str] = {
        "ioctl": call.name, "number": call.number, "argument": call.argument.hex(),
        "size": len(call.argument), "call": call.render(),
    }  # fmt: skip
    if result is not None:
        values["result"] = result
    world.log.record(
        "vhost_ioctl", actor="device-model", plane="control", spec=_SPEC[call.name],
        analog=_analog(call), summary=f"QEMU calls {call.render()}: {what}.",
        queue=queue, values=values,
    )  # fmt: skip


def _names(bits: int) -> str:
    return ", ".join(describe(bits, DeviceId.NET)) or "none"


# -- before the guest runs ----------------------------------------------------------------------
def set_owner(world: VhostWorld) -> None:
    ioctl(world, kernel.no_argument("VHOST_SET_OWNER"),
          "this QEMU process now owns the vhost device, and the kernel starts a vhost worker "
          "thread that will serve its rings")  # fmt: skip


def get_features(world: VhostWorld) -> None:
    trimmed = world.machine.net.offered & CHECKED
    note = " VIRTIO_F_RING_PACKED is missing, so QEMU will not offer packed rings" if (
        LACKING & bit("VIRTIO_F_RING_PACKED")) else ""  # fmt: skip
    ioctl(world, kernel.reading("VHOST_GET_FEATURES"),
          f"the kernel fills in 0x{KERNEL_FEATURES:x}, the ring features vhost-net can serve. "
          f"QEMU keeps only these among the ring features it offers ({_names(trimmed)}).{note}",
          result=KERNEL_FEATURES)  # fmt: skip


# -- at DRIVER_OK: vhost_dev_start() ------------------------------------------------------------
def register_eventfds(world: VhostWorld) -> None:
    ccw = world.machine.channel_io()
    for queue in world.take_rings():
        config = world.machine.device.queues.config(queue)
        vector = (
            None if config is None or not world.machine.transport_msix() else config.msix_vector
        )
        name = QUEUE_NAMES[queue]
        if ccw:
            kick = f"a DIAGNOSE 0x500 for subchannel 0.0.0000, queue {queue}"
            irq = f"an adapter interrupt (an adapter route sets {name}'s indicator bit first)"
        else:
            kick = f"a guest write to {name}'s notify address"
            irq = f"MSI-X vector {vector}" if vector is not None else "the device's interrupt line"
        world.log.record(
            "kvm_eventfd", actor="device-model", plane="control",
            spec="§4.3.3.2" if ccw else "§4.1.4.4",
            analog=f"vhost_dev_enable_notifiers() and virtio_{'ccw' if ccw else 'pci'}_set_"
            "guest_notifiers() in QEMU (KVM_IOEVENTFD, KVM_IRQFD)",
            summary=f"QEMU tells KVM: {kick} signals eventfd {kick_fd(queue)} (KVM_IOEVENTFD), "
            f"and a signal on eventfd {call_fd(queue)} injects {irq} (KVM_IRQFD). Neither "
            "will need QEMU any more.",
            queue=queue, values={"kick_fd": kick_fd(queue), "call_fd": call_fd(queue),
                                 "vector": -1 if vector is None else vector},
        )  # fmt: skip


def set_features(world: VhostWorld) -> None:
    acked = world.machine.device.negotiated & KERNEL_FEATURES
    ioctl(world, kernel.set_features(acked),
          f"of the features the driver accepted, these concern the rings vhost-net serves: "
          f"{_names(acked)}")  # fmt: skip


def set_mem_table(world: VhostWorld) -> None:
    memory = world.table.kernel_memory()
    world.table_sent = True  # the kernel holds it once the ioctl returns
    spans = "; ".join(
        f"guest 0x{r.guest_phys_addr:x}+0x{r.memory_size:x} at QEMU 0x{r.userspace_addr:x}"
        for r in memory.regions
    )
    ioctl(world, kernel.set_mem_table(memory.regions),
          f"{len(memory.regions)} region(s) of guest RAM and where QEMU has each mapped ({spans}). "
          "vhost-net will turn every guest-physical address through this table")  # fmt: skip


def start_ring(world: VhostWorld, queue: int) -> None:
    config = world.machine.device.queues.config(queue)
    assert config is not None
    name, position = QUEUE_NAMES[queue], world.position(queue)
    ioctl(world, kernel.set_vring_num(queue, config.size),
          f"{name} has {config.size} entries", queue=queue)  # fmt: skip
    ioctl(world, kernel.set_vring_base(queue, position.base),
          f"start {name} where the device is: {position.text}", queue=queue)  # fmt: skip
    uaddr = {area: world.table.translate(config.address(area), 1) for area in
             ("desc", "driver", "device")}  # fmt: skip
    addrs = {area: getattr(found, "uaddr", 0) for area, found in uaddr.items()}
    addr = VringAddr(queue, 0, addrs["desc"], addrs["device"], addrs["driver"])
    ioctl(world, kernel.set_vring_addr(addr),
          f"{name}'s descriptor area 0x{config.desc_addr:x}, driver area "
          f"0x{config.driver_addr:x} and device area 0x{config.device_addr:x}, given as QEMU's "
          "own addresses for them", queue=queue)  # fmt: skip
    ioctl(
        world,
        kernel.set_vring_kick(queue, kick_fd(queue)),
        f"the worker waits on eventfd {kick_fd(queue)} for {name}'s kicks",
        queue=queue,
    )
    ioctl(world, kernel.set_vring_call(queue, call_fd(queue)),
          f"to interrupt the guest for {name}, the worker signals eventfd {call_fd(queue)}",
          queue=queue)  # fmt: skip


def attach_tap(world: VhostWorld) -> None:
    for queue in world.rings:
        ioctl(world, kernel.net_set_backend(queue, TAP_FD),
              f"{QUEUE_NAMES[queue]} now moves frames to and from the tap (fd {TAP_FD}); the "
              "worker starts serving the ring", queue=queue)  # fmt: skip
    world.running = True


def stop(world: VhostWorld) -> None:
    """vhost_net_stop() in QEMU, when the driver writes 0 to device_status."""
    for queue in world.rings:
        ioctl(world, kernel.net_set_backend(queue, VHOST_FILE_UNBIND),
              f"{QUEUE_NAMES[queue]} is detached from the tap", queue=queue)  # fmt: skip
    for queue in world.rings:
        position = world.position(queue)
        reply = VringState(queue, position.base).encode().hex()
        ioctl(world, kernel.get_vring_base(queue),
              f"vhost-net stops {QUEUE_NAMES[queue]} and answers {{index = {queue}, num = "
              f"{position.base}}} ({reply}): {position.text}, which QEMU keeps",
              queue=queue, result=position.base)  # fmt: skip
    world.rings = {}


def start_beats() -> tuple[Beat[VhostWorld], ...]:
    return (
        Beat("register the eventfds with KVM", register_eventfds),
        Beat("VHOST_SET_FEATURES", set_features),
        Beat("VHOST_SET_MEM_TABLE", set_mem_table),
        *(Beat(f"describe {QUEUE_NAMES[q]}", partial(start_ring, queue=q)) for q in DATA_QUEUES),
        Beat("VHOST_NET_SET_BACKEND", attach_tap),
    )  # fmt: skip


def build(options: StoryOptions, seed: int) -> VhostWorld:
    del seed
    world = VhostWorld(
        vhost_machine(options, lacking=LACKING), backend="vhost-net",
        translate_analog="translate_desc() in vhost (iotlb / memory table lookup)",
        mapped_base=None,
    )  # fmt: skip
    world.stop_backend = stop
    world.start_backend = _restart
    return world


# -- the story ---------------------------------------------------------------------------------
def _opening() -> Chapter[VhostWorld]:
    return Chapter(
        "backend-open",
        "Before the guest runs: QEMU opens vhost-net",
        "QEMU was started with a tap device and vhost=on. Long before any driver looks at "
        "the device, QEMU opens /dev/vhost-net, becomes its owner (the kernel creates a "
        "worker thread for it) and asks which ring features the kernel can serve. What the "
        "kernel cannot do, QEMU does not offer the guest, because vhost-net, not QEMU, will "
        "walk the rings.",
        (Beat("VHOST_SET_OWNER", set_owner), Beat("VHOST_GET_FEATURES", get_features)),
    )


def backend_setup() -> Chapter[VhostWorld]:
    return Chapter(
        "backend-setup",
        "DRIVER_OK: QEMU hands the data plane to vhost-net",
        "The status write with DRIVER_OK is the moment QEMU stops being the data plane. Its "
        "vhost_dev_start() first has KVM turn each queue's kick into an eventfd "
        "and bind an interrupt to a second one, then describes everything vhost-net needs "
        "with ioctls on /dev/vhost-net: the negotiated features, where guest RAM sits in "
        "QEMU's address space, and for every data ring its size, its starting index, its "
        "three areas and its two eventfds. Last, each ring is attached to the tap. The "
        "control queue is not handed over: QEMU keeps serving it.",
        start_beats(),
    )


def _intro(chapter: Chapter[Any], intro: str) -> Chapter[Any]:
    return replace(chapter, intro=intro)


def _fault() -> Chapter[Any]:
    shared = chapters.fault()
    return Chapter(
        shared.id, shared.title,
        "Something goes wrong in the part QEMU still plays (its device model, which also "
        "serves the control queue). QEMU sets DEVICE_NEEDS_RESET and raises a "
        "configuration-change interrupt itself: vhost-net has no say in the device status. "
        "The driver resets the device, and the status write of 0 makes QEMU stop vhost "
        "first: each ring is detached from the tap and vhost-net reports how far it got "
        "(VHOST_GET_VRING_BASE). After a fresh initialization, DRIVER_OK starts vhost again "
        "with the new rings.",
        shared.beats,
    )  # fmt: skip


def _restart(world: VhostWorld) -> None:
    for beat in start_beats():
        beat.run(world)


def _chapters(options: StoryOptions) -> tuple[Chapter[Any], ...]:
    return (
        _opening(),
        chapters.discovery(options),
        chapters.handshake(options),
        chapters.features(options),
        chapters.queues(options),
        backend_setup(),
        _intro(chapters.rx_refill(), RX_REFILL),
        _intro(chapters.transmit(), TRANSMIT),
        _intro(chapters.receive(), RECEIVE),
        chapters.suppression(options),
        _fault(),
        _intro(chapters.teardown(), TEARDOWN),
    )


RX_REFILL = (
    "The driver posts empty receive buffers exactly as before and kicks once. KVM catches "
    "the kick (a write to the notify address, or DIAGNOSE 0x500 on an s390x guest) and "
    "signals the ring's kick eventfd, which wakes the vhost worker in the host kernel. "
    "QEMU's threads sleep through it."
)
TRANSMIT = (
    "The guest sends an ARP request. The vhost worker wakes on the kick eventfd, takes the "
    "chain, looks each buffer up in the memory table, and passes the frame to the tap "
    "without leaving the kernel. It returns the buffer in the used ring and signals the "
    "call eventfd; KVM's irqfd turns that into the guest's interrupt."
)
RECEIVE = (
    "The gateway's ARP reply reaches the tap. The vhost worker copies it into the next "
    "receive buffer (again through the memory table), fills in the used ring and signals "
    "the call eventfd. From the guest's point of view nothing changed; on the host, no "
    "QEMU code ran for this frame."
)
TEARDOWN = (
    "The driver unbinds and resets the device. Before the device forgets its rings, QEMU "
    "detaches each ring from the tap and reads back where vhost-net stopped; the vhost "
    "worker will not touch guest memory again."
)

STORY = Story(
    id="vhost-net", topology=vhost_net.TOPOLOGY, build=build, chapters=_chapters,
    voice=make_voice(VHOST_NET_DEVICE, kick_through_ioeventfd), questions=questions.NET,
)  # fmt: skip
