"""The data path of a QEMU log: kicks, pops, fills, flushes, interrupts, block requests.

How this works: the log has no ring indices, only what QEMU did with elements, so each
line becomes one step with the counts it carries. Three things need memory across lines:

- With ioeventfd on, QEMU calls virtio_queue_notify() once per queue by itself right
  after DRIVER_OK (it starts listening on the eventfds and looks for kicks it could have
  missed). Those lines are marked as QEMU's own check, not as guest kicks, until the
  guest touches the device again or the queue moves data.
- With ioeventfd off, the guest's kick is a write to the notify region, and the
  virtio_queue_notify line that follows is QEMU handling that same kick.
- An `apic-msi` write and the `apic_deliver_irq` after it belong to the last
  virtio_notify, which says which queue interrupted.
- QEMU 7.2 traces `virtqueue_flush` for split rings only: with a packed ring the log
  has fills and no flushes (seen in recordings made by `virtio-viz record --ring
  packed`). So for a packed ring each fill counts as one used element.
"""

from __future__ import annotations

from virtio_viz.model.features import bit
from virtio_viz.qemu_trace.context import Context, RouteName, Step
from virtio_viz.qemu_trace.parse import TraceLine
from virtio_viz.qemu_trace.registers import MSIX_ENTRY_SIZE, NO_VECTOR, PAGE_MASK, queue_name
from virtio_viz.qemu_trace.state import DeviceState

VERSION_1 = bit("VIRTIO_F_VERSION_1")
NET_HEADER = 12  # struct virtio_net_hdr with num_buffers, virtio-1.2 §5.1.6
BLK_STATUS = {0: "VIRTIO_BLK_S_OK", 1: "VIRTIO_BLK_S_IOERR", 2: "VIRTIO_BLK_S_UNSUPP"}
_MSIX_FIELDS = {0: "address (low)", 4: "address (high)", 8: "data", 12: "vector control"}


