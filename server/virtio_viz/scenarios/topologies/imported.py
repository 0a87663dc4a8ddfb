"""The diagram of an imported QEMU recording: every virtio-pci device the log holds.

How this works: each device is drawn the way the emulated-device picture draws one: its
driver (with its rings) in the guest kernel, its device model in QEMU, and its back-end
(tap and NIC for a network device, the host file system and a disk for a block device).
What all devices share (the host's bands, QEMU's process, the VM, KVM) is drawn once. The
first device keeps the usual ids ("driver", "device-model", "pci" ...), so a recording of
one device has the one-device picture; every other device's ids carry a suffix made from
its name ("driver-blk", "pci-blk"). `DrawnDevice` turns the role names a step uses (box
"driver", route "kick") into the ids of the device the step acts on.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from virtio_viz.scenarios.topologies import _parts as parts
from virtio_viz.scenarios.topologies import virtio_blk
from virtio_viz.scenarios.topologies.qemu_emulated import IMPORTED
from virtio_viz.scenarios.topology import Box, Route, RouteName, Topology, Wire

MAX_DRAWN = 4  # devices beyond these (a hostile log may name thousands) are not drawn
SHARED = frozenset(
    {"host-user", "host-kernel", "hardware", "qemu", "vm", "guest-user", "guest-kernel", "kvm"}
)
_NET_ONLY = frozenset({"tap", "nic", "tap-fd", "uplink"})
# Linux's driver module of each device type, where it is not the type's name with "_"
_MODULES = {"virtio-serial": "virtio_console"}

# virtio-blk alone: its own picture, with the interrupt routes an import names (QEMU's
# MSI as the plain "interrupt", the data plane's irqfd as the variant "irqfd")
_BLK = replace(
    virtio_blk.TOPOLOGY,
    routes=(
        parts.config_route(),
        *parts.qemu_notification_routes(),
        parts.irqfd_interrupt(),
        virtio_blk.TOPOLOGY.route("write"),
        virtio_blk.TOPOLOGY.route("read"),
    ),
)


@dataclass(frozen=True, slots=True)
class DrawnDevice:
    """One device on the diagram: `topology` is its part alone, with its own ids."""

    name: str
    suffix: str
    topology: Topology

    def box(self, role: str) -> str:
        """The id of this device's box playing `role` ("driver", "device-model" ...)."""
        return _rename(role, self.suffix)

    def hops(self, route: RouteName, variant: str = "") -> list[str]:
        return list(self.topology.route(route, variant).hops)


def device_alone(name: str, ring: str = "split") -> Topology:
    """The picture of one device of a recording, with the usual ids."""
    kind = name.split("#", 1)[0]
    if kind == "virtio-net":
        alone = IMPORTED
    elif kind == "virtio-blk":
        alone = _BLK
    else:  # no back-end we know of: the driver, the model and the paths between them
        alone = replace(
            IMPORTED,
            summary=f"QEMU plays the whole {kind} device in user space.",
            boxes=tuple(b for b in IMPORTED.boxes if b.id not in _NET_ONLY),
            wires=tuple(w for w in IMPORTED.wires if w.id not in _NET_ONLY),
            routes=tuple(r for r in IMPORTED.routes if not set(r.hops) & _NET_ONLY),
            placement=replace(IMPORTED.placement, outside=None),
        )
    labels = {
        "driver": (f"{name} driver", _MODULES.get(kind, kind.replace("-", "_"))),
        "device-model": (f"{name} device model", None),
    }
    boxes = tuple(
        replace(b, label=labels[b.id][0], sublabel=labels[b.id][1] or b.sublabel)
        if b.id in labels else b
        for b in alone.boxes
    )  # fmt: skip
    return replace(alone, boxes=boxes).for_ring(ring)


