"""Polls in a room: the presenter asks one of the story's questions, followers answer
once, the presenter sees the tally (counts only), a reveal shows everyone the answer and
the step. Hostile answers get structured errors and leave the count as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.api.test_websocket import OPEN, receive_until
from virtio_viz.api import Settings, create_app

Room = tuple[WebSocketTestSession, list[WebSocketTestSession], dict[str, Any]]


@pytest.fixture
def room(client: TestClient) -> Iterator[Room]:
    """A presenter with the story open and three followers; the header's questions."""
    made = client.post("/api/rooms").json()
    join = {"type": "join", "version": 2, "room": made["code"]}
    with ExitStack() as stack:
        presenter = stack.enter_context(client.websocket_connect("/ws"))
        presenter.send_json({**join, "token": made["presenter_token"]})
        receive_until(presenter, "position")
        presenter.send_json(OPEN)
        header = receive_until(presenter, "position")[0]["header"]
        followers = [stack.enter_context(client.websocket_connect("/ws")) for _ in range(3)]
        for follower in followers:
            follower.send_json(join)
            receive_until(follower, "position")
        yield presenter, followers, header


def question(header: dict[str, Any], answer_type: str) -> dict[str, Any]:
    return next(q for q in header["questions"] if q["answer_type"] == answer_type)


def wrong(q: dict[str, Any]) -> Any:
    return next(c for c in q["choices"] if c != q["answer"])


def open_poll(room: Room, q: dict[str, Any]) -> list[dict[str, Any]]:
    """The presenter opens `q`; what each follower is shown."""
    presenter, followers, _ = room
    presenter.send_json({"type": "poll_open", "question": q["id"]})
    mine = receive_until(presenter, "poll")[-1]
    assert mine["state"] == "open" and mine["tally"] == {} and mine["answer"] == q["answer"]
    return [receive_until(f, "poll")[-1] for f in followers]


def tally(presenter: WebSocketTestSession, total: int) -> dict[str, int]:
    """The presenter's histogram once it counts `total` answers."""
    while True:
        poll = receive_until(presenter, "poll")[-1]
        if poll["total"] == total:
            return dict(poll["tally"])


def answer(ws: WebSocketTestSession, q: dict[str, Any], given: Any) -> dict[str, Any]:
    ws.send_json({"type": "poll_answer", "question": q["id"], "answer": given})
    reply: dict[str, Any] = ws.receive_json()
    return reply


def test_followers_answer_the_presenter_sees_counts_and_a_reveal_shows_the_step(
    room: Room,
) -> None:
    presenter, followers, header = room
    q = question(header, "choice")
    for shown in open_poll(room, q):
        assert shown["prompt"] == q["prompt"] and shown["choices"] == q["choices"]
        assert shown["answer"] is None and shown["tally"] is None  # nothing given away
    given = [q["answer"], q["answer"], wrong(q)]
    for follower, choice in zip(followers, given, strict=True):
        reply = answer(follower, q, choice)
        assert reply["type"] == "poll" and reply["answered"] and reply["tally"] is None
    assert tally(presenter, 3) == {q["answer"]: 2, wrong(q): 1}
    presenter.send_json({"type": "poll_reveal"})
    assert receive_until(presenter, "position")[-1]["step"] == q["step"]
    for follower in followers:
        got = receive_until(follower, "position")
        poll = next(m for m in got if m["type"] == "poll")
        assert poll["state"] == "revealed" and poll["answer"] == q["answer"]
        assert poll["explanation"] == q["explanation"] and poll["tally"] == tally_of(given)
        assert got[-1]["step"] == q["step"]


