"""Pieces every QEMU/KVM picture shares, so each scenario module only says what differs.

Ids are shared across scenarios on purpose: the driver is always "driver", the rings
always "virtqueue", KVM always "kvm", so styles, tests and stories can rely on them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from virtio_viz.scenarios.topology import Box, Layer, Route, Wire

GuestSpace = Literal["guest-kernel", "guest-user"]


def host_bands() -> tuple[Box, ...]:
    """The three bands of a host, as the seed separates them with horizontal lines."""
    return (
        Box(id="host-user", label="host user space", kind="space", layer=Layer.HOST_USER),
        Box(id="host-kernel", label="host kernel space", kind="space", layer=Layer.HOST_KERNEL),
        Box(id="hardware", label="hardware", kind="space", layer=Layer.HARDWARE),
    )


def qemu_with_guest(
    *, driver: str, driver_sublabel: str, driver_space: GuestSpace = "guest-kernel"
) -> tuple[Box, ...]:
    """The QEMU process, its VM, the guest's two spaces, and the driver with its rings."""
    layer = Layer.GUEST_USER if driver_space == "guest-user" else Layer.GUEST_KERNEL
    return (
        Box(
            id="qemu",
            label="QEMU process",
            kind="process",
            parent="host-user",
            layer=Layer.HOST_USER,
        ),
        Box(
            id="vm",
            label="VM",
            kind="vm",
            parent="qemu",
            layer=Layer.GUEST_KERNEL,
            sublabel="guest memory is part of QEMU's address space",
        ),
        Box(
            id="guest-user",
            label="guest user space",
            kind="space",
            parent="vm",
            layer=Layer.GUEST_USER,
        ),
        Box(
            id="guest-kernel",
            label="guest kernel space",
            kind="space",
            parent="vm",
            layer=Layer.GUEST_KERNEL,
        ),
        Box(
            id="driver",
            label=driver,
            kind="component",
            parent=driver_space,
            layer=layer,
            column=1,
            sublabel=driver_sublabel,
        ),
        *rings(parent="driver", layer=layer),
    )


def rings(*, parent: str, layer: int) -> tuple[Box, ...]:
    """A split virtqueue: three parts the driver allocates in guest memory (virtio-1.2
    §2.7). The sublabels are the spec's names for the three areas (§2.7, §2.7.1)."""
    return (
        Box(
            id="virtqueue",
            label="virtqueue",
            kind="memory",
            parent=parent,
            layer=layer,
            sublabel="split ring in guest memory",
        ),
        Box(
            id="desc-table",
            label="descriptor table",
            kind="memory",
            parent="virtqueue",
            layer=layer,
            sublabel="Descriptor Area",
        ),
        Box(
            id="avail-ring",
            label="avail ring",
            kind="memory",
            parent="virtqueue",
            layer=layer,
            sublabel="Driver Area",
        ),
        Box(
            id="used-ring",
            label="used ring",
            kind="memory",
            parent="virtqueue",
            layer=layer,
            sublabel="Device Area",
        ),
    )


def device_model(*, label: str = "virtio-net device model", sublabel: str) -> Box:
    return Box(
        id="device-model",
        label=label,
        kind="component",
        parent="qemu",
        layer=Layer.HOST_USER,
        column=1,
        sublabel=sublabel,
    )


def kvm(column: int = 2) -> Box:
    return Box(
        id="kvm",
        label="KVM",
        kind="component",
        parent="host-kernel",
        layer=Layer.HOST_KERNEL,
        column=column,
        sublabel="kernel virtual machine",
    )


def nic(*, sublabel: str, column: int = 1) -> Box:
    return Box(
        id="nic",
        label="NIC",
        kind="hardware",
        parent="hardware",
        layer=Layer.HARDWARE,
        column=column,
        sublabel=sublabel,
    )


def pci_transport() -> Wire:
    return Wire(
        id="pci",
        a="driver",
        b="device-model",
        plane="control",
        label="PCI transport",
        detail="Status, feature and queue registers of the virtio PCI capabilities. Each "
        "access leaves the guest (a VM exit) and KVM passes it to QEMU, which answers "
        "for the device.",
    )


def notify_exit() -> Wire:
    # virtio-1.2 §4.1.4.4: the kick is a write of the queue index to the notify address
    return Wire(
        id="notify-exit",
        a="driver",
        b="kvm",
        plane="notification",
        label="notify write (VM exit)",
        detail="The driver writes the queue's index to its notify address. The page is not "
        "backed by memory, so the write stops the vCPU and enters KVM.",
    )


def vcpu_interrupt() -> Wire:
    # virtio-1.2 §4.1.5.1.2: the driver picks the MSI-X vector of each queue
    return Wire(
        id="vcpu-irq",
        a="kvm",
        b="driver",
        plane="notification",
        label="vCPU interrupt (MSI-X)",
        detail="KVM injects the MSI-X vector the driver assigned to the queue, and the "
        "guest's interrupt handler runs the driver's callback.",
    )


