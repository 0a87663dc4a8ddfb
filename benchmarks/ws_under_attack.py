"""The server under attack: one client's steps and the health check while a heavy
upload builds, and memory after a flood of connections.

Latency: a reader steps through the qemu-emulated story (timing each `step` until its
`position`) and `/healthz` is polled, twice in the same server run: first alone (the
baseline), then while an attacker keeps two heavy scenario files building (each takes
the whole CPU budget of a build, and is sent again as soon as it is refused). The
figures are the p99s of both phases and their ratio.

Memory: the server's RSS after a warm-up, then while `--flood` connections each hold a
session (one in five on a timeline of its own: distinct seeds), then once they have
hung up and the sweeper has forgotten their sessions (grace period 5 s here, then
two more of them for the sweeper's rounds).

The server is the real `virtio-viz serve` with its default limits, except: those that
count per client address (every client here is 127.0.0.1), the rate per connection (the
reader steps as fast as it can), room for 2,000 connections and sessions, and the
grace period.

    .venv/bin/python -m benchmarks.ws_under_attack          # 2,000 steps, 2,000 connections
    .venv/bin/python -m benchmarks.ws_under_attack --steps 50 --flood 50    # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.ws_support import (
    Server,
    heavy_scenario,
    ms,
    open_session,
    percentile,
    receive_until,
    run,
    running_server,
    step_round_trip,
)

FLAGS = [
    "--max-connections", "2500", "--max-connections-per-client", "100000",
    "--max-sessions", "2500", "--max-sessions-per-client", "100000", "--rate", "100000",
]  # fmt: skip
FLOOD_STEPS = 3000  # a file of about 150 KB that cannot be built within the budget


@dataclass(frozen=True)
class Latency:
    step_p99: float
    health_p99: float


@dataclass(frozen=True)
class Result:
    alone: Latency
    attacked: Latency
    builds_refused: int
    rss_start_kib: int
    rss_flood_kib: int
    rss_after_kib: int
    flood: int


async def _health_round_trip(server: Server) -> float:
    started = time.perf_counter()
    await asyncio.to_thread(
        lambda: urllib.request.urlopen(server.http("/healthz"), timeout=30).read()
    )
    return time.perf_counter() - started


async def _latency(server: Server, steps: int) -> Latency:
    reader = await open_session(server.ws)
    step_times: list[float] = []
    health_times: list[float] = []
    for number in range(steps):
        if number % 400 == 399:
            await reader.send(json.dumps({"type": "seek", "step": 0}))
            await receive_until(reader, "position")
        step_times.append(await step_round_trip(reader))
        if number % 10 == 0:
            health_times.append(await _health_round_trip(server))
    await reader.close()
    return Latency(percentile(step_times, 0.99), percentile(health_times, 0.99))


async def _attacker(server: Server, stop: asyncio.Event, refused: list[int]) -> None:
    """Keeps one heavy build going: sends the file again as soon as it is refused."""
    async with connect(server.ws, max_size=None) as ws:
        text = heavy_scenario(FLOOD_STEPS)
        message = json.dumps({"type": "open", "version": 2, "scenario_file": text})
        while not stop.is_set():
            await ws.send(message)
            reply = json.loads(await ws.recv())
            refused[0] += reply.get("code") == "too_slow"


async def _attacked(server: Server, steps: int) -> tuple[Latency, int]:
    stop, refused = asyncio.Event(), [0]
    attackers = [asyncio.create_task(_attacker(server, stop, refused)) for _ in range(2)]
    await asyncio.sleep(1.0)  # both builds under way
    latency = await _latency(server, steps)
    stop.set()
    await asyncio.gather(*attackers)
    return latency, refused[0]


async def _flood(server: Server, connections: int, grace: float) -> tuple[int, int, int]:
    warm = await open_session(server.ws)
    await warm.close()
    await asyncio.sleep(2)
    start = server.rss_kib()
    clients: list[ClientConnection] = []
    for number in range(connections):
        clients.append(await open_session(server.ws, seed=number if number % 5 == 0 else 0))
    flood = server.rss_kib()
    await asyncio.gather(*(ws.close() for ws in clients))
    await asyncio.sleep(grace * 3)  # the grace period, then the sweeper's rounds
    return start, flood, server.rss_kib()


async def measure_on(server: Server, steps: int, flood: int, grace: float) -> Result:
    start, during, after = await _flood(server, flood, grace)
    alone = await _latency(server, steps)
    attacked, refused = await _attacked(server, steps)
    return Result(alone, attacked, refused, start, during, after, flood)


def measure(steps: int, flood: int, *, grace: float = 5, build_seconds: float = 10) -> Result:
    flags = [*FLAGS, "--grace-seconds", str(grace), "--build-seconds", str(build_seconds)]
    with running_server(flags) as server:
        return run(measure_on(server, steps, flood, grace))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--flood", type=int, default=2000)
    args = parser.parse_args(argv)
    r = measure(args.steps, args.flood)
    pairs = (("step", r.alone.step_p99, r.attacked.step_p99),
             ("healthz", r.alone.health_p99, r.attacked.health_p99))  # fmt: skip
    for name, alone, attacked in pairs:
        print(f"{name:8} p99 alone {ms(alone)}, while heavy uploads build {ms(attacked)} "
              f"({attacked / alone:.2f}x)")  # fmt: skip
    print(f"heavy builds stopped at their budget meanwhile: {r.builds_refused}")
    print(f"RSS: {r.rss_start_kib / 1024:.1f} MiB at start, {r.rss_flood_kib / 1024:.1f} MiB "
          f"with {r.flood} connections holding sessions, {r.rss_after_kib / 1024:.1f} MiB "
          f"after they left ({r.rss_after_kib / r.rss_start_kib:.2f}x the start)")  # fmt: skip


if __name__ == "__main__":
    main()
