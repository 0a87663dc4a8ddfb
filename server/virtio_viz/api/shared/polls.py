"""A room's poll kept in Redis, so followers on every worker answer the same question.

How this works: the poll's record (the question as JSON, whether it is revealed, and one
`t:<key>` field per bar of the tally) and the set of who answered live next to the
room's record. Each change is one Lua script; opening and revealing also publish
`{"poll": what}` on the room's channel (shared/rooms.py hands it here), and every worker
reads the record and tells its own connections. Answers are not published one by one: a
worker that counted some says `tally` at most every `TALLY_SECONDS`, and a worker with a
presenter then reads the tally, so a hall answering at once costs Redis one script per
answer and a few messages, not a message per answer to every worker. An answer is
checked against the question this worker read before Redis counts it; the script refuses
a second answer from the same connection, and any answer to a question no longer open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.polls import (
    MAX_TALLY_KEYS,
    Poll,
    Ticker,
    open_for,
    tally_key,
    tell,
    twice,
)
from virtio_viz.api.shared.link import PREFIX, Link, Unavailable
from virtio_viz.api.trace_schema import Question

if TYPE_CHECKING:
    from virtio_viz.api.rooms import Room

# ARGV: question JSON, time to live, channel, message
OPEN = """
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'question', ARGV[1], 'id', ARGV[5], 'revealed', '0')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""
# ARGV: question id, voter, tally key, time to live, most bars.
# The new count, or -1: answered already; -2: the question is not open
ANSWER = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return -2 end
if redis.call('HGET', KEYS[1], 'revealed') ~= '0' then return -2 end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return -1 end
redis.call('EXPIRE', KEYS[2], ARGV[4])
local bar = 't:' .. ARGV[3]
local bars = redis.call('HLEN', KEYS[1]) - 3
if redis.call('HEXISTS', KEYS[1], bar) == 0 and bars >= tonumber(ARGV[5]) then bar = 't:other' end
return redis.call('HINCRBY', KEYS[1], bar, 1)
"""
# ARGV: channel, message. 0: no poll
REVEAL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'revealed', '1')
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
"""


def poll_key(code: str) -> str:
    return f"{PREFIX}room:{code}:poll"


def voters_key(code: str) -> str:
    return f"{PREFIX}room:{code}:voters"


def _away() -> ProtocolError:
    return ProtocolError("unavailable", "the room's poll cannot be reached right now (the "
                         "server's shared store is away); try again in a moment")  # fmt: skip


class RedisPolls:
    def __init__(self, link: Link, channel: Callable[[str], str], idle_seconds: int) -> None:
        self.link = link
        self._channel = channel  # the room's channel, where its moves go too
        self.idle = idle_seconds
        self._questions: dict[str, Question] = {}  # by room code: the question read last
        self._tickers: dict[tuple[str, bool], Ticker] = {}
        self._background: set[asyncio.Task[None]] = set()

    def _message(self, what: str) -> str:
        return json.dumps({"worker": self.link.worker, "poll": what})

    async def _run(self, script: str, keys: list[str], args: list[object]) -> int:
        try:
            return int(await self.link.script(script, keys, args))
        except Unavailable:
            raise _away() from None

    async def open(self, room: Room, question: Question) -> Poll:
        code = room.code
        await self._run(OPEN, [poll_key(code), voters_key(code)],
                        [question.model_dump_json(), self.idle, self._channel(code),
                         self._message("open"), question.id])  # fmt: skip
        self._questions[code] = question
        poll = Poll(question)
        await tell(room, poll)
        return poll

    async def answer(self, room: Room, voter: str, question_id: str, given: p.AnswerValue) -> Poll:
        code = room.code
        question = await self._asked(code, question_id)
        key = tally_key(question, given)
        count = await self._run(ANSWER, [poll_key(code), voters_key(code)],
                                [question_id, voter, key, self.idle, MAX_TALLY_KEYS])  # fmt: skip
        if count == -1:
            raise twice()
        if count == -2:
            open_for(None, question_id)
        self._ticker(room, announce=True).soon()
        return Poll(question)

    async def _asked(self, code: str, question_id: str) -> Question:
        """The question an answer to `question_id` answers (poll_closed if not asked)."""
        question = self._questions.get(code)
        if question is not None and question.id == question_id:
            return question  # Redis checks that it is still open
        try:
            return open_for(await self._read(code), question_id).question
        except Unavailable:
            raise _away() from None

    async def reveal(self, room: Room) -> Poll:
        code = room.code
        made = await self._run(REVEAL, [poll_key(code)],
                               [self._channel(code), self._message("reveal")])  # fmt: skip
        try:
            poll = await self._read(code) if made else None
        except Unavailable:
            raise _away() from None
        if poll is None:
            raise ProtocolError("no_poll", "there is no question to reveal: open one first")
        await tell(room, poll)
        return poll

    async def current(self, room: Room) -> Poll | None:
        try:
            return await self._read(room.code)
        except Unavailable:
            return None

    async def _read(self, code: str) -> Poll | None:
        record = await self.link.record(poll_key(code))
        if "question" not in record:
            return None
        question = Question.model_validate_json(record["question"])
        self._questions[code] = question
        tally = {k[2:]: int(v) for k, v in record.items() if k.startswith("t:")}
        return Poll(question, revealed=record.get("revealed") == "1", tally=tally)

    def _ticker(self, room: Room, *, announce: bool) -> Ticker:
        """Tell this worker's presenters the tally soon; `announce`: tell the others too."""
        key = (room.code, announce)
        ticker = self._tickers.get(key)
        if ticker is None:
            ticker = self._tickers[key] = Ticker(lambda: self._tally(room, announce=announce))
        return ticker

    async def _tally(self, room: Room, *, announce: bool) -> None:
        if announce:
            channel, message = self._channel(room.code), self._message("tally")
            with contextlib.suppress(Unavailable):
                await self.link.call(lambda redis: redis.publish(channel, message))
        await self._tell(room, presenters=True)

    async def _tell(self, room: Room, *, presenters: bool) -> None:
        """Read the poll and tell this worker's connections (only presenters: the tally)."""
        if presenters and not room.presenters:
            return
        try:
            poll = await self._read(room.code)
        except Unavailable:
            return
        if poll is not None:
            await tell(room, poll, followers=not presenters)

    def heard(self, room: Room | None, what: object) -> None:
        """Another worker changed the room's poll (called by the link's reader)."""
        if room is None:
            return
        if what == "tally":
            self._ticker(room, announce=False).soon()
            return
        task = asyncio.create_task(self._tell(room, presenters=False))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def forget(self, code: str) -> None:
        self._questions.pop(code, None)
        for announce in (False, True):
            self._tickers.pop((code, announce), None)
