"""The importer recovers, from the real QEMU 7.2 + Linux 6.1 recording, every fact its
README lists: status sequences, feature words, queue sizes and vectors, the order of a
ping, and what each phase did."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.qemu_trace.helpers import LOG, QMP_FILES, chapter_steps, kinds, state_at
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.qemu_trace.parse import read_trace
from virtio_viz.qemu_trace.qmp import load_qmp
from virtio_viz.scenarios.topologies.imported import draw

pytestmark = pytest.mark.skipif(not LOG.exists(), reason="shared/traces/qemu-split is missing")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    replies = [reply for path in QMP_FILES for reply in load_qmp(path)]
    return import_trace(read_trace(LOG), source=LOG.name, qmp=replies)


def status_writes(doc: dict[str, Any]) -> dict[str, dict[str, list[int]]]:
    """device -> chapter id -> the values the guest wrote to device_status."""
    ids = {c["index"]: c["id"] for c in doc["chapters"]}
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for step in doc["steps"]:
        values = step["event"]["values"]
        if values.get("register") == "device_status" and values.get("write"):
            found[values["device"]][ids[step["chapter"]]].append(values["value"])
    return found


def test_header_names_the_source_the_topology_and_the_limits(doc: dict[str, Any]) -> None:
    assert doc["format"] == "virtio-viz-trace"
    assert doc["version"] == 2
    assert doc["topology"]["id"] == "qemu-recording"  # the diagram of both devices
    source = doc["source"]
    assert (source["lines"], source["events"], source["unknown_lines"]) == (591, 591, 0)
    assert source["malformed"] == []
    assert source["timestamps"] is True
    assert source["devices"] == ["virtio-blk", "virtio-net"]
    assert source["primary_device"] == "virtio-net"
    assert source["markers"] == "MNBUPpDWdSTX"
    assert any("Ring indices" in text for text in doc["limitations"])
    assert "cannot show" in doc["chapters"][0]["intro"]
    assert doc["step_count"] == len(doc["steps"])
    # chapters cover every step exactly once, in order
    first = 0
    for chapter in doc["chapters"]:
        assert chapter["first_step"] == first
        first += chapter["step_count"]
    assert first == doc["step_count"]


def test_chapters_follow_the_phase_markers(doc: dict[str, Any]) -> None:
    assert [c["id"] for c in doc["chapters"]] == [
        "firmware", "load-virtio", "load-virtio-net", "load-virtio-blk", "link-up", "ping",
        "ping-done", "disk-read", "disk-write", "disk-done", "idle", "throttled-read", "poweroff",
    ]  # fmt: skip


def test_status_sequences_per_device(doc: dict[str, Any]) -> None:
    writes = status_writes(doc)
    assert dict(writes["virtio-net"]) == {
        "load-virtio": [0, 1], "load-virtio-net": [3, 11, 15], "poweroff": [0],
    }  # fmt: skip
    assert dict(writes["virtio-blk"]) == {
        "firmware": [0, 3, 11, 15], "load-virtio": [0, 1], "load-virtio-blk": [3, 11, 15],
        "poweroff": [0],
    }  # fmt: skip


def test_linux_reads_status_before_each_write_and_again_after_features_ok(
    doc: dict[str, Any],
) -> None:
    net = [
        (s["event"]["values"]["write"], s["event"]["values"]["value"])
        for s in chapter_steps(doc, "load-virtio-net")
        if s["event"]["values"].get("register") == "device_status"
    ]
    assert net[:5] == [(False, 1), (True, 3), (False, 3), (True, 11), (False, 11)]
    assert net[-3:] == [(False, 11), (True, 15), (False, 15)]


def test_a_guest_reset_shows_as_two_set_status_lines(doc: dict[str, Any]) -> None:
    steps = chapter_steps(doc, "poweroff")
    qemu = [s["narration"] for s in steps if s["event"]["kind"] == "device_status"]
    assert qemu[:2] == ["QEMU resets virtio-blk", "QEMU resets virtio-blk again (virtio_reset() "
                        "sets status 0 a second time)"]  # fmt: skip


def test_feature_words(doc: dict[str, Any]) -> None:
    devices = state_at(doc, 352)["extras"]["devices"]  # after virtio_blk's DRIVER_OK
    net, blk = devices["virtio-net"]["features"], devices["virtio-blk"]["features"]
    assert net == {"device_id": 1, "offered": "0x10130bf8024", "driver": "0x10130af8024",
                   "negotiated": "0x10130af8024"}  # fmt: skip
    assert blk == {"device_id": 2, "offered": "0x10130006e54", "driver": "0x10130006e54",
                   "negotiated": "0x10130006e54"}  # fmt: skip
    declined = [
        s["narration"]
        for s in chapter_steps(doc, "load-virtio-net")
        if s["event"]["kind"] == "driver_features_write"
    ]
    assert "declines VIRTIO_NET_F_CTRL_RX_EXTRA" in declined[0]
    assert declined[1].endswith("accepts VIRTIO_F_VERSION_1, VIRTIO_F_RING_RESET)")


def test_firmware_accepts_fewer_blk_features(doc: dict[str, Any]) -> None:
    last = doc["chapters"][0]["step_count"] - 1
    blk = state_at(doc, last)["extras"]["devices"]["virtio-blk"]
    assert blk["features"]["driver"] == "0x100000044"  # SEG_MAX, BLK_SIZE, VERSION_1


def test_queues_sizes_vectors_and_notify_offsets(doc: dict[str, Any]) -> None:
    state = state_at(doc, 352)
    queues = {q["index"]: q for q in state["queues"]}  # virtio-net, the primary device
    assert [(q["name"], q["size"], q["msix_vector"], q["enabled"]) for q in queues.values()] == [
        ("receiveq1", 256, 1, True), ("transmitq1", 256, 2, True), ("controlq", 64, None, True),
    ]  # fmt: skip
    assert [a["addr"] for a in queues[0]["areas"]] == [0x29E0000, 0x29E1000, 0x29E1240]
    assert queues[0]["device"]["last_avail_idx"] is None  # not in any trace event
    blk = state["extras"]["devices"]["virtio-blk"]["queues"]
    assert [(q["name"], q["size"], q["msix_vector"]) for q in blk] == [("requestq1", 256, 1)]
    offs = [s["event"]["values"]["value"] for s in chapter_steps(doc, "load-virtio-net")
            if s["event"]["values"].get("register") == "queue_notify_off"]  # fmt: skip
    assert offs == [0, 1, 2]


def test_one_ping_in_order(doc: dict[str, Any]) -> None:
    steps = chapter_steps(doc, "ping")
    kicks = [i for i, s in enumerate(steps) if s["event"]["kind"] == "kick"]
    assert len(kicks) == 4  # the ARP request and three pings
    ping = steps[kicks[1] : kicks[2]]
    got = [(s["event"]["kind"], s["event"]["queue"]) for s in ping if s["event"]["kind"] not in
           ("msix_table_write", "msix_table_read")]  # fmt: skip
    assert got == [
        ("kick", 1), ("pop", 1), ("pop", 0), ("fill", 0), ("flush", 0), ("interrupt", 0),
        ("msi_write", 0), ("interrupt_delivered", 0), ("fill", 1), ("flush", 1),
        ("interrupt", 1), ("msi_write", 1), ("interrupt_delivered", 1),
    ]  # fmt: skip
    values = [s["event"]["values"] for s in ping]
    pops = [v for s, v in zip(ping, values, strict=True) if s["event"]["kind"] == "pop"]
    assert [(p["out_num"], p["in_num"]) for p in pops] == [(1, 0), (0, 1)]
    fills = [v["len"] for s, v in zip(ping, values, strict=True) if s["event"]["kind"] == "fill"]
    assert fills == [110, 0]
    vectors = [v["vector"] for s, v in zip(ping, values, strict=True)
               if s["event"]["kind"] == "interrupt_delivered"]  # fmt: skip
    assert vectors == [39, 40]
    arp_reply = next(s for s in steps if s["event"]["kind"] == "fill")
    assert arp_reply["event"]["values"]["len"] == 76
    assert "64-byte frame" in arp_reply["narration"]


def test_steps_travel_the_topology_routes(doc: dict[str, Any]) -> None:
    """Each step travels the routes of its own device: virtio-net keeps the usual ids,
    virtio-blk's carry its suffix (test_device_diagrams checks them by their labels)."""
    _, drawn = draw([("virtio-net", "split"), ("virtio-blk", "split")])
    for step in doc["steps"]:
        kind, of = step["event"]["kind"], drawn[step["event"]["values"].get("device", "virtio-net")]
        if kind == "kick":
            assert (step["route"], step["hops"], step["box"]) == (
                "kick", of.hops("kick"), of.box("driver"),
            )  # fmt: skip
        elif kind == "interrupt":  # QEMU's own MSI for virtio_notify, an irqfd for blk's
            variant = "irqfd" if step["event"]["values"]["irqfd"] else ""
            assert (step["route"], step["hops"]) == ("interrupt", of.hops("interrupt", variant))
            assert step["hops"][0].split("-")[0] == ("irqfd" if variant else "qemu")
        elif kind in ("pop", "fill", "flush"):
            assert (step["box"], step["route"]) == (of.box("device-model"), None)
        elif step["event"]["values"].get("region") == "common":
            assert (step["route"], step["hops"]) == ("config", of.hops("config"))
    boxes = {box["id"] for box in doc["topology"]["boxes"]}
    assert {step["box"] for step in doc["steps"]} <= boxes


