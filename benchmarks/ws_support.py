"""What the websocket benchmarks share: a real server in a child process, and clients.

The server is the real app (`create_app`) run by uvicorn on one worker, in a process of
its own so the clients' work does not count as the server's. It has one extra route,
`/bench/echo`, a bare websocket that sends back what it receives: the baseline every
figure is compared with, measured in the same server process during the same run.
Limits are raised so the benchmark measures the server, not its flood protection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect

from virtio_viz.api import Settings, create_app

ROOT = Path(__file__).resolve().parents[1]
OPEN: dict[str, Any] = {"type": "open", "version": 2, "scenario": "qemu-emulated"}


def bench_app() -> FastAPI:
    """The app under test, plus the echo baseline (uvicorn --factory calls this)."""
    settings = Settings(
        rate_per_second=1e6,
        rate_burst=10**6,
        max_sessions=100_000,
        max_rooms=100,
        max_sessions_per_client=100_000,
        max_connections=100_000,
        max_connections_per_client=100_000,
    )  # fmt: skip  (every client comes from 127.0.0.1)
    app = create_app(settings)

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.send_text(await websocket.receive_text())

    async def replay(websocket: WebSocket) -> None:
        """Its first message is a JSON list of texts; it answers every later message with
        the next of them, round and round: the same replies as a session's, with no
        session behind them."""
        await websocket.accept()
        with contextlib.suppress(WebSocketDisconnect):
            texts: list[str] = json.loads(await websocket.receive_text())
            for text in itertools.cycle(texts):
                await websocket.receive_text()
                await websocket.send_text(text)

    app.add_api_websocket_route("/bench/echo", echo)
    app.add_api_websocket_route("/bench/replay", replay)
    # The catch-all static mount was added first; put the bench routes before it.
    app.router.routes.insert(0, app.router.routes.pop())
    app.router.routes.insert(0, app.router.routes.pop())
    return app


@dataclass(frozen=True)
class Server:
    pid: int
    port: int

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def replay(self) -> str:
        return f"ws://127.0.0.1:{self.port}/bench/replay"

    @property
    def echo(self) -> str:
        return f"ws://127.0.0.1:{self.port}/bench/echo"

    def http(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def rss_kib(self) -> int:
        """The server process's resident memory."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(serve_flags: Sequence[str] | None = None) -> Iterator[Server]:
    """uvicorn, one worker, in a child process, until the block ends: the bench app, or
    with `serve_flags` the real `virtio-viz serve` with those flags."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "benchmarks.ws_support:bench_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    if serve_flags is not None:
        command = [sys.executable, "-m", "virtio_viz.cli", "serve", "--port", str(port),
                   *serve_flags]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'server'}"}
    if serve_flags is not None:  # as scripts/run and the Dockerfile serve it
        env.setdefault("PYTHONMALLOC", "malloc")
    child = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/healthz", child)
        yield Server(child.pid, port)
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _wait_healthy(url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited with {child.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as reply:
            if reply.status == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("the server did not become healthy in 30 s")


def heavy_scenario(steps: int) -> str:
    """A scenario file of about 50 bytes a step whose one chapter sends `steps` frames:
    a small upload that takes seconds of CPU to load and run (an attacker's favourite)."""
    head = ("virtio-viz-scenario: 1\ntitle: heavy\ntopology: qemu-emulated\nchapters:\n"
            "  - story: discovery\n  - story: handshake\n  - story: features\n"
            "  - story: queues\n  - story: rx-refill\n  - title: flood\n    steps:\n")  # fmt: skip
    return head + "      - {do: send_frame, frame: arp_request}\n" * steps


# -- clients ----------------------------------------------------------------------------------
T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run the clients on uvloop when it is installed, as uvicorn runs the server."""
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


class WireCounter(ClientConnection):
    """A client connection that counts the bytes that arrive on its socket (after any
    permessage-deflate compression: what really crossed the wire)."""

    received_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.received_bytes += len(data)
        super().data_received(data)


async def receive_until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    """Replies up to and including the first of type `kind`; an error reply raises."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["type"] != kind:
        reply = json.loads(await ws.recv())
        if reply["type"] == "error":
            raise RuntimeError(f"error reply: {reply}")
        got.append(reply)
    return got


async def open_session(url: str, **fields: Any) -> ClientConnection:
    ws = await connect(url, max_size=None)
    await ws.send(json.dumps({**OPEN, **fields}))
    await receive_until(ws, "position")
    return ws


async def echo_round_trip(ws: ClientConnection, payload: str) -> float:
    started = time.perf_counter()
    await ws.send(payload)
    await ws.recv()
    return time.perf_counter() - started


STEP = json.dumps({"type": "step"})


async def step_round_trip(ws: ClientConnection) -> float:
    """Send one step; the time until its `position` reply."""
    started = time.perf_counter()
    await ws.send(STEP)
    await receive_until(ws, "position")
    return time.perf_counter() - started


# -- figures ----------------------------------------------------------------------------------
def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
