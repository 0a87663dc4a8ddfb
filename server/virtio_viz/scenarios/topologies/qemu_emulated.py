"""qemu-emulated: the whole virtio-net device is a model inside QEMU (the seed's scenario 1)."""

from __future__ import annotations

from dataclasses import replace

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="qemu-emulated",
    title="Device emulated in QEMU",
    summary=(
        "QEMU plays the whole virtio-net device in user space: it answers the driver's "
        "register accesses and also copies every frame between the rings and a tap "
        "interface. Every kick leaves the guest and wakes QEMU, and every interrupt is "
        "raised by QEMU itself, with an ioctl to KVM."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-net driver", driver_sublabel="virtio_net"),
        parts.device_model(sublabel="control plane and data plane"),
        parts.tap(column=1),
        parts.kvm(column=2),
        parts.nic(sublabel="the host's network card"),
    ),
    wires=(
        parts.pci_transport(),
        parts.shared_memory("device-model"),
        parts.notify_exit(),
        parts.ioeventfd(to="device-model"),
        parts.mmio_exit(),
        parts.qemu_raises_irq(),
        parts.vcpu_interrupt(),
        parts.eventfd_registration(),
        Wire(
            id="tap-fd",
            a="device-model",
            b="tap",
            plane="data",
            label="tap fd",
            detail="QEMU writes each transmitted frame to the tap file descriptor and reads "
            "received frames from it.",
        ),
        parts.tap_uplink(),
    ),
    routes=(
        parts.config_route(),
        *parts.qemu_notification_routes(),
        Route(
            name="tx",
            start="virtqueue",
            hops=("shm", "tap-fd", "uplink"),
            label="QEMU reads the frame from guest memory and writes it to the tap",
        ),
        Route(
            name="rx",
            start="nic",
            hops=("uplink", "tap-fd", "shm"),
            label="QEMU reads a frame from the tap into a receive buffer",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="device-model",
        control_plane="device-model",
        rings="virtqueue",
        outside="nic",
    ),
)


# The diagram of an imported QEMU trace: the same picture, plus the irqfd that QEMU's
# virtio-blk data plane signals (`virtio_notify_irqfd` lines) beside QEMU's own MSIs.
IMPORTED = replace(
    TOPOLOGY,
    wires=(*TOPOLOGY.wires, parts.irqfd(frm="device-model")),
    routes=(*TOPOLOGY.routes, parts.irqfd_interrupt()),
)
