"""The libvirt domain XML of a `HostPlan`: the same machine as the QEMU command line,
in libvirt's words (libvirt turns this into that command line).

The device is an `<interface>` or a `<disk>` with a `<driver>` carrying the ring options;
vhost-user adds the `<memoryBacking>` that makes guest RAM a shared memfd. The address
element names the transport: PCI slot, `virtio-mmio`, or a channel I/O device number.
"""

from __future__ import annotations

from virtio_viz.hostconfig import marks
from virtio_viz.hostconfig.parts import Attr, Node
from virtio_viz.hostconfig.plan import HostPlan
from virtio_viz.hostconfig.qemu import (
    BLK_QUEUE,
    IMAGE,
    NET_QUEUE,
    PCI_SLOT,
    PLATFORMS,
    SOCKET_PATH,
    TAP,
    VDPA_DEVICE,
    clamp,
    on_off,
)
from virtio_viz.model.transport.ccw_layout import VIRTUAL_CSSID

MEMORY_MIB = "1024"
IMAGE_DIR = "/var/lib/libvirt/images"


def domain(plan: HostPlan) -> Node:
    platform = PLATFORMS[plan.transport]
    os_type = Node("type", (Attr("arch", platform.arch), Attr("machine", platform.libvirt_machine)),
                   text="hvm", mark=marks.ADDRESS)  # fmt: skip
    parts = [
        Node("name", text=f"virtio-viz-{plan.scenario}"),
        Node("memory", (Attr("unit", "MiB"),), text=MEMORY_MIB),
    ]
    if plan.backend == "vhost-user":
        parts.append(Node("memoryBacking", children=(
            Node("source", (Attr("type", "memfd"),)),
            Node("access", (Attr("mode", "shared"),)),
        ), mark=marks.SHARED_MEMORY))  # fmt: skip
    parts += [
        Node("vcpu", text="2"),
        Node("os", children=(os_type,)),
        Node("devices", children=(
            Node("emulator", text=platform.emulator),
            _disk(plan) if plan.device == "blk" else _interface(plan),
        )),
    ]  # fmt: skip
    return Node("domain", (Attr("type", "kvm"),), tuple(parts))


def _driver(plan: HostPlan, extra: tuple[Attr, ...]) -> Node:
    return Node("driver", (
        *extra,
        Attr("packed", on_off(plan.options.ring == "packed"), marks.RING),
        Attr("event_idx", on_off(plan.event_idx), marks.EVENT_IDX),
    ))  # fmt: skip


def _interface(plan: HostPlan) -> Node:
    size = str(clamp(plan.queue_size, NET_QUEUE))
    sizes = (Attr("rx_queue_size", size, marks.QUEUE_SIZE),
             Attr("tx_queue_size", size, marks.QUEUE_SIZE))  # fmt: skip
    kind, source, mark = {
        "vhost-user": ("vhostuser", Node("source", (
            Attr("type", "unix"), Attr("path", SOCKET_PATH), Attr("mode", "client"))),
            marks.SOCKET),
        "vdpa": ("vdpa", Node("source", (Attr("dev", VDPA_DEVICE),)), marks.VDPA),
    }.get(plan.backend, ("ethernet", Node("target", (Attr("dev", TAP), Attr("managed", "no"))),
                         marks.TAP))  # fmt: skip
    if plan.backend in ("tap", "vhost-net"):
        vhost = plan.backend == "vhost-net"
        name = Attr(
            "name", "vhost" if vhost else "qemu", marks.VHOST_ON if vhost else marks.VHOST_OFF
        )
        driver = _driver(plan, (name, *sizes))
    else:
        driver = _driver(plan, sizes)
    return Node("interface", (Attr("type", kind),), (
        Node("mac", (Attr("address", plan.mac),)),
        Node(source.tag, source.attrs, mark=mark),
        Node("model", (Attr("type", "virtio"),), mark=marks.DEVICE),
        driver,
        _address(plan),
    ))  # fmt: skip


def _disk(plan: HostPlan) -> Node:
    size = str(clamp(plan.queue_size, BLK_QUEUE))
    driver = _driver(plan, (Attr("name", "qemu"), Attr("type", "raw"),
                            Attr("queue_size", size, marks.QUEUE_SIZE)))  # fmt: skip
    return Node("disk", (Attr("type", "file"), Attr("device", "disk")), (
        driver,
        Node("source", (Attr("file", f"{IMAGE_DIR}/{IMAGE}"),), mark=marks.DISK),
        Node("target", (Attr("dev", "vda"), Attr("bus", "virtio")), mark=marks.DEVICE),
        _address(plan),
    ))  # fmt: skip


def _address(plan: HostPlan) -> Node:
    attrs: tuple[Attr, ...]
    if plan.transport == "ccw":
        attrs = (Attr("type", "ccw"), Attr("cssid", f"{VIRTUAL_CSSID:#x}"),
                 Attr("ssid", "0x0"), Attr("devno", "0x0000"))  # fmt: skip
    elif plan.transport == "mmio":
        attrs = (Attr("type", "virtio-mmio"),)
    else:
        attrs = (Attr("type", "pci"), Attr("domain", "0x0000"), Attr("bus", "0x00"),
                 Attr("slot", f"{PCI_SLOT:#04x}"), Attr("function", "0x0"))  # fmt: skip
    return Node("address", attrs, mark=marks.ADDRESS)
