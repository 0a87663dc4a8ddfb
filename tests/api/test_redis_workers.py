"""`virtio-viz serve --workers N --redis URL`: N uvicorn worker processes on one socket,
sharing rooms through Redis; more than one worker without Redis is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.api.redis_cluster import cluster, follower, presented_room
from tests.support.cluster import ROOT, receive_until, running, send


def workers_of(pid: int) -> set[int]:
    """The uvicorn workers: child processes started by multiprocessing's spawn."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == pid and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def test_several_workers_need_redis() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    env.pop("VIRTIO_VIZ_REDIS_URL", None)
    command = [sys.executable, "-m", "virtio_viz", "serve", "--workers", "2"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 2 and "--workers above 1 needs --redis" in done.stderr


def test_two_workers_serve_a_room_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    redis, (app,) = cluster(tmp_path, 1, ["--workers", "2"])
    with running(redis, [app]):
        assert app.child is not None
        first = workers_of(app.child.pid)
        assert len(first) == 2
        presenter, room = presented_room(app)
        watchers = [follower(app, room)[0] for _ in range(6)]
        send(presenter, {"type": "step"})
        receive_until(presenter, "position")
        assert {receive_until(ws, "position")[-1]["step"] for ws in watchers} == {11}
        os.kill(min(first), 9)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(workers_of(app.child.pid) - first) < 1:
            time.sleep(0.2)
        assert len(workers_of(app.child.pid)) == 2  # uvicorn started another
        late, opened = follower(app, room)
        assert opened[-1]["step"] == 11
        late.close()
