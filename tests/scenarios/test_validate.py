"""validate(): each kind of broken topology is caught, with one precise sentence per fault."""

from __future__ import annotations

import dataclasses
from typing import cast

import pytest

from virtio_viz.scenarios import (
    Box,
    Placement,
    Route,
    Topology,
    TopologyError,
    Wire,
    problems,
    topology,
    validate,
)
from virtio_viz.scenarios.topology import RouteName


def lab(**changes: object) -> Topology:
    return dataclasses.replace(topology("ring-lab"), **changes)  # type: ignore[arg-type]


def with_boxes(t: Topology, *boxes: Box) -> Topology:
    return dataclasses.replace(t, boxes=(*t.boxes, *boxes))


def with_wires(t: Topology, *wires: Wire) -> Topology:
    return dataclasses.replace(t, wires=(*t.wires, *wires))


def replacing_route(t: Topology, route: Route) -> Topology:
    kept = tuple(r for r in t.routes if (r.name, r.variant) != (route.name, route.variant))
    return dataclasses.replace(t, routes=(*kept, route))


def reparent(t: Topology, box_id: str, parent: str | None) -> Topology:
    boxes = tuple(dataclasses.replace(b, parent=parent) if b.id == box_id else b
                  for b in t.boxes)  # fmt: skip
    return dataclasses.replace(t, boxes=boxes)


def test_a_dangling_wire_names_the_missing_box() -> None:
    t = with_wires(
        topology("vhost-net"),
        Wire(id="loose", a="vhost-net", b="ghost", plane="data", label="?"),
    )
    assert problems(t) == ("wire 'loose': end 'ghost' is not a box",)


def test_a_wire_from_a_box_to_itself() -> None:
    t = with_wires(lab(), Wire(id="loop", a="device", b="device", plane="data", label="?"))
    assert problems(t) == ("wire 'loop': joins 'device' to itself",)


def test_a_disconnected_route_names_the_wire_that_does_not_continue() -> None:
    t = topology("qemu-emulated")
    broken = replacing_route(t, dataclasses.replace(t.route("kick"), hops=("notify-exit", "pci")))
    assert problems(broken) == (
        "route 'kick': wire 'pci' (driver - device-model) does not continue from 'kvm'",
    )
    with pytest.raises(ValueError, match="does not continue from 'kvm'"):
        broken.walk(broken.route("kick"))


def test_a_route_through_a_wire_that_does_not_exist() -> None:
    t = topology("vhost-net")
    broken = replacing_route(t, dataclasses.replace(t.route("setup"), hops=("vhost-ioctl",)))
    assert problems(broken) == ("route 'setup': hop 'vhost-ioctl' is not a wire",)


def test_a_parent_cycle_is_reported_once_with_the_whole_loop() -> None:
    t = reparent(lab(), "guest-memory", "used-ring")
    assert problems(t) == (
        "box 'guest-memory': parents loop (guest-memory -> used-ring -> virtqueue -> guest-memory)",
    )


def test_a_box_that_is_its_own_parent() -> None:
    assert problems(reparent(lab(), "device", "device")) == (
        "box 'device': parents loop (device -> device)",
    )


def test_a_missing_parent() -> None:
    assert problems(reparent(topology("vdpa"), "iommu", "chipset")) == (
        "box 'iommu': parent 'chipset' is not a box",
    )


def test_a_child_drawn_below_its_parent() -> None:
    t = topology("vhost-user")
    sunk = tuple(dataclasses.replace(b, layer=0) if b.id == "memtable" else b for b in t.boxes)
    assert problems(dataclasses.replace(t, boxes=sunk)) == (
        "box 'memtable': layer 0 is below its parent 'vhost-user' (layer 2)",
    )


def test_ids_are_unique_across_boxes_and_wires_and_routes_across_names() -> None:
    t = with_boxes(topology("vhost-net"), Box(id="irqfd", label="irqfd", kind="component"))
    t = dataclasses.replace(t, routes=(*t.routes, t.route("kick")))
    assert problems(t) == ("id 'irqfd' is used 2 times", "route 'kick' is defined 2 times")


