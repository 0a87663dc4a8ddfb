"""Follow-me rooms: the presenter moves, every follower follows; followers cannot steer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import conversation
from virtio_viz.api import protocol as p


def test_followers_see_the_presenters_steps_and_late_joiners_get_a_snapshot(
    client: TestClient,
) -> None:
    room = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": room["code"]}
    with client.websocket_connect("/ws") as presenter, client.websocket_connect("/ws") as early:
        presenter.send_json({**join, "token": room["presenter_token"]})
        assert presenter.receive_json()["type"] == "position"
        early.send_json(join)
        assert early.receive_json()["type"] == "position"  # nothing to show yet
        presenter.send_json({**OPEN, "step": 10})
        receive_until(presenter, "position")
        follow = receive_until(early, "position")
        assert follow[0]["type"] == "opened" and follow[0]["role"] == "follower"
        for _ in range(3):
            presenter.send_json({"type": "step"})
            receive_until(presenter, "position")
            assert receive_until(early, "position")[-1]["step"] > 10
        presenter.send_json({"type": "seek", "step": 200})
        receive_until(presenter, "position")
        assert receive_until(early, "position")[-1]["step"] == 200
        early.send_json({"type": "step"})
        assert early.receive_json()["code"] == "follower"
        with client.websocket_connect("/ws") as late:
            late.send_json(join)
            late_open = receive_until(late, "position")
            assert late_open[0]["snapshot"]["step"] == 200 and late_open[-1]["step"] == 200


def test_a_wrong_token_is_refused_and_the_room_outlives_its_presenter(client: TestClient) -> None:
    room = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": room["code"], "token": room["presenter_token"]}
    with client.websocket_connect("/ws") as ws:
        ws.send_json({**join, "token": "guess"})
        assert ws.receive_json()["code"] == "token"
        ws.send_json(join)
        ws.receive_json()
        ws.send_json({**OPEN, "step": 77})
        receive_until(ws, "position")
    with client.websocket_connect("/ws") as again:
        again.send_json(join)
        back = receive_until(again, "position")
        assert back[0]["role"] == "presenter" and back[-1]["step"] == 77


def test_followers_in_the_same_place_share_one_encoded_reply(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broadcast builds and encodes each distinct reply once, however many students."""
    encoded: list[int] = []
    original = conversation.encode

    def counting(messages: list[p.Message]) -> list[str]:
        encoded.append(len(messages))
        return original(messages)

    monkeypatch.setattr(conversation, "encode", counting)
    room = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": room["code"]}
    with client.websocket_connect("/ws") as presenter:
        presenter.send_json({**join, "token": room["presenter_token"]})
        receive_until(presenter, "position")
        followers = [client.websocket_connect("/ws").__enter__() for _ in range(3)]
        try:
            for follower in followers:
                follower.send_json(join)
                receive_until(follower, "position")
            presenter.send_json({**OPEN, "step": 10})
            receive_until(presenter, "position")
            first = [receive_until(f, "position") for f in followers]
            assert encoded == [2]  # opened + position, once for the three
            assert first[0] == first[1] == first[2] and first[0][0]["type"] == "opened"
            presenter.send_json({"type": "step"})
            receive_until(presenter, "position")
            moved = [receive_until(f, "position") for f in followers]
            assert encoded == [2, 1] and moved[0] == moved[1] == moved[2]
            assert moved[0][-1]["step"] == 11
        finally:
            for follower in followers:
                follower.__exit__(None, None, None)


def test_a_presenters_fork_reaches_the_followers_as_a_new_timeline(client: TestClient) -> None:
    room = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": room["code"]}
    with client.websocket_connect("/ws") as presenter, client.websocket_connect("/ws") as student:
        presenter.send_json({**join, "token": room["presenter_token"]})
        receive_until(presenter, "position")
        presenter.send_json({**OPEN, "step": 300})
        receive_until(presenter, "position")
        student.send_json(join)
        receive_until(student, "position")
        arp = {"kind": "send_frame", "params": {"frame": "arp_request"}}
        presenter.send_json({"type": "act", "action": arp})
        forked = receive_until(presenter, "position")
        followed = receive_until(student, "position")
    assert followed[0]["type"] == "opened" and followed[0]["role"] == "follower"
    assert followed[0]["header"] == forked[0]["header"]
    assert followed[0]["header"]["scenario"]["actions"][0]["kind"] == "send_frame"
    assert followed[-1]["step"] == forked[-1]["step"]
