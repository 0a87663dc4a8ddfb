"""Polls in a room: the presenter puts the question of the coming step to the room, each
follower answers once, the presenter watches the tally grow, and a reveal shows everyone
the answer and the step.

How this works: a poll is one of the questions of the room's timeline (its header's
`questions`, computed by the model, answer included), whether it is revealed, the tally
(answer -> count) and who has answered (connection ids, only ever used to refuse a
second answer, never shown). An answer is checked against the question's type and
choices and turned into its *tally key* (a number as text, a choice, a set of choices in
the question's order, a box id) before it is counted, so the histogram never holds
anything a follower made up. Followers see the question without its answer until the
reveal; only presenters get the tally while the poll is open. The presenter's tally is
sent at most every `TALLY_SECONDS`, whatever the rate of answers: a lecture hall
answering at once costs the presenter a few messages, not one per student.

`PollStore` is the interface; `MemoryPolls` keeps polls in this process, and
`shared.polls.RedisPolls` keeps the question, the tally and the voters in Redis, so
followers on every worker answer the same poll.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.trace_schema import Question

if TYPE_CHECKING:  # rooms.py holds a PollStore: no import cycle at run time
    from virtio_viz.api.rooms import Room

TALLY_SECONDS = 0.05  # the presenter's histogram lags the last answer by at most this
MAX_TALLY_KEYS = 32  # distinct numbers past this are counted as "other"
OTHER = "other"
NONE = "(none)"


@dataclass(slots=True, eq=False)
class Poll:
    question: Question
    revealed: bool = False
    tally: dict[str, int] = field(default_factory=dict)
    voters: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.tally.values())


def tally_key(question: Question, given: p.AnswerValue) -> str:
    """The histogram bar `given` counts on, or a ProtocolError naming what is wrong."""
    kind = question.answer_type
    if kind == "number":
        if not isinstance(given, int):
            raise ProtocolError("wrong_type", "this question takes a whole number", "answer")
        return str(given)
    if kind == "choices":
        if not isinstance(given, list):
            raise ProtocolError("wrong_type", "this question takes a list of choices", "answer")
        if len(set(given)) != len(given) or not set(given) <= set(question.choices):
            raise ProtocolError("invalid", "give each of the question's choices at most "
                                "once, and nothing else", "answer")  # fmt: skip
        return " + ".join(c for c in question.choices if c in given) or NONE
    if not isinstance(given, str):
        raise ProtocolError("wrong_type", "this question takes one of its choices", "answer")
    if given not in question.choices:
        raise ProtocolError("invalid", "that is not one of the question's choices", "answer")
    return given


def counted(tally: dict[str, int], key: str) -> str:
    """Where an answer is counted: its own bar, or "other" once there are too many bars."""
    return key if key in tally or len(tally) < MAX_TALLY_KEYS else OTHER


def poll_message(poll: Poll, *, presenter: bool, answered: bool = False) -> p.PollOut:
    """What a connection is told of a poll: a follower sees neither the answer nor the
    tally before the reveal."""
    q, shown = poll.question, poll.revealed or presenter
    return p.PollOut(
        state="revealed" if poll.revealed else "open", question=q.id, step=q.step,
        prompt=q.prompt, answer_type=q.answer_type, choices=q.choices, answered=answered,
        tally=dict(poll.tally) if shown else None, total=poll.total if shown else None,
        answer=q.answer if poll.revealed or presenter else None,
        explanation=q.explanation if poll.revealed else None, spec=q.spec,
    )  # fmt: skip


def question_of(room: Room, question_id: str) -> Question:
    """The question `question_id` of the room's timeline (the presenter asks it)."""
    if room.session is None:
        raise ProtocolError("no_session", "the room has no story yet to ask about")
    for question in room.session.built.header.questions:
        if question.id == question_id:
            return question
    raise ProtocolError("unknown_question", "the room's story asks no such question", "question")


async def tell(room: Room, poll: Poll, *, followers: bool = True) -> None:
    """Send the poll to this worker's connections of the room (each text encoded once)."""
    mine = [poll_message(poll, presenter=True).model_dump_json()]
    theirs = [poll_message(poll, presenter=False).model_dump_json()]
    for member in list(room.presenters):
        await member.relay(mine)
    for member in list(room.followers) if followers else ():
        await member.relay(theirs)


class Ticker:
    """Runs `send` once, `TALLY_SECONDS` after the first of any number of calls to `soon`."""

    def __init__(self, send: Callable[[], Awaitable[None]]) -> None:
        self.send = send
        self.task: asyncio.Task[None] | None = None

    def soon(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(TALLY_SECONDS)
        await self.send()


class PollStore(Protocol):
    async def open(self, room: Room, question: Question) -> Poll:
        """Put `question` to the room (a poll open before is closed unrevealed)."""
        ...

    async def answer(self, room: Room, voter: str, question_id: str, given: p.AnswerValue) -> Poll:
        """Count a follower's answer (ProtocolError: closed, twice, or wrong)."""
        ...

    async def reveal(self, room: Room) -> Poll:
        """Close the poll and show everyone its answer."""
        ...

    async def current(self, room: Room) -> Poll | None: ...


def open_for(poll: Poll | None, question_id: str) -> Poll:
    """The poll an answer to `question_id` may count in."""
    if poll is None or poll.question.id != question_id:
        raise ProtocolError("poll_closed", "that question is not being asked now", "question")
    if poll.revealed:
        raise ProtocolError("poll_closed", "that question's answer is out: the poll is closed",
                            "question")  # fmt: skip
    return poll


def twice() -> ProtocolError:
    return ProtocolError("answered", "you have answered this question already", "question")


class MemoryPolls:
    def __init__(self) -> None:
        # by room: a room the store forgets takes its poll with it
        self._polls: weakref.WeakKeyDictionary[Room, Poll] = weakref.WeakKeyDictionary()
        self._tickers: weakref.WeakKeyDictionary[Room, Ticker] = weakref.WeakKeyDictionary()

    async def open(self, room: Room, question: Question) -> Poll:
        poll = self._polls[room] = Poll(question)
        await tell(room, poll)
        return poll

    async def answer(self, room: Room, voter: str, question_id: str, given: p.AnswerValue) -> Poll:
        poll = open_for(self._polls.get(room), question_id)
        key = tally_key(poll.question, given)
        if voter in poll.voters:
            raise twice()
        poll.voters.add(voter)
        key = counted(poll.tally, key)
        poll.tally[key] = poll.tally.get(key, 0) + 1
        self._ticker(room).soon()
        return poll

    def _ticker(self, room: Room) -> Ticker:
        ticker = self._tickers.get(room)
        if ticker is None:
            held = weakref.ref(room)  # the ticker must not keep its room alive
            ticker = self._tickers[room] = Ticker(lambda: self._tell_tally(held))
        return ticker

    async def _tell_tally(self, held: weakref.ref[Room]) -> None:
        room = held()
        poll = self._polls.get(room) if room is not None else None
        if room is not None and poll is not None:
            await tell(room, poll, followers=False)

    async def reveal(self, room: Room) -> Poll:
        poll = self._polls.get(room)
        if poll is None:
            raise ProtocolError("no_poll", "there is no question to reveal: open one first")
        poll.revealed = True
        await tell(room, poll)
        return poll

    async def current(self, room: Room) -> Poll | None:
        return self._polls.get(room)
