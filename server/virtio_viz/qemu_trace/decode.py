"""Turn parsed trace lines into steps, keeping each device's state as it goes.

`decode(parsed)` is a generator: after it yields a step, `Decoder.ctx.devices` holds the
state as it stands after that step, which is how export.py records each frame's state.
Phase markers (a byte written to the isa-debugcon port 0xe9) start a new phase; the
phase of every step says which chapter it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator

from virtio_viz.qemu_trace.common import life_ends, region_access
from virtio_viz.qemu_trace.context import Context, Regions, Step, bind
from virtio_viz.qemu_trace.datapath import BLK_STATUS, DataPath
from virtio_viz.qemu_trace.parse import ParsedTrace, TraceLine
from virtio_viz.qemu_trace.state import status_list

DEBUGCON_PORT = 0xE9
SECTOR = 512  # virtio-1.2 §5.2.6: sectors are 512 bytes whatever the block size


def is_marker(line: TraceLine) -> bool:
    return (
        line.event == "memory_region_ops_write"
        and line.text("name") == "isa-debugcon"
        and line.num("addr") == DEBUGCON_PORT
    )


class Decoder:
    def __init__(self, parsed: ParsedTrace) -> None:
        self.parsed = parsed
        regions = Regions()
        has_markers = any(is_marker(line) for line in parsed.lines)
        self.ctx = Context(bind(parsed.lines, regions), regions, has_markers)
        self.data = DataPath(self.ctx)
        self.markers: list[tuple[int, str]] = []  # (line number, marker character)
        self._last_status: dict[str, int] = {}

    def steps(self) -> Iterator[Step]:
        for line in self.parsed.lines:
            step = self.step_for(line)
            if step is not None:
                yield step

    def step_for(self, line: TraceLine) -> Step | None:
        """The step of one line (None for a line that only feeds another one)."""
        event = line.event
        if event.startswith("memory_region_ops_"):
            return self._memory(line)
        if event == "virtio_set_status":
            return self._set_status(line)
        if event == "virtio_queue_notify":
            return self.data.queue_notify(line)
        if event == "virtqueue_alloc_element":
            self.data.alloc(line)
            return None
        if event == "virtqueue_pop":
            return self.data.pop(line)
        if event == "virtqueue_fill":
            return self.data.fill(line)
        if event == "virtqueue_flush":
            return self.data.flush(line)
        if event in ("virtio_notify", "virtio_notify_irqfd"):
            return self.data.notify(line)
        if event == "apic_deliver_irq":
            return self.data.deliver(line)
        if event == "msix_write_config":
            return self.data.msix_config(line)
        if event.startswith("virtio_blk_"):
            return self._blk(line)
        return None

    def _memory(self, line: TraceLine) -> Step | None:
        name = line.text("name")
        write = line.event.endswith("write")
        if is_marker(line):
            return self._marker(line)
        if name == "msix-table":
            return self.data.msix_table(line)
        if name == "apic-msi" and write:
            return self.data.msi_write(line)
        where = self.ctx.regions.device(line)
        if where is None:
            return None
        device, part = where
        self.data.guest_touched(device)
        if part == "notify" and write:
            return self.data.notify_region_write(line, device)
        return region_access(self.ctx, line, device, part)

    def _marker(self, line: TraceLine) -> Step:
        value = line.num("value") & 0xFF
        char = chr(value)
        self.ctx.phase = char if char.isprintable() and char != " " else f"{value:#04x}"
        self.markers.append((line.number, self.ctx.phase))
        return self.ctx.step(
            line, kind="phase_marker", actor="driver", plane="control", spec="",
            analog="outb to the isa-debugcon port 0xe9 (a marker of this recording)",
            summary=f"The guest writes {self.ctx.phase!r} ({value:#x}) to port 0xe9: "
            "a new phase of the recording begins",
            values={"marker": self.ctx.phase}, box="guest-user",
        )  # fmt: skip

    def _set_status(self, line: TraceLine) -> Step:
        dev = self.ctx.device_of_vdev(line.num("vdev"))
        value = line.num("val")
        name = dev.name if dev else f"a device QEMU calls {line.num('vdev'):#x}"
        key = dev.name if dev else str(line.num("vdev"))
        previous = self._last_status.get(key)
        again = value == 0 and previous == 0
        self._last_status[key] = value
        if dev is not None and value & 0x4 and not (previous or 0) & 0x4:
            self.data.started(dev.name)
        names = "|".join(status_list(value)) or "0"
        if value == 0:
            summary = f"QEMU resets {name}" + (
                " again (virtio_reset() sets status 0 a second time)" if again else ""
            )
            if dev is not None and dev.status != 0:  # a reset QEMU did on its own
                ended = dev.life
                dev.reset()
                if ended is not None:
                    summary += f"; {life_ends(dev, ended)}"
        else:
            summary = f"QEMU takes status {value:#x} ({names}) for {name}"
        return self.ctx.step(
            line, kind="device_status", actor="device", plane="control",
            spec="§2.4" if value == 0 else "§2.1", analog="virtio_set_status() in QEMU",
            summary=summary, device=dev.name if dev else None, values={"status": value},
        )  # fmt: skip

    def _blk(self, line: TraceLine) -> Step | None:
        event = line.event.removeprefix("virtio_blk_")
        blk = [d for d in self.ctx.devices.values() if d.dev_id == 2]
        if "vdev" in line.args:
            dev = self.ctx.device_of_vdev(line.num("vdev"))
        else:
            dev = blk[0] if len(blk) == 1 else None
        device = dev.name if dev else "virtio-blk"
        values: dict[str, int | str | bool | None] = {}
        if event in ("handle_read", "handle_write"):
            sector, count = line.num("sector"), line.num("nsectors")
            kind = "IN (read)" if event == "handle_read" else "OUT (write)"
            self.data.blk_requests[line.num("req")] = kind
            summary = (
                f"{device} request of type VIRTIO_BLK_T_{kind}: {count} sectors from sector "
                f"{sector} ({count * SECTOR} bytes at byte {sector * SECTOR})"
            )
            values = {"type": kind.split(maxsplit=1)[0], "sector": sector, "nsectors": count}
        elif event == "rw_complete":
            summary = f"The disk backend finishes the {device} request: ret {line.num('ret')}"
        elif event == "req_complete":
            status = line.num("status")
            kind = self.data.blk_requests.pop(line.num("req"), "")
            summary = f"QEMU completes the {device} request with status {status} " + (
                f"({BLK_STATUS.get(status, 'unknown')})"
            )
            if not kind:
                summary += "; no read or write was traced for it, so it carried no data "
                summary += "(a flush in a recording like this one)"
            values = {"status": status}
        elif event in ("data_plane_start", "data_plane_stop"):
            verb = "starts" if event.endswith("start") else "stops"
            summary = f"QEMU {verb} the data-plane handling of {device}'s queues"
        else:
            return None
        return self.ctx.step(
            line, kind=f"blk_{event}", actor="device", plane="data", spec="§5.2.6",
            analog=f"virtio_blk_{event} in QEMU", summary=summary, device=device,
            values=values,
        )  # fmt: skip


def decode(parsed: ParsedTrace) -> tuple[Decoder, Iterator[Step]]:
    decoder = Decoder(parsed)
    return decoder, decoder.steps()
