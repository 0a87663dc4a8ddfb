"""What the users of a room see when Redis goes away and comes back (empty), and when a
worker dies: real processes, killed with SIGKILL."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.api.redis_cluster import OPEN, cluster, follower, presented_room
from tests.support.cluster import receive_until, running, send


def test_redis_away_and_back_mid_room(tmp_path: Path) -> None:
    redis, (a, b) = cluster(tmp_path, 2, [])
    with running(redis, [a, b]):
        presenter, room = presented_room(a, step=10)
        (near, _), (far, _) = follower(a, room), follower(b, room)
        solo = b.connect()
        send(solo, {**OPEN, "step": 5})
        receive_until(solo, "position")
        redis.kill()
        # everyone in the room is told it now reaches only their own worker
        for ws in (presenter, near, far):
            assert receive_until(ws, "notice")[-1]["code"] == "rooms_local"
        send(presenter, {"type": "step"})
        assert receive_until(presenter, "position")[-1]["step"] == 11
        assert receive_until(near, "position")[-1]["step"] == 11  # same worker: follows
        with pytest.raises(TimeoutError):
            far.recv(timeout=1.0)  # another worker: waits, told why
        send(solo, {"type": "step"})  # a live session carries on
        assert receive_until(solo, "position")[-1]["step"] == 6
        assert a.post("/api/rooms")[0] == 503  # no new room until Redis is back
        stranger = a.connect()
        send(stranger, {"type": "join", "version": 2, "room": "ABCDEF"})
        assert receive_until(stranger, "error")[-1]["code"] == "unavailable"
        redis.start()  # empty: the workers write back what they hold
        assert receive_until(far, "notice")[-1]["code"] == "rooms_shared"
        for ws in (presenter, near):
            assert receive_until(ws, "notice")[-1]["code"] == "rooms_shared"
        send(presenter, {"type": "step"})
        assert receive_until(presenter, "position")[-1]["step"] == 12
        # whole again: the far follower is brought to the room's step (11, which it missed)
        # when the room is written back, or straight to 12 if the step came first
        seen: list[int] = []
        while not seen or seen[-1] < 12:
            seen.append(receive_until(far, "position")[-1]["step"])
        assert seen in ([12], [11, 12])
        _late, opened = follower(b, room)
        assert opened[-1]["step"] == 12 and opened[0]["role"] == "follower"
        send(solo, {"type": "step"})
        session = receive_until(solo, "position")[0]
        assert session["step"] == 7
        assert a.post("/api/rooms")[0] == 201


def test_a_worker_dying_loses_no_room(tmp_path: Path) -> None:
    redis, (a, b, c) = cluster(tmp_path, 3, [])
    with running(redis, [a, b, c]):
        presenter, room = presented_room(a, step=10)
        (on_b, _), (on_c, _) = follower(b, room), follower(c, room)
        send(presenter, {"type": "seek", "step": 120})
        receive_until(presenter, "position")
        assert [receive_until(ws, "position")[-1]["step"] for ws in (on_b, on_c)] == [120, 120]
        b.kill()  # its followers lose their connection ...
        with pytest.raises(ConnectionClosed):
            on_b.recv(timeout=10)
        moved, opened = follower(c, room)  # ... and come back through the balancer
        assert opened[0]["role"] == "follower" and opened[-1]["step"] == 120
        send(presenter, {"type": "step"})
        receive_until(presenter, "position")
        assert [receive_until(ws, "position")[-1]["step"] for ws in (on_c, moved)] == [121, 121]
        a.kill()  # the presenter's worker: the presenter reconnects elsewhere, with the token
        back = c.connect()
        send(back, {"type": "join", "version": 2, "room": room["code"],
                    "token": room["presenter_token"]})  # fmt: skip
        reopened = receive_until(back, "position")
        assert reopened[0]["role"] == "presenter" and reopened[-1]["step"] == 121
        send(back, {"type": "step"})
        receive_until(back, "position")
        assert [receive_until(ws, "position")[-1]["step"] for ws in (on_c, moved)] == [122, 122]
