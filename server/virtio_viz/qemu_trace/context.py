"""The decoder's shared context: the steps it makes, the devices, and the pointer bindings.

A QEMU log names a device three ways: by its memory regions (`virtio-pci-common-
virtio-net`), by the `vdev` pointer of its VirtIODevice, and a queue by its `vq`
pointer. `Bindings` ties them together in a first pass over the whole log, so the
second pass can name the device and queue of every line, even of lines that come before
the line that revealed the tie:

- a guest write to device_status followed by `virtio_set_status vdev V val` with the
  same value ties V to the device whose region was written;
- `virtio_queue_notify vdev V n N vq Q` ties Q to queue N of V (the only event that
  carries a queue number);
- `virtio_notify vdev V vq Q` ties Q to V when nothing else did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from virtio_viz.qemu_trace.parse import TraceLine
from virtio_viz.qemu_trace.registers import REGION
from virtio_viz.qemu_trace.state import DeviceState

Plane = Literal["control", "data", "notification"]
Value = int | str | bool | None
RouteName = Literal["config", "kick", "interrupt"]
STATUS_OFFSET = 0x14


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One imported event: what happened, where on the diagram, and which line said so."""

    line: int
    time: float | None
    phase: str
    kind: str
    actor: str
    plane: Plane
    spec: str
    analog: str
    summary: str
    device: str | None = None
    queue: int | None = None
    values: dict[str, Value] = field(default_factory=dict)
    box: str = "device-model"
    route: RouteName | None = None
    variant: str = ""


class Regions:
    """Device names for region pointers: a second device of the same type shows up as a
    second `mr` pointer for the same region name, and is called `virtio-net#2`."""

    def __init__(self) -> None:
        self._by_mr: dict[int, str] = {}
        self._seen: dict[tuple[str, str], list[int]] = {}

    def device(self, line: TraceLine) -> tuple[str, str] | None:
        """(device, part) of a memory_region_ops line on a virtio-pci region, else None."""
        match = REGION.fullmatch(line.text("name"))
        if match is None:
            return None
        name, part, mr = match["device"], match["part"], line.num("mr")
        if mr not in self._by_mr:
            mrs = self._seen.setdefault((name, part), [])
            mrs.append(mr)
            self._by_mr[mr] = name if len(mrs) == 1 else f"{name}#{len(mrs)}"
        return self._by_mr[mr], part


@dataclass(slots=True)
class Bindings:
    vdev: dict[int, str] = field(default_factory=dict)  # vdev pointer -> device name
    vq: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # vq -> (vdev, queue)
    devices: list[str] = field(default_factory=list)  # in order of first appearance

    def queue_of(self, vq: int) -> tuple[str | None, int | None]:
        vdev, queue = self.vq.get(vq, (None, None))
        return (self.vdev.get(vdev) if vdev is not None else None), queue


def bind(lines: Iterable[TraceLine], regions: Regions) -> Bindings:
    """The first pass (see the module docstring)."""
    found = Bindings()
    status_write: tuple[str, int] | None = None  # (device, value) awaiting virtio_set_status
    kick: tuple[str, int] | None = None  # (device, queue) of a notify-region write
    for line in lines:
        if line.event.startswith("memory_region_ops_"):
            where = regions.device(line)
            if where is None:
                continue
            device, part = where
            if device not in found.devices:
                found.devices.append(device)
            write = line.event.endswith("write")
            if write and part == "common" and line.num("addr") & 0xFFF == STATUS_OFFSET:
                status_write = (device, line.num("value"))
            elif write and part == "notify":
                kick = (device, line.num("value") & 0xFFFF)
        elif line.event == "virtio_set_status" and status_write is not None:
            if status_write[1] == line.num("val"):
                found.vdev.setdefault(line.num("vdev"), status_write[0])
                status_write = None
        elif line.event == "virtio_queue_notify":
            vdev, queue = line.num("vdev"), line.num("n")
            found.vq[line.num("vq")] = (vdev, queue)
            if kick is not None and kick[1] == queue:
                found.vdev.setdefault(vdev, kick[0])
            kick = None
        elif line.event in ("virtio_notify", "virtio_notify_irqfd"):
            found.vq.setdefault(line.num("vq"), (line.num("vdev"), None))
    return found


class Context:
    """What every handler needs: the devices, the bindings, and the phase we are in."""

    def __init__(self, bindings: Bindings, regions: Regions, has_markers: bool) -> None:
        self.bindings = bindings
        self.regions = regions
        self.has_markers = has_markers
        self.phase = ""
        self.devices: dict[str, DeviceState] = {}
        for name in bindings.devices:
            self.device(name)

    def device(self, name: str) -> DeviceState:
        if name not in self.devices:
            self.devices[name] = DeviceState(name)
            if name not in self.bindings.devices:
                self.bindings.devices.append(name)
        return self.devices[name]

    def device_of_vdev(self, vdev: int) -> DeviceState | None:
        name = self.bindings.vdev.get(vdev)
        return self.device(name) if name is not None else None

    @property
    def who(self) -> str:
        """Who acts as the driver now: before the first phase marker, the firmware."""
        return "the firmware" if self.has_markers and not self.phase else "the driver"

    def step(
        self,
        line: TraceLine,
        *,
        kind: str,
        actor: str,
        plane: Plane,
        spec: str,
        analog: str,
        summary: str,
        device: str | None = None,
        queue: int | None = None,
        values: dict[str, Value] | None = None,
        box: str | None = None,
        route: RouteName | None = None,
        variant: str = "",
    ) -> Step:
        """A step for `line`; the box defaults to where the actor lives on the diagram."""
        values = dict(values or {})
        values["line"] = line.number
        if line.time is not None:
            values["time"] = f"{line.time:.6f}"
        if device is not None:
            values["device"] = device
        return Step(
            line=line.number, time=line.time, phase=self.phase, kind=kind, actor=actor,
            plane=plane, spec=spec, analog=analog, summary=summary, device=device,
            queue=queue, values=values,
            box=box or ("driver" if actor == "driver" else "device-model"),
            route=route, variant=variant,
        )  # fmt: skip
