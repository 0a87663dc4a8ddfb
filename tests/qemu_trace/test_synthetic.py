"""The importer on small hand-written logs: ring formats, feature choices, ioeventfd off,
logs without timestamps, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.qemu_trace.helpers import kinds, state_at
from tests.qemu_trace.synth import EVENT_IDX, NET_MAC, RING_PACKED, VERSION_1, Log
from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.qemu_trace.parse import parse_text, read_trace
from virtio_viz.qemu_trace.qmp import parse_qmp
from virtio_viz.qemu_trace.registers import queue_name
from virtio_viz.scenarios.topologies.qemu_emulated import IMPORTED as TOPOLOGY

RX, TX = 0x7F00, 0x7F80
MULTIREQ = "virtio_blk_submit_multireq vdev 0x1 mrb 0x2 start 0 num_reqs 1 offset 0 size 4096"


def net_log(
    *, stamps: bool = True, word0: int = NET_MAC | EVENT_IDX, word1: int = VERSION_1
) -> Log:
    log = Log(stamps=stamps)
    log.marker("N")
    log.handshake("virtio-net", (word0, word1), {0: 256, 1: 256})
    log.marker("P")
    packed = bool(word1 & RING_PACKED)
    log.round_trip("virtio-net", 1, TX, in_num=0, out_num=1, length=0, vector=0x28, packed=packed)
    return log


def last_state(doc: dict[str, Any]) -> dict[str, Any]:
    return state_at(doc, doc["step_count"] - 1)


def test_split_ring_queue_state_and_areas() -> None:
    doc = import_trace(net_log().text())
    queue = last_state(doc)["queues"][1]
    assert (queue["name"], queue["format"], queue["size"], queue["msix_vector"]) == (
        "transmitq1", "split", 256, 2,
    )  # fmt: skip
    assert [(a["name"], a["addr"], a["size"]) for a in queue["areas"]] == [
        ("desc", 0x200000, 4096), ("avail", 0x201000, 518), ("used", 0x202000, 2054),
    ]  # fmt: skip
    assert queue["device"]["used_idx"] is None
    assert queue["device"]["counted"] == {"popped": 1, "used": 1, "in_use": 0}
    assert doc["scenario"]["options"]["event_idx"] is True


def test_packed_ring_areas_and_sections() -> None:
    doc = import_trace(net_log(word1=VERSION_1 | RING_PACKED).text())
    state = last_state(doc)
    assert state["features"]["negotiated"] == hex(
        NET_MAC | EVENT_IDX | (VERSION_1 | RING_PACKED) << 32
    )
    queue = state["queues"][0]
    assert queue["format"] == "packed"
    assert [(a["name"], a["size"]) for a in queue["areas"]] == [
        ("ring", 16 * 256), ("driver_event", 4), ("device_event", 4),
    ]  # fmt: skip
    assert queue["device"]["next_avail"] is None  # wrap counters and indices: unknown
    pop = next(s for s in doc["steps"] if s["event"]["kind"] == "pop")
    assert pop["event"]["spec"] == "§2.8.6"
    # QEMU 7.2 logs no flush for a packed ring: the fill alone makes the element used.
    assert "flush" not in kinds(doc["steps"])
    assert state["queues"][1]["device"]["counted"] == {"popped": 1, "used": 1, "in_use": 0}
    assert doc["scenario"]["options"]["ring"] == "packed"


def test_event_idx_off_is_recorded_and_interrupts_still_counted() -> None:
    doc = import_trace(net_log(word0=NET_MAC).text())
    assert doc["scenario"]["options"]["event_idx"] is False
    net = last_state(doc)["extras"]["devices"]["virtio-net"]
    assert net["event_idx"] is False
    assert kinds(doc["steps"])["interrupt"] == 1
    assert kinds(doc["steps"])["interrupt_delivered"] == 1


def test_ioeventfd_off_notify_region_write_is_the_kick() -> None:
    log = net_log()
    log.mmio("write", "virtio-net", "notify", 0x4, 1, 2)  # queue 1, notify_off 1 x 4
    log.add(f"virtio_queue_notify vdev 0x5600 n 1 vq {TX:#x}")
    doc = import_trace(log.text())
    kick, handled = doc["steps"][-2:]
    assert kick["event"]["kind"] == "kick" and kick["event"]["queue"] == 1
    assert kick["route"] == "kick"
    assert kick["hops"] == list(TOPOLOGY.route("kick", "mmio-exit").hops)
    assert kick["event"]["values"]["ioeventfd"] is False
    assert handled["event"]["kind"] == "kick_handled" and handled["route"] is None


def test_qemu_own_check_after_driver_ok_is_not_a_kick() -> None:
    log = Log()
    log.handshake("virtio-net", (NET_MAC, VERSION_1), {0: 256})
    log.lines.pop()  # QEMU's check comes before the guest reads the status back
    log.add(f"virtio_queue_notify vdev 0x5600 n 0 vq {RX:#x}")
    log.add(f"virtio_queue_notify vdev 0x5600 n 0 vq {RX:#x}")
    counted = kinds(import_trace(log.text())["steps"])
    assert (counted["queue_check"], counted["kick"]) == (1, 1)


def test_lines_without_timestamps() -> None:
    stamped = import_trace(net_log().text())
    bare = import_trace(net_log(stamps=False).text())
    assert bare["source"]["timestamps"] is False
    assert [s["narration"] for s in bare["steps"]] == [s["narration"] for s in stamped["steps"]]
    assert "time" not in bare["steps"][0]["event"]["values"]


def test_qmp_without_timestamps_goes_to_a_last_chapter() -> None:
    queue = {"name": "virtio-net", "queue-index": 1, "vring-num": 256, "vring-desc": 0x200000,
             "vring-avail": 0x201000, "vring-used": 0x202000, "last-avail-idx": 1,
             "used-idx": 1, "shadow-avail-idx": 1, "inuse": 0}  # fmt: skip
    reply = {"return": queue}
    doc = import_trace(net_log(stamps=False).text(), qmp=parse_qmp(json.dumps(reply)))
    assert doc["chapters"][-1]["id"] == "qmp"
    last = doc["steps"][-1]
    assert last["event"]["values"]["trace_agrees"] is True
    assert last_state(doc)["queues"][1]["device"]["used_idx"] == 1


def test_unknown_lines_are_counted_and_skipped() -> None:
    log = net_log()
    log.add(MULTIREQ)
    log.add(MULTIREQ)
    log.lines.append("qemu-system-x86_64: terminating on signal 15")
    doc = import_trace(log.text())
    assert doc["source"]["unknown_events"] == {
        "virtio_blk_submit_multireq": 2,
        "(not a trace line)": 1,
    }
    assert doc["source"]["unknown_lines"] == 3
    assert doc["step_count"] == import_trace(net_log().text())["step_count"]


def test_malformed_line_is_reported_with_its_number() -> None:
    log = net_log()
    log.add("virtqueue_pop vq 0x7f80 elem 0x77 in_num many out_num 1")
    number = len(log.lines)
    with pytest.raises(TraceImportError) as caught:
        import_trace(log.text(), source="guest.log")
    column = log.lines[-1].strip().index("many") + 1  # where the bad value starts
    assert (caught.value.line, caught.value.column) == (number, column)
    assert str(caught.value.located("guest.log")) == (
        f"guest.log:{number}:{column}: virtqueue_pop: in_num 'many' is not a number"
    )
    lenient = import_trace(log.text(), strict=False)
    assert lenient["source"]["malformed"] == [
        {"line": number, "what": "virtqueue_pop: in_num 'many' is not a number"}
    ]


def test_missing_field_and_overlong_line() -> None:
    parsed = parse_text("virtio_set_status vdev 0x1\n" + "virtio_notify " + "x" * 5000 + "\n")
    assert [(p.line, p.what) for p in parsed.malformed] == [
        (1, "virtio_set_status: no 'val' field"),
        (2, "line is longer than 4096 characters"),
    ]


def test_size_limit(tmp_path: Path) -> None:
    text = net_log().text()
    with pytest.raises(TraceImportError, match="larger than the limit of 100 bytes"):
        import_trace(text, max_bytes=100)
    path = tmp_path / "big.log"
    path.write_text(text)
    with pytest.raises(TraceImportError) as caught:
        read_trace(path, max_bytes=100)
    assert str(caught.value) == f"{path}: larger than the limit of 100 bytes"


def test_a_log_with_no_virtio_device_is_refused() -> None:
    with pytest.raises(TraceImportError, match="no virtio-pci device"):
        import_trace(
            "apic_deliver_irq dest 1 dest_mode 1 delivery_mode 0 vector 3 trigger_mode 0\n"
        )


def test_device_option_follows_one_device() -> None:
    log = net_log()
    log.marker("B")
    log.handshake("virtio-blk", (0x6E54, VERSION_1), {0: 128})
    both = import_trace(log.text())
    assert both["source"]["primary_device"] == "virtio-net"
    blk = import_trace(log.text(), device="virtio-blk")
    assert blk["feature_names"][0]["name"].startswith("VIRTIO_BLK_F_")
    assert {s["event"]["values"].get("device") for s in blk["steps"]} <= {"virtio-blk", None}
    assert last_state(blk)["queues"][0]["name"] == "requestq1"
    with pytest.raises(TraceImportError, match="no device 'virtio-gpu'"):
        import_trace(log.text(), device="virtio-gpu")


def test_second_device_of_the_same_type_gets_its_own_name() -> None:
    log = net_log()
    log.add("memory_region_ops_read cpu 0 mr 0x5000 addr 0xfe000014 value 0x0 size 1 "
            "name 'virtio-pci-common-virtio-net'")  # fmt: skip
    assert import_trace(log.text())["source"]["devices"] == ["virtio-net", "virtio-net#2"]


@pytest.mark.parametrize(
    ("dev_id", "index", "num_queues", "name"),
    [(1, 0, 3, "receiveq1"), (1, 1, 3, "transmitq1"), (1, 2, 3, "controlq"), (1, 2, 4, "receiveq2"),
     (2, 0, None, "requestq1"), (4, 0, None, "requestq"), (8, 0, None, "controlq"),
     (8, 1, None, "eventq"), (8, 2, None, "requestq1"), (16, 1, None, "cursorq"),
     (19, 2, None, "event"), (4, 1, None, "queue1"), (42, 0, None, "queue0")],
)  # fmt: skip
def test_queues_are_named_as_the_spec_names_them(
    dev_id: int, index: int, num_queues: int | None, name: str
) -> None:
    assert queue_name(dev_id, index, num_queues) == name
