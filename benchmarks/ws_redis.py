"""Past one process: a room spread over several app processes sharing one Redis.

Three figures, each against a baseline measured in the same run:
- a room whose followers are spread over `--processes` app processes (`serve --redis`),
  the presenter on the first: each step timed from the presenter's send until the last
  follower has it; against the same followers on one process (the embedded default);
- Redis's round trip for one move (the Lua script that raises the room's `seq`, writes
  the show and publishes it), against a bare PING on the same connection;
- a session resumed on another process: the time from `resume` to its first `position`,
  when that process builds the timeline and when it has it cached, against a resume on
  the process that holds the session.

    .venv/bin/python -m benchmarks.ws_redis                              # 2,000 followers
    .venv/bin/python -m benchmarks.ws_redis --followers 30 --steps 5 --sessions 3   # smoke
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.cluster import RedisServer
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.ws_room_fanout import Audience, _create_room, presenter_steps
from benchmarks.ws_support import (
    OPEN,
    Server,
    median,
    ms,
    percentile,
    receive_until,
    run,
    running_server,
)
from virtio_viz.api.shared import Link
from virtio_viz.api.shared import room_scripts as lua
from virtio_viz.api.shared.rooms import ALL, channel, record_key

RAISED = [
    "--rate",
    "1000000",
    "--max-connections",
    "100000",
    "--max-connections-per-client",
    "100000",
    "--max-sessions",
    "100000",
    "--max-sessions-per-client",
    "100000",
    "--max-builds-per-client",
    "64",
    "--max-builds",
    "64",
]  # fmt: skip  (one client address)
CONNECT_AT_ONCE = 100
POSITION = '{"type":"position","step":'  # how the server's `position` begins (pydantic order)


class Followers(Audience):
    """The room benchmark's audience, reading each message's step without parsing the
    whole JSON: with 2,000 followers in one client process, parsing every frame would
    make the clients, not the servers, what is measured."""

    async def _read(self, ws: ClientConnection) -> None:
        async for raw in ws:
            text = raw if isinstance(raw, str) else raw.decode()
            if not text.startswith(POSITION):
                if '"type":"error"' in text[:20]:
                    raise RuntimeError(f"a follower got an error: {text[:200]}")
                continue
            step = int(text[len(POSITION) : text.index(",", len(POSITION))])
            if step in self.waiting:
                self.waiting[step] -= 1
                if self.waiting[step] == 0:
                    self.done[step].set_result(time.perf_counter())


@dataclass(frozen=True)
class Fanout:
    p50: float
    p99: float


@dataclass(frozen=True)
class Result:
    followers: int
    processes: int
    steps: int
    spread: Fanout
    one: Fanout
    move_p50: float
    ping_p50: float
    resume_here: float
    resume_there_cold: float
    resume_there_warm: float


@contextlib.contextmanager
def servers(count: int, redis: RedisServer | None) -> Iterator[list[Server]]:
    flags = [*RAISED, "--redis", redis.url] if redis else RAISED
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(running_server(flags)) for _ in range(count)]


async def _join(server: Server, join: dict[str, Any]) -> ClientConnection:
    ws = await connect(server.ws, max_size=None)
    await ws.send(json.dumps(join))
    await receive_until(ws, "position")
    return ws


async def fanout(spread: list[Server], followers: int, steps: int) -> Fanout:
    """The presenter on the first server; followers dealt round the servers."""
    room = _create_room(spread[0])
    join = {"type": "join", "version": 2, "room": room["code"]}
    presenter = await _join(spread[0], {**join, "token": room["presenter_token"]})
    await presenter.send(json.dumps(OPEN))
    await receive_until(presenter, "position")
    sockets: list[ClientConnection] = []
    for first in range(0, followers, CONNECT_AT_ONCE):
        batch = range(first, min(followers, first + CONNECT_AT_ONCE))
        sockets += await asyncio.gather(*(_join(spread[i % len(spread)], join) for i in batch))
    audience = Followers(sockets)
    try:
        times = await presenter_steps(presenter, audience, steps, timeout=60)
    finally:
        await audience.close()
        await presenter.close()
    return Fanout(median(times), percentile(times, 0.99))


async def redis_round_trips(redis: RedisServer, count: int = 2000) -> tuple[float, float]:
    """One move's script against a bare PING, on the link the app uses."""
    link = Link(redis.url)
    await link.start()
    try:
        code = "BENCH2"
        keys = [ALL, record_key(code)]
        await link.script(lua.CREATE, keys, [10, 600, code, "0" * 64])
        args: list[object] = [code, 600, channel(code), link.worker, 0, "0", "0.0", "d" * 32,
                              "{}", "", "1", 0]  # fmt: skip
        moves, pings = [], []
        for step in range(count):
            args[4] = step
            started = time.perf_counter()
            await link.script(lua.MOVE, keys, args)
            moves.append(time.perf_counter() - started)
            args[8] = ""  # the recipe goes once
            started = time.perf_counter()
            await link.call(lambda redis: redis.ping())
            pings.append(time.perf_counter() - started)
        return median(moves), median(pings)
    finally:
        await link.close()


