"""The diagram of a live VM: the vhost-user picture, drawn as this machine really runs it.

The boxes are those of the vhost-user scenario (QEMU, the guest's virtio_net driver and
its rings, the back-end process with its memory table), with two honest differences:
QEMU runs the guest under TCG, a CPU emulated in software, so there is no KVM to turn
a notify write into an eventfd or an eventfd into an interrupt. QEMU's own vCPU thread
matches the notify write to the kick eventfd, and QEMU's main loop reads the call
eventfd and raises the device's INTx line (MSI-X is off: QEMU 7.2 under TCG cannot
route a vhost-user device's MSI-X vectors). And the "card" is virtio-viz's own network,
a single host inside the back-end.
"""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topologies import vhost_user
from virtio_viz.scenarios.topologies.vhost_user import backend_boxes, backend_wires
from virtio_viz.scenarios.topology import Box, Layer, Route, Topology, Wire

SCENARIO_ID = "live"


def _backend() -> tuple[Box, ...]:
    boxes = backend_boxes()
    relabelled = Box(id="vhost-user", label="virtio-viz back-end", kind="process",
                     parent="host-user", layer=Layer.HOST_USER, column=1,
                     sublabel="Python")  # fmt: skip
    return (relabelled, *boxes[1:])


def _wires() -> tuple[Wire, ...]:
    kept = tuple(w for w in backend_wires() if w.id in {"unix-socket", "shm"})
    return (
        *kept,
        Wire(
            id="notify-exit",
            a="driver",
            b="tcg",
            plane="notification",
            label="notify write",
            detail="The driver writes the queue's index to its notify address; the emulated "
            "CPU hands the store to QEMU's memory core.",
        ),
        Wire(
            id="ioeventfd",
            a="tcg",
            b="vhost-user",
            plane="notification",
            label="kick eventfd",
            detail="QEMU's memory core finds the ioeventfd registered for that address and "
            "writes it: the back-end's event loop wakes up.",
        ),
        Wire(
            id="call-eventfd",
            a="vhost-user",
            b="device-model",
            plane="notification",
            label="call eventfd",
            detail="The back-end writes the ring's call eventfd; "
            "QEMU's main loop reads it (without KVM there is no irqfd).",
        ),
        Wire(
            id="intx",
            a="device-model",
            b="driver",
            plane="notification",
            label="INTx",
            detail="QEMU sets the ISR bit and raises the device's PCI interrupt line; Linux's "
            "vp_interrupt() reads the ISR and runs the queue's callback.",
        ),
        Wire(
            id="network",
            a="vhost-user",
            b="nic",
            plane="data",
            label="frames",
            detail="The back-end hands each frame to its network and takes the answers "
            "back: nothing leaves the process.",
        ),
    )


TOPOLOGY = Topology(
    id=SCENARIO_ID,
    title="Live VM: Linux drives virtio-viz's vhost-user device",
    summary=(
        "A real Linux guest in QEMU (TCG) whose virtio-net device is served over vhost-user "
        "by virtio-viz itself: the back-end maps the guest's RAM, and every ring byte shown "
        "was read from it. Type in the guest's console and watch the kicks."
    ),
    boxes=(
        *parts.host_bands(),
        *parts.qemu_with_guest(driver="virtio-net driver", driver_sublabel="Linux virtio_net"),
        parts.device_model(sublabel="control plane; vhost-user front-end"),
        Box(
            id="tcg",
            label="vCPU thread (TCG)",
            kind="component",
            parent="qemu",
            layer=Layer.HOST_USER,
            column=2,
            sublabel="emulated CPU: catches the notify write",
        ),
        *_backend(),
        Box(
            id="nic",
            label="network",
            kind="hardware",
            parent="hardware",
            layer=Layer.HARDWARE,
            column=1,
            sublabel="inside the back-end: one host, 10.0.2.2",
        ),
    ),
    wires=(parts.pci_transport(), *_wires()),
    routes=(
        parts.config_route(),
        vhost_user.TOPOLOGY.route("setup"),
        Route(
            name="kick",
            start="driver",
            hops=("notify-exit", "ioeventfd"),
            label="the notify write reaches QEMU's memory core, which writes the kick eventfd",
        ),
        Route(
            name="interrupt",
            start="vhost-user",
            hops=("call-eventfd", "intx"),
            label="the back-end writes the call eventfd; QEMU raises INTx",
        ),
        Route(
            name="tx",
            start="virtqueue",
            hops=("shm", "network"),
            label="the back-end reads the frame from guest RAM and hands it to the network",
        ),
        Route(
            name="rx",
            start="nic",
            hops=("network", "shm"),
            label="the back-end writes the answer into a receive buffer in guest RAM",
        ),
    ),
    placement=vhost_user.TOPOLOGY.placement,
)
