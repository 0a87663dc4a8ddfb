"""Where an event happens on a scenario's diagram: its box, and the wires it travels.

How this works: the model's events say who acted (`actor`: driver or device, or a named
host component) and what kind of thing happened; the topology says where each role runs
(`Placement`) and which wires each kind of traffic takes (`Route`). `locate()` joins the
two: a driver's register access travels the `config` route, a driver's notify write the
`kick` route, a device's interrupt the `interrupt` route, a transmitted frame the `tx`
route, and a device reading or writing the rings crosses the wire between the ring memory
and the box that runs the data plane (through the IOMMU where there is one).
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.events import Event
from virtio_viz.scenarios.topology import RouteName, Topology

_CONTROL_KINDS = frozenset(
    {"status_set", "status_reset", "status_rewrite", "status_write_ignored", "device_reset",
     "features_accepted", "features_refused", "queue_enabled", "queue_disabled",
     "device_needs_reset", "config_changed", "queue_write_ignored", "queue_enable_ignored"}
)  # fmt: skip
_DEVICE_SIDE_KINDS: dict[str, RouteName] = {
    "net_tx_frame": "tx",
    "net_rx_frame": "rx",
    "net_rx_drop": "rx",
}


@dataclass(frozen=True, slots=True)
class Location:
    box: str
    route: RouteName | None = None
    hops: tuple[str, ...] = ()


def locate(topology: Topology, event: Event, *, kick_variant: str = "") -> Location:
    """The box `event` happens in and the route (wire ids, in order) it travels."""
    placement = topology.placement
    if event.actor not in {"driver", "device"}:
        return _named_actor(topology, event)
    if event.actor == "driver":
        return _driver_event(topology, event, kick_variant)
    if event.kind in _CONTROL_KINDS or event.plane == "control":
        return Location(placement.control_plane)
    if event.kind == "interrupt":
        config = event.queue is None and topology.has_route("interrupt", "config")
        return _along(topology, placement.data_plane, "interrupt", "config" if config else "")
    route = _DEVICE_SIDE_KINDS.get(event.kind) or _blk_route(event)
    if route is not None:
        return _along(topology, placement.data_plane, route)
    if event.plane == "data" or event.kind.endswith(("_read", "_write", "_publish")):
        return Location(placement.data_plane, None, ring_wires(topology))
    return Location(placement.data_plane)


_TRANSPORT_KINDS = frozenset({"register_read", "register_write", "ccw_start", "diagnose_notify"})


def is_notify_write(event: Event) -> bool:
    """The driver's kick: a write to a queue's notification address (virtio-1.2 §4.1.4.4,
    PCI's notify region; §4.2.2, MMIO's QueueNotify) or DIAGNOSE 0x500 on channel I/O
    (§4.3.3.2). Other notification-plane registers (ISR status, InterruptStatus,
    InterruptACK) are ordinary register accesses."""
    if event.actor != "driver":
        return False
    if event.kind == "diagnose_notify":
        return True
    register = str(event.values.get("register", ""))
    return event.kind == "register_write" and (
        event.values.get("region") == "notify" or register == "QueueNotify"
    )


def _driver_event(topology: Topology, event: Event, kick_variant: str) -> Location:
    driver = topology.placement.driver
    if is_notify_write(event):
        variant = kick_variant if topology.has_route("kick", kick_variant) else ""
        return _along(topology, driver, "kick", variant)
    if event.kind in _TRANSPORT_KINDS:
        return _along(topology, driver, "config")
    return Location(driver)


def _blk_route(event: Event) -> RouteName | None:
    if event.kind != "blk_request":
        return None
    return "write" if event.values.get("type") in {"OUT", 1} else "read"


# named actors' events that travel a route (and its variant): QEMU's vhost ioctls, and
# vhost-user messages and the back-end's replies to them
_NAMED_ROUTES: dict[str, tuple[RouteName, str]] = {
    "vhost_ioctl": ("setup", ""), "vhost_user_message": ("setup", ""),
    "vhost_user_reply": ("setup", "reply"),
    "backend_disconnect": ("setup", "reply"), "backend_reconnect": ("setup", "reply"),
    # vdpa: IOTLB messages and IOMMU mappings travel "map", the card's DMA "dma"
    "vhost_iotlb_msg": ("map", ""), "iommu_map": ("map", ""), "iommu_unmap": ("map", ""),
    "iommu_translate": ("dma", ""), "iommu_fault": ("dma", ""),
}  # fmt: skip


def _named_actor(topology: Topology, event: Event) -> Location:
    """Events of host components (vhost-net, the IOMMU ...) happen in their own box."""
    known = {box.id for box in topology.boxes}
    box = event.actor if event.actor in known else topology.placement.control_plane
    route = _NAMED_ROUTES.get(event.kind)
    if route is not None:
        return _along(topology, box, *route)
    return Location(box)


def _along(topology: Topology, box: str, name: RouteName, variant: str = "") -> Location:
    if not topology.has_route(name, variant):
        return Location(box)
    return Location(box, name, topology.route(name, variant).hops)


def ring_wires(topology: Topology) -> tuple[str, ...]:
    """The wires a device's ring access crosses: its DMA path, or the shared memory."""
    if topology.has_route("dma"):
        return topology.route("dma").hops
    rings, data_plane = topology.placement.rings, topology.placement.data_plane
    for wire in topology.wires:
        if {wire.a, wire.b} == {rings, data_plane}:
            return (wire.id,)
    return ()
