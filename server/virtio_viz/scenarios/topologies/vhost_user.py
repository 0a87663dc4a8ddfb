"""vhost-user: the data plane runs in another host process, a DPDK-style back-end (scenario 3)."""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Box, Layer, Placement, Route, Topology, Wire


def backend_boxes(column: int = 1) -> tuple[Box, ...]:
    """The back-end process and the memory table it translates guest addresses with."""
    return (
        Box(
            id="vhost-user",
            label="vhost-user process",
            kind="process",
            parent="host-user",
            layer=Layer.HOST_USER,
            column=column,
            sublabel="DPDK-style back-end: the data plane",
        ),
        Box(
            id="memtable",
            label="memory table",
            kind="memory",
            parent="vhost-user",
            layer=Layer.HOST_USER,
            sublabel="guest-physical to back-end address",
        ),
    )


def backend_wires() -> tuple[Wire, ...]:
    """Socket, shared memory, eventfds and the physical card, as vhost-user wires them."""
    return (
        Wire(
            id="unix-socket",
            a="device-model",
            b="vhost-user",
            plane="control",
            label="unix socket",
            detail="QEMU sends vhost-user messages: the features, the memory table with "
            "a file descriptor per guest RAM region, each ring's size and addresses, and "
            "the kick and call eventfds (SET_MEM_TABLE, SET_VRING_ADDR, SET_VRING_KICK, "
            "SET_VRING_CALL).",
        ),
        Wire(
            id="shm",
            a="vhost-user",
            b="virtqueue",
            plane="data",
            label="shared memory",
            detail="The back-end maps the guest RAM it was given and turns every "
            "guest-physical address into one of its own through the memory table.",
        ),
        parts.ioeventfd(to="vhost-user"),
        parts.irqfd(frm="vhost-user"),
        Wire(
            id="pmd",
            a="vhost-user",
            b="nic",
            plane="data",
            label="poll-mode driver",
            detail="The back-end drives the physical card itself from user space and polls "
            "its queues instead of waiting for interrupts.",
        ),
    )


def socket_routes() -> tuple[Route, ...]:
    """Messages over the socket: QEMU's requests, and the back-end's replies coming back."""
    return (
        Route(
            name="setup",
            start="device-model",
            hops=("unix-socket",),
            label="QEMU sends the memory table, rings and eventfds over the socket",
        ),
        Route(
            name="setup",
            variant="reply",
            start="vhost-user",
            hops=("unix-socket",),
            label="the back-end answers QEMU over the socket",
        ),
    )


TOPOLOGY = Topology(
    id="vhost-user",
    title="Data plane in a user-space back-end (vhost-user)",
    summary=(
        "Like vhost-net, but the data plane is a separate host process that QEMU sets up "
        "with messages over a unix socket. The back-end maps guest RAM and translates every "
        "guest-physical address through its memory table; kicks and interrupts still go "
        "through KVM's ioeventfd and irqfd."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-net driver", driver_sublabel="virtio_net"),
        parts.device_model(sublabel="control plane; vhost-user front-end"),
        *backend_boxes(),
        parts.kvm(column=2),
        parts.nic(sublabel="driven by the back-end from user space"),
    ),
    wires=(
        parts.pci_transport(),
        parts.notify_exit(),
        parts.vcpu_interrupt(),
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
            label="VM exit, then KVM signals the back-end's kick eventfd",
        ),
        Route(
            name="interrupt",
            start="vhost-user",
            hops=("irqfd", "vcpu-irq"),
            label="the back-end signals the call eventfd, KVM interrupts the vCPU",
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
