"""A lecture: one presenter steps, many followers' screens follow.

A room is created over REST; the presenter joins with its token and opens the
qemu-emulated story; `--followers` clients join as followers. The presenter then steps
`--steps` times, a little apart; each step is timed from the presenter's send until the
last follower has the new `position` (the frame ahead comes with it). For scale, the
same run also times one echo round trip on the bare echo endpoint.

    .venv/bin/python -m benchmarks.ws_room_fanout                             # 200 followers
    .venv/bin/python -m benchmarks.ws_room_fanout --followers 3 --steps 5     # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.ws_support import (
    OPEN,
    STEP,
    Server,
    echo_round_trip,
    median,
    ms,
    percentile,
    receive_until,
    run,
    running_server,
)

PAUSE = 0.05  # between the presenter's steps, as a clicker would be slower still


@dataclass(frozen=True)
class Result:
    followers: int
    steps: int
    p50: float
    p99: float
    echo_p50: float


class Audience:
    """The followers: each counts the positions it receives; a step is complete when
    all of them have it."""

    def __init__(self, sockets: list[ClientConnection]) -> None:
        self.sockets = sockets
        self.waiting: dict[int, int] = {}
        self.done: dict[int, asyncio.Future[float]] = {}
        self.readers = [asyncio.create_task(self._read(ws)) for ws in sockets]

    def expect(self, step: int) -> asyncio.Future[float]:
        self.waiting[step] = len(self.sockets)
        self.done[step] = asyncio.get_running_loop().create_future()
        return self.done[step]

    async def _read(self, ws: ClientConnection) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "error":
                raise RuntimeError(f"a follower got an error: {message}")
            step = message.get("step")
            if message["type"] != "position" or step not in self.waiting:
                continue
            self.waiting[step] -= 1
            if self.waiting[step] == 0:
                self.done[step].set_result(time.perf_counter())

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets))


class Watching(Protocol):
    def expect(self, step: int) -> asyncio.Future[float]: ...


async def presenter_steps(
    presenter: ClientConnection, audience: Watching, steps: int, *, timeout: float
) -> list[float]:
    """Each step timed from the presenter's send until the last follower has it."""
    times: list[float] = []
    for step in range(1, steps + 1):
        everyone = audience.expect(step)
        started = time.perf_counter()
        await presenter.send(STEP)
        await receive_until(presenter, "position")
        times.append(await asyncio.wait_for(everyone, timeout) - started)
        await asyncio.sleep(PAUSE)
    return times


def _create_room(server: Server) -> dict[str, str]:
    request = urllib.request.Request(server.http("/api/rooms"), method="POST")
    with urllib.request.urlopen(request) as reply:
        room: dict[str, str] = json.load(reply)
        return room


async def measure_on(server: Server, followers: int, steps: int) -> Result:
    room = _create_room(server)
    join = {"type": "join", "version": 2, "room": room["code"]}
    presenter = await connect(server.ws, max_size=None)
    await presenter.send(json.dumps({**join, "token": room["presenter_token"]}))
    await receive_until(presenter, "position")
    await presenter.send(json.dumps(OPEN))
    await receive_until(presenter, "position")
    sockets = []
    for _ in range(followers):
        ws = await connect(server.ws, max_size=None)
        await ws.send(json.dumps(join))
        await receive_until(ws, "position")
        sockets.append(ws)
    audience = Audience(sockets)
    try:
        times = await presenter_steps(presenter, audience, steps, timeout=30)
        echo = await connect(server.echo)
        echoes = [await echo_round_trip(echo, STEP) for _ in range(50)]
        await echo.close()
    finally:
        await audience.close()
        await presenter.close()
    return Result(followers, steps, median(times), percentile(times, 0.99), median(echoes))


def measure(followers: int, steps: int) -> Result:
    with running_server() as server:
        return run(measure_on(server, followers, steps))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=200)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args(argv)
    result = measure(args.followers, args.steps)
    print(f"followers                     {result.followers}, {result.steps} steps")
    print(f"presenter step -> last follower  p50 {ms(result.p50)}, p99 {ms(result.p99)}"
          "  (goal p99 <= 100 ms)")  # fmt: skip
    print(f"echo round trip (one client)  p50 {ms(result.echo_p50)}")


if __name__ == "__main__":
    main()
