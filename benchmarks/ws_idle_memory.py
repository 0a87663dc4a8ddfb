"""What an idle session costs the server in memory.

Resident memory (VmRSS) of the server process is read after a warm-up session, then
after `--sessions` clients have opened a session each and sit idle (connected), then
again once they have all hung up (their sessions wait for a resume during the grace
period). Two cases: every client opens the same story (the server shares the one built
timeline between them: the common case of a class or a blog's readers), and every
client opens its own timeline (distinct seeds: nothing shared, the worst case).

    .venv/bin/python -m benchmarks.ws_idle_memory
    .venv/bin/python -m benchmarks.ws_idle_memory --sessions 3     # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection

from benchmarks.ws_support import Server, open_session, run, running_server

SETTLE = 0.5


@dataclass(frozen=True)
class Case:
    sessions: int
    connected_kib: float  # per session, while connected and idle
    dropped_kib: float  # per session, after the clients hung up (kept for a resume)


@dataclass(frozen=True)
class Result:
    shared: Case
    own: Case


async def _case(server: Server, sessions: int, distinct: bool) -> Case:
    warm = await open_session(server.ws, seed=10**6 if distinct else 0)
    await warm.close()
    await asyncio.sleep(SETTLE)
    before = server.rss_kib()
    clients: list[ClientConnection] = []
    for number in range(sessions):
        clients.append(await open_session(server.ws, seed=number if distinct else 0))
    await asyncio.sleep(SETTLE)
    connected = server.rss_kib()
    await asyncio.gather(*(ws.close() for ws in clients))
    await asyncio.sleep(SETTLE)
    dropped = server.rss_kib()
    return Case(sessions, (connected - before) / sessions, (dropped - before) / sessions)


async def measure_on(server: Server, sessions: int, own_sessions: int) -> Result:
    shared = await _case(server, sessions, distinct=False)
    own = await _case(server, own_sessions, distinct=True)
    return Result(shared, own)


def measure(sessions: int, own_sessions: int) -> Result:
    with running_server() as server:  # one server per case would be fairer, but slower
        return run(measure_on(server, sessions, own_sessions))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--own-sessions", type=int, help="default: --sessions / 5")
    args = parser.parse_args(argv)
    own = args.own_sessions or max(1, args.sessions // 5)
    result = measure(args.sessions, own)
    for name, case in (("same story (shared)", result.shared), ("own timeline", result.own)):
        print(f"{name:20} {case.sessions} sessions: {case.connected_kib:.1f} KiB each while "
              f"connected, {case.dropped_kib:.1f} KiB each once dropped")  # fmt: skip


if __name__ == "__main__":
    main()
