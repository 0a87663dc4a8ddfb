"""A hostile-client suite: several connections send hypothesis-generated messages (bad
JSON, wrong types, deep nesting, endless numbers, moves, opens, forks) and room
sequences (join without and with tokens, right and wrong, a second join, resume of ids
they saw or were leaked, leaving), over real sockets to the real server, more than
10,000 messages in all. Beside them a well-behaved reader steps through a session and a
teacher moves a room with one student following.

It asserts that every message is answered (each hostile batch ends with a marker whose
reply must come back, and a connection that never followed anyone gets exactly one
final reply, `error` or `position`, per message), that no traceback is ever logged, and
that the reader and the room are never moved by anyone else nor left waiting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from tests.api.test_serving import serving
from virtio_viz.api import Settings

HOSTILES = 4
TARGET_MESSAGES = 10_000
EXAMPLES = 45
WAIT = 30.0  # seconds before a reply counts as never coming (a stall, not a slow reply)
LEAKED = "leaked-session-id"  # stands for the teacher's session id in generated messages
CALM_ROOM = "CALM-ROOM"  # stands for the teacher's room code
OWN_ROOM = "OWN-ROOM"  # stands for a room the attacker created, with its real token
OWN_TOKEN = "OWN-TOKEN"
EXPANDED = {
    "@DEEP@": "[" * 3000 + "]" * 3000,
    "@ENDLESS@": '{"type": "seek", "step": ' + "9" * 5000 + "}",
}
SMALL_FILE = (
    "virtio-viz-scenario: 1\ntitle: small\ntopology: ring-lab\nchapters:\n"
    "  - title: mine\n    steps:\n      - {do: add_buffer, out_lens: '64', in_lens: ''}\n"
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip
STEPS = st.sampled_from([0, 1, 5, 40, 99, 300, 10**6, -1, "7", True, 2.5])
MOVES = st.one_of(
    st.builds(lambda n: {"type": "step", "count": n}, STEPS),
    st.builds(lambda n: {"type": "back", "count": n}, STEPS),
    st.builds(lambda n: {"type": "seek", "step": n}, STEPS),
    st.builds(lambda s: {"type": "play", "speed": s}, st.sampled_from([1, 4.0, 0, 1e9, "x"])),
    st.just({"type": "pause"}),
)
ACTS = st.sampled_from([
    {"type": "act", "action": {"kind": "send_frame", "params": {"frame": "arp_request"}}},
    {"type": "act", "action": {"kind": "decline_feature", "params": {"name": "NOPE"}}},
    {"type": "act", "action": {"kind": "fly", "params": {}}},
    {"type": "act", "action": {"kind": "add_buffer", "params": {"out_lens": True}}},
])  # fmt: skip
OPENS = st.one_of(
    st.builds(lambda s, step: {"type": "open", "version": 2, "scenario": s, "step": step},
              st.sampled_from(["qemu-emulated", "ring-lab", "vhost-net", "nope"]),
              st.sampled_from([0, 3, 100, 10**6])),
    st.just({"type": "open", "version": 2, "scenario_file": SMALL_FILE}),
    st.just({"type": "open", "version": 2, "scenario_file": "not: [a, scenario"}),
    st.just({"type": "open", "version": 2, "scenario": "qemu-emulated",
             "options": {"ring": "round", "queue_size": "16"}}),
)  # fmt: skip
ROOMS = st.one_of(
    st.builds(lambda room, token: {"type": "join", "version": 2, "room": room, "token": token},
              st.sampled_from([CALM_ROOM, OWN_ROOM, "ZZZZZZ", "calm-room"]),
              st.sampled_from([None, None, OWN_TOKEN, "guess", ""])),
    st.builds(lambda session: {"type": "resume", "version": 2, "session": session},
              st.sampled_from([LEAKED, "seen", "nobody"])),
)  # fmt: skip
GARBAGE = st.one_of(
    st.text(max_size=40),
    st.just("@DEEP@"),  # stand-ins, expanded on the wire (a short repr when one fails)
    st.just("@ENDLESS@"),
    st.builds(lambda t, extra: json.dumps({"type": t, **extra}, default=str),
              st.sampled_from(["open", "join", "resume", "step", "act", "x", 3]),
              st.dictionaries(st.sampled_from(["version", "step", "count", "room", "token",
                                               "session", "options", "action"]), JSON,
                              max_size=3)),
    st.binary(max_size=8),
)  # fmt: skip
MESSAGE = st.one_of(MOVES, MOVES, MOVES, ROOMS, ROOMS, OPENS, GARBAGE, GARBAGE, ACTS)
BATCH = st.tuples(
    st.integers(0, HOSTILES - 1), st.lists(MESSAGE, min_size=2, max_size=12), st.booleans()
)  # fmt: skip  (who, what, then hang up?)
SCRIPT = st.lists(BATCH, min_size=36, max_size=40)


def quiet_connect(url: str) -> ClientConnection:
    return connect(url, max_size=None, ping_interval=None, legacy=True)


@dataclass
class Hostile:
    url: str
    ws: ClientConnection
    followed: bool = False  # it once joined a room without a token: pushes may come
    seen: list[str] = field(default_factory=list)

    def reconnect(self) -> None:
        self.ws.close()
        self.ws = quiet_connect(self.url)
        self.followed = False


@dataclass
class Calm:
    """The reader beside the attackers, and a teacher's room with one student."""

    reader: ClientConnection
    teacher: ClientConnection
    student: ClientConnection
    room: str
    session: str
    at: int = 0  # where the reader and the teacher stand: only they move themselves

    def check(self) -> None:
        """One step each, relative to where they were: a move by anyone else in between
        shows as a jump. Each is answered; the student sees the teacher's step, only."""
        self.at = 0 if self.at >= 400 else self.at + 1
        move = {"type": "seek", "step": 0} if self.at == 0 else {"type": "step"}
        for ws in (self.reader, self.teacher):
            ws.send(json.dumps(move))
            assert final_reply(ws)["step"] == self.at, "a calm session was moved by someone"
        assert final_reply(self.student)["step"] == self.at, "the student saw another move"


