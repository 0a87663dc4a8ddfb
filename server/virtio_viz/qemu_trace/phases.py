"""Chapters of an imported trace: phase markers, their titles, and what a trace cannot show.

The recording in shared/traces/qemu-split writes one letter to the isa-debugcon port at
each phase of its guest script; `MARKERS` gives those letters a title and an intro. Any
other byte still starts a chapter, titled by the byte itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Phase:
    id: str
    title: str
    intro: str


FIRMWARE = Phase(
    "firmware",
    "Firmware",
    "Before the guest's first phase marker the firmware (SeaBIOS here) is in charge: it "
    "resets the block device, negotiates features and reads the boot sector through a "
    "virtqueue of its own, without interrupts.",
)
WHOLE = Phase("trace", "The trace", "Every virtio event of the log, in the order QEMU wrote them.")

MARKERS: dict[str, Phase] = {
    "M": Phase("load-virtio", "Loading virtio and virtio_pci",
               "Linux's virtio_pci driver finds each device, resets it and sets ACKNOWLEDGE."),
    "N": Phase("load-virtio-net", "Loading virtio_net",
               "virtio_net sets DRIVER, negotiates the feature words, sets FEATURES_OK and "
               "reads it back, programs MSI-X, sets up the receive, transmit and control "
               "queues, then sets DRIVER_OK."),
    "B": Phase("load-virtio-blk", "Loading virtio_blk",
               "The same handshake for the disk: features, one request queue, DRIVER_OK, then "
               "the kernel reads the partition table."),
    "R": Phase("entropy", "Reading the entropy device",
               "virtio_rng loads and the guest reads /dev/hwrng: each request is one "
               "device-writable buffer that QEMU fills with random bytes from the host."),
    "U": Phase("link-up", "Bringing eth0 up",
               "The driver fills the receive queue and sends control-queue commands (receive "
               "mode, MAC filter, VLANs); Linux polls the control queue instead of waiting "
               "for an interrupt."),
    "P": Phase("ping", "Pinging 10.0.2.2",
               "Each ping is one transmit and one receive: kick the transmit queue, QEMU pops "
               "the frame, delivers the reply into a receive buffer, and interrupts twice."),
    "p": Phase("ping-done", "Ping done", "The network goes quiet."),
    "D": Phase("disk-read", "Reading the disk (O_DIRECT)",
               "Four 4 KiB reads, each one request of three pieces: header, data, status."),
    "W": Phase("disk-write", "Writing the disk and flushing",
               "A 4 KiB write, then a flush request that carries no data."),
    "d": Phase("disk-done", "Disk work done", "The disk goes quiet."),
    "S": Phase("idle", "Idle while QEMU is queried",
               "Nothing moves; this is when QMP queries read QEMU's own view of the rings."),
    "T": Phase("throttled-read", "A throttled read",
               "With I/O throttled to one request per second, requests stay in flight long "
               "enough for QMP to see one."),
    "X": Phase("poweroff", "Power off", "Linux resets both devices by writing status 0."),
}  # fmt: skip

LIMITATIONS: tuple[str, ...] = (
    "Ring indices: no trace event carries avail.idx, used.idx, last_avail_idx or the "
    "event index fields, so the ring views show them as unknown (null); the trace only "
    "counts pops and published used elements. QMP replies (--qmp) add real indices at the "
    "moment they were taken.",
    "Descriptors: descriptor addresses, lengths and flags, and the data in the buffers, "
    "are not in the trace; virtqueue_pop only tells how many pieces an element has.",
    "Suppressed notifications: a kick the driver decided not to send, or an interrupt "
    "QEMU decided not to raise (VIRTQ_AVAIL_F_NO_INTERRUPT, used_event/avail_event), "
    "leaves no line at all.",
    "Guest memory: no bytes of the rings are known, so the memory view stays empty.",
    "With ioeventfd on, the guest's kick writes are caught before they reach the notify "
    "region (by KVM in the host kernel, or by QEMU's memory core under TCG) and do not "
    "appear as MMIO lines; virtio_queue_notify is the first sign of them.",
    "Timing: the timestamps are host times of QEMU's threads; the order of lines from "
    "different threads is the order QEMU wrote them, not always the order they happened.",
)


def phase_for(marker: str) -> Phase:
    if marker in MARKERS:
        return MARKERS[marker]
    return Phase(f"phase-{ord(marker[0]) if len(marker) == 1 else marker}",
                 f"Phase {marker!r}", f"The guest wrote {marker!r} to port 0xe9 here.")  # fmt: skip