@pytest.mark.parametrize(
    ("chapter", "expected"),
    [
        ("firmware", {"queue_check": 1, "kick": 1, "pop": 1, "fill": 1, "flush": 1,
                      "blk_handle_read": 1}),
        ("load-virtio-net", {"queue_check": 3}),
        ("load-virtio-blk", {"queue_check": 1, "kick": 3, "pop": 3, "fill": 3, "flush": 3,
                             "interrupt": 3, "interrupt_delivered": 3, "blk_handle_read": 3}),
        ("link-up", {"kick": 7, "pop": 6, "fill": 6, "flush": 6, "interrupt": 1}),
        ("ping", {"kick": 4, "pop": 8, "fill": 8, "flush": 8, "interrupt": 8,
                  "interrupt_delivered": 8}),
        ("disk-read", {"kick": 4, "pop": 4, "fill": 4, "flush": 4, "interrupt": 4,
                       "interrupt_delivered": 4, "blk_handle_read": 4}),
        ("disk-write", {"kick": 2, "pop": 2, "fill": 2, "flush": 2, "interrupt": 2,
                        "interrupt_delivered": 2, "blk_handle_write": 1}),
        ("throttled-read", {"kick": 4, "pop": 4, "fill": 4, "flush": 4, "interrupt": 4,
                            "interrupt_delivered": 4, "blk_handle_read": 4}),
    ],
)  # fmt: skip
def test_per_phase_counts(doc: dict[str, Any], chapter: str, expected: dict[str, int]) -> None:
    counted = kinds(chapter_steps(doc, chapter))
    data_path = {"queue_check", "kick", "pop", "fill", "flush", "interrupt",
                 "interrupt_delivered", "blk_handle_read", "blk_handle_write"}  # fmt: skip
    assert {k: n for k, n in counted.items() if k in data_path} == expected