def final_reply(ws: ClientConnection) -> dict[str, Any]:
    while True:
        reply: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
        if reply["type"] in {"position", "error"}:
            assert reply["type"] == "position", reply
            return reply


def open_calm(url: str, http: str, stack: ExitStack) -> Calm:
    import urllib.request  # noqa: PLC0415

    with urllib.request.urlopen(urllib.request.Request(f"{http}/api/rooms", method="POST")) as r:
        room = json.load(r)
    reader, teacher, student = (stack.enter_context(quiet_connect(url))
                                for _ in range(3))  # fmt: skip
    reader.send(json.dumps({"type": "open", "version": 2, "scenario": "qemu-emulated"}))
    final_reply(reader)
    join = {"type": "join", "version": 2, "room": room["code"]}
    teacher.send(json.dumps({**join, "token": room["presenter_token"]}))
    final_reply(teacher)
    teacher.send(json.dumps({"type": "open", "version": 2, "scenario": "qemu-emulated"}))
    session = json.loads(teacher.recv(timeout=WAIT))["session"]
    final_reply(teacher)
    student.send(json.dumps(join))
    final_reply(student)
    return Calm(reader, teacher, student, room["code"], session)


def make_own_room(http: str) -> tuple[str, str]:
    import urllib.request  # noqa: PLC0415

    with urllib.request.urlopen(urllib.request.Request(f"{http}/api/rooms", method="POST")) as r:
        room = json.load(r)
    return room["code"], room["presenter_token"]


def wire(message: Any, calm: Calm, own: tuple[str, str], hostile: Hostile) -> str | bytes:
    """The generated message with the stand-ins replaced by real codes, tokens and ids."""
    if isinstance(message, bytes):
        return message
    if isinstance(message, str):
        return EXPANDED.get(message, message)
    text = json.dumps(message)
    seen = hostile.seen[-1] if hostile.seen else "nobody"
    for stand_in, real in ((CALM_ROOM, calm.room), (OWN_ROOM, own[0]), (OWN_TOKEN, own[1]),
                           (LEAKED, calm.session), ('"seen"', json.dumps(seen))):  # fmt: skip
        text = text.replace(stand_in, real)
    return text


class Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "Traceback" in record.getMessage():
            self.found.append(self.format(record))


@pytest.fixture
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


def test_hostile_clients_are_all_answered_and_never_move_anyone_else(
    tracebacks: Tracebacks,
) -> None:
    limits = Settings(
        rate_per_second=100_000, rate_burst=100_000, rooms_per_hour=10_000, max_join_failures=10**6
    )  # fmt: skip  (those limits have their own tests)
    sent = [0]
    # no keepalive pings: they draw from `random` in other threads while hypothesis draws
    with serving(limits, log_config=None, ws_ping_interval=None) as port, ExitStack() as stack:
        url, http = f"ws://127.0.0.1:{port}/ws", f"http://127.0.0.1:{port}"
        calm = open_calm(url, http, stack)
        hostiles = [Hostile(url, quiet_connect(url)) for _ in range(HOSTILES)]

        def hang_up_all() -> None:
            for hostile in hostiles:
                hostile.ws.close()

        stack.callback(hang_up_all)
        marks = count()

        own = make_own_room(http)

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(SCRIPT)
        def attack(script: list[tuple[int, list[Any], bool]]) -> None:
            for number, (who, messages, hang_up) in enumerate(script):
                hostile = hostiles[who]
                for message in messages:
                    if isinstance(message, dict) and message.get("type") == "join" and \
                            message.get("token") is None:  # fmt: skip
                        hostile.followed = True
                    hostile.ws.send(wire(message, calm, own, hostile))
                mark = f"mark-{next(marks)}"
                hostile.ws.send(json.dumps({"type": mark}))
                answered = read_until_mark(hostile, mark)
                if hostile.followed:
                    assert answered >= len(messages)
                else:
                    assert answered == len(messages), "a message went unanswered"
                sent[0] += len(messages)
                if number % 3 == 0:
                    calm.check()
                if hang_up:
                    hostile.reconnect()

        attack()
    assert sent[0] >= TARGET_MESSAGES
    assert tracebacks.found == []


def read_until_mark(hostile: Hostile, mark: str) -> int:
    """The final replies (`error` or `position`) that came before the marker's error."""
    answered = 0
    while True:
        reply = json.loads(hostile.ws.recv(timeout=WAIT))
        assert reply["type"] in {"opened", "snapshot", "position", "error"}
        if reply["type"] == "error" and mark in reply["message"]:
            return answered
        if reply["type"] == "opened" and reply["session"]:
            hostile.seen.append(reply["session"])
        answered += reply["type"] in {"error", "position"}