def test_a_kick_that_starts_at_the_device_and_ends_at_the_driver() -> None:
    backwards = Route(name="kick", start="device", hops=("used-notify",), label="?")
    assert problems(replacing_route(lab(), backwards)) == (
        "route 'kick': starts at 'device', not at the driver 'driver'",
        "route 'kick': ends at 'driver', not at the data_plane 'device'",
    )


def test_a_notification_crossed_against_its_direction() -> None:
    upstream = Route(name="interrupt", start="device", hops=("avail-notify",), label="?")
    assert problems(replacing_route(lab(), upstream)) == (
        "route 'interrupt': crosses notification wire 'avail-notify' from 'device' to "
        "'driver', against its direction",
    )


def test_a_route_on_a_wire_of_another_plane() -> None:
    kick = Route(name="kick", start="driver", hops=("registers",), label="?")
    assert problems(replacing_route(lab(), kick)) == (
        "route 'kick': wire 'registers' is a control wire, but a kick travels on "
        "notification wires",
    )


def test_a_route_that_comes_back_to_a_box() -> None:
    config = Route(name="config", start="driver", hops=("registers", "registers"), label="?")
    assert problems(replacing_route(lab(), config)) == (
        "route 'config': visits 'driver' twice",
        "route 'config': ends at 'driver', not at the control_plane 'device'",
    )


def test_a_route_with_no_hops() -> None:
    still = Route(name="kick", start="driver", hops=(), label="?")
    assert problems(replacing_route(lab(), still)) == ("route 'kick': has no hops",)


def test_a_route_name_the_rules_do_not_know() -> None:
    odd = Route(name=cast(RouteName, "teleport"), start="driver", hops=("registers",), label="?")
    assert problems(replacing_route(lab(), odd)) == (
        "route 'teleport': unknown name; known: config, setup, map, kick, interrupt, tx, rx, "
        "write, read, dma",
    )


def test_a_data_route_needs_somewhere_outside_to_go() -> None:
    tx = Route(name="tx", start="virtqueue", hops=("device-mem",), label="?")
    assert problems(replacing_route(lab(), tx)) == (
        "route 'tx': needs placement.outside, which is None",
    )


def test_dma_that_skips_the_iommu() -> None:
    t = with_wires(
        topology("vdpa"), Wire(id="direct", a="nic", b="virtqueue", plane="data", label="?")
    )
    t = replacing_route(t, Route(name="dma", start="nic", hops=("direct",), label="?"))
    assert problems(t) == ("route 'dma': never passes the iommu 'iommu'",)


def test_a_variant_is_checked_like_its_route() -> None:
    t = topology("qemu-emulated")
    wrong = dataclasses.replace(t.route("kick", "mmio-exit"), hops=("notify-exit", "ioeventfd"))
    assert problems(replacing_route(t, wrong)) == ()
    wrong = dataclasses.replace(wrong, hops=("notify-exit",))
    assert problems(replacing_route(t, wrong)) == (
        "route 'kick/mmio-exit': ends at 'kvm', not at the data_plane 'device-model'",
    )


def test_a_placement_must_name_boxes() -> None:
    t = lab(placement=Placement(driver="driver", data_plane="device", control_plane="device",
                                rings="nowhere"))  # fmt: skip
    assert problems(t) == ("placement rings: 'nowhere' is not a box",)


def test_validate_raises_a_value_error_listing_every_problem() -> None:
    t = with_wires(lab(), Wire(id="loose", a="driver", b="ghost", plane="data", label="?"))
    t = reparent(t, "device", "device")
    with pytest.raises(TopologyError) as caught:
        validate(t)
    assert isinstance(caught.value, ValueError)
    assert caught.value.problems == (
        "wire 'loose': end 'ghost' is not a box",
        "box 'device': parents loop (device -> device)",
    )
    assert str(caught.value) == (
        "topology 'ring-lab' is invalid:\n"
        "- wire 'loose': end 'ghost' is not a box\n"
        "- box 'device': parents loop (device -> device)"
    )