class DataPath:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.checking: dict[str, set[int]] = {}  # device -> queues QEMU checked after DRIVER_OK
        self.mmio_kick: tuple[str, int] | None = None
        self.elem_size: dict[int, int] = {}
        self.last_notify: tuple[str | None, int | None] = (None, None)
        self.msix_owner: str | None = None
        self.msix_mr: dict[int, str] = {}
        self.blk_requests: dict[int, str] = {}

    # -- helpers ------------------------------------------------------------------------
    def _queue(self, line: TraceLine) -> tuple[DeviceState | None, int | None, str]:
        name, index = self.ctx.bindings.queue_of(line.num("vq"))
        dev = self.ctx.device(name) if name is not None else None
        return dev, index, _label(dev, index, line.num("vq"))

    def started(self, device: str) -> None:
        """DRIVER_OK was set: the next virtio_queue_notify lines may be QEMU's own check."""
        self.checking[device] = set()

    def guest_touched(self, device: str) -> None:
        self.checking.pop(device, None)

    # -- kicks ----------------------------------------------------------------------------
    def notify_region_write(self, line: TraceLine, device: str) -> Step:
        queue = line.num("value") & 0xFFFF  # virtio-1.2 §4.1.5.2: the 16-bit queue index
        self.mmio_kick = (device, queue)
        dev = self.ctx.device(device)
        summary = (
            f"{self.ctx.who.capitalize()} kicks queue {queue} "
            f"({queue_name(dev.dev_id, queue, dev.num_queues)}) of {device}: it writes {queue} "
            f"to notify+{line.num('addr') & PAGE_MASK:#x}, and with no ioeventfd the vCPU "
            "exits to QEMU"
        )
        return self.ctx.step(
            line, kind="kick", actor="driver", plane="notification", spec="§4.1.5.2",
            analog="memory_region_ops_write; vp_notify() in Linux, virtio_pci_notify_write() "
            "in QEMU", summary=summary, device=device, queue=queue,
            values={"value": line.num("value"), "ioeventfd": False},
            route="kick", variant="mmio-exit",
        )  # fmt: skip

    def queue_notify(self, line: TraceLine) -> Step:
        dev = self.ctx.device_of_vdev(line.num("vdev"))
        queue = line.num("n")
        label = _label(dev, queue, line.num("vq"))
        name = dev.name if dev else None
        checked = self.checking.get(name or "")
        route: RouteName | None = None
        if name is not None and self.mmio_kick == (name, queue):
            self.mmio_kick = None
            kind, actor = "kick_handled", "device"
            analog = "virtio_queue_notify() in QEMU"
            summary = f"QEMU runs the handler of {label} for that kick"
        elif checked is not None and queue not in checked:
            checked.add(queue)
            kind, actor = "queue_check", "device"
            analog = "virtio_queue_notify() from QEMU's ioeventfd start-up"
            summary = (
                f"QEMU looks at {label} once by itself, right after DRIVER_OK, in case a kick "
                "came before its ioeventfd listened; the guest sent nothing"
            )
        else:
            kind, actor, route = "kick", "driver", "kick"
            analog = "vp_notify() in Linux; virtio_queue_notify() in QEMU"
            summary = (
                f"{self.ctx.who.capitalize()} kicks {label}: the notify write wakes QEMU "
                "through the ioeventfd"
            )
        return self.ctx.step(
            line, kind=kind, actor=actor, plane="notification", spec="§4.1.5.2",
            analog=analog, summary=summary, device=name, queue=queue, route=route,
        )  # fmt: skip

    # -- the device uses buffers ----------------------------------------------------------
    def alloc(self, line: TraceLine) -> None:
        if len(self.elem_size) > 4096:  # elements are reused; keep the map small
            self.elem_size.clear()
        self.elem_size[line.num("elem")] = line.num("size")

    def pop(self, line: TraceLine) -> Step:
        dev, queue, label = self._queue(line)
        if dev is not None:
            self.guest_touched(dev.name)
        if dev is not None and queue is not None:
            q = dev.queue(queue)
            q.pops += 1
            q.in_use += 1
        out_num, in_num = line.num("out_num"), line.num("in_num")
        spec = "§2.8.6" if dev is not None and dev.packed else "§2.7.6"
        summary = (
            f"QEMU takes the next available buffer of {label}: {out_num} piece"
            f"{'s' if out_num != 1 else ''} to read and {in_num} to write"
        )
        return self.ctx.step(
            line, kind="pop", actor="device", plane="data", spec=spec,
            analog="virtqueue_pop() in QEMU", summary=summary,
            device=dev.name if dev else None, queue=queue,
            values={"out_num": out_num, "in_num": in_num,
                    "elem_size": self.elem_size.get(line.num("elem"))},
        )  # fmt: skip

    def fill(self, line: TraceLine) -> Step:
        dev, queue, label = self._queue(line)
        packed = dev is not None and dev.packed
        if dev is not None and queue is not None:
            q = dev.queue(queue)
            q.in_use = max(0, q.in_use - 1)
            if packed:  # no flush line will count it (see the module's comment)
                q.used += 1
        length = line.num("len")
        meaning = _meaning(dev, queue, length)
        summary = f"QEMU returns a buffer of {label} with len {length}" + (
            f" ({meaning})" if meaning else ""
        )
        if packed:
            summary += (
                "; the flush that follows (not logged for a packed ring) writes the id and "
                "len into the descriptor ring and sets the slot's AVAIL/USED flags to the "
                "device's wrap counter"
            )
        return self.ctx.step(
            line, kind="fill", actor="device", plane="data",
            spec="§2.8.7" if dev is not None and dev.packed else "§2.7.8",
            analog="virtqueue_fill() in QEMU (its idx is the place in the batch, not a ring "
            "index)", summary=summary, device=dev.name if dev else None, queue=queue,
            values={"len": length, "batch_offset": line.num("idx")},
        )  # fmt: skip

    def flush(self, line: TraceLine) -> Step:
        dev, queue, label = self._queue(line)
        count = line.num("count")
        packed = dev is not None and dev.packed
        if dev is not None and queue is not None and not packed:
            dev.queue(queue).used += count
        where = "marks the descriptors used" if packed else f"moves used.idx on by {count}"
        summary = (
            f"QEMU publishes {count} used element{'s' if count != 1 else ''} of {label}: it "
            f"{where} (the new value is not in the trace)"
        )
        return self.ctx.step(
            line, kind="flush", actor="device", plane="data",
            spec="§2.8.7" if packed else "§2.7.8", analog="virtqueue_flush() in QEMU",
            summary=summary, device=dev.name if dev else None, queue=queue,
            values={"count": count},
        )  # fmt: skip

    # -- interrupts -------------------------------------------------------------------------
    def notify(self, line: TraceLine) -> Step:
        dev, queue, label = self._queue(line)
        self.last_notify = (dev.name if dev else None, queue)
        vector = dev.queue(queue).msix_vector if dev is not None and queue is not None else None
        irqfd = line.event == "virtio_notify_irqfd"
        if vector == NO_VECTOR:
            how = "but the queue has no MSI-X vector, so no message goes out"
        elif vector is not None:
            how = f"with MSI-X entry {vector}" + (" through an irqfd" if irqfd else "")
        else:
            how = "through an irqfd" if irqfd else "(its vector is not in the trace)"
        summary = f"QEMU decides to interrupt the driver for {label} {how}"
        return self.ctx.step(
            line, kind="interrupt", actor="device", plane="notification", spec="§4.1.5.3",
            analog=f"{line.event}() in QEMU", summary=summary,
            device=dev.name if dev else None, queue=queue,
            values={"msix_vector": vector, "irqfd": irqfd}, route="interrupt",
            variant="irqfd" if irqfd else "",
        )  # fmt: skip

    def msi_write(self, line: TraceLine) -> Step:
        device, queue = self.last_notify
        data, addr = line.num("value"), line.num("addr")
        summary = f"The MSI message {data:#x} goes to address {addr:#x}: CPU vector {data & 0xFF}"
        return self.ctx.step(
            line, kind="msi_write", actor="qemu", plane="notification", spec="§4.1.5.3",
            analog="msi_send_message() in QEMU (a write to the apic-msi region)",
            summary=summary, device=device, queue=queue, box="kvm",
            values={"address": addr, "data": data},
        )  # fmt: skip

    def deliver(self, line: TraceLine) -> Step:
        device, queue = self.last_notify
        vector = line.num("vector")
        summary = f"The local APIC delivers vector {vector} to the guest CPU"
        if device is not None:
            summary += f"; Linux's vring_interrupt() handles queue {queue} of {device}"
        return self.ctx.step(
            line, kind="interrupt_delivered", actor="driver", plane="notification",
            spec="§4.1.5.3", analog="apic_deliver_irq in QEMU; vring_interrupt() in Linux",
            summary=summary, device=device, queue=queue, values={"vector": vector},
        )  # fmt: skip

    # -- MSI-X table ------------------------------------------------------------------------
    def msix_config(self, line: TraceLine) -> Step:
        device = self.msix_owner = line.text("dev").removesuffix("-pci")
        enabled, masked = line.num("enabled"), line.num("masked")
        state = ("on" if enabled else "off") + (", all vectors masked" if masked else "")
        return self.ctx.step(
            line, kind="msix_enable", actor="driver", plane="control", spec="§4.1.5.1.2",
            analog="pci_msix_enable() in Linux; msix_write_config() in QEMU",
            summary=f"{self.ctx.who.capitalize()} sets MSI-X of {device}: {state}",
            device=device, values={"enabled": enabled, "masked": masked}, route="config",
        )  # fmt: skip

    def msix_table(self, line: TraceLine) -> Step:
        mr = line.num("mr")
        if mr not in self.msix_mr and self.msix_owner is not None:
            self.msix_mr[mr] = self.msix_owner
        device = self.msix_mr.get(mr)
        offset, value, write = (
            line.num("addr") & PAGE_MASK,
            line.num("value"),
            "write" in line.event,
        )
        entry, field = offset // MSIX_ENTRY_SIZE, offset % MSIX_ENTRY_SIZE
        name = _MSIX_FIELDS.get(field, f"+{field:#x}")
        detail = ""
        if device is not None and write:
            self.ctx.device(device).msix.setdefault(entry, {})[name.split()[0]] = value
        if field == 8:
            detail = f" (CPU vector {value & 0xFF})"
        elif field == 12:
            detail = " (masked)" if value & 1 else " (unmasked)"
        verb = "writes" if write else "reads"
        summary = (
            f"{self.ctx.who.capitalize()} {verb} the {name} of MSI-X entry {entry}"
            f"{' of ' + device if device else ''}: {value:#x}{detail}"
        )
        return self.ctx.step(
            line, kind="msix_table_write" if write else "msix_table_read", actor="driver",
            plane="control", spec="§4.1.5.1.2", analog=f"{line.event} on msix-table",
            summary=summary, device=device, values={"entry": entry, "value": value},
            route="config",
        )  # fmt: skip


def _label(dev: DeviceState | None, queue: int | None, vq: int) -> str:
    if dev is None:
        return f"a queue QEMU calls {vq:#x}"
    if queue is None:
        return f"a queue of {dev.name} (vq {vq:#x})"
    return f"queue {queue} ({queue_name(dev.dev_id, queue, dev.num_queues)}) of {dev.name}"


def _meaning(dev: DeviceState | None, queue: int | None, length: int) -> str:
    """What a used length means, where the device type says so."""
    if dev is None or queue is None:
        return ""
    name = queue_name(dev.dev_id, queue, dev.num_queues)
    if name.startswith("receiveq") and dev.negotiated & VERSION_1 and length >= NET_HEADER:
        return f"a {NET_HEADER}-byte virtio_net_hdr and a {length - NET_HEADER}-byte frame"
    if name.startswith("transmitq"):
        return "the device only read this buffer"
    if name == "controlq" and length == 1:
        return "the one-byte ack"
    if dev.dev_id == 2 and length >= 1:  # virtio-1.2 §5.2.6: data, then one status byte
        return f"{length - 1} data bytes and the status byte" if length > 1 else "the status byte"
    return ""
