"""virtio-user: a poll-mode driver in guest user space facing a vhost-user back-end.

This is the seed's scenario 4 under the project's name for it. (DPDK also calls a
different thing "virtio-user": a virtio device that a host process, such as a container,
uses to talk vhost-user without any VM. That one is not this scenario.)
"""

from __future__ import annotations

from dataclasses import replace

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topologies.vhost_user import backend_boxes, backend_wires, socket_routes
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="virtio-user",
    title="User-space driver in the guest, vhost-user back-end",
    summary=(
        "The guest drives the device from user space, as DPDK's virtio poll-mode driver "
        "does, after the guest kernel has mapped the device's registers for it; the device "
        "is a vhost-user back-end. Both sides spin on the rings and tell each other not to "
        "notify, so kicks and interrupts mostly stay off."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(
            driver="virtio-net driver",
            driver_sublabel="DPDK-style poll-mode driver",
            driver_space="guest-user",
        ),
        Box(
            id="guest-vfio",
            label="vfio-pci / uio",
            kind="component",
            parent="guest-kernel",
            layer=Layer.GUEST_KERNEL,
            column=2,
            sublabel="hands the device's registers to user space",
        ),
        parts.device_model(sublabel="control plane; vhost-user front-end"),
        *backend_boxes(),
        parts.kvm(column=2),
        parts.nic(sublabel="driven by the back-end from user space"),
    ),
    wires=(
        parts.pci_transport(),
        Wire(
            id="bar-map",
            a="driver",
            b="guest-vfio",
            plane="control",
            label="mmap BARs",
            detail="The guest kernel maps the device's PCI BARs into the driver's process "
            "and gives it memory the device may use for rings and buffers.",
        ),
        parts.notify_exit(),
        replace(
            parts.vcpu_interrupt(),
            b="guest-vfio",
            detail="KVM injects the queue's MSI-X vector; the guest kernel takes it on "
            "behalf of the user-space driver.",
        ),
        Wire(
            id="guest-irq",
            a="guest-vfio",
            b="driver",
            plane="notification",
            label="eventfd",
            detail="The guest kernel forwards the interrupt to the "
            "driver's process through an eventfd it can read or poll.",
        ),
        parts.eventfd_registration(),
        *backend_wires(),
    ),
    routes=(
        parts.config_route(),
        *socket_routes(),
        Route(
            name="kick",
            start="driver",
            hops=("notify-exit", "ioeventfd"),
            suppressed=True,
            label="only if the back-end asks for it: VM exit, then the kick eventfd",
        ),
        Route(
            name="interrupt",
            start="vhost-user",
            hops=("irqfd", "vcpu-irq", "guest-irq"),
            suppressed=True,
            label="only if the driver asks for it: irqfd, vCPU interrupt, then an eventfd",
        ),
        Route(
            name="tx",
            start="virtqueue",
            hops=("shm", "pmd"),
            label="the back-end reads the frame from guest memory and sends it on the card",
        ),
        Route(
            name="rx",
            start="nic",
            hops=("pmd", "shm"),
            label="the back-end copies a frame from the card into a receive buffer",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="vhost-user",
        control_plane="device-model",
        rings="virtqueue",
        outside="nic",
    ),
)
