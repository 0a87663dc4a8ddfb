"""vdpa: the NIC runs the virtio data plane in hardware, behind an IOMMU (scenario 5)."""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="vdpa",
    title="Data plane in hardware (vDPA)",
    summary=(
        "The NIC itself understands virtio rings: it reads and writes them in guest memory "
        "by DMA, through IOMMU mappings that turn I/O virtual addresses into host-physical "
        "ones and fault on anything unmapped. QEMU only sets the card up through "
        "vhost-vdpa; the driver's doorbell writes reach the card directly and the card's "
        "MSIs come back through KVM."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-net driver", driver_sublabel="virtio_net"),
        parts.device_model(sublabel="control plane; vhost-vdpa front-end"),
        Box(
            id="vfio",
            label="VFIO",
            kind="component",
            parent="host-kernel",
            layer=Layer.HOST_KERNEL,
            column=0,
            sublabel="vhost-vdpa / vfio-pci: device control and IOMMU mappings",
        ),
        parts.kvm(column=2),
        Box(
            id="iommu",
            label="IOMMU",
            kind="hardware",
            parent="hardware",
            layer=Layer.HARDWARE,
            column=0,
            sublabel="I/O virtual to host-physical",
        ),
        parts.nic(sublabel="virtio-net data plane in hardware"),
    ),
    wires=(
        parts.pci_transport(),
        Wire(
            id="vdpa-setup",
            a="device-model",
            b="vfio",
            plane="control",
            label="vDPA setup",
            detail="QEMU programs the vhost-vdpa device with ioctls: status, features, each "
            "ring's size and addresses, and its call eventfd (VHOST_VDPA_SET_STATUS, "
            "VHOST_SET_VRING_ADDR, VHOST_SET_VRING_CALL).",
        ),
        Wire(
            id="dev-ctl",
            a="vfio",
            b="nic",
            plane="control",
            label="device control",
            detail="The card's driver in the host kernel writes those settings into the "
            "card's own registers.",
        ),
        Wire(
            id="iommu-map",
            a="vfio",
            b="iommu",
            plane="control",
            label="IOMMU mappings",
            detail="Each guest RAM region gets an entry in the card's IOMMU domain: an I/O "
            "virtual address range, the host-physical pages behind it and the access "
            "allowed (VHOST_IOTLB_UPDATE, or VFIO_IOMMU_MAP_DMA under VFIO).",
        ),
        Wire(
            id="dma-dev",
            a="nic",
            b="iommu",
            plane="data",
            label="DMA",
            detail="The card reads and writes guest memory at I/O virtual addresses: the "
            "addresses the driver put in the descriptors and queue registers.",
        ),
        Wire(
            id="dma-mem",
            a="iommu",
            b="virtqueue",
            plane="data",
            label="DMA (translated)",
            detail="The IOMMU turns each address into a host-physical one through its "
            "mappings, and blocks and reports any access no mapping allows.",
        ),
        Wire(
            id="doorbell",
            a="driver",
            b="nic",
            plane="notification",
            label="doorbell",
            detail="The card's notify area is mapped into the guest, so the driver's write "
            "lands in the card with no VM exit. Without that mapping the write would exit to "
            "KVM and the host would ring the doorbell for the guest.",
        ),
        Wire(
            id="msi",
            a="nic",
            b="kvm",
            plane="notification",
            label="MSI",
            detail="The card reports used buffers with an MSI-X message; the host hands it "
            "to KVM through an irqfd, or the platform posts it straight to the vCPU.",
        ),
        parts.vcpu_interrupt(),
        parts.eventfd_registration(),
    ),
    routes=(
        parts.config_route(),
        Route(
            name="setup",
            start="device-model",
            hops=("vdpa-setup", "dev-ctl"),
            label="QEMU programs the card's rings through vhost-vdpa",
        ),
        Route(
            name="map",
            start="device-model",
            hops=("vdpa-setup", "iommu-map"),
            label="QEMU has guest memory mapped in the card's IOMMU domain",
        ),
        Route(
            name="kick",
            start="driver",
            hops=("doorbell",),
            label="the driver writes the card's doorbell directly",
        ),
        Route(
            name="interrupt",
            start="nic",
            hops=("msi", "vcpu-irq"),
            label="the card sends an MSI, KVM interrupts the vCPU",
        ),
        Route(
            name="dma",
            start="nic",
            hops=("dma-dev", "dma-mem"),
            label="the card reaches the rings through the IOMMU",
        ),
        Route(
            name="tx",
            start="virtqueue",
            hops=("dma-mem", "dma-dev"),
            label="the card fetches the frame from guest memory by DMA",
        ),
        Route(
            name="rx",
            start="nic",
            hops=("dma-dev", "dma-mem"),
            label="the card writes a frame into a receive buffer by DMA",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="nic",
        control_plane="device-model",
        rings="virtqueue",
        outside="nic",
        iommu="iommu",
    ),
)
