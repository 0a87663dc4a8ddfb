"""vhost-net: QEMU keeps the control plane, the host kernel runs the data plane (scenario 2)."""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="vhost-net",
    title="Data plane in the host kernel (vhost-net)",
    summary=(
        "QEMU still answers the driver's register accesses, but once the device is set up "
        "it hands the rings to vhost-net with a few ioctls and leaves the data path. Kicks "
        "reach the vhost worker through an ioeventfd and interrupts return through an "
        "irqfd, so QEMU never wakes for a packet."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-net driver", driver_sublabel="virtio_net"),
        parts.device_model(sublabel="control plane; vhost front-end"),
        Box(
            id="vhost-net",
            label="vhost-net",
            kind="component",
            parent="host-kernel",
            layer=Layer.HOST_KERNEL,
            column=0,
            sublabel="vhost worker thread: the data plane",
        ),
        parts.tap(column=1),
        parts.kvm(column=2),
        parts.nic(sublabel="the host's network card"),
    ),
    wires=(
        parts.pci_transport(),
        Wire(
            id="vhost-ioctls",
            a="device-model",
            b="vhost-net",
            plane="control",
            label="vhost ioctls",
            detail="QEMU opens /dev/vhost-net and gives it the guest memory table, each "
            "ring's size and addresses, the kick and call eventfds and the tap "
            "(VHOST_SET_MEM_TABLE, VHOST_SET_VRING_*, VHOST_NET_SET_BACKEND).",
        ),
        Wire(
            id="shm",
            a="vhost-net",
            b="virtqueue",
            plane="data",
            label="shared memory",
            detail="vhost looks each guest-physical address up in the memory table and "
            "reaches guest RAM through QEMU's mapping of it.",
        ),
        parts.notify_exit(),
        parts.ioeventfd(to="vhost-net"),
        parts.irqfd(frm="vhost-net"),
        parts.vcpu_interrupt(),
        parts.eventfd_registration(),
        Wire(
            id="tap-fd",
            a="vhost-net",
            b="tap",
            plane="data",
            label="tap socket",
            detail="The worker passes frames to and from the tap device without leaving "
            "the kernel.",
        ),
        parts.tap_uplink(),
    ),
    routes=(
        parts.config_route(),
        Route(
            name="setup",
            start="device-model",
            hops=("vhost-ioctls",),
            label="QEMU hands the rings and eventfds to vhost-net",
        ),
        Route(
            name="kick",
            start="driver",
            hops=("notify-exit", "ioeventfd"),
            label="VM exit, then KVM signals the vhost worker's kick eventfd",
        ),
        Route(
            name="interrupt",
            start="vhost-net",
            hops=("irqfd", "vcpu-irq"),
            label="the worker signals the call eventfd, KVM interrupts the vCPU",
        ),
        Route(
            name="tx",
            start="virtqueue",
            hops=("shm", "tap-fd", "uplink"),
            label="the worker reads the frame from guest memory and sends it to the tap",
        ),
        Route(
            name="rx",
            start="nic",
            hops=("uplink", "tap-fd", "shm"),
            label="the worker copies a frame from the tap into a receive buffer",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="vhost-net",
        control_plane="device-model",
        rings="virtqueue",
        outside="nic",
    ),
)
