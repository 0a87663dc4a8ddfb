"""Cut QEMU's full log down to the lines about virtio, as the importer reads them.

How this works: `memory_region_ops_read/write` is one trace event for every device
access in the machine, so the full log of a short boot is megabytes of PCI config,
serial-port and timer traffic. Kept are: every event that is not a memory access
(`virtio_*`, `virtqueue_*`, `msix_write_config`, lines the parser does not know), the
accesses to the virtio-pci regions, the MSI-X table and the debugcon port, and the
interrupts that virtio devices sent.

The last needs care: region `apic-msi` receives the local APIC's own register accesses
(cpu 0), the I/O APIC's messages for the timer and the serial port, and virtio's MSI-X
messages (both cpu -1). An MSI-X message is recognized by its data word: the vector the
driver wrote into the `data` field of an MSI-X table entry (virtio-1.2 §4.1.4.10 points
each queue at one entry). Only those writes, and the `apic_deliver_irq` that the same
thread logs right after each, are kept.
"""

from __future__ import annotations

from virtio_viz.qemu_trace.parse import TraceLine, parse_line

KEPT_REGIONS = frozenset({"msix-table", "isa-debugcon"})
MSIX_DATA_OFFSET = 8  # within each 16-byte table entry (PCI Local Bus 3.0 §6.8.2)
MSIX_ENTRY_SIZE = 16
OUTSIDE_CPU = -1  # memory_region_ops_* logs cpu -1 for accesses not made by a vCPU


class VirtioLogFilter:
    """Feed lines in log order; `keep(line)` says whether each belongs in the cut log."""

    def __init__(self) -> None:
        self.msix_vectors: set[int] = set()
        self._awaiting_delivery: set[int | None] = set()  # threads that just sent an MSI

    def keep(self, raw: str) -> bool:
        parsed = parse_line(raw.strip(), 0)
        if not isinstance(parsed, TraceLine):
            return True  # unknown or malformed: the importer counts and reports those
        if parsed.event == "apic_deliver_irq":
            if parsed.thread in self._awaiting_delivery:
                self._awaiting_delivery.discard(parsed.thread)
                return True
            return False
        if not parsed.event.startswith("memory_region_ops_"):
            return True
        return self._keep_access(parsed)

    def _keep_access(self, line: TraceLine) -> bool:
        name = line.text("name")
        write = line.event.endswith("write")
        if name == "msix-table":
            if write and line.num("addr") % MSIX_ENTRY_SIZE == MSIX_DATA_OFFSET:
                self.msix_vectors.add(line.num("value") & 0xFF)
            return True
        if name == "apic-msi":
            sent = write and line.num("cpu") == OUTSIDE_CPU
            if sent and line.num("value") & 0xFF in self.msix_vectors:
                self._awaiting_delivery.add(line.thread)
                return True
            return False
        return name in KEPT_REGIONS or name.startswith("virtio-pci-")
