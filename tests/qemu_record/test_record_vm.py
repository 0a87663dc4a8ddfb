"""`virtio-viz record` end to end: a real Linux guest in Debian's QEMU (TCG), recorded and
imported. Two variants: QEMU's defaults (split rings, event_idx and ioeventfd on), which
must show the same facts as the shared recording, and every option flipped (packed rings,
event_idx off, ioeventfd off, and a virtio-rng device as a third, read in phase R).

The kernel package is downloaded once into the user's cache (~70 MB; see
docs/qemu-record.md); each recording takes about 20 s."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.qemu_trace.helpers import chapter_steps, kinds, state_at
from tests.qemu_trace.test_real_trace import status_writes
from virtio_viz.cli import main
from virtio_viz.qemu_record import host, kernel
from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.machine import RecordOptions
from virtio_viz.qemu_record.recorder import record as record_run

Recording = tuple[Path, dict[str, Any]]
PACKED = 1 << 34  # VIRTIO_F_RING_PACKED
EVENT_IDX = 1 << 29  # VIRTIO_F_EVENT_IDX
PING_REPLY = 12 + 98  # virtio_net_hdr + Ethernet/IP/ICMP echo reply of 56 data bytes


def record(folder: Path, *options: str) -> Recording:
    assert main(["record", str(folder), *options]) == 0
    return folder, json.loads((folder / "trace.json").read_text())


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    return record(tmp_path_factory.mktemp("split"))


@pytest.fixture(scope="module")
def flipped(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    folder = tmp_path_factory.mktemp("packed")
    flags = ("--ring", "packed", "--event-idx", "off", "--ioeventfd", "off", "--rng")
    return record(folder, *flags)


def final_devices(doc: dict[str, Any]) -> dict[str, Any]:
    before_poweroff = next(c for c in doc["chapters"] if c["id"] == "poweroff")["first_step"] - 1
    devices: dict[str, Any] = state_at(doc, before_poweroff)["extras"]["devices"]
    return devices


def qmp_records(folder: Path, stem: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((folder / f"qmp-{stem}.json").read_text())
    return records


def test_the_recording_has_every_file_and_says_what_made_it(default: Recording) -> None:
    folder, doc = default
    names = {path.name for path in folder.iterdir()}
    assert names == {
        "trace-virtio.log", "trace-events.txt", "markers.txt", "console.log", "cmdline.txt",
        "recording.json", "trace.json", "qmp-x-query-virtio.json", "qmp-virtio-net.json",
        "qmp-virtio-blk.json", "qmp-virtio-blk-inflight.json",
    }  # fmt: skip
    manifest = json.loads((folder / "recording.json").read_text())
    assert manifest["markers"] == (folder / "markers.txt").read_text() == "MNBUPpDWdSTX"
    assert manifest["qemu"].startswith("QEMU emulator version 7.2")
    assert manifest["kernel"]["release"].startswith("6.1.0-")
    assert manifest["busybox"].startswith("BusyBox v1.35")
    lines = manifest["trace_lines"]
    assert 0 < lines["kept"] < lines["logged"] / 20  # the cut keeps the virtio lines only
    assert doc["source"]["lines"] == lines["kept"]
    assert doc["source"]["unknown_lines"] == 0 and doc["source"]["malformed"] == []
    assert "3 packets transmitted, 3 packets received" in (folder / "console.log").read_text()
    assert doc["scenario"]["title"] == "A fresh recording: split rings, event_idx on, ioeventfd on"
    assert manifest["kernel"]["release"] in doc["scenario"]["summary"]
    boxes = {box["id"]: box for box in doc["topology"]["boxes"]}
    assert "TCG stands in here" in boxes["kvm"]["sublabel"]  # no KVM was used
    assert "slirp stands in here" in boxes["tap"]["sublabel"]
    assert boxes["desc-table"]["label"] == "descriptor table"


def test_a_fresh_recording_shows_the_shared_recordings_handshake(default: Recording) -> None:
    _, doc = default
    assert doc["source"]["markers"] == "MNBUPpDWdSTX"
    writes = status_writes(doc)
    # Newer 6.1 kernels (the shared recording's 6.1.0-56) reset each device at power-off;
    # older ones (6.1.0-50) leave it to QEMU. Either way no other status write happens.
    for device in ("virtio-net", "virtio-blk"):
        assert writes[device].pop("poweroff", [0]) == [0]
    assert dict(writes["virtio-net"]) == {"load-virtio": [0, 1], "load-virtio-net": [3, 11, 15]}
    assert dict(writes["virtio-blk"]) == {
        "firmware": [0, 3, 11, 15], "load-virtio": [0, 1], "load-virtio-blk": [3, 11, 15],
    }  # fmt: skip
    devices = final_devices(doc)
    net, blk = devices["virtio-net"], devices["virtio-blk"]
    assert (net["features"]["offered"], net["features"]["driver"]) == (
        "0x10130bf8024", "0x10130af8024",
    )  # fmt: skip
    assert blk["features"]["driver"] == "0x10130006e54"
    assert [(q["name"], q["size"], q["msix_vector"]) for q in net["queues"]] == [
        ("receiveq1", 256, 1), ("transmitq1", 256, 2), ("controlq", 64, None),
    ]  # fmt: skip
    assert all(row["agree"] for row in doc["comparison"]["virtio-net"][:5])


def test_each_ping_is_kick_pop_pop_fill_in_that_order(default: Recording) -> None:
    _, doc = default
    steps = [s["event"] for s in chapter_steps(doc, "ping")]
    flow = [(e["kind"], e["queue"], e["values"].get("len")) for e in steps]
    replies = [i for i, (kind, queue, length) in enumerate(flow)
               if (kind, queue, length) == ("fill", 0, PING_REPLY)]  # fmt: skip
    assert len(replies) == 3
    for reply in replies:
        before = [(kind, queue) for kind, queue, _ in flow[:reply]][-3:]
        assert before == [("kick", 1), ("pop", 1), ("pop", 0)]


def test_the_disk_phases_are_four_reads_then_a_write_and_a_flush(default: Recording) -> None:
    _, doc = default
    read, write = kinds(chapter_steps(doc, "disk-read")), kinds(chapter_steps(doc, "disk-write"))
    assert (read["blk_handle_read"], read["pop"], read["fill"]) == (4, 4, 4)
    assert (write["blk_handle_write"], write["pop"]) == (1, 2)  # the write, then the flush
    sectors = [s["event"]["values"].get("sector") for s in chapter_steps(doc, "disk-read")
               if s["event"]["kind"] == "blk_handle_read"]  # fmt: skip
    assert sectors[0] == 256 * 1024 // 512


def test_qmp_shows_the_queues_and_the_request_held_in_flight(default: Recording) -> None:
    folder, doc = default
    assert kinds(doc["steps"])["qmp_queue_status"] == 5  # rx, tx, ctrl, and the disk twice
    inflight = qmp_records(folder, "virtio-blk-inflight")
    status = next(r for r in inflight if r["command"]["execute"] == "x-query-virtio-queue-status")
    assert status["reply"]["return"]["inuse"] >= 1
    element = next(r for r in inflight if r["command"]["execute"] == "x-query-virtio-queue-element")
    lengths = [d["len"] for d in reversed(element["reply"]["return"]["descs"])]
    assert lengths == [16, 4096, 1]  # virtio_blk_outhdr, the data, the status byte


def test_every_option_flipped_is_what_the_devices_negotiate(flipped: Recording) -> None:
    folder, doc = flipped
    assert doc["source"]["markers"] == "MNBRUPpDWdSTX"
    for device in ("virtio-net", "virtio-blk"):
        negotiated = int(final_devices(doc)[device]["features"]["negotiated"], 16)
        assert negotiated & PACKED and not negotiated & EVENT_IDX
        assert all(row["agree"] for row in doc["comparison"][device][2:4])  # features
    assert doc["scenario"]["options"]["ring"] == "packed"
    boxes = {box["id"]: box for box in doc["topology"]["boxes"]}
    assert (boxes["desc-table"]["label"], boxes["virtqueue"]["sublabel"]) == (
        "descriptor ring", "packed ring in guest memory",
    )  # fmt: skip
    assert "packed=on,event_idx=off,ioeventfd=off" in (folder / "cmdline.txt").read_text()


def test_with_ioeventfd_off_each_kick_is_a_notify_write_that_qemu_then_handles(
    flipped: Recording,
) -> None:
    _, doc = flipped
    ping = kinds(chapter_steps(doc, "ping"))
    assert ping["kick"] == ping["kick_handled"] >= 4
    assert kinds(doc["steps"])["queue_check"] == 0  # no ioeventfd start-up checks
    kick = next(s for s in chapter_steps(doc, "ping") if s["event"]["kind"] == "kick")
    assert kick["event"]["values"]["ioeventfd"] is False


def test_a_packed_ring_is_used_at_each_fill_and_never_flushed_in_the_log(
    flipped: Recording,
) -> None:
    folder, doc = flipped
    linux = [s for s in doc["steps"] if s["chapter"] > 0]  # after the firmware's split ring
    assert kinds(linux)["flush"] == 0 and kinds(linux)["fill"] > 0
    for queue in final_devices(doc)["virtio-net"]["queues"][:2]:
        counted = queue["device"]["counted"]
        assert counted["used"] + counted["in_use"] == counted["popped"] > 0
    errors = Counter(
        r["reply"]["error"]["desc"]
        for r in qmp_records(folder, "virtio-net")
        if "error" in r["reply"]
    )  # QEMU 7.2 cannot list a packed ring's elements; asked once per device
    assert errors == Counter({"Packed ring not supported": 1})


def test_a_third_device_is_found_by_its_id_and_its_queue_named_by_the_spec(
    flipped: Recording,
) -> None:
    _, doc = flipped
    assert doc["source"]["devices"] == ["virtio-blk", "virtio-net", "virtio-rng"]
    rng = final_devices(doc)["virtio-rng"]
    assert rng["features"]["device_id"] == 4  # virtio-1.2 §5.4: the entropy device
    assert [(q["name"], q["format"]) for q in rng["queues"]] == [("requestq", "packed")]
    entropy = [s for s in chapter_steps(doc, "entropy")
               if s["event"]["values"].get("device") == "virtio-rng"]  # fmt: skip
    fills = [s["event"]["values"]["len"] for s in entropy if s["event"]["kind"] == "fill"]
    assert fills and all(length > 0 for length in fills)  # random bytes came back
    assert kinds(entropy)["pop"] == len(fills)


def test_a_guest_that_cannot_load_virtio_stops_and_the_run_says_where(
    default: Recording, tmp_path: Path
) -> None:
    """The real kernel with a broken virtio_ring module: insmod fails, the guest powers off
    right after phase M, and the recorder keeps the console to show why."""
    real = kernel.unpack(kernel.download(kernel.resolve_package(), host.default_cache()))
    broken = replace(real, modules={**real.modules, "virtio_ring": b"not a module"})
    with pytest.raises(RecordError, match=r"stopped early: phases 'M' of 'MNBUPpDWdSTX'"):
        record_run(RecordOptions(), tmp_path, broken, host.static_busybox(), timeout=300)
    assert "insmod virtio_ring failed" in (tmp_path / "console.log").read_text()