def test_the_flush_request_is_told_as_carrying_no_data(doc: dict[str, Any]) -> None:
    steps = chapter_steps(doc, "disk-write")
    done = [s for s in steps if s["event"]["kind"] == "blk_req_complete"]
    assert "no read or write was traced" in done[1]["narration"]
    assert [s["event"]["values"]["len"] for s in steps if s["event"]["kind"] == "fill"] == [1, 1]


def test_qmp_replies_land_in_time_and_agree_with_the_counts(doc: dict[str, Any]) -> None:
    idle = kinds(chapter_steps(doc, "idle"))
    assert idle["qmp_queue_status"] == 4 and idle["qmp_status"] == 2
    reports = [s for s in doc["steps"] if s["event"]["kind"] == "qmp_queue_status"]
    assert all(s["event"]["values"]["trace_agrees"] for s in reports)
    inflight = chapter_steps(doc, "throttled-read")
    status = next(s for s in inflight if s["event"]["kind"] == "qmp_queue_status")
    values = status["event"]["values"]
    assert (values["last_avail_idx"], values["used_idx"], values["inuse"]) == (12, 11, 1)
    element = next(s for s in inflight if s["event"]["kind"] == "qmp_element")
    assert element["event"]["values"]["standing"] == "in_flight"
    assert element["event"]["values"]["chain"].startswith("0x2c07190 len 16 (next)")
    state = state_at(doc, status["index"])
    blk = state["extras"]["devices"]["virtio-blk"]["queues"][0]
    assert (blk["device"]["last_avail_idx"], blk["device"]["used_idx"]) == (12, 11)
    net_rx = state_at(doc, status["index"])["queues"][0]
    assert net_rx["driver"]["avail_idx"] == 256
    assert len(doc["qmp"]) == 26  # 28 records, less two block_set_io_throttle


def test_document_matches_the_published_trace_schema(doc: dict[str, Any]) -> None:
    from virtio_viz.api.trace_schema import Trace  # noqa: PLC0415

    Trace.model_validate(doc)  # header additions (limitations, source, qmp) included
