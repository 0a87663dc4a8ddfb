"""The importer on the packed recordings made by `virtio-viz record` (packed rings,
event_idx and ioeventfd off: the variant the shared recording lacks), checked without QEMU.

Two kernels, two endings: the one that ships with the server was made with a Debian 6.1
kernel that resets every device at power-off (6.1.0-57), the test copy beside this file
with one that leaves that to QEMU (6.1.0-50). Whichever kernel apt serves, a fresh
recording ends one of these two ways, so every fact here must hold for both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.qemu_trace.helpers import chapter_steps, kinds, state_at
from virtio_viz.api.trace_schema import Trace
from virtio_viz.qemu_record.library import SHELF
from virtio_viz.qemu_trace.cli import import_files

PACKED = 1 << 34  # VIRTIO_F_RING_PACKED
EVENT_IDX = 1 << 29  # VIRTIO_F_EVENT_IDX
RECORDINGS = {
    "reset at power-off": SHELF / "qemu-packed",
    "no reset at power-off": Path(__file__).parent / "recordings" / "qemu-packed-no-reset",
}


def load(folder: Path, device: str | None = None) -> dict[str, Any]:
    return import_files(
        folder / "trace-virtio.log", sorted(folder.glob("qmp-*.json")), device=device
    )


@pytest.fixture(scope="module", params=list(RECORDINGS), ids=list(RECORDINGS))
def packed(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(RECORDINGS[request.param])


def test_the_two_recordings_do_end_the_two_ways() -> None:
    """The premise of this file: one kernel resets at power-off, the other does not."""
    endings = {}
    for name, folder in RECORDINGS.items():
        doc = load(folder)
        poweroff = chapter_steps(doc, "poweroff")
        endings[name] = any(s["event"]["kind"] == "device_reset" for s in poweroff)
    assert endings == {"reset at power-off": True, "no reset at power-off": False}


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


def test_the_diagram_and_the_options_are_those_of_the_packed_life(packed: dict[str, Any]) -> None:
    """Issue 14: after a reset at power-off the device's state says split again; the picture
    must still be the packed ring the device was driven with while it was live."""
    boxes = {box["id"]: box for box in packed["topology"]["boxes"]}
    assert (boxes["desc-table"]["label"], boxes["virtqueue"]["sublabel"]) == (
        "descriptor ring", "packed ring in guest memory",
    )  # fmt: skip
    assert (packed["scenario"]["options"]["ring"], packed["scenario"]["options"]["event_idx"]) == (
        "packed", False,
    )  # fmt: skip
    last = state_at(packed, packed["step_count"] - 1)
    assert last["device"]["ring"] == "packed"
    assert {q["format"] for q in last["queues"]} == {"packed"}
    Trace.model_validate(packed)


def test_each_life_of_each_device_is_listed_with_its_ring_and_steps(
    packed: dict[str, Any],
) -> None:
    lives = packed["lives"]
    blk = [(life["driver"], life["ring"], life["driver_ok"]) for life in lives["virtio-blk"]]
    assert blk == [("the firmware", "split", True), ("the driver", "packed", True)]
    assert [(life["driver"], life["ring"]) for life in lives["virtio-net"]] == [
        ("the driver", "packed"),
    ]  # fmt: skip
    firmware, linux = lives["virtio-blk"]
    assert firmware["ended_by_reset"] and firmware["last_step"] < linux["first_step"]
    for life in (*lives["virtio-blk"], *lives["virtio-net"]):
        first = packed["steps"][life["first_step"]]
        assert first["event"]["kind"] == "status_write"
        assert f"life {life['number']} of" in first["narration"]
        assert int(life["final"]["features"]["negotiated"], 16) == int(life["negotiated"], 16)
    for index in range(linux["first_step"], linux["last_step"]):  # the last one may reset it
        assert state_at(packed, index)["extras"]["devices"]["virtio-blk"]["life"] == 2


def test_a_reset_at_power_off_ends_the_life_and_says_what_it_ran(packed: dict[str, Any]) -> None:
    net = packed["lives"]["virtio-net"][-1]
    resets = [s for s in chapter_steps(packed, "poweroff")
              if s["event"]["kind"] == "device_reset"
              and s["event"]["values"].get("device") == "virtio-net"]  # fmt: skip
    assert net["ended_by_reset"] == bool(resets)
    if resets:
        assert net["last_step"] == resets[0]["index"]
        assert "ran a packed ring with event_idx off" in resets[0]["narration"]
        assert state_at(packed, resets[0]["index"])["device"]["life"] is None
    else:
        assert net["last_step"] == packed["step_count"] - 1


def test_a_device_that_lived_on_both_formats_draws_each_life_with_its_own() -> None:
    """virtio-blk as the primary device: the firmware drove a split ring, Linux a packed
    one. The document carries a diagram for each, and each step says which is in force."""
    doc = load(RECORDINGS["reset at power-off"], device="virtio-blk")
    assert doc["topologies"] is not None and set(doc["topologies"]) == {"split", "packed"}
    assert doc["topology"] == doc["topologies"]["packed"]  # the life that carried the data
    firmware, linux = doc["lives"]["virtio-blk"]
    in_firmware = state_at(doc, firmware["last_step"] - 1)["device"]
    in_linux = state_at(doc, linux["last_step"] - 1)["device"]
    assert (in_firmware["life"], in_firmware["ring"]) == (1, "split")
    assert (in_linux["life"], in_linux["ring"]) == (2, "packed")
    desc = {t: next(b for b in doc["topologies"][t]["boxes"] if b["id"] == "desc-table")["label"]
            for t in ("split", "packed")}  # fmt: skip
    assert desc == {"split": "descriptor table", "packed": "descriptor ring"}


def test_the_comparison_reads_the_live_device_not_what_the_reset_left(
    packed: dict[str, Any],
) -> None:
    for device in ("virtio-net", "virtio-blk"):
        rows = {row["topic"]: row for row in packed["comparison"][device]}
        for topic in ("features offered", "features accepted", "queues (name, size, MSI-X vector)"):
            assert rows[topic]["agree"], (device, rows[topic])
