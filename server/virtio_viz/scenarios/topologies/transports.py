"""The same architecture on another transport: the diagram a story draws for its options.

How this works: every scenario's topology is drawn for a PCI guest (the seed's
pictures). `for_transport()` redraws the parts the transport decides and leaves the rest:
- MMIO: the "pci" wire becomes the virtio-mmio register window and the interrupt is the
  device's line rather than an MSI-X vector (virtio-1.2 §4.2), which QEMU raises itself:
  QEMU binds no irqfd for virtio-mmio, so even a back-end's interrupt passes through it;
- channel I/O: the guest is an s390x machine, so there is no PCI wire at all. The driver
  starts channel programs on a subchannel, which KVM hands to QEMU's channel subsystem,
  a box of its own that passes each CCW to the virtio-ccw proxy; the kick is a
  DIAGNOSE 0x500 intercept and the interrupt an adapter I/O interrupt after the
  indicator bits are set (virtio-1.2 §4.3). The config route goes through the channel
  subsystem, and every wire and route keeps its id, so events still find their hops.
"""

from __future__ import annotations

from dataclasses import replace

from virtio_viz.scenarios.topologies._parts import qemu_raises_irq
from virtio_viz.scenarios.topology import Box, Layer, Route, Topology, Wire, route_key

CSS = Box(
    id="css",
    label="channel subsystem",
    kind="component",
    parent="qemu",
    layer=Layer.HOST_USER,
    column=0,
    sublabel="QEMU's virtual css: subchannel 0.0.0000",
)
SSCH = Wire(
    id="ssch",
    a="driver",
    b="css",
    plane="control",
    label="START SUBCHANNEL",
    detail="The driver writes a CCW and its control block into guest memory and issues "
    "START SUBCHANNEL. The I/O instruction leaves the guest (an intercept) and KVM hands "
    "it to QEMU's channel subsystem, which fetches the CCW from guest memory.",
)
CCW_COMMAND = Wire(
    id="ccw-cmd",
    a="css",
    b="device-model",
    plane="control",
    label="channel command",
    detail="The channel subsystem gives the CCW to the virtio-ccw proxy, which reads or "
    "writes the control block and ends the program with a status; an I/O interrupt for "
    "the subchannel wakes the driver.",
)

_CCW_WIRES: dict[str, tuple[str, str]] = {  # wire id -> (label, detail)
    "notify-exit": (
        "DIAGNOSE 0x500 (intercept)",
        "The driver kicks with a hypercall: subcode 3 in GPR1, the subchannel id in GPR2, "
        "the queue in GPR3 and the previous cookie in GPR4. It leaves the guest into KVM.",
    ),
    "ioeventfd": (
        "ioeventfd",
        "KVM looks the subchannel id and queue up on its virtio-ccw notify bus and signals "
        "the eventfd registered for them; GPR2 returns a cookie that speeds up the next "
        "lookup.",
    ),
    "mmio-exit": (
        "DIAGNOSE exit to QEMU",
        "Without an ioeventfd, KVM returns to QEMU's vCPU thread with the intercepted "
        "DIAGNOSE, and QEMU's handle_diag_500() passes the queue to the device model.",
    ),
    "irqfd": (
        "irqfd",
        "The eventfd is bound to an s390 adapter route: KVM sets the queue's indicator bit "
        "and the summary byte in guest memory, then makes the adapter interrupt.",
    ),
    "vcpu-irq": (
        "adapter I/O interrupt",
        "KVM injects an adapter I/O interrupt for the interruption subclass the driver "
        "chose; the driver's handler reads the indicator bits to learn which queues have "
        "used buffers.",
    ),
    "qemu-irq": (
        "adapter interrupt",
        "QEMU raises the interrupt itself: virtio_ccw_notify() sets the queue's indicator "
        "bit and the summary byte in guest memory, then css_adapter_interrupt() has KVM "
        "inject the adapter I/O interrupt.",
    ),
    "kvm-fds": (
        "KVM_IOEVENTFD / KVM_IRQFD",
        "QEMU registers an eventfd per queue on KVM's virtio-ccw notify bus (subchannel id "
        "and queue index), and adapter interrupt routes that know where the indicators are.",
    ),
}
_CCW_ROUTES: dict[str, str] = {  # route key -> label
    "config": "the driver runs channel programs: revision, status, features, queues, indicators",
    "kick": "DIAGNOSE 0x500 intercept, then KVM signals the queue's ioeventfd",
    "kick/mmio-exit": "DIAGNOSE 0x500 intercept, then QEMU's vCPU thread handles it",
}
_MMIO_WIRES: dict[str, tuple[str, str]] = {
    "pci": (
        "MMIO transport",
        "The virtio-mmio registers of the device's window: status, feature and queue "
        "registers. Each access leaves the guest (a VM exit) and KVM passes it to QEMU.",
    ),
    "vcpu-irq": (
        "vCPU interrupt",
        "KVM raises the device's interrupt line; the driver reads InterruptStatus to learn "
        "why and acknowledges it.",
    ),
    "qemu-irq": (
        "KVM_IRQ_LINE",
        "QEMU raises the device's interrupt line itself: virtio_mmio_update_irq() calls "
        "qemu_set_irq(), which with KVM's in-kernel irqchip is a KVM_IRQ_LINE ioctl.",
    ),
}


