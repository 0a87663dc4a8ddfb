"""Many readers at once: sessions stepping five times a second on one server worker.

`--sessions` clients each open their own session of the qemu-emulated story (they share
one built timeline: the server builds a timeline once per distinct request), then step
at `--rate` steps per second for `--seconds`, each on its own schedule (staggered
starts). Every step is timed until its `position` reply. Any error reply, dropped
connection or late schedule is counted. For the baseline, the same number of clients
then do the same on the bare echo endpoint of the same server.

    .venv/bin/python -m benchmarks.ws_many_sessions                          # 500 for 30 s
    .venv/bin/python -m benchmarks.ws_many_sessions --sessions 5 --seconds 1 # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.ws_support import (
    Server,
    echo_round_trip,
    ms,
    open_session,
    percentile,
    run,
    running_server,
    step_round_trip,
)

ECHO_PAYLOAD = json.dumps({"type": "frames", "pad": "x" * 700})


@dataclass(frozen=True)
class Load:
    steps: int
    errors: int
    p50: float
    p99: float
    worst: float


@dataclass(frozen=True)
class Result:
    sessions: int
    seconds: float
    rate: float
    session: Load
    echo: Load


async def _drive(
    connections: list[ClientConnection],
    move: Callable[[ClientConnection], Awaitable[float]],
    rate: float,
    seconds: float,
) -> Load:
    times: list[float] = []
    errors = 0

    async def one(ws: ClientConnection) -> None:
        nonlocal errors
        await asyncio.sleep(random.random() / rate)  # stagger the schedules
        start = time.perf_counter()
        for tick in range(int(seconds * rate)):
            delay = start + tick / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                times.append(await move(ws))
            except Exception:  # an error reply or a dropped connection
                errors += 1
                return

    await asyncio.gather(*(one(ws) for ws in connections))
    if not times:
        return Load(0, errors, 0.0, 0.0, 0.0)
    return Load(len(times), errors, percentile(times, 0.5), percentile(times, 0.99), max(times))


async def measure_on(server: Server, sessions: int, rate: float, seconds: float) -> Result:
    random.seed(1)
    opened = [await open_session(server.ws) for _ in range(sessions)]
    try:
        session_load = await _drive(opened, step_round_trip, rate, seconds)
    finally:
        await asyncio.gather(*(ws.close() for ws in opened))
    echoes = [await connect(server.echo) for _ in range(sessions)]
    try:
        echo_load = await _drive(echoes, lambda ws: echo_round_trip(ws, ECHO_PAYLOAD),
                                 rate, seconds)  # fmt: skip
    finally:
        await asyncio.gather(*(ws.close() for ws in echoes))
    return Result(sessions, seconds, rate, session_load, echo_load)


def measure(sessions: int, rate: float, seconds: float) -> Result:
    with running_server() as server:
        return run(measure_on(server, sessions, rate, seconds))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0, help="steps per second per session")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    result = measure(args.sessions, args.rate, args.seconds)
    for name, load in (("sessions", result.session), ("echo", result.echo)):
        print(f"{name:9} {load.steps} round trips, {load.errors} errors, p50 {ms(load.p50)}, "
              f"p99 {ms(load.p99)}, worst {ms(load.worst)}")  # fmt: skip
    print(f"p99 sessions / echo   {result.session.p99 / result.echo.p99:.2f}x  (goal: p99 <= 50 ms,"
          " zero errors)")  # fmt: skip


if __name__ == "__main__":
    main()
