"""What both transports share: register descriptions, access checks, access events.

Every driver access to a transport register is recorded as a `register_read` or
`register_write` event (actor "driver") carrying the register's spec name, where it is
(region, offset, absolute address), the access width and the value, so the event log
reads like QEMU's `memory_region_ops_read/write` trace lines, with names added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog, Plane, Value

Access = Literal["RW", "RO", "WO"]
Op = Literal["read", "write"]


@dataclass(frozen=True, slots=True)
class Register:
    """One register (or structure field): spec name, offset, width, who may write it."""

    name: str
    offset: int
    width: int
    access: Access
    linux: str  # the Linux function that touches it, e.g. "vp_modern_set_status()"
    section: str

    @property
    def end(self) -> int:
        return self.offset + self.width


def check_value(value: int, width: int, where: str) -> None:
    if not 0 <= value < 1 << (8 * width):
        raise ConfigError(f"{where}: value {value:#x} does not fit a {width}-byte access")


def check_aligned(offset: int, width: int, where: str, widths: tuple[int, ...]) -> None:
    """Raise ConfigError unless `width` is allowed and `offset` is a multiple of it."""
    if width not in widths:
        allowed = "/".join(str(w) for w in widths)
        raise ConfigError(f"{where}: a {width}-byte access is impossible here ({allowed} only)")
    if offset % width:
        raise ConfigError(f"{where}: a {width}-byte access at offset {offset:#x} is unaligned")


@dataclass(frozen=True, slots=True)
class AccessPlace:
    """Where an access landed, for the event."""

    transport: str  # "pci" | "mmio"
    region: str  # "config", "common", "isr", "device", "notify", "msix", "registers"
    offset: int  # within the region
    address: int  # absolute (BAR base + offset, MMIO base + offset, or config offset)


def record_access(
    log: EventLog,
    op: Op,
    place: AccessPlace,
    *,
    register: str,
    width: int,
    value: int,
    spec: str,
    analog: str,
    note: str = "",
    plane: Plane = "control",
    queue: int | None = None,
) -> None:
    """Record the access; `queue` is the virtqueue it concerns (a notify write's queue, or
    the selected queue for a queue register), so a viewer can show that queue."""
    verb = "reads" if op == "read" else "writes"
    where = f"{place.region}+{place.offset:#x}"
    summary = f"The driver {verb} {register} ({where}, {width} byte{'s' * (width > 1)}): {value:#x}"
    values: dict[str, Value] = {
        "transport": place.transport,
        "region": place.region,
        "register": register,
        "offset": place.offset,
        "address": place.address,
        "width": width,
        "value": value,
    }
    log.record(
        f"register_{op}",
        actor="driver",
        plane=plane,
        spec=spec,
        analog=analog,
        summary=summary + (f"; {note}" if note else ""),
        queue=queue,
        values=values,
    )
