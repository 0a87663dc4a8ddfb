"""A poll in a room spread over three app processes sharing one real Redis: followers on
every process answer the same question once, the presenter's tally counts them all, and
a reveal reaches everyone with the step."""

from __future__ import annotations

import json
from typing import Any

from websockets.sync.client import ClientConnection

from tests.api.redis_cluster import OPEN, follower, join_of, three
from tests.support.cluster import REPLY_SECONDS, App, receive_until, send

__all__ = ["three"]  # the fixture


def answer(ws: ClientConnection, q: dict[str, Any], given: Any) -> dict[str, Any]:
    send(ws, {"type": "poll_answer", "question": q["id"], "answer": given})
    return receive_until(ws, "poll")[-1] if given is not None else {}


def test_followers_on_three_processes_answer_one_poll(three: list[App]) -> None:
    a, b, c = three
    status, room = a.post("/api/rooms")
    assert status == 201
    presenter = a.connect()
    send(presenter, {**join_of(room), "token": room["presenter_token"]})
    receive_until(presenter, "position")
    send(presenter, OPEN)
    header = receive_until(presenter, "position")[0]["header"]
    q = next(q for q in header["questions"] if q["answer_type"] == "choice")
    wrong = next(c for c in q["choices"] if c != q["answer"])
    followers = [follower(app, room)[0] for app in (b, c, a, b)]
    send(presenter, {"type": "poll_open", "question": q["id"]})
    receive_until(presenter, "poll")
    for ws in followers:
        shown = receive_until(ws, "poll")[-1]
        assert shown["question"] == q["id"] and shown["answer"] is None
    for ws, given in zip(followers, [q["answer"], q["answer"], wrong, q["answer"]], strict=True):
        assert answer(ws, q, given)["answered"]
    send(followers[0], {"type": "poll_answer", "question": q["id"], "answer": wrong})
    assert receive_until(followers[0], "error")[-1]["code"] == "answered"
    tally: dict[str, int] = {}
    while sum(tally.values()) < 4:
        tally = receive_until(presenter, "poll")[-1]["tally"]
    assert tally == {q["answer"]: 3, wrong: 1}
    send(presenter, {"type": "poll_reveal"})
    receive_until(presenter, "position")
    for ws in followers:  # the poll and the move travel apart: in either order
        revealed: dict[str, Any] = {}
        step = None
        while not revealed or step != q["step"]:
            got = json.loads(ws.recv(timeout=REPLY_SECONDS))
            step = got["step"] if got["type"] == "position" else step
            revealed = got if got["type"] == "poll" and got["state"] == "revealed" else revealed
        assert revealed["answer"] == q["answer"] and revealed["tally"] == tally
    send(followers[1], {"type": "poll_answer", "question": q["id"], "answer": wrong})
    assert receive_until(followers[1], "error")[-1]["code"] == "poll_closed"
    for ws in (presenter, *followers):
        ws.close()
