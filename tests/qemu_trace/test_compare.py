"""The real recording next to the model's run: what agrees and what differs, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from virtio_viz.qemu_trace.compare import compare_all, model_options
from virtio_viz.qemu_trace.export import import_trace

RECORDING = Path(__file__).resolve().parents[2].parent / "shared" / "traces" / "qemu-split"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, dict[str, Any]]]:
    doc = import_trace((RECORDING / "trace-virtio.log").read_text(), source="trace-virtio.log")
    return {dev: {r["topic"]: r for r in found} for dev, found in compare_all(doc).items()}


def test_linux_and_the_model_agree_on_the_handshake_features_and_queues(
    rows: dict[str, dict[str, dict[str, Any]]],
) -> None:
    net = rows["virtio-net"]
    assert net["device_status writes"]["real"] == "0x0, 0x1, 0x3, 0xb, 0xf"
    assert net["queues (name, size, MSI-X vector)"]["real"] == (
        "receiveq1: 256 entries, vector 1; transmitq1: 256 entries, vector 2; "
        "controlq: 64 entries, no vector"
    )
    for topic in ("device_status writes", "features offered", "features accepted",
                  "queues (name, size, MSI-X vector)"):  # fmt: skip
        assert net[topic]["agree"], net[topic]
    assert "VIRTIO_NET_F_CTRL_RX_EXTRA" in net["features accepted"]["note"]


def test_the_differences_are_called_out(rows: dict[str, dict[str, dict[str, Any]]]) -> None:
    firmware = rows["virtio-blk"]["status writes that set several bits at once"]
    assert not firmware["agree"] and firmware["real"] == "0x0 → 0x3"
    assert "firmware" in firmware["note"]
    synthetic = rows["virtio-net"]["notifications QEMU raised itself"]
    assert (synthetic["agree"], synthetic["real"], synthetic["model"]) == (False, "3", "0")


@pytest.mark.parametrize(
    ("offered", "ring", "event_idx"),
    [
        (0x1_3000_0000, "split", True),  # VERSION_1, EVENT_IDX: QEMU's defaults
        (0x5_1000_0000, "packed", False),  # packed=on,event_idx=off
    ],
)
def test_the_model_runs_with_the_ring_format_and_event_idx_the_device_offered(
    offered: int, ring: str, event_idx: bool
) -> None:
    options = model_options(offered)
    assert (options.ring, options.event_idx, options.queue_size) == (ring, event_idx, 256)


def test_every_cell_reads_as_words_and_numbers_not_as_python(
    rows: dict[str, dict[str, dict[str, Any]]],
) -> None:
    """Issue 14.7: the table printed Python reprs (`['0x0', ...]`, `[('requestq1', ...)]`)."""
    cells = [row[side] for found in rows.values() for row in found.values()
             for side in ("real", "model")]  # fmt: skip
    assert cells and all(isinstance(cell, str) for cell in cells)
    assert not [cell for cell in cells if any(mark in cell for mark in "[]()'\"")]