async def resumes(here: Server, there: Server, sessions: int) -> tuple[float, float, float]:
    """p50 time to the first position: on the same process, on another building the
    timeline, on another with the timeline cached."""
    ids = []
    for seed in range(sessions):  # a seed of its own: nothing cached on `there` yet
        ws = await connect(here.ws, max_size=None)
        await ws.send(json.dumps({**OPEN, "seed": 1000 + seed, "step": 100}))
        ids.append((await receive_until(ws, "position"))[0]["session"])
        await ws.close()
    same = [await _resume(here, session) for session in ids]
    cold = [await _resume(there, session) for session in ids]
    warm = [await _resume(there, session) for session in ids]
    return median(same), median(cold), median(warm)


async def _resume(server: Server, session: str) -> float:
    ws = await connect(server.ws, max_size=None)
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "resume", "version": 2, "session": session}))
    await receive_until(ws, "position")
    elapsed = time.perf_counter() - started
    await ws.close()
    return elapsed


def measure(followers: int, processes: int, steps: int, sessions: int) -> Result:
    with tempfile.TemporaryDirectory() as directory:
        redis = RedisServer(Path(directory))
        redis.start()
        try:
            with servers(processes, redis) as spread:
                spread_fanout = run(fanout(spread, followers, steps))
                move, ping = run(redis_round_trips(redis))
                here, cold, warm = run(resumes(spread[0], spread[1], sessions))
        finally:
            redis.kill()
    with servers(1, None) as one:
        one_fanout = run(fanout(one, followers, steps))
    return Result(followers, processes, steps, spread_fanout, one_fanout, move, ping,
                  here, cold, warm)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=30)
    args = parser.parse_args(argv)
    r = measure(args.followers, args.processes, args.steps, args.sessions)
    print(f"room, {r.followers} followers, {r.steps} steps, presenter step -> last follower")
    print(f"  over {r.processes} processes + Redis  p50 {ms(r.spread.p50)}, p99 {ms(r.spread.p99)}")
    print(f"  on one process (embedded)     p50 {ms(r.one.p50)}, p99 {ms(r.one.p99)}"
          f"   p99 ratio {r.spread.p99 / r.one.p99:.2f}x")  # fmt: skip
    print(f"Redis round trip per move     p50 {ms(r.move_p50)}  (PING p50 {ms(r.ping_p50)}, "
          f"{r.move_p50 / r.ping_p50:.2f}x)")  # fmt: skip
    print(
        f"resume -> first position      same process p50 {ms(r.resume_here)}; another: "
        f"building p50 {ms(r.resume_there_cold)}, cached p50 {ms(r.resume_there_warm)}"
    )


if __name__ == "__main__":
    main()
