"""The limits of one address hold across app processes sharing one Redis: connections,
sessions and rooms an hour are counted together, not per process."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.api.redis_cluster import OPEN, cluster
from tests.support.cluster import receive_until, running, send

FLAGS = ["--max-connections-per-client", "3", "--max-sessions-per-client", "2",
         "--rooms-per-hour", "2", "--grace-seconds", "2"]  # fmt: skip


def test_one_address_gets_one_share_across_processes(tmp_path: Path) -> None:
    redis, (a, b) = cluster(tmp_path, 2, FLAGS)
    with running(redis, [a, b]):
        assert [app.post("/api/rooms")[0] for app in (a, b, a, b)] == [201, 201, 429, 429]
        first, second, third = a.connect(), b.connect(), b.connect()
        for ws in (first, second):
            send(ws, OPEN)
            assert receive_until(ws, "position")[0]["type"] == "opened"
        send(third, OPEN)
        refused = receive_until(third, "error")[-1]
        assert refused["code"] == "busy" and "at most 2 sessions" in refused["message"]
        fourth = a.connect()  # a fourth connection, on the other process: over the share
        with pytest.raises(ConnectionClosed) as closed:
            fourth.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        # a dropped session waits the grace period for a resume, then stops counting, in
        # every process: its record's time to live in Redis is the grace period
        second.close()
        send(third, OPEN)
        assert receive_until(third, "error")[-1]["code"] == "busy"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            send(third, OPEN)
            if json.loads(third.recv(timeout=10))["type"] == "opened":
                break
            time.sleep(0.25)
        else:
            pytest.fail("the dropped session still counted long after its grace period")
