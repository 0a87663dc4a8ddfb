"""virtio-blk: a block device emulated in QEMU, with the same paths as qemu-emulated."""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="virtio-blk",
    title="Block device emulated in QEMU",
    summary=(
        "The same trip as the emulated network device, but every request names sectors of "
        "a disk image: QEMU reads the request from guest memory, does the file I/O on the "
        "host, and writes the status byte back before it interrupts the guest."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-blk driver", driver_sublabel="virtio_blk"),
        parts.device_model(
            label="virtio-blk device model", sublabel="control plane and data plane"
        ),
        Box(
            id="host-fs",
            label="host file system",
            kind="component",
            parent="host-kernel",
            layer=Layer.HOST_KERNEL,
            column=0,
            sublabel="holds the disk image file",
        ),
        parts.kvm(column=2),
        Box(
            id="disk",
            label="disk",
            kind="hardware",
            parent="hardware",
            layer=Layer.HARDWARE,
            column=1,
            sublabel="the host's storage",
        ),
    ),
    wires=(
        parts.pci_transport(),
        parts.shared_memory("device-model"),
        parts.notify_exit(),
        parts.ioeventfd(to="device-model"),
        parts.mmio_exit(),
        parts.irqfd(frm="device-model"),
        parts.qemu_raises_irq(),
        parts.vcpu_interrupt(),
        parts.eventfd_registration(),
        Wire(
            id="file-io",
            a="device-model",
            b="host-fs",
            plane="data",
            label="file I/O",
            detail="QEMU reads or writes the sectors at their offset in the image file "
            "(preadv / pwritev, or io_uring).",
        ),
        Wire(
            id="block-io",
            a="host-fs",
            b="disk",
            plane="data",
            label="block I/O",
            detail="The host kernel moves the file's blocks to and from the storage device.",
        ),
    ),
    routes=(
        parts.config_route(),
        *parts.qemu_notification_routes(queue_irqfd=True),
        Route(
            name="write",
            start="virtqueue",
            hops=("shm", "file-io", "block-io"),
            label="QEMU reads the data from guest memory and writes it to the image",
        ),
        Route(
            name="read",
            start="disk",
            hops=("block-io", "file-io", "shm"),
            label="QEMU reads the image into the request's buffer",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="device-model",
        control_plane="device-model",
        rings="virtqueue",
        outside="disk",
    ),
)
