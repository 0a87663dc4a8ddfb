"""One reader stepping: the round trip of a `step` against a bare replay of its replies.

One client opens the qemu-emulated story (queue size 256: 1,955 steps) and sends `step`
after `step`, timing each until its `position` reply. The baseline is the same server's
`/bench/replay` websocket, which answers each small message with the next of the step
replies recorded in a first pass: the same texts, so the same size, framing and
compression, with no session behind them. Steps and replays are interleaved, so the
ratio shows what the session layer adds to the websocket itself. An echo of a 719-byte
message (the baseline before issue 20, when a reply was about that size) is timed too.

    .venv/bin/python -m benchmarks.ws_step_latency                 # 2,000 steps
    .venv/bin/python -m benchmarks.ws_step_latency --steps 20      # a smoke run
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.ws_support import (
    STEP,
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
LENGTH = 1955  # steps of the qemu-emulated story at queue size 256


@dataclass(frozen=True)
class Result:
    steps: int
    step_p50: float
    step_p99: float
    replay_p50: float
    replay_p99: float
    echo_p50: float
    echo_p99: float

    @property
    def ratio_p50(self) -> float:
        return self.step_p50 / self.replay_p50


async def _recorded_replies(session: ClientConnection, count: int) -> list[str]:
    """The texts of the replies to `count` steps from step 0; then back to step 0."""
    texts: list[str] = []
    for _ in range(count):
        await session.send(STEP)
        text = await session.recv()
        assert isinstance(text, str) and json.loads(text)["type"] == "position"
        texts.append(text)
    await _rewind(session)
    return texts


async def _rewind(session: ClientConnection) -> None:
    await session.send(json.dumps({"type": "seek", "step": 0}))
    await receive_until(session, "position")


async def measure_on(server: Server, steps: int) -> Result:
    session = await open_session(server.ws, options={"queue_size": 256})
    laps = min(WARMUP + steps, LENGTH - 2)  # steps before the timeline's end: then seek 0
    replay = await connect(server.replay, max_size=None)
    echo = await connect(server.echo)
    payload = json.dumps({"type": "frames", "pad": "x" * 700})
    times: tuple[list[float], list[float], list[float]] = ([], [], [])
    try:
        await replay.send(json.dumps(await _recorded_replies(session, laps)))
        for number in range(WARMUP + steps):
            if number and number % laps == 0:
                await _rewind(session)
            measured = (
                await step_round_trip(session),
                await echo_round_trip(replay, STEP),
                await echo_round_trip(echo, payload),
            )
            if number >= WARMUP:
                for kept, seconds in zip(times, measured, strict=True):
                    kept.append(seconds)
    finally:
        for ws in (session, replay, echo):
            await ws.close()
    return Result(steps, *(f(t) for t in times for f in (median, _p99)))


def _p99(values: list[float]) -> float:
    return percentile(values, 0.99)


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
    print(f"replay round trip p50    {ms(result.replay_p50)}  (p99 {ms(result.replay_p99)})")
    print(f"step / replay, p50       {result.ratio_p50:.2f}x   (goal <= 1.5x)")
    print(
        f"echo of 719 bytes p50    {ms(result.echo_p50)}  (p99 {ms(result.echo_p99)}); "
        f"step / echo {result.step_p50 / result.echo_p50:.2f}x"
    )


if __name__ == "__main__":
    main()
