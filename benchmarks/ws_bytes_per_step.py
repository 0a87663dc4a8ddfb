"""What one step costs on the wire.

One client opens the qemu-emulated story at `--queue-size` (256 by default, as QEMU
offers) and steps through the whole timeline. For each step it counts the bytes that
reached its socket (websocket framing included) and the JSON text of the replies. It
does so twice: with permessage-deflate, which browsers and this server negotiate, and
without it (a client or proxy that does not compress; the goal's figure). The open
(header, snapshot and the first frames ahead) is reported apart.

    .venv/bin/python -m benchmarks.ws_bytes_per_step
    .venv/bin/python -m benchmarks.ws_bytes_per_step --steps 20     # a smoke run
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from websockets.asyncio.client import connect

from benchmarks.ws_support import OPEN, STEP, Server, WireCounter, median, run, running_server


@dataclass(frozen=True)
class Result:
    queue_size: int
    compressed: bool
    steps: int
    open_wire: int
    open_text: int
    median_wire: float
    median_text: float
    max_wire: int


async def measure_on(
    server: Server, queue_size: int, steps: int | None, *, compressed: bool = True
) -> Result:
    ws = await connect(
        server.ws, create_connection=WireCounter, max_size=None,
        compression="deflate" if compressed else None,
    )  # fmt: skip
    assert isinstance(ws, WireCounter)
    text = 0

    async def replies() -> tuple[int, int]:
        nonlocal text
        before_wire, before_text = ws.received_bytes, text
        while True:
            raw = await ws.recv()
            text += len(raw.encode() if isinstance(raw, str) else raw)
            message = json.loads(raw)
            if message["type"] == "error":
                raise RuntimeError(f"error reply: {message}")
            if message["type"] == "position":
                return ws.received_bytes - before_wire, text - before_text

    try:
        await ws.send(json.dumps({**OPEN, "options": {"queue_size": queue_size}}))
        open_wire, open_text = await replies()
        length = (await _length(server, queue_size)) if steps is None else steps + 1
        wire: list[int] = []
        texts: list[int] = []
        for _ in range(length - 1):
            await ws.send(STEP)
            step_wire, step_text = await replies()
            wire.append(step_wire)
            texts.append(step_text)
    finally:
        await ws.close()
    return Result(queue_size, compressed, len(wire), open_wire, open_text, median(wire),
                  median(texts), max(wire))  # fmt: skip


async def _length(server: Server, queue_size: int) -> int:
    ws = await connect(server.ws, max_size=None)
    try:
        await ws.send(json.dumps({**OPEN, "options": {"queue_size": queue_size}}))
        opened = json.loads(await ws.recv())
        return int(opened["header"]["step_count"])
    finally:
        await ws.close()


def measure(queue_size: int = 256, steps: int | None = None) -> tuple[Result, Result]:
    """(with permessage-deflate, without), on the same server."""
    with running_server() as server:
        deflated = run(measure_on(server, queue_size, steps))
        plain = run(measure_on(server, queue_size, steps, compressed=False))
        return deflated, plain


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue-size", type=int, default=256)
    parser.add_argument("--steps", type=int, help="default: the whole timeline")
    args = parser.parse_args(argv)
    for r in measure(args.queue_size, args.steps):
        how = "with permessage-deflate" if r.compressed else "without compression"
        print(f"{how}: queue size {r.queue_size}, {r.steps} steps")
        print(f"  open: {r.open_wire} bytes on the wire ({r.open_text} bytes of JSON)")
        print(f"  per step, median: {r.median_wire:.0f} bytes on the wire ({r.median_text:.0f} "
              f"bytes of JSON); largest step {r.max_wire} bytes")  # fmt: skip
    print("goal: median <= 1024 bytes on the wire without compression")


if __name__ == "__main__":
    main()
