"""Checks that a topology can be drawn and animated.

`problems()` lists everything wrong with a topology, each as one sentence naming the box,
wire or route at fault; `validate()` raises `TopologyError` when that list is not empty.
What is checked:

- ids are unique (boxes and wires share one namespace, since events name wires as hops);
- every wire joins two different boxes that exist;
- every parent exists, parents never loop, and no box sits in a lower layer than its parent;
- every route follows connected wires of its own plane, passes each box at most once,
  crosses notification wires from sender to receiver, and starts and ends at the boxes
  its name calls for (`ROUTE_RULES`: a kick goes from the driver to the data plane ...);
- every placement names a box.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import Literal

from virtio_viz.scenarios.topology import (
    Box,
    Placement,
    Plane,
    Route,
    RouteName,
    Topology,
    route_key,
    trace,
)

Role = Literal["driver", "data_plane", "control_plane", "rings", "outside", "iommu"]


@dataclass(frozen=True, slots=True)
class RouteRule:
    plane: Plane
    start: Role
    end: Role
    via: Role | None = None


ROUTE_RULES: dict[RouteName, RouteRule] = {
    # the driver configures the device through the transport (virtio-1.2 §4.1.4.3)
    "config": RouteRule("control", "driver", "control_plane"),
    # the control plane hands the data plane to a back-end (vhost ioctls, vhost-user ...)
    "setup": RouteRule("control", "control_plane", "data_plane"),
    # the control plane fills the IOMMU with the device's mappings (virtio-1.2 §6.1)
    "map": RouteRule("control", "control_plane", "iommu"),
    # available buffer notification (virtio-1.2 §2.9) and used buffer notification (§2.3)
    "kick": RouteRule("notification", "driver", "data_plane"),
    "interrupt": RouteRule("notification", "data_plane", "driver"),
    # the device's work: frames out of and into guest memory, sectors to and from disk
    "tx": RouteRule("data", "rings", "outside", via="data_plane"),
    "rx": RouteRule("data", "outside", "rings", via="data_plane"),
    "write": RouteRule("data", "rings", "outside", via="data_plane"),
    "read": RouteRule("data", "outside", "rings", via="data_plane"),
    # the device reaching the rings through the IOMMU
    "dma": RouteRule("data", "data_plane", "rings", via="iommu"),
}


REPLY = "reply"  # a route variant that runs its route's rule backwards (an answer)


class TopologyError(ValueError):
    def __init__(self, topology_id: str, problems: tuple[str, ...]) -> None:
        self.problems = problems
        listed = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"topology {topology_id!r} is invalid:\n{listed}")


def validate(topology: Topology) -> Topology:
    """Return `topology` unchanged, or raise TopologyError listing its problems."""
    found = problems(topology)
    if found:
        raise TopologyError(topology.id, found)
    return topology


def problems(topology: Topology) -> tuple[str, ...]:
    return (
        *_id_problems(topology),
        *_wire_problems(topology),
        *_parent_problems(topology),
        *_placement_problems(topology),
        *_route_problems(topology),
    )


def _id_problems(topology: Topology) -> list[str]:
    ids = Counter([b.id for b in topology.boxes] + [w.id for w in topology.wires])
    found = [f"id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
    keys = Counter(route_key(r.name, r.variant) for r in topology.routes)
    found += [f"route {k!r} is defined {n} times" for k, n in keys.items() if n > 1]
    return found


def _wire_problems(topology: Topology) -> list[str]:
    boxes = {b.id for b in topology.boxes}
    found = []
    for wire in topology.wires:
        found += [
            f"wire {wire.id!r}: end {e!r} is not a box" for e in (wire.a, wire.b) if e not in boxes
        ]
        if wire.a == wire.b:
            found.append(f"wire {wire.id!r}: joins {wire.a!r} to itself")
    return found


def _parent_problems(topology: Topology) -> list[str]:
    by_id = {b.id: b for b in topology.boxes}
    found = []
    reported: set[str] = set()
    for box in topology.boxes:
        parent = by_id.get(box.parent) if box.parent is not None else None
        if box.parent is not None and parent is None:
            found.append(f"box {box.id!r}: parent {box.parent!r} is not a box")
        if parent is not None and box.layer < parent.layer:
            found.append(
                f"box {box.id!r}: layer {box.layer} is below its parent "
                f"{parent.id!r} (layer {parent.layer})"
            )
        loop = _parent_loop(by_id, box.id)
        if loop and box.id not in reported:
            reported.update(loop)
            found.append(f"box {box.id!r}: parents loop ({' -> '.join([*loop, box.id])})")
    return found


def _parent_loop(by_id: dict[str, Box], box_id: str) -> list[str]:
    """The boxes on a parent loop through `box_id`, starting there; [] if none."""
    chain = [box_id]
    parent = by_id[box_id].parent
    while parent is not None and parent in by_id and parent not in chain:
        chain.append(parent)
        parent = by_id[parent].parent
    return chain if parent == box_id else []


def _placement_problems(topology: Topology) -> list[str]:
    boxes = {b.id for b in topology.boxes}
    found = []
    for field in fields(Placement):
        value = getattr(topology.placement, field.name)
        if value is not None and value not in boxes:
            found.append(f"placement {field.name}: {value!r} is not a box")
    return found


def _route_problems(topology: Topology) -> list[str]:
    found = []
    for route in topology.routes:
        found += _one_route_problems(topology, route)
    return found


def _one_route_problems(topology: Topology, route: Route) -> list[str]:
    key = route_key(route.name, route.variant)
    rule = ROUTE_RULES.get(route.name)
    if rule is None:
        return [f"route {key!r}: unknown name; known: {', '.join(ROUTE_RULES)}"]
    if not route.hops:
        return [f"route {key!r}: has no hops"]
    if route.variant == REPLY:  # the answer travels the same way back
        rule = RouteRule(rule.plane, rule.end, rule.start, rule.via)
    visited, broken = trace(topology, route)
    if broken:
        return [broken]
    found = _hop_problems(topology, route, rule, visited)
    found += _end_problems(topology.placement, route, rule, visited)
    return found


def _hop_problems(
    topology: Topology, route: Route, rule: RouteRule, visited: tuple[str, ...]
) -> list[str]:
    key = route_key(route.name, route.variant)
    found = [f"route {key!r}: visits {b!r} twice" for b, n in Counter(visited).items() if n > 1]
    for hop, here in zip(route.hops, visited, strict=False):
        wire = topology.wire(hop)
        if wire.plane != rule.plane:
            found.append(
                f"route {key!r}: wire {hop!r} is a {wire.plane} wire, but a {route.name} "
                f"travels on {rule.plane} wires"
            )
        elif wire.plane == "notification" and here != wire.a:
            found.append(
                f"route {key!r}: crosses notification wire {hop!r} from {wire.b!r} to "
                f"{wire.a!r}, against its direction"
            )
    return found


def _end_problems(
    placement: Placement, route: Route, rule: RouteRule, visited: tuple[str, ...]
) -> list[str]:
    key = route_key(route.name, route.variant)
    found = []
    for role, at, where in ((rule.start, visited[0], "starts"), (rule.end, visited[-1], "ends")):
        expected = getattr(placement, role)
        if expected is None:
            found.append(f"route {key!r}: needs placement.{role}, which is None")
        elif at != expected:
            found.append(f"route {key!r}: {where} at {at!r}, not at the {role} {expected!r}")
    if rule.via is not None:
        via = getattr(placement, rule.via)
        if via is None:
            found.append(f"route {key!r}: needs placement.{rule.via}, which is None")
        elif via not in visited:
            found.append(f"route {key!r}: never passes the {rule.via} {via!r}")
    return found
