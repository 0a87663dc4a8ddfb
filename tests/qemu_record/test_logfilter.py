"""The cut of QEMU's full log: the virtio lines stay, other devices' traffic goes, and
only the MSI messages virtio sent are kept with their deliveries."""

from __future__ import annotations

from tests.qemu_trace.helpers import LOG
from virtio_viz.qemu_record.logfilter import VirtioLogFilter

PREFIX = "100@1795550285.6{:05d}:"
MSIX_DATA = "memory_region_ops_write cpu 0 mr 0x1 addr 0x18 value 0x29 size 4 name 'msix-table'"
VIRTIO_MSI = (
    "memory_region_ops_write cpu -1 mr 0x2 addr 0xfee01004 value 0x29 size 4 name 'apic-msi'"
)
TIMER_MSI = (
    "memory_region_ops_write cpu -1 mr 0x2 addr 0xfee01004 value 0x25 size 4 name 'apic-msi'"
)
LAPIC_EOI = "memory_region_ops_write cpu 0 mr 0x2 addr 0xfee000b0 value 0x0 size 4 name 'apic-msi'"
DELIVER = "apic_deliver_irq dest 1 dest_mode 1 delivery_mode 0 vector {} trigger_mode 0"


def cut(lines: list[str]) -> list[str]:
    log_filter = VirtioLogFilter()
    stamped = [PREFIX.format(n) + line for n, line in enumerate(lines)]
    return [line.split(":", 1)[1] for line in stamped if log_filter.keep(line)]


def test_virtio_regions_and_events_stay_and_other_devices_go() -> None:
    lines = [
        "memory_region_ops_read cpu 0 mr 0x3 addr 0x14 value 0x0 size 1 "
        "name 'virtio-pci-common-virtio-net'",
        "memory_region_ops_write cpu 0 mr 0x4 addr 0x3f8 value 0x41 size 1 name 'serial'",
        "memory_region_ops_read cpu 0 mr 0x5 addr 0x0 value 0x0 size 4 name 'pci-conf-data'",
        "memory_region_ops_write cpu 0 mr 0x6 addr 0xe9 value 0x4d size 1 name 'isa-debugcon'",
        "virtio_queue_notify vdev 0x7 n 1 vq 0x8",
        "virtio_net_announce_timer vdev 0x7",  # unknown to the importer: kept, it counts them
        "qemu-system-x86_64: a warning",
    ]
    assert cut(lines) == [lines[0], lines[3], lines[4], lines[5], lines[6]]


def test_only_the_msi_messages_with_a_virtio_vector_are_kept_with_their_delivery() -> None:
    lines = [
        TIMER_MSI, DELIVER.format(37),  # the I/O APIC's timer interrupt: before any MSI-X setup
        MSIX_DATA,  # the driver writes vector 0x29 into MSI-X entry 1's data word
        LAPIC_EOI,  # the guest's end-of-interrupt write to its local APIC
        "virtio_notify vdev 0x7 vq 0x8", VIRTIO_MSI, DELIVER.format(41),
        TIMER_MSI, DELIVER.format(37),
    ]  # fmt: skip
    assert cut(lines) == [
        MSIX_DATA,
        "virtio_notify vdev 0x7 vq 0x8",
        VIRTIO_MSI,
        DELIVER.format(41),
    ]


def test_the_delivery_follows_the_message_of_its_own_thread() -> None:
    log_filter = VirtioLogFilter()
    for line in (MSIX_DATA, VIRTIO_MSI):
        assert log_filter.keep(f"7@1.0:{line}")
    assert not log_filter.keep(f"8@1.1:{DELIVER.format(37)}")  # another thread's interrupt
    assert log_filter.keep(f"7@1.2:{DELIVER.format(41)}")
    assert not log_filter.keep(f"7@1.3:{DELIVER.format(41)}")  # one delivery per message


def test_an_already_cut_log_passes_unchanged() -> None:
    log_filter = VirtioLogFilter()
    lines = LOG.read_text().splitlines()
    assert [line for line in lines if log_filter.keep(line)] == lines
