"""The websocket protocol, as a reader's browser speaks it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.support.steps import first_step
from virtio_viz.api.conversation import EVENT_LOG_FRAMES
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline

OPEN = {"type": "open", "version": 2, "scenario": "qemu-emulated"}


def receive_until(ws: WebSocketTestSession, kind: str) -> list[dict[str, Any]]:
    """Messages up to and including the first of type `kind`."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["type"] != kind:
        got.append(ws.receive_json())
    return got


def opened(ws: WebSocketTestSession, message: dict[str, Any] = OPEN) -> list[dict[str, Any]]:
    ws.send_json(message)
    return receive_until(ws, "position")


def test_open_sends_header_snapshot_frames_ahead_and_position(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        first, position = opened(ws)
    assert first["type"] == "opened" and first["role"] == "solo"
    assert first["header"]["scenario"]["id"] == "qemu-emulated"
    assert first["snapshot"]["step"] == 0 and first["snapshot"]["state"]["status"]["value"] == 0
    frames = position.pop("frames")
    assert [f["index"] for f in frames] == list(range(33))  # its own, then 32 ahead
    assert position == {"type": "position", "step": 0, "playing": False, "speed": 0.0}
    assert {a["kind"] for a in first["actions"]} >= {"send_frame", "needs_reset"}


def test_open_at_a_later_step_also_sends_the_frames_the_event_log_shows_before_it(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        first, position = opened(ws, {**OPEN, "step": 100})
    assert first["snapshot"]["step"] == 100
    assert first["snapshot"]["status_history"] == [0, 1, 3, 11]  # the handshake behind it
    indexes = [f["index"] for f in position["frames"]]
    assert indexes == list(range(100 - EVENT_LOG_FRAMES, 100 + 33))  # 30 before, 32 ahead


def test_stepping_inside_the_cache_costs_one_message_with_one_new_frame(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "step"})
        replies = receive_until(ws, "position")
        ws.send_json({"type": "back"})
        back = receive_until(ws, "position")
    assert [r["type"] for r in replies] == ["position"]
    assert [f["index"] for f in replies[0]["frames"]] == [33]  # the window moved by one
    assert back == [{"type": "position", "step": 0, "playing": False, "speed": 0.0,
                     "frames": []}]  # fmt: skip
    assert len(json.dumps(back[0])) < 90


def test_back_before_the_snapshot_and_far_seeks_send_a_snapshot(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        opened(ws, {**OPEN, "step": 100})
        ws.send_json({"type": "back", "count": 5})
        back = receive_until(ws, "position")
        ws.send_json({"type": "seek", "step": 400})
        far = receive_until(ws, "position")
    assert back[0]["type"] == "snapshot" and back[0]["step"] == 95
    assert far[0]["type"] == "snapshot" and far[-1]["step"] == 400


def test_acting_forks_the_timeline_where_the_reader_stands(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        opened(ws, {**OPEN, "step": 300})
        ws.send_json({"type": "act", "action": {"kind": "send_frame",
                                                "params": {"frame": "arp_request"}}})  # fmt: skip
        fork = receive_until(ws, "position")
    header = fork[0]["header"]
    assert header["scenario"]["actions"] == [
        {"at": 300, "kind": "send_frame", "params": {"frame": "arp_request"}}
    ]
    mine = next(c for c in header["chapters"] if c["title"].startswith("Your action"))
    assert fork[-1]["step"] == mine["first_step"]


def test_a_dropped_session_resumes_where_it_was(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        first = opened(ws, {**OPEN, "step": 42})[0]
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "resume", "version": 2, "session": first["session"]})
        again = receive_until(ws, "position")
    assert again[0]["session"] == first["session"] and again[-1]["step"] == 42


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ("{not json", "bad_json", None),
        ('{"type": "teleport"}', "invalid", None),
        ('{"type": "seek", "step": "ten"}', "invalid", "seek.step"),
        ('{"type": "seek", "step": -1}', "invalid", "seek.step"),
        ('{"type": "step"}', "no_session", None),
        ('{"type": "open", "version": 9, "scenario": "qemu-emulated"}', "version", "version"),
        ('{"type": "open", "version": 2, "scenario": "nope"}', "unknown_scenario", "scenario"),
        ('{"type": "open", "version": 2, "scenario": "qemu-emulated", '
         '"options": {"ring": "round"}}', "option", "options.ring"),
        ('{"type": "resume", "version": 2, "session": "gone"}', "unknown_session", "session"),
        ('{"type": "join", "version": 2, "room": "ZZZZZZ"}', "unknown_room", "room"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_structured_error_and_the_connection_stays_usable(
    client: TestClient, raw: str, code: str, field: str | None
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(raw)
        error = ws.receive_json()
        assert (error["type"], error["code"], error["field"]) == ("error", code, field)
        assert error["message"]
        assert opened(ws)[0]["type"] == "opened"


def test_a_page_from_before_the_upgrade_is_told_to_reload_not_sent_frames(
    client: TestClient,
) -> None:
    """Version 1 pages read a queue change as the whole queue: version 2 sends edits."""
    with client.websocket_connect("/ws") as ws:
        first, _ = opened(ws)
    with client.websocket_connect("/ws") as ws:  # an old page reconnects to its session
        for hello in (
            {"type": "resume", "version": 1, "session": first["session"]},
            {**OPEN, "version": 1},
            {"type": "join", "version": 1, "room": "ABCDEF"},
        ):
            ws.send_json(hello)
            error = ws.receive_json()
            assert (error["type"], error["code"], error["field"]) == ("error", "version", "version")
            assert "reload" in error["message"]
        ws.send_text('{"type": "step", "count": 1}')
        assert ws.receive_json()["code"] == "no_session"  # nothing was opened for it
        assert opened(ws)[0]["type"] == "opened"


def test_binary_and_oversized_messages_are_refused_politely(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["code"] == "binary"
        ws.send_text('{"type": "step", "pad": "' + "x" * 70_000 + '"}')
        assert ws.receive_json()["code"] == "too_large"
        assert opened(ws)[0]["type"] == "opened"


def test_out_of_range_seek_and_forbidden_actions(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        opened(ws)
        ws.send_json({"type": "seek", "step": 10**6})
        assert ws.receive_json()["field"] == "step"
        ws.send_json({"type": "act", "action": {"kind": "decline_feature",
                                                "params": {"name": "NOPE"}}})  # fmt: skip
        error = ws.receive_json()
        assert (error["code"], error["field"]) == ("action", "action.params.name")


def test_acting_while_the_device_needs_a_reset_is_refused_and_the_reader_goes_on(
    client: TestClient,
) -> None:
    """The story's fault chapter, DRIVER_OK still lit: a frame sent there is the reader's
    error, named as such (it was "internal", with a traceback in the server's log)."""
    timeline = Timeline(story("qemu-emulated"))
    fault = first_step(timeline, "device_needs_reset")
    with client.websocket_connect("/ws") as ws:
        opened(ws, {**OPEN, "step": fault})
        ws.send_json({"type": "act", "action": {"kind": "send_frame",
                                                "params": {"frame": "icmp_echo"}}})  # fmt: skip
        error = ws.receive_json()
        ws.send_json({"type": "step"})
        after = receive_until(ws, "position")
    assert (error["type"], error["code"], error["field"]) == ("error", "action", "action.kind")
    assert "DEVICE_NEEDS_RESET" in error["message"]
    assert after[-1]["step"] == fault + 1  # the reader's own timeline, where they were


def test_an_uploaded_scenario_file_is_size_checked_then_loaded(client: TestClient) -> None:
    upload = {"type": "open", "version": 2, "scenario_file": "steps: [" + "x, " * 100_000}
    with client.websocket_connect("/ws") as ws:
        ws.send_json(upload)
        error = ws.receive_json()
        assert (error["code"], error["field"]) == ("too_large", "scenario_file")
        ws.send_json({**upload, "scenario_file": "not: [a, scenario"})
        error = ws.receive_json()
        # the loader is another module: without it the server says so, with it the file's
        # own error comes back; either way the field is named and the connection lives
        assert error["code"] in {"unsupported", "scenario_file"}
        assert error["field"] == "scenario_file"
        assert opened(ws)[0]["type"] == "opened"


def test_the_open_message_fields_cannot_both_name_a_scenario(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({**OPEN, "scenario_file": "x: 1"})
        assert ws.receive_json()["field"] == "scenario"
