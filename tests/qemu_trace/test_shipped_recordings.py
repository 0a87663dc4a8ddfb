"""The importer on the recordings that ship with virtio-viz (made by `virtio-viz record`):
the packed one with event_idx and ioeventfd off is the variant the shared recording
lacks, so its facts are checked here, without QEMU."""

from __future__ import annotations

from typing import Any

import pytest

from tests.qemu_trace.helpers import chapter_steps, kinds, state_at
from virtio_viz.qemu_record.library import SHELF
from virtio_viz.qemu_trace.cli import import_files

PACKED = 1 << 34  # VIRTIO_F_RING_PACKED
EVENT_IDX = 1 << 29  # VIRTIO_F_EVENT_IDX


@pytest.fixture(scope="module")
def packed() -> dict[str, Any]:
    folder = SHELF / "qemu-packed"
    return import_files(folder / "trace-virtio.log", sorted(folder.glob("qmp-*.json")))


def test_every_phase_and_the_negotiated_packed_ring(packed: dict[str, Any]) -> None:
    assert packed["source"]["markers"] == "MNBUPpDWdSTX"
    assert packed["source"]["malformed"] == []
    # Without ioeventfd, QEMU's virtio-pci layer logs each notify write a second time; the
    # memory_region_ops line before it is the one imported, this one is counted and skipped.
    kicks = kinds(packed["steps"])["kick"]
    assert packed["source"]["unknown_events"] == {"virtio_pci_notify_write": kicks}
    ping_end = next(c for c in packed["chapters"] if c["id"] == "ping-done")["first_step"]
    for device in ("virtio-net", "virtio-blk"):
        features = state_at(packed, ping_end)["extras"]["devices"][device]["features"]
        negotiated = int(features["negotiated"], 16)
        assert negotiated & PACKED and not negotiated & EVENT_IDX


def test_three_pings_each_a_notify_write_handled_by_qemu_and_used_at_the_fill(
    packed: dict[str, Any],
) -> None:
    ping = chapter_steps(packed, "ping")
    counted = kinds(ping)
    assert counted["kick"] == counted["kick_handled"] >= 4  # ARP and three echo requests
    assert counted["flush"] == 0  # QEMU 7.2 logs none for a packed ring
    replies = [s for s in ping if s["event"]["kind"] == "fill" and s["event"]["values"]["len"]
               == 12 + 98]  # fmt: skip
    assert len(replies) == 3
    end = state_at(packed, ping[-1]["index"])["queues"]
    for queue in end[:2]:  # receive and transmit: everything taken was given back
        counted_queue = queue["device"]["counted"]
        assert counted_queue["popped"] == counted_queue["used"] + counted_queue["in_use"] > 0


def test_no_startup_checks_without_ioeventfd_and_the_model_agrees_on_features(
    packed: dict[str, Any],
) -> None:
    assert kinds(packed["steps"])["queue_check"] == 0
    rows = {row["topic"]: row for row in packed["comparison"]["virtio-net"]}
    assert rows["features offered"]["agree"] and rows["features accepted"]["agree"]
    assert rows["notifications QEMU raised itself"]["agree"]  # none on either side
