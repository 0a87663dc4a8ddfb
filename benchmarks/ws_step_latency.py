"""One reader stepping: the round trip of a `step` against a bare echo.

One client opens the qemu-emulated story (queue size 256: 1,955 steps) and sends `step`
after `step`, timing each until its `position` reply (the frame ahead arrives first).
The same client times an echo of a message of the same size as a step's replies on
`/bench/echo` of the same server, interleaved with the steps, so the ratio shows what
the session layer adds to the websocket itself.

    .venv/bin/python -m benchmarks.ws_step_latency                 # 2,000 steps
    .venv/bin/python -m benchmarks.ws_step_latency --steps 20      # a smoke run
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from websockets.asyncio.client import connect

from benchmarks.ws_support import (
    Server,
    echo_round_trip,
    median,
    ms,
    open_session,
    percentile,
    receive_until,
    run,
    running_server,
    step_round_trip,
)

WARMUP = 50


@dataclass(frozen=True)
class Result:
    steps: int
    step_p50: float
    step_p99: float
    echo_p50: float
    echo_p99: float

    @property
    def ratio_p50(self) -> float:
        return self.step_p50 / self.echo_p50


async def measure_on(server: Server, steps: int) -> Result:
    session = await open_session(server.ws, options={"queue_size": 256})
    echo = await connect(server.echo)
    payload = json.dumps({"type": "frames", "pad": "x" * 700})
    step_times: list[float] = []
    echo_times: list[float] = []
    position, length = 0, 1955
    try:
        for number in range(WARMUP + steps):
            if position >= length - 2:
                await session.send(json.dumps({"type": "seek", "step": 0}))
                await receive_until(session, "position")
                position = 0
            stepped = await step_round_trip(session)
            echoed = await echo_round_trip(echo, payload)
            position += 1
            if number >= WARMUP:
                step_times.append(stepped)
                echo_times.append(echoed)
    finally:
        await session.close()
        await echo.close()
    return Result(steps, median(step_times), percentile(step_times, 0.99),
                  median(echo_times), percentile(echo_times, 0.99))  # fmt: skip


def measure(steps: int) -> Result:
    with running_server() as server:
        return run(measure_on(server, steps))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)
    result = measure(args.steps)
    print(f"steps timed              {result.steps}")
    print(f"step round trip p50      {ms(result.step_p50)}  (p99 {ms(result.step_p99)})")
    print(f"echo round trip p50      {ms(result.echo_p50)}  (p99 {ms(result.echo_p99)})")
    print(f"step / echo, p50         {result.ratio_p50:.2f}x   (goal <= 1.5x)")


if __name__ == "__main__":
    main()
