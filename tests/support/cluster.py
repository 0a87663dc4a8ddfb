"""Real processes for the tests of several workers: a Redis server and app processes.

`RedisServer` runs Debian's redis-server on a free port with no persistence (a restart
comes back empty, the hardest case), and can be killed and started again on the same
port. `App` runs `virtio-viz serve --redis` in a process of its own. Both end in the
fixtures' `finally`, whatever the test did, so nothing outlives a test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.support.threaded_server import free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0
REPLY_SECONDS = 20.0


def _stop(child: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if child is None or child.poll() is not None:
        return
    child.send_signal(sig)
    try:
        child.wait(15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.child: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.child = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe,
            ):
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        _stop(self.child, signal.SIGKILL)


class App:
    """`virtio-viz serve --redis URL` on a free port, with `flags`."""

    def __init__(self, redis_url: str, flags: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.redis_url = redis_url
        self.flags = list(flags)
        self.child: subprocess.Popen[bytes] | None = None
        self.sockets = contextlib.ExitStack()  # every client connection, closed by `stop`

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def http(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
        command = [sys.executable, "-m", "virtio_viz", "serve", "--port", str(self.port),
                   "--redis", self.redis_url, "--rate", "1000", *self.flags]  # fmt: skip
        self.child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.child.poll() is not None:
                raise RuntimeError(f"the app exited with {self.child.returncode}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.http("/healthz"), timeout=1) as reply,
            ):
                if reply.status == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError("the app did not become healthy")

    def kill(self) -> None:
        """A worker dying: no goodbye to anyone."""
        _stop(self.child, signal.SIGKILL)

    def stop(self) -> None:
        self.sockets.close()
        _stop(self.child)

    def post(self, path: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.http(path), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=REPLY_SECONDS) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def connect(self) -> ClientConnection:
        """A client connection, closed when the test closes it or the app stops."""
        return self.sockets.enter_context(connect(self.ws, max_size=None,
                                                  open_timeout=REPLY_SECONDS))  # fmt: skip


@contextlib.contextmanager
def running(redis: RedisServer, apps: Sequence[App]) -> Iterator[None]:
    """Redis and the apps, started in order, all ended when the block ends."""
    try:
        redis.start()
        for app in apps:
            app.start()
        yield
    finally:
        for app in apps:
            app.stop()
        redis.kill()


def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message))


def receive_until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    """Messages up to and including the first of type `kind` (an unexpected error raises)."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["type"] != kind:
        got.append(json.loads(ws.recv(timeout=REPLY_SECONDS)))
        if got[-1]["type"] == "error" != kind:
            raise AssertionError(f"an error came instead of {kind}: {got[-1]}")
    return got
