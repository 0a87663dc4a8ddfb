"""The diagram of one host architecture: boxes, wires, routes and the placement of roles.

How this works: a topology is pure data the frontend draws and the timeline animates.

- A `Box` is a labelled rectangle. Boxes nest through `parent` (the driver inside guest
  kernel space inside the VM inside the QEMU process), so the boxes form a forest.
- A `Wire` joins two boxes and belongs to one plane (control, data or notification). A
  notification is one-way, so for a notification wire `a` is the sender and `b` the
  receiver; control and data wires are drawn without a direction.
- A `Route` is the path one kind of traffic takes: it starts at a box and follows its
  wires (`hops`) in order, each wire continuing from the box the previous one reached.
  Events name the wires they travel, so a token can be animated hop by hop.
- A `Placement` says which box plays which role: where the driver runs, where the
  device's data plane and control plane run, and where the rings live.

Layout hint (the frontend computes the geometry, these only order things):
`layer` is the horizontal band a box sits in, counted from the bottom of the picture
(`Layer`: hardware, host kernel space, host user space, guest kernel space, guest user
space). A box that contains others has the layer of the lowest band it reaches, so a
child's layer is never below its parent's. `column` orders boxes that share a parent and
a layer, from left to right; the pictures keep the seed's habit of control paths on the
left, shared memory in the middle and notifications on the right.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Literal

BoxKind = Literal["process", "vm", "space", "component", "memory", "hardware"]
Plane = Literal["control", "data", "notification"]
RouteName = Literal[
    "config", "setup", "map", "kick", "interrupt", "tx", "rx", "write", "read", "dma"
]


class Layer(IntEnum):
    """Horizontal bands of a picture, from the bottom up."""

    HARDWARE = 0
    HOST_KERNEL = 1
    HOST_USER = 2
    GUEST_KERNEL = 3
    GUEST_USER = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Box:
    """A labelled rectangle. `kind` "space" is a band (host kernel space, guest user
    space ...) drawn as a labelled region rather than a closed box."""

    id: str
    label: str
    kind: BoxKind
    parent: str | None = None
    sublabel: str | None = None
    layer: int = Layer.HARDWARE
    column: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Wire:
    """A connection between boxes `a` and `b`. `label` is short (it is drawn on the
    wire); `detail` says in a sentence what really happens there (for a tooltip)."""

    id: str
    a: str
    b: str
    plane: Plane
    label: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """The path of one kind of traffic, from the box `start` along the wires `hops`.

    A topology may give a second path for the same traffic a `variant` name (QEMU can
    take a kick through an ioeventfd or straight from the VM exit). `suppressed` marks a
    path the architecture normally keeps quiet: both sides poll and ask the other not to
    notify (virtio-1.2 §2.7.7, §2.7.10).
    """

    name: RouteName
    start: str
    hops: tuple[str, ...]
    label: str
    variant: str = ""
    suppressed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Which box plays which role.

    `outside` is where the device's work leaves and enters the host (the NIC, the disk);
    None in the ring lab. `iommu` is where the device's DMA addresses are translated;
    None when the device reaches guest memory without one.
    """

    driver: str
    data_plane: str
    control_plane: str
    rings: str
    outside: str | None = None
    iommu: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Topology:
    id: str
    title: str
    summary: str
    boxes: tuple[Box, ...]
    wires: tuple[Wire, ...]
    routes: tuple[Route, ...]
    placement: Placement

    def box(self, box_id: str) -> Box:
        for box in self.boxes:
            if box.id == box_id:
                return box
        raise ValueError(f"{self.id}: no box {box_id!r}")

    def wire(self, wire_id: str) -> Wire:
        for wire in self.wires:
            if wire.id == wire_id:
                return wire
        raise ValueError(f"{self.id}: no wire {wire_id!r}")

    def route(self, name: RouteName, variant: str = "") -> Route:
        for route in self.routes:
            if route.name == name and route.variant == variant:
                return route
        raise ValueError(f"{self.id}: no route {route_key(name, variant)!r}")

    def has_route(self, name: RouteName, variant: str = "") -> bool:
        return any(r.name == name and r.variant == variant for r in self.routes)

    def children(self, box_id: str) -> tuple[Box, ...]:
        return tuple(box for box in self.boxes if box.parent == box_id)

    def ancestors(self, box_id: str) -> tuple[str, ...]:
        """The ids of the boxes around `box_id`, innermost first (stops at a loop)."""
        return tuple(_ancestors(self, box_id))

    def for_ring(self, ring: str) -> Topology:
        """The diagram for a queue of this format. The boxes name a split ring's three
        areas; a packed ring puts other parts in the same three areas (virtio-1.2 §2.8:
        the Descriptor Ring, the Driver and the Device Event Suppression structures)."""
        if ring != "packed":
            return self
        boxes = tuple(
            replace(box, label=PACKED_PARTS[box.id][0], sublabel=PACKED_PARTS[box.id][1])
            if box.id in PACKED_PARTS else box
            for box in self.boxes
        )  # fmt: skip
        return replace(self, boxes=boxes)

    def walk(self, route: Route) -> tuple[str, ...]:
        """The boxes `route` visits, from its start to its end."""
        boxes, problem = trace(self, route)
        if problem:
            raise ValueError(f"{self.id}: {problem}")
        return boxes


# box id -> (label, sublabel) when the rings are packed; the ids stay, so routes still fit
PACKED_PARTS = {
    "virtqueue": ("virtqueue", "packed ring in guest memory"),
    "desc-table": ("descriptor ring", "Descriptor Area"),
    "avail-ring": ("driver event suppression", "Driver Area"),
    "used-ring": ("device event suppression", "Device Area"),
}


def route_key(name: str, variant: str) -> str:
    return f"{name}/{variant}" if variant else name


def trace(topology: Topology, route: Route) -> tuple[tuple[str, ...], str | None]:
    """Follow `route` wire by wire: the boxes reached so far and, if the walk breaks,
    a sentence saying where."""
    here = route.start
    visited = [here]
    wires = {wire.id: wire for wire in topology.wires}
    key = route_key(route.name, route.variant)
    for hop in route.hops:
        wire = wires.get(hop)
        if wire is None:
            return tuple(visited), f"route {key!r}: hop {hop!r} is not a wire"
        if here not in (wire.a, wire.b):
            return tuple(visited), (
                f"route {key!r}: wire {hop!r} ({wire.a} - {wire.b}) does not continue from {here!r}"
            )
        here = wire.b if here == wire.a else wire.a
        visited.append(here)
    return tuple(visited), None


def _ancestors(topology: Topology, box_id: str) -> Iterator[str]:
    parents = {box.id: box.parent for box in topology.boxes}
    seen = {box_id}
    parent = parents.get(box_id)
    while parent is not None and parent not in seen:
        yield parent
        seen.add(parent)
        parent = parents.get(parent)
