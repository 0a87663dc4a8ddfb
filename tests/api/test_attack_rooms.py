"""Attacks on rooms: a follower taking a room over, a second join steering the first
room, and guessing room codes. Each test is the attack; the room must not move."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app

JOIN: dict[str, Any] = {"type": "join", "version": 2}


def presented_room(
    client: TestClient, presenter: WebSocketTestSession, step: int
) -> dict[str, Any]:
    room: dict[str, Any] = client.post("/api/rooms").json()
    presenter.send_json({**JOIN, "room": room["code"], "token": room["presenter_token"]})
    receive_until(presenter, "position")
    presenter.send_json({**OPEN, "step": step})
    receive_until(presenter, "position")
    return room


def test_a_follower_is_never_given_the_rooms_session_and_cannot_resume_it(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws") as presenter, client.websocket_connect("/ws") as mallory:
        room = presented_room(client, presenter, 10)
        mallory.send_json({**JOIN, "room": room["code"]})
        opened = receive_until(mallory, "position")[0]
        assert opened["role"] == "follower" and opened["session"] is None
        # even with the id (the presenter's page shows it), resume does not hand over the room
        presenter.send_json({"type": "step"})
        receive_until(presenter, "position")
        receive_until(mallory, "position")
        session_id = client.app.state.viz.rooms.held(room["code"]).session.id  # type: ignore[attr-defined]
        mallory.send_json({"type": "resume", "version": 2, "session": session_id})
        assert mallory.receive_json()["code"] == "unknown_session"
        for move in ({"type": "seek", "step": 300}, {"type": "act", "action": {
                "kind": "send_frame", "params": {"frame": "arp_request"}}}):  # fmt: skip
            mallory.send_json(move)
            assert mallory.receive_json()["code"] == "follower"
        presenter.send_json({"type": "step"})
        assert receive_until(presenter, "position")[-1]["step"] == 12  # nobody else moved it


def test_joining_a_second_room_leaves_the_first_and_cannot_steer_it(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws") as teacher,
        client.websocket_connect("/ws") as student,
        client.websocket_connect("/ws") as mallory,
    ):
        lecture = presented_room(client, teacher, 10)
        student.send_json({**JOIN, "room": lecture["code"]})
        receive_until(student, "position")
        mallory.send_json({**JOIN, "room": lecture["code"]})
        receive_until(mallory, "position")
        own: dict[str, Any] = client.post("/api/rooms").json()
        mallory.send_json({**JOIN, "room": own["code"], "token": own["presenter_token"]})
        reply = receive_until(mallory, "position")
        assert reply[-1] == {"type": "position", "step": 0, "playing": False, "speed": 0.0,
                             "frames": []}  # fmt: skip
        mallory.send_json({"type": "seek", "step": 400})
        assert mallory.receive_json()["code"] == "no_session"  # its own room is still empty
        room = client.app.state.viz.rooms.held(lecture["code"])  # type: ignore[attr-defined]
        assert len(room.followers) == 1  # mallory left the lecture when it joined its own
        teacher.send_json({"type": "step"})
        assert receive_until(teacher, "position")[-1]["step"] == 11
        assert receive_until(student, "position")[-1]["step"] == 11


def test_guessing_room_codes_is_locked_out() -> None:
    client = TestClient(create_app(Settings(max_join_failures=5)))
    room = client.post("/api/rooms").json()
    with client.websocket_connect("/ws") as guesser:
        codes = []
        for guess in ("AAAAAA", "AAAAAB", "AAAAAC", "AAAAAD", "AAAAAE", "AAAAAF"):
            guesser.send_json({**JOIN, "room": guess})
            codes.append(guesser.receive_json()["code"])
        guesser.send_json({**JOIN, "room": room["code"]})  # even the right code, for now
        codes.append(guesser.receive_json()["code"])
    assert codes == ["unknown_room"] * 5 + ["locked_out"] * 2
    with client.websocket_connect("/ws") as ws:  # a new connection from the same address
        ws.send_json({**JOIN, "room": room["code"], "token": "guess"})
        assert ws.receive_json()["code"] == "locked_out"
