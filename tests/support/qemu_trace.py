"""Read the register accesses out of a QEMU `log`-backend trace (tests only).

Enough to compare the model's Linux-like driver with what Linux really did in
shared/traces/qemu-split: every `memory_region_ops_read/write` on a
`virtio-pci-<part>-virtio-<dev>` region, as (device, part, offset, value, size, op),
with offsets relative to the region's first access base, and the debugcon phase marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TRACE_DIR = Path(__file__).resolve().parents[3] / "shared" / "traces" / "qemu-split"

_ACCESS = re.compile(
    r"memory_region_ops_(?P<op>read|write) cpu \d+ mr 0x[0-9a-f]+ addr (?P<addr>0x[0-9a-f]+) "
    r"value (?P<value>0x[0-9a-f]+) size (?P<size>\d+) name '(?P<name>[^']+)'"
)
_REGION = re.compile(r"virtio-pci-(?P<part>common|isr|device|notify)-virtio-(?P<dev>\w+)")
# Region base = the BAR address of each part; QEMU lays them out 0x1000 apart.
_PART_SIZE = 0x1000


@dataclass(frozen=True, slots=True)
class Access:
    device: str  # "net" | "blk"
    part: str  # "common" | "isr" | "device" | "notify"
    op: str  # "read" | "write"
    offset: int
    value: int
    size: int
    phase: str  # the last debugcon mark before it ("" = firmware)


def register_accesses(path: Path = TRACE_DIR / "trace-virtio.log") -> list[Access]:
    accesses: list[Access] = []
    phase = ""
    for line in path.read_text().splitlines():
        match = _ACCESS.search(line)
        if not match:
            continue
        if match["name"] == "isa-debugcon" and match["op"] == "write":
            phase = chr(int(match["value"], 16))
            continue
        region = _REGION.fullmatch(match["name"])
        if region is None:
            continue
        addr = int(match["addr"], 16)
        accesses.append(
            Access(
                device=region["dev"],
                part=region["part"],
                op=match["op"],
                offset=addr % _PART_SIZE,
                value=int(match["value"], 16),
                size=int(match["size"]),
                phase=phase,
            )
        )
    return accesses


def linux_init(device: str) -> list[Access]:
    """Common-config accesses Linux made to `device` (after the firmware), in order."""
    return [
        a
        for a in register_accesses()
        if a.device == device and a.part == "common" and a.phase not in ("",)
    ]
