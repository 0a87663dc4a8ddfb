"""Import a real QEMU trace (the `log` trace backend) into a virtio-viz trace.

parse.py reads the log into typed lines, decode.py turns them into steps on the
qemu-emulated diagram while it keeps each device's state, qmp.py adds what QEMU's QMP
queries report, and export.py writes the JSON document the browser replays.
"""

from __future__ import annotations

from virtio_viz.qemu_trace.errors import TraceImportError

__all__ = ["TraceImportError"]
