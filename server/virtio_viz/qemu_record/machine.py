"""The recorded VM: which options it takes and the QEMU command line they make.

Everything here is pure: `qemu_command()` turns RecordOptions and the paths of the
prepared files into the argv of `qemu-system-x86_64`. The machine is that of the shared
recording (q35, TCG, 256 MiB, no default devices, slirp networking, a 4 MiB raw disk,
SeaBIOS); the options change the virtio devices only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from virtio_viz.qemu_record.guest import GuestPlan

QEMU = "qemu-system-x86_64"
TRACE_EVENTS = (
    "virtio_*", "virtqueue_*", "memory_region_ops_read", "memory_region_ops_write",
    "msix_write_config", "apic_deliver_irq",
)  # fmt: skip
TRACE_FILE = "trace-virtio.log"  # the cut log, named as in shared/traces/qemu-split
DISK_BYTES = 4 * 1024 * 1024
KERNEL_COMMAND_LINE = "console=ttyS0 quiet panic=-1"  # panic=-1: a failing init ends the run

Ring = Literal["split", "packed"]


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """What varies between recordings. Defaults reproduce the shared recording."""

    ring: Ring = "split"  # packed=on sets VIRTIO_F_RING_PACKED, virtio-1.2 §2.8
    event_idx: bool = True  # VIRTIO_F_EVENT_IDX, virtio-1.2 §2.7.10 / §2.8.10
    ioeventfd: bool = True  # off: QEMU handles each notify write on the vCPU thread
    qmp: bool = True  # query QEMU's queues at `S` and catch a request in flight at `T`
    guest: GuestPlan = field(default_factory=GuestPlan)

    def device_properties(self) -> str:
        """The virtio-*-pci properties, e.g. `packed=on,event_idx=off,ioeventfd=on`."""
        on = {True: "on", False: "off"}
        return (
            f"packed={on[self.ring == 'packed']},event_idx={on[self.event_idx]},"
            f"ioeventfd={on[self.ioeventfd]}"
        )

    def describe(self) -> str:
        return (
            f"{self.ring} rings, event_idx {'on' if self.event_idx else 'off'}, "
            f"ioeventfd {'on' if self.ioeventfd else 'off'}"
            + (", with virtio-rng" if self.guest.rng else "")
        )


@dataclass(frozen=True, slots=True)
class MachineFiles:
    """Where the prepared inputs and QEMU's outputs live (all in one work folder)."""

    folder: Path  # keep it short: the QMP socket's path must fit in 108 bytes

    @property
    def vmlinuz(self) -> Path:
        return self.folder / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.folder / "initrd.gz"

    @property
    def disk(self) -> Path:
        return self.folder / "disk.img"

    @property
    def events(self) -> Path:
        return self.folder / "trace-events.txt"

    @property
    def full_log(self) -> Path:
        return self.folder / "trace-full.log"

    @property
    def markers(self) -> Path:
        return self.folder / "markers.txt"

    @property
    def console(self) -> Path:
        return self.folder / "console.log"

    @property
    def qmp_socket(self) -> Path:
        return self.folder / "qmp.sock"


def qemu_command(options: RecordOptions, files: MachineFiles) -> list[str]:
    properties = options.device_properties()
    return [
        QEMU, "-machine", "q35,accel=tcg", "-m", "256M", "-nographic", "-nodefaults",
        "-no-reboot", "-serial", f"file:{files.console}",
        "-kernel", str(files.vmlinuz), "-initrd", str(files.initrd),
        "-append", KERNEL_COMMAND_LINE,
        "-netdev", "user,id=n0",
        "-device", f"virtio-net-pci,netdev=n0,id=net0,{properties}",
        "-drive", f"file={files.disk},if=none,id=d0,format=raw",
        "-device", f"virtio-blk-pci,drive=d0,id=blk0,{properties}",
        *(["-device", f"virtio-rng-pci,id=rng0,{properties}"] if options.guest.rng else []),
        "-debugcon", f"file:{files.markers}",
        "-qmp", f"unix:{files.qmp_socket},server=on,wait=off",
        "-msg", "timestamp=on", "-trace", f"events={files.events}", "-D", str(files.full_log),
    ]  # fmt: skip
