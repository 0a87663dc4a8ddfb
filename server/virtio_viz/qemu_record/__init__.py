"""Record a fresh QEMU trace from a real VM (`virtio-viz record`).

guest.py writes the guest's `/init`, initramfs.py packs it with busybox and the virtio
modules that kernel.py takes out of a Debian kernel package, machine.py builds the QEMU
command line from the options, recorder.py runs QEMU and follows the guest's phases
(querying QEMU through qmp_capture.py), and logfilter.py keeps the virtio lines of the
log for qemu_trace to import.
"""

from __future__ import annotations

from virtio_viz.qemu_record.errors import RecordError

__all__ = ["RecordError"]