def draw(
    devices: Sequence[tuple[str, str]], irqfd: Collection[str] | None = None
) -> tuple[Topology, dict[str, DrawnDevice]]:
    """The diagram of `devices` ((name, ring format) pairs, the primary first; at most
    MAX_DRAWN of them are drawn) and each drawn device by name. With several devices, only
    those named in `irqfd` (None: all) get an irqfd: a virtio-net model in QEMU raises its
    interrupts itself, only a data plane such as virtio-blk's signals an irqfd."""
    drawn: dict[str, DrawnDevice] = {}
    for index, (name, ring) in enumerate(devices[:MAX_DRAWN]):
        suffix = "" if index == 0 else _suffix(name, {d.suffix for d in drawn.values()})
        drawn[name] = DrawnDevice(name, suffix, _renamed(device_alone(name, ring), suffix))
    first, *others = drawn.values()
    if not others:
        return first.topology, drawn
    pictured = {
        name: d if irqfd is None or name in irqfd else replace(d, topology=_without_irqfd(d))
        for name, d in drawn.items()
    }
    return _merged(list(pictured.values())), drawn


def _without_irqfd(device: DrawnDevice) -> Topology:
    wire = _rename_wire("irqfd", device.suffix)
    t = device.topology
    return replace(
        t,
        wires=tuple(w for w in t.wires if w.id != wire),
        routes=tuple(r for r in t.routes if wire not in r.hops),
    )


def _merged(drawn: list[DrawnDevice]) -> Topology:
    first, *others = drawn
    names = [d.name for d in drawn]
    return replace(
        first.topology,
        id="qemu-recording",
        title="Devices emulated in QEMU",
        summary=(
            f"QEMU plays each of {', '.join(names)} in user space: each device model answers "
            "its own driver's register accesses, reads and writes that driver's rings, and "
            "does the device's work on the host; kicks and interrupts of every device pass "
            "through KVM."
        ),
        boxes=_union(_stacked(b, i) for i, d in enumerate(drawn) for b in d.topology.boxes),
        wires=first.topology.wires  # QEMU's eventfd registration once: steps never use it
        + tuple(
            w for d in others for w in d.topology.wires if w.id != _rename_wire("kvm-fds", d.suffix)
        ),
        routes=tuple(r for d in drawn for r in d.topology.routes),
    )


def _union(boxes: Iterable[Box]) -> tuple[Box, ...]:
    """The boxes, each shared one once (the first device's copy)."""
    out: dict[str, Box] = {}
    for box in boxes:
        out.setdefault(box.id, box)
    return tuple(out.values())


def _stacked(box: Box, index: int) -> Box:
    """Side by side, several devices are too wide for a projector: each device model goes
    under the VM (below its driver), the first device's back-end left of KVM and the
    others' right of it, so every device's notifications meet KVM in the middle."""
    if box.parent == "qemu" and box.id != "vm":
        return replace(box, column=0)
    if box.parent in ("host-kernel", "hardware") and box.id != "kvm":
        return replace(box, column=0 if index == 0 else 2 + index)
    return box


def _suffix(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower().removeprefix("virtio-")).strip("-") or "dev"
    suffix, n = base, 2
    while suffix in taken:
        suffix, n = f"{base}-{n}", n + 1
    return suffix


def _rename(box_id: str, suffix: str) -> str:
    return box_id if not suffix or box_id in SHARED else f"{box_id}-{suffix}"


def _rename_wire(wire_id: str, suffix: str) -> str:
    return f"{wire_id}-{suffix}" if suffix else wire_id


def _renamed(topology: Topology, suffix: str) -> Topology:
    """`topology` with every box and wire that is not shared renamed with `suffix`."""
    if not suffix:
        return topology

    def box(b: Box) -> Box:
        parent = _rename(b.parent, suffix) if b.parent is not None else None
        return replace(b, id=_rename(b.id, suffix), parent=parent)

    def wire(w: Wire) -> Wire:
        a, b = _rename(w.a, suffix), _rename(w.b, suffix)
        return replace(w, id=_rename_wire(w.id, suffix), a=a, b=b)

    def route(r: Route) -> Route:
        hops = tuple(_rename_wire(hop, suffix) for hop in r.hops)
        return replace(r, start=_rename(r.start, suffix), hops=hops)

    return replace(
        topology,
        boxes=tuple(box(b) for b in topology.boxes),
        wires=tuple(wire(w) for w in topology.wires),
        routes=tuple(route(r) for r in topology.routes),
    )


def example() -> Topology:
    """The diagram of a recording of virtio-net and virtio-blk (the layout tests draw it)."""
    return draw([("virtio-net", "packed"), ("virtio-blk", "packed")], irqfd={"virtio-blk"})[0]
