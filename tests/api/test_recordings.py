"""The recordings that ship with virtio-viz: listed, imported on request, refused when
unknown; each is a real run of `virtio-viz record` and replays like any trace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.qemu_trace.helpers import kinds
from virtio_viz.api.trace_schema import Trace
from virtio_viz.qemu_record.library import SHELF, shelf


def test_the_list_names_each_recording_with_its_options_defaults_first(
    client: TestClient,
) -> None:
    listed = client.get("/api/recordings").json()
    assert [r["id"] for r in listed] == ["qemu-split", "qemu-packed"]
    assert listed[0]["title"] == "Real recording: split rings, event_idx on, ioeventfd on"
    assert listed[1]["title"] == "Real recording: packed rings, event_idx off, ioeventfd off"
    assert listed[0]["summary"].startswith("QEMU 7.2.") and "Linux 6.1.0-" in listed[0]["summary"]
    assert listed[0]["trace_url"] == "/api/recordings/qemu-split/trace"
    assert {s.id for s in shelf()} == {path.name for path in SHELF.iterdir() if path.is_dir()}


def test_each_recording_replays_as_a_trace_of_every_phase(client: TestClient) -> None:
    for listed in client.get("/api/recordings").json():
        reply = client.get(listed["trace_url"], headers={"accept-encoding": "gzip"})
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/json"
        assert reply.headers["content-encoding"] == "gzip"
        trace = reply.json()
        Trace.model_validate(trace)
        assert trace["scenario"]["title"] == f"A fresh recording: {listed['title'].split(': ')[1]}"
        assert trace["source"]["markers"] == "MNBUPpDWdSTX"
        assert kinds(trace["steps"])["qmp_queue_status"] >= 4  # QMP replies are imported
        assert all(row["agree"] for row in trace["comparison"]["virtio-net"][2:5])


def test_the_packed_recording_shows_packed_rings_and_no_ioeventfd(client: TestClient) -> None:
    trace = client.get("/api/recordings/qemu-packed/trace").json()
    assert trace["scenario"]["options"]["ring"] == "packed"
    assert kinds(trace["steps"])["kick_handled"] > 0  # notify writes reach QEMU: no ioeventfd


def test_an_unknown_or_malformed_recording_is_a_404_with_the_known_ones(
    client: TestClient,
) -> None:
    for name in ("nope", "%2E%2E", "QEMU-SPLIT", "a" * 60, "qemu-split.json"):
        reply = client.get(f"/api/recordings/{name}/trace")
        assert reply.status_code == 404, name
        body = reply.json()
        assert body["code"] == "unknown_recording"
        assert "qemu-split" in body["message"]
    escape = client.get("/api/recordings/qemu-split%2F..%2F..%2Frecording.json/trace")
    assert escape.status_code == 404  # no route takes a path: nothing outside is read
    assert escape.json()["code"] == "http_404"