def tally_of(given: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in given:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def test_numbers_and_sets_of_choices_are_tallied_by_value(room: Room) -> None:
    presenter, followers, header = room
    q = question(header, "number")
    open_poll(room, q)
    for follower, value in zip(followers, [q["answer"], 7, 7], strict=True):
        assert answer(follower, q, value)["answered"]
    assert tally(presenter, 3) == tally_of([q["answer"], 7, 7])
    q = question(header, "choices")
    open_poll(room, q)
    backwards = list(reversed(q["answer"]))
    for follower, value in zip(followers, [q["answer"], backwards, []], strict=True):
        assert answer(follower, q, value)["answered"]
    right = " + ".join(c for c in q["choices"] if c in q["answer"])
    assert tally(presenter, 3) == {right: 2, "(none)": 1}  # the order given does not matter


@pytest.mark.parametrize(
    ("kind", "given", "code"),
    [
        ("choice", 3, "wrong_type"),
        ("choice", "MAGIC_BIT", "invalid"),
        ("choice", ["ACKNOWLEDGE"], "wrong_type"),
        ("number", "12", "wrong_type"),
        ("number", True, "invalid"),  # strict: a boolean is no number
        ("number", 1.5, "invalid"),
        ("number", 2**70, "invalid"),
        ("choice", "x" * 129, "invalid"),
        ("choices", ["a"] * 17, "invalid"),
        ("choices", "ACKNOWLEDGE", "wrong_type"),
    ],
)
def test_answers_of_the_wrong_type_or_size_are_refused_and_not_counted(
    room: Room, kind: str, given: Any, code: str
) -> None:
    presenter, followers, header = room
    q = question(header, kind)
    open_poll(room, q)
    reply = answer(followers[0], q, given)
    assert reply["type"] == "error" and reply["code"] == code and reply["field"] is not None
    assert answer(followers[0], q, q["answer"])["answered"]  # the refusal used no answer
    expected = q["answer"] if kind != "choices" else " + ".join(q["answer"])  # in choice order
    assert tally(presenter, 1) == {str(expected): 1}


def test_answering_twice_a_closed_or_another_question_and_followers_steering(
    room: Room,
) -> None:
    presenter, followers, header = room
    q = question(header, "choice")
    other = question(header, "number")
    first, second, third = followers
    answer(first, q, q["answer"])  # no poll yet
    open_poll(room, q)
    assert answer(first, q, q["answer"])["answered"]
    assert answer(first, q, wrong(q))["code"] == "answered"
    assert answer(second, other, other["answer"])["code"] == "poll_closed"
    for message in ({"type": "poll_open", "question": q["id"]}, {"type": "poll_reveal"}):
        second.send_json(message)
        assert second.receive_json()["code"] == "follower"
    presenter.send_json({"type": "poll_answer", "question": q["id"], "answer": q["answer"]})
    assert presenter.receive_json()["code"] == "presenter"
    presenter.send_json({"type": "poll_open", "question": "status_bit@999999"})
    assert presenter.receive_json()["code"] == "unknown_question"
    assert tally(presenter, 1) == {q["answer"]: 1}
    presenter.send_json({"type": "poll_reveal"})
    receive_until(presenter, "position")
    receive_until(third, "position")
    assert answer(third, q, q["answer"])["code"] == "poll_closed"
    presenter.send_json({"type": "poll_open", "question": q["id"]})  # asked again: a new count
    assert receive_until(presenter, "poll")[-1]["total"] == 0


def test_a_poll_outside_a_room_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json(OPEN)
        receive_until(ws, "position")
        ws.send_json({"type": "poll_reveal"})
        assert ws.receive_json()["code"] == "no_room"


def test_a_follower_flooding_answers_is_slowed_then_closed_and_counted_once() -> None:
    """The room's limits hold for answers: the rate limit, then the close for abuse."""
    settings = Settings(rate_per_second=1, rate_burst=6, abuse_strikes=3)
    with TestClient(create_app(settings)) as client:
        made = client.post("/api/rooms").json()
        join = {"type": "join", "version": 2, "room": made["code"]}
        with client.websocket_connect("/ws") as presenter:
            presenter.send_json({**join, "token": made["presenter_token"]})
            receive_until(presenter, "position")
            presenter.send_json(OPEN)
            q = question(receive_until(presenter, "position")[0]["header"], "choice")
            presenter.send_json({"type": "poll_open", "question": q["id"]})
            receive_until(presenter, "poll")
            with client.websocket_connect("/ws") as flood:
                flood.send_json(join)
                receive_until(flood, "poll")  # joined while the poll is open: it is asked
                codes = []
                with pytest.raises(WebSocketDisconnect) as closed:
                    for _ in range(20):
                        codes.append(answer(flood, q, q["answer"]).get("code", "counted"))
                assert closed.value.code == 1008
                assert codes[:2] == ["counted", "answered"]
                assert codes.count("rate_limited") == 2
            assert tally(presenter, 1) == {q["answer"]: 1}
