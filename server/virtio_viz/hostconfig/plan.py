"""What a real host needs to build one scenario, read from the model itself.

How this works: `plan_for()` builds the scenario's world with the reader's options (the
same call the timeline makes, and cheap: nothing runs yet) and reads the device the
model will present: its type, the features it offers (so packed=on is there exactly when
the model's device offers VIRTIO_F_RING_PACKED, and event_idx=off when it does not offer
VIRTIO_F_EVENT_IDX), its queue size and MAC, and its transport. Where the device's work
is done comes from the diagram's placement: QEMU's device model, vhost-net, a
vhost-user back-end, the NIC (vDPA); a driver in guest user space means a poll-mode
driver in the guest. Nothing here is written per scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from virtio_viz.model.features import bit
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.transport.ccw import CcwTransport
from virtio_viz.model.transport.mmio import MmioTransport
from virtio_viz.scenarios.options import StoryOptions, TransportKind
from virtio_viz.scenarios.stories.worlds import MachineWorld, NetWorld
from virtio_viz.scenarios.story import Story

Backend = Literal["tap", "vhost-net", "vhost-user", "vdpa", "file"]
Device = Literal["net", "blk"]
# where the diagram puts the device's data plane -> what carries it on a real host
_BACKENDS: dict[str, Backend] = {
    "device-model": "tap", "vhost-net": "vhost-net", "vhost-user": "vhost-user", "nic": "vdpa",
}  # fmt: skip


class HostConfigError(ValueError):
    """The scenario has no host configuration (or the options cannot make one)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class HostPlan:
    scenario: str
    options: StoryOptions
    transport: TransportKind
    device: Device
    backend: Backend
    guest_pmd: bool  # the driver runs in guest user space (DPDK's virtio PMD)
    packed: bool  # the model's device offers VIRTIO_F_RING_PACKED
    event_idx: bool  # ... and VIRTIO_F_EVENT_IDX
    queue_size: int  # the model's per-queue maximum
    mac: str

    @property
    def packed_dropped(self) -> bool:
        """Packed rings were asked for but the back-end cannot serve them."""
        return self.options.ring == "packed" and not self.packed


def plan_for(story: Story[Any], options: StoryOptions) -> HostPlan:
    story.check(options)
    world = story.build(options, 0)
    if not isinstance(world, MachineWorld):
        raise HostConfigError("scenario", f"{story.id} is the rings alone, with no host to "
                              "configure")  # fmt: skip
    device = world.machine.device
    offered = device.status.features.offered
    placement = story.topology.placement
    kind: Device = "blk" if device.device_id == DeviceId.BLOCK else "net"
    backend = "file" if kind == "blk" else _BACKENDS[placement.data_plane]
    driver_box = story.topology.box(placement.driver)
    mac = world.machine.net.mac if isinstance(world, NetWorld) else b""
    return HostPlan(
        scenario=story.id, options=options, transport=_transport(world), device=kind,
        backend=backend, guest_pmd=driver_box.parent == "guest-user",
        packed=bool(offered & bit("VIRTIO_F_RING_PACKED")),
        event_idx=bool(offered & bit("VIRTIO_F_EVENT_IDX")),
        queue_size=device.queues.configs[0].max_size, mac=":".join(f"{b:02x}" for b in mac),
    )  # fmt: skip


def _transport(world: MachineWorld) -> TransportKind:
    transport = world.machine.transport
    if isinstance(transport, CcwTransport):
        return "ccw"
    return "mmio" if isinstance(transport, MmioTransport) else "pci"
