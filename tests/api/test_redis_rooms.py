"""Three app processes sharing one real Redis (`serve --redis`): a presenter on A moves
followers on B and C through steps, seeks, forks and a chapter jump; a session opened on
A resumes on B at the same step of the same timeline."""

from __future__ import annotations

import time
from typing import Any

import redis
from websockets.sync.client import ClientConnection

from tests.api.redis_cluster import FORK, OPEN, follower, presented_room, three
from tests.support.cluster import App, receive_until, send
from virtio_viz.api.shared.sessions import record_key

__all__ = ["three"]  # the fixture


Replies = list[dict[str, Any]]


def moved(
    presenter: ClientConnection, message: dict[str, Any], followers: list[ClientConnection]
) -> tuple[Replies, list[Replies]]:
    """The presenter's replies to `message`, and what each follower received for it."""
    send(presenter, message)
    mine = receive_until(presenter, "position")
    return mine, [receive_until(ws, "position") for ws in followers]


def written(app: App, session: str, step: int) -> None:
    """A worker writes a session's move to Redis just after its reply is on its way
    (write-behind, api/shared/sessions.py): wait, bounded, until `step` is there."""
    store = redis.Redis.from_url(app.redis_url)
    deadline = time.monotonic() + 30
    while store.hget(record_key(session), "position") != str(step).encode():
        assert time.monotonic() < deadline, "the move never reached Redis"
        time.sleep(0.02)
    store.close()


def test_followers_on_other_processes_follow_steps_seeks_forks_and_chapters(
    three: list[App],
) -> None:
    a, b, c = three
    presenter, room = presented_room(a, step=10)
    (on_b, opened_b), (on_c, opened_c) = follower(b, room), follower(c, room)
    for opened in (opened_b, opened_c):
        assert opened[0]["type"] == "opened" and opened[0]["role"] == "follower"
        assert opened[0]["session"] is None and opened[-1]["step"] == 10
    followers = [on_b, on_c]
    for _ in range(3):
        mine, theirs = moved(presenter, {"type": "step"}, followers)
        assert [t[-1]["step"] for t in theirs] == [mine[-1]["step"]] * 2
    mine, theirs = moved(presenter, {"type": "seek", "step": 200}, followers)
    assert [t[-1]["step"] for t in theirs] == [200, 200]
    # a fork is a new timeline: each process rebuilds it from the recipe, byte for byte
    mine, theirs = moved(presenter, FORK, followers)
    forked = mine[0]
    for got in theirs:
        assert got[0]["type"] == "opened" and got[-1]["step"] == mine[-1]["step"]
        assert got[0]["header"] == forked["header"] and got[0]["snapshot"] == forked["snapshot"]
    chapter = forked["header"]["chapters"][-2]
    mine, theirs = moved(presenter, {"type": "seek", "step": chapter["first_step"]}, followers)
    assert [t[-1]["step"] for t in theirs] == [chapter["first_step"]] * 2
    # a late joiner on C reads the room's position from Redis
    late, opened_late = follower(c, room)
    assert opened_late[0]["header"] == forked["header"]
    assert opened_late[-1]["step"] == chapter["first_step"]
    for ws in (presenter, on_b, on_c, late):
        ws.close()


def test_a_session_opened_on_one_process_resumes_on_another(three: list[App]) -> None:
    a, b, c = three
    solo = a.connect()
    send(solo, {**OPEN, "step": 200})
    session = receive_until(solo, "position")[0]["session"]
    send(solo, FORK)
    forked = receive_until(solo, "position")
    send(solo, {"type": "step", "count": 3})
    step = receive_until(solo, "position")[-1]["step"]
    solo.close()
    resumed = b.connect()
    send(resumed, {"type": "resume", "version": 2, "session": session})
    got = receive_until(resumed, "position")
    assert got[0]["session"] == session and got[-1]["step"] == step
    assert got[0]["header"] == forked[0]["header"]
    # the same timeline: a fresh open of the fork's recipe on C has the same state there
    fork_at = forked[-1]["step"]
    fresh = c.connect()
    send(fresh, {**OPEN, "step": step, "actions": [{"at": 200, **FORK["action"]}]})
    assert receive_until(fresh, "position")[0]["snapshot"] == got[0]["snapshot"]
    assert fork_at < step
    send(resumed, {"type": "back"})  # it moves on B, and B's moves are kept for a resume on A
    back = receive_until(resumed, "position")[-1]["step"]
    resumed.close()
    written(b, session, back)
    again = a.connect()
    send(again, {"type": "resume", "version": 2, "session": session})
    assert receive_until(again, "position")[-1]["step"] == back == step - 1
    for ws in (fresh, again):
        ws.close()


def test_a_follower_is_never_handed_the_room_on_another_process(three: list[App]) -> None:
    a, b, _ = three
    presenter, room = presented_room(a)
    watcher, _opened = follower(b, room)
    send(watcher, {"type": "seek", "step": 300})
    assert receive_until(watcher, "error")[-1]["code"] == "follower"
    thief = b.connect()
    send(thief, {"type": "join", "version": 2, "room": room["code"], "token": "x" * 32})
    assert receive_until(thief, "error")[-1]["code"] == "token"
    # a room's session is joined, never resumed: not on another process either
    send(thief, {"type": "resume", "version": 2, "session": room["session"]})
    assert receive_until(thief, "error")[-1]["code"] == "unknown_session"
    send(presenter, {"type": "step"})
    assert receive_until(presenter, "position")[-1]["step"] == 11
    assert receive_until(watcher, "position")[-1]["step"] == 11
    # the watcher's connection takes the token: it presents now, and moves the room on A
    on_a, _opened = follower(a, room)
    send(watcher, {"type": "join", "version": 2, "room": room["code"],
                   "token": room["presenter_token"]})  # fmt: skip
    assert receive_until(watcher, "position")[0]["role"] == "presenter"
    send(watcher, {"type": "seek", "step": 150})
    receive_until(watcher, "position")
    assert receive_until(on_a, "position")[-1]["step"] == 150
    for ws in (presenter, watcher, thief, on_a):
        ws.close()
