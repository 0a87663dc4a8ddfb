"""ring-lab: no host at all, just a driver, the rings in guest memory and a device.

The user plays both sides here, so the picture keeps only what the spec itself names:
the two parties, the memory they share and the notifications between them.
"""

from __future__ import annotations

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topology import Box, Placement, Route, Topology, Wire

TOPOLOGY = Topology(
    id="ring-lab",
    title="Ring lab",
    summary=(
        "A bench with nothing but the two parties and the memory between them: you write "
        "descriptors and ring entries by hand, as the driver and as the device, and watch "
        "every byte and index move."
    ),
    boxes=(
        Box(id="driver", label="driver", kind="component", column=0, sublabel="you, as the driver"),
        Box(id="guest-memory", label="guest memory", kind="memory", column=1),
        *parts.rings(parent="guest-memory", layer=0),
        Box(id="device", label="device", kind="component", column=2, sublabel="you, as the device"),
    ),
    wires=(
        Wire(
            id="registers",
            a="driver",
            b="device",
            plane="control",
            label="transport registers",
            # virtio-1.2 §4.1.4.3 (PCI common configuration), §4.2.2 (MMIO registers)
            detail="Device status, features, and each queue's size and addresses.",
        ),
        Wire(
            id="driver-mem",
            a="driver",
            b="virtqueue",
            plane="data",
            label="descriptors, avail ring",
            # virtio-1.2 §2.7.13: the driver fills descriptors, then publishes avail.idx
            detail="The driver fills descriptors and publishes their heads in the avail "
            "ring; it reads back what the device put in the used ring.",
        ),
        Wire(
            id="device-mem",
            a="device",
            b="virtqueue",
            plane="data",
            label="used ring",
            # virtio-1.2 §2.7.14 / §2.7.8: the device reads the chain, then fills used
            detail="The device reads the avail ring and the descriptors it points to, then "
            "returns each buffer through the used ring.",
        ),
        Wire(
            id="avail-notify",
            a="driver",
            b="device",
            plane="notification",
            label="available buffer notification",
            detail="The driver tells the device that new buffers are waiting (virtio-1.2 §2.9).",
        ),
        Wire(
            id="used-notify",
            a="device",
            b="driver",
            plane="notification",
            label="used buffer notification",
            detail="The device tells the driver that it has returned buffers (virtio-1.2 §2.3).",
        ),
    ),
    routes=(
        Route(
            name="config",
            start="driver",
            hops=("registers",),
            label="the driver sets status, features and queue addresses",
        ),
        Route(
            name="kick",
            start="driver",
            hops=("avail-notify",),
            label="the driver notifies the device",
        ),
        Route(
            name="interrupt",
            start="device",
            hops=("used-notify",),
            label="the device notifies the driver",
        ),
    ),
    placement=Placement(
        driver="driver",
        data_plane="device",
        control_plane="device",
        rings="virtqueue",
    ),
)