def ioeventfd(to: str) -> Wire:
    return Wire(
        id="ioeventfd",
        a="kvm",
        b=to,
        plane="notification",
        label="ioeventfd",
        detail="KVM recognises the notify address and signals an eventfd instead of "
        "returning to user space; whoever waits on that eventfd wakes up.",
    )


def irqfd(frm: str) -> Wire:
    return Wire(
        id="irqfd",
        a=frm,
        b="kvm",
        plane="notification",
        label="irqfd",
        detail="Signalling this eventfd makes KVM raise the guest interrupt bound to it, "
        "so whoever finished the work can interrupt the guest without going through "
        "QEMU's vCPU thread.",
    )


def qemu_raises_irq() -> Wire:
    """QEMU itself raises the guest's interrupt (no vhost, no irqfd): `msix_notify()`
    builds the MSI-X message, and with KVM's in-kernel irqchip it reaches KVM as an ioctl."""
    return Wire(
        id="qemu-irq",
        a="device-model",
        b="kvm",
        plane="notification",
        label="KVM_SIGNAL_MSI",
        detail="QEMU raises the interrupt itself: virtio_notify() calls msix_notify(), and "
        "with KVM's in-kernel irqchip the MSI-X message goes to KVM as a KVM_SIGNAL_MSI "
        "ioctl from QEMU's thread.",
    )


def eventfd_registration() -> Wire:
    return Wire(
        id="kvm-fds",
        a="device-model",
        b="kvm",
        plane="control",
        label="KVM_IOEVENTFD / KVM_IRQFD",
        detail="QEMU tells KVM which notify address signals which eventfd, and which "
        "eventfd raises which guest interrupt.",
    )


def config_route() -> Route:
    return Route(
        name="config",
        start="driver",
        hops=("pci",),
        label="the driver sets status, features and queue addresses",
    )


def tap(column: int = 1) -> Box:
    return Box(
        id="tap",
        label="tap",
        kind="component",
        parent="host-kernel",
        layer=Layer.HOST_KERNEL,
        column=column,
        sublabel="host network interface of the guest",
    )


def tap_uplink() -> Wire:
    return Wire(
        id="uplink",
        a="tap",
        b="nic",
        plane="data",
        label="bridge / NIC driver",
        detail="The host's network stack switches frames between the tap interface and "
        "the physical card.",
    )


def mmio_exit() -> Wire:
    return Wire(
        id="mmio-exit",
        a="kvm",
        b="device-model",
        plane="notification",
        label="KVM_EXIT_MMIO",
        detail="Without an ioeventfd, KVM_RUN returns to QEMU's vCPU thread with the "
        "write, and QEMU hands it to the device model before resuming the guest.",
    )


def shared_memory(device: str) -> Wire:
    return Wire(
        id="shm",
        a=device,
        b="virtqueue",
        plane="data",
        label="shared memory",
        detail="Guest RAM is mapped into QEMU, so the device model reads descriptors and "
        "buffers and writes the used ring with ordinary loads and stores.",
    )


def qemu_notification_routes(*, queue_irqfd: bool = False) -> tuple[Route, ...]:
    """Kick and interrupt when QEMU itself is the device: the ioeventfd kick, the slower
    MMIO-exit kick without it, and QEMU raising the interrupt through KVM. With
    `queue_irqfd` (QEMU's virtio-blk data plane) queue interrupts go through an irqfd
    instead, and configuration changes keep the direct path as the "config" variant."""
    raise_irq = Route(
        name="interrupt",
        start="device-model",
        hops=("qemu-irq", "vcpu-irq"),
        label="QEMU raises the MSI with a KVM_SIGNAL_MSI ioctl, KVM interrupts the vCPU",
    )
    interrupts = (
        (replace(irqfd_interrupt(), variant=""), replace(raise_irq, variant="config"))
        if queue_irqfd
        else (raise_irq,)
    )
    return (
        Route(
            name="kick",
            start="driver",
            hops=("notify-exit", "ioeventfd"),
            label="VM exit, then KVM signals the ioeventfd QEMU waits on",
        ),
        Route(
            name="kick",
            variant="mmio-exit",
            start="driver",
            hops=("notify-exit", "mmio-exit"),
            label="VM exit, then KVM returns to QEMU's vCPU thread with the write",
        ),
        *interrupts,
    )


def irqfd_interrupt() -> Route:
    """Interrupts through the irqfd wire, as the variant "irqfd" (a diagram of imported
    traces has both: `virtio_notify_irqfd` lines come from QEMU's virtio-blk data plane)."""
    return Route(
        name="interrupt",
        variant="irqfd",
        start="device-model",
        hops=("irqfd", "vcpu-irq"),
        label="QEMU signals the queue's irqfd, KVM interrupts the vCPU",
    )
