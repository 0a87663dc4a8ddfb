"""A poll in a lecture hall: the whole room answers at once.

A room is created over REST; the presenter joins with its token, opens the
qemu-emulated story and puts its first question to the room; `--followers` clients join
as followers and wait for the question. Then every follower sends its answer at the
same moment (a third of them wrong). Measured: from the first answer sent until the last
follower has its answer acknowledged (goal: within 2 s), and from that moment until the
presenter holds a histogram that counts every answer (goal: within 200 ms).

The baseline, in the same run, on the same sockets: every follower at once sends a
message the server only refuses (a follower may not step), so the same number of
concurrent round trips through the same server, with no poll behind them.

With `--redis N` the room is spread over N app processes sharing a real Redis (`serve
--redis`): the presenter on the first, the followers dealt round all of them, so most
answers are counted by another worker than the presenter's.

    .venv/bin/python -m benchmarks.ws_poll                          # 500 followers, 3 rounds
    .venv/bin/python -m benchmarks.ws_poll --redis 3                # over 3 processes
    .venv/bin/python -m benchmarks.ws_poll --followers 3 --rounds 1 # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.cluster import RedisServer
from websockets.asyncio.client import ClientConnection

from benchmarks.ws_redis import _join, servers
from benchmarks.ws_room_fanout import _create_room
from benchmarks.ws_support import OPEN, STEP, Server, median, ms, receive_until, run, running_server


@dataclass(frozen=True)
class Result:
    followers: int
    rounds: int
    answered: float  # first answer sent -> last answer acknowledged (median round)
    histogram_lag: float  # last acknowledgement -> presenter's histogram counts everyone
    baseline: float  # first refusal sent -> last refusal received (median round)
    tallies: list[dict[str, int]]


async def _reply(ws: ClientConnection, kind: str) -> float:
    """The time the first reply of type `kind` arrives (an error counts for 'error')."""
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == kind:
            return time.perf_counter()
        if message["type"] == "error":
            raise RuntimeError(f"a follower got an error: {message}")


async def _everyone(sockets: list[ClientConnection], texts: list[str], kind: str) -> float:
    """Send each socket its text at once; the time from the first send to the last reply."""
    waits = [asyncio.create_task(_reply(ws, kind)) for ws in sockets]
    started = time.perf_counter()
    await asyncio.gather(*(ws.send(text) for ws, text in zip(sockets, texts, strict=True)))
    return max(await asyncio.gather(*waits)) - started


async def _refused(sockets: list[ClientConnection]) -> float:
    async def refusal(ws: ClientConnection) -> float:
        await ws.send(STEP)
        message = json.loads(await ws.recv())
        assert message["type"] == "error" and message["code"] == "follower", message
        return time.perf_counter()

    started = time.perf_counter()
    return max(await asyncio.gather(*(refusal(ws) for ws in sockets))) - started


async def _histogram(presenter: ClientConnection, total: int) -> tuple[float, dict[str, int]]:
    """When the presenter's tally counts `total` answers, and the tally."""
    while True:
        message = json.loads(await presenter.recv())
        if message["type"] == "poll" and message["total"] == total:
            return time.perf_counter(), message["tally"]


async def _round(
    presenter: ClientConnection, followers: list[ClientConnection], question: dict[str, Any]
) -> tuple[float, float, dict[str, int]]:
    await presenter.send(json.dumps({"type": "poll_open", "question": question["id"]}))
    await receive_until(presenter, "poll")
    await asyncio.gather(*(receive_until(ws, "poll") for ws in followers))
    wrong = next(c for c in question["choices"] if c != question["answer"])
    texts = [json.dumps({"type": "poll_answer", "question": question["id"],
                         "answer": wrong if i % 3 == 2 else question["answer"]})
             for i in range(len(followers))]  # fmt: skip
    seen = asyncio.create_task(_histogram(presenter, len(followers)))
    started = time.perf_counter()
    answered = await _everyone(followers, texts, "poll")
    last_ack = started + answered
    at, tally = await asyncio.wait_for(seen, 30)
    return answered, max(0.0, at - last_ack), tally


async def measure_on(spread: list[Server], followers: int, rounds: int) -> Result:
    """The presenter on the first server; followers dealt round the servers."""
    room = _create_room(spread[0])
    join = {"type": "join", "version": 2, "room": room["code"]}
    presenter = await _join(spread[0], {**join, "token": room["presenter_token"]})
    await presenter.send(json.dumps(OPEN))
    header = (await receive_until(presenter, "position"))[0]["header"]
    questions = [q for q in header["questions"] if q["answer_type"] == "choice"][:rounds]
    sockets = [await _join(spread[i % len(spread)], join) for i in range(followers)]
    answered, lags, baselines, tallies = [], [], [], []
    try:
        for question in questions:
            baselines.append(await _refused(sockets))
            took, lag, tally = await _round(presenter, sockets, question)
            answered.append(took)
            lags.append(lag)
            tallies.append(tally)
    finally:
        await asyncio.gather(*(ws.close() for ws in [presenter, *sockets]))
    return Result(followers, len(questions), median(answered), median(lags), median(baselines),
                  tallies)  # fmt: skip


def measure(followers: int, rounds: int, processes: int = 0) -> Result:
    """One process (the bench app), or `processes` sharing a Redis of their own."""
    if not processes:
        with running_server() as server:
            return run(measure_on([server], followers, rounds))
    with tempfile.TemporaryDirectory() as directory:
        redis = RedisServer(Path(directory))
        redis.start()
        try:
            with servers(processes, redis) as spread:
                return run(measure_on(spread, followers, rounds))
        finally:
            redis.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", type=int, default=0, metavar="N",
                        help="spread the room over N processes sharing a Redis")  # fmt: skip
    args = parser.parse_args(argv)
    r = measure(args.followers, args.rounds, args.redis)
    where = f"over {args.redis} processes on Redis" if args.redis else "one process"
    print(
        f"followers                          {r.followers} ({where}), {r.rounds} questions "
        "(median round)"
    )
    print(f"all answer -> last acknowledged    {ms(r.answered)}  (goal <= 2000 ms)")
    print(f"last answer -> presenter's tally   {ms(r.histogram_lag)}  (goal <= 200 ms)")
    print(f"baseline: all refused at once      {ms(r.baseline)}  "
          f"(answers take {r.answered / r.baseline:.2f}x)")  # fmt: skip
    print(f"tallies                            {r.tallies}")


if __name__ == "__main__":
    main()