def for_transport(topology: Topology, transport: str) -> Topology:
    """The diagram of `topology` for a guest on `transport` ("pci", "mmio" or "ccw")."""
    if transport == "mmio":
        return _relabel(_without_irqfd(topology), _MMIO_WIRES)
    if transport != "ccw" or not any(wire.id == "pci" for wire in topology.wires):
        return topology
    return _on_channel_io(topology)


def _without_irqfd(topology: Topology) -> Topology:
    """virtio-mmio has no irqfd in QEMU (virtio_mmio_set_guest_notifiers() passes
    with_irqfd false): whoever signals a queue's call eventfd, QEMU's main loop reads it
    and raises the device's line itself. So an interrupt route that crossed the irqfd
    goes through QEMU instead: from a back-end over its call eventfd, then QEMU -> KVM."""
    irqfd = next((wire for wire in topology.wires if wire.id == "irqfd"), None)
    if irqfd is None:
        return topology
    wires = [wire for wire in topology.wires if wire.id != "irqfd"]
    if not any(wire.id == "qemu-irq" for wire in wires):
        wires.append(qemu_raises_irq())
    through: tuple[str, ...] = ("qemu-irq",)
    if irqfd.a != "device-model":
        wires.append(_call_eventfd(irqfd.a))
        through = (CALL_FD, "qemu-irq")
    routes = tuple(
        replace(route, hops=tuple(h for hop in route.hops for h in (through if hop == "irqfd"
                                                                     else (hop,))))
        for route in topology.routes
    )  # fmt: skip
    return replace(topology, wires=tuple(wires), routes=routes)


CALL_FD = "call-fd"


def _call_eventfd(backend: str) -> Wire:
    return Wire(
        id=CALL_FD,
        a=backend,
        b="device-model",
        plane="notification",
        label="call eventfd",
        detail="The back-end signals the queue's call eventfd as usual, but with virtio-mmio "
        "nothing binds it to KVM: QEMU's main loop reads it and raises the line itself.",
    )


def _relabel(topology: Topology, texts: dict[str, tuple[str, str]]) -> Topology:
    wires = tuple(
        replace(wire, label=texts[wire.id][0], detail=texts[wire.id][1])
        if wire.id in texts else wire
        for wire in topology.wires
    )  # fmt: skip
    return replace(topology, wires=wires)


def _on_channel_io(topology: Topology) -> Topology:
    sublabels = {"vm": "an s390x guest: its memory is part of QEMU's"}
    boxes: list[Box] = []
    for box in topology.boxes:
        if box.id == "driver":
            sublabels["driver"] = f"{box.sublabel} over virtio_ccw"
        boxes.append(replace(box, sublabel=sublabels[box.id]) if box.id in sublabels else box)
        if box.id == "qemu":
            boxes.append(CSS)
    wires: list[Wire] = []
    for wire in _relabel(topology, _CCW_WIRES).wires:
        wires.extend((SSCH, CCW_COMMAND) if wire.id == "pci" else (wire,))
    routes = tuple(_ccw_route(route) for route in topology.routes)
    summary = (
        f"{topology.summary} Here the guest is an s390x machine on channel I/O: it finds "
        "the device in the channel subsystem, sets it up with channel programs, kicks it "
        "with DIAGNOSE 0x500 and learns of used buffers from indicator bits and adapter "
        "interrupts."
    )
    return replace(topology, summary=summary, boxes=tuple(boxes), wires=tuple(wires),
                   routes=routes)  # fmt: skip


def _ccw_route(route: Route) -> Route:
    hops: list[str] = []
    for hop in route.hops:
        hops.extend((SSCH.id, CCW_COMMAND.id) if hop == "pci" else (hop,))
    label = _CCW_ROUTES.get(route_key(route.name, route.variant), route.label)
    return replace(route, hops=tuple(hops), label=label)
