"""The QEMU command line of a `HostPlan`.

How this works: the machine comes from the transport (`PLATFORMS`: q35 for PCI, microvm
for virtio-mmio on x86, the s390-ccw-virtio machine for channel I/O), the back-end from
the plan (a tap with vhost off or on, a vhost-user socket over shared memory, a
vhost-vdpa device, or an image file), and the device's properties from the model's
offer. `checkable()` is the same command line with what needs a special host replaced
(TCG for KVM, user networking for the tap), or nothing where no replacement keeps the
architecture (vhost-user needs its back-end, vDPA its device).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from virtio_viz.hostconfig import marks
from virtio_viz.hostconfig.parts import Arg, Prop
from virtio_viz.hostconfig.plan import HostPlan
from virtio_viz.model.transport.ccw_layout import VIRTUAL_CSSID

MEMORY = "1G"
SOCKET_PATH = "/tmp/vhost-user0.sock"
VDPA_DEVICE = "/dev/vhost-vdpa-0"
TAP = "tap0"
IMAGE = "disk.img"
PCI_SLOT = 3  # the guest sees the device at 0000:00:03.0
CCW_DEVNO = f"{VIRTUAL_CSSID:x}.0.0000"  # QEMU's css for virtual devices; the guest: 0.0.0000
NET_QUEUE = (256, 1024)  # QEMU's virtio-net rx/tx_queue_size range (powers of 2)
BLK_QUEUE = (4, 1024)  # QEMU's virtio-blk queue-size: above 2, at most VIRTQUEUE_MAX_SIZE


@dataclass(frozen=True, slots=True)
class Platform:
    binary: str
    machine: str
    suffix: str  # of the device model: virtio-net-pci, virtio-net-device, virtio-net-ccw
    arch: str  # libvirt's <type arch=...> and machine
    libvirt_machine: str

    @property
    def emulator(self) -> str:
        """The QEMU libvirt runs for `arch`."""
        return f"/usr/bin/qemu-system-{self.arch}"


PLATFORMS = {
    "pci": Platform("qemu-system-x86_64", "q35", "pci", "x86_64", "q35"),
    "mmio": Platform("qemu-system-x86_64", "microvm", "device", "aarch64", "virt"),
    "ccw": Platform("qemu-system-s390x", "s390-ccw-virtio", "ccw", "s390x", "s390-ccw-virtio"),
}


def on_off(value: bool) -> str:
    return "on" if value else "off"


def clamp(size: int, limits: tuple[int, int]) -> int:
    return min(max(size, limits[0]), limits[1])


def qemu_args(plan: HostPlan) -> tuple[Arg, ...]:
    platform = PLATFORMS[plan.transport]
    shared = plan.backend == "vhost-user"
    machine: tuple[Prop, ...] = (Prop("accel", "kvm"),)
    if shared:
        machine += (Prop("memory-backend", "mem0", marks.SHARED_MEMORY),)
    head = (
        Arg("-machine", platform.machine, machine, marks.ADDRESS),
        Arg("-cpu", "host"),
        Arg("-m", MEMORY),
        Arg("-smp", "2"),
    )
    return (*head, *_backend(plan), _device(plan, platform), Arg("-nographic", ""))


def _backend(plan: HostPlan) -> tuple[Arg, ...]:
    if plan.backend == "file":
        return (
            Arg("-blockdev", "driver=file", (Prop("filename", IMAGE, marks.DISK),
                                             Prop("node-name", "file0"))),
            Arg("-blockdev", "driver=raw", (Prop("file", "file0"), Prop("node-name", "disk0"))),
        )  # fmt: skip
    if plan.backend == "vhost-user":
        memfd = (Prop("id", "mem0"), Prop("size", MEMORY), Prop("share", "on", marks.SHARED_MEMORY))
        chardev = (Prop("id", "chr0"), Prop("path", SOCKET_PATH, marks.SOCKET))
        return (
            Arg("-object", "memory-backend-memfd", memfd, marks.SHARED_MEMORY),
            Arg("-chardev", "socket", chardev, marks.SOCKET),
            Arg("-netdev", "vhost-user", (Prop("id", "net0"), Prop("chardev", "chr0")),
                marks.SOCKET),
        )  # fmt: skip
    if plan.backend == "vdpa":
        vdpa = (Prop("id", "net0"), Prop("vhostdev", VDPA_DEVICE, marks.VDPA))
        return (Arg("-netdev", "vhost-vdpa", vdpa, marks.VDPA),)
    vhost = plan.backend == "vhost-net"
    props: tuple[Prop, ...] = (
        Prop("id", "net0"), Prop("ifname", TAP, marks.TAP), Prop("script", "no"),
        Prop("downscript", "no"),
        Prop("vhost", on_off(vhost), marks.VHOST_ON if vhost else marks.VHOST_OFF),
    )  # fmt: skip
    return (Arg("-netdev", "tap", props, marks.TAP),)


def _device(plan: HostPlan, platform: Platform) -> Arg:
    model = f"virtio-{plan.device}-{platform.suffix}"
    if plan.device == "blk":
        props = [Prop("drive", "disk0"), Prop("id", "blk0")]
    else:
        props = [Prop("netdev", "net0"), Prop("id", "nic0"), Prop("mac", plan.mac)]
    if plan.transport == "pci":
        props.append(Prop("addr", f"{PCI_SLOT:#x}", marks.ADDRESS))
    elif plan.transport == "ccw":
        props.append(Prop("devno", CCW_DEVNO, marks.ADDRESS))
    props += [
        Prop("packed", on_off(plan.options.ring == "packed"), marks.RING),
        Prop("event_idx", on_off(plan.event_idx), marks.EVENT_IDX),
    ]
    if plan.device == "blk":
        props.append(Prop("queue-size", str(clamp(plan.queue_size, BLK_QUEUE)), marks.QUEUE_SIZE))
    else:
        size = str(clamp(plan.queue_size, NET_QUEUE))
        props += [Prop("rx_queue_size", size, marks.QUEUE_SIZE),
                  Prop("tx_queue_size", size, marks.QUEUE_SIZE)]  # fmt: skip
    return Arg("-device", model, tuple(props), marks.DEVICE)


def checkable(plan: HostPlan, args: tuple[Arg, ...]) -> tuple[Arg, ...]:
    """The command line a machine without KVM, privileges or hardware can start (TCG,
    user networking), or () when the architecture needs what is missing."""
    if plan.backend in ("vhost-user", "vdpa"):
        return ()
    return tuple(_here(arg) for arg in args if arg.option not in ("-cpu", "-nographic"))


def _here(arg: Arg) -> Arg:
    if arg.option == "-machine":
        tcg = (Prop("accel", "tcg") if p.key == "accel" else p for p in arg.props)
        return replace(arg, props=tuple(tcg))
    if arg.option == "-netdev":
        return Arg("-netdev", "user", (Prop("id", "net0"),))
    return arg
