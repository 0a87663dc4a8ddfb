"""One websocket connection's side of the protocol: messages in, replies out.

How this works: the client keeps a cache (a snapshot at step `base` and the frames after
it, up to `sent_upto`), and the server remembers what it sent, so most moves need only
a tiny `position` reply: the client rebuilds the state from its cache. The server sends
frames ahead of the position (more while playing), a fresh snapshot when the client
jumps before its base or far past its cache, and everything again when the timeline
forks. Bad input of any kind becomes an `error` reply; the conversation stays usable.

A connection has one role at a time: `solo` (its own session), `presenter` (it joined a
room with the token: its moves move the room) or `follower` (it joined without: it only
watches, and is never told the room's session id). Opening, resuming or joining first
leaves whatever the connection was in before, and releases a session it no longer uses.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any

from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.errors import ProtocolError, parse_client_message
from virtio_viz.api.fork_ahead import ForkAhead
from virtio_viz.api.polls import poll_message, question_of
from virtio_viz.api.rooms import Room
from virtio_viz.api.sessions import Session, SessionsFull
from virtio_viz.api.timelines import Built, recipe_of
from virtio_viz.scenarios.story import UserAction
from virtio_viz.timeline import Timeline, frame_json
from virtio_viz.timeline.frames import memory_json
from virtio_viz.trace import header_json

if TYPE_CHECKING:  # the app imports this module: no import cycle at run time
    from virtio_viz.api.app import AppState

EVENT_LOG_FRAMES = 30  # as many as the page's event log lists before the current step
Push = Callable[[list[str]], Awaitable[None]]  # messages already encoded as JSON text
# one broadcast's replies, by where a follower stood: (encoded messages, base, sent_upto)
FollowMemo = dict[Hashable, tuple[list[str], int, int]]
log = logging.getLogger(__name__)


class Conversation:
    def __init__(self, state: AppState, push: Push, client: str = "local") -> None:
        self.state = state
        self.push = push
        self.client = client  # the address the limits count by
        self.session: Session | None = None
        self.room: Room | None = None
        self.role: str = "solo"
        self.base = 0
        self.sent_upto = -1
        self.shown: Built | None = None  # the timeline the client was last sent
        self._unwatch: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.ahead = ForkAhead(state.timelines, state.builder, client)
        self.voter = secrets.token_hex(8)  # who answered a poll, unique across workers

    # -- entry point ----------------------------------------------------------------------
    async def handle(self, raw: str | bytes) -> list[p.Message]:
        try:
            return await self._dispatch(self._parse(raw))
        except ProtocolError as error:
            return [error.reply]
        except Exception:  # a bug of ours: say so, keep the connection and the server up
            log.exception("unexpected error while handling a message")
            return [p.ErrorOut(code="internal", message="the server failed on that message")]

    def _parse(self, raw: str | bytes) -> p.ClientMessage:
        if isinstance(raw, bytes):
            raise ProtocolError("binary", "send JSON text messages, not binary ones")
        settings = self.state.settings
        size, limit = len(raw.encode("utf-8", "surrogatepass")), settings.max_message_bytes
        if size > settings.close_message_bytes:
            raise ProtocolError("too_large", f"a message may be at most {limit} bytes")
        if size > limit and p.message_type(raw) != "open":  # an open may carry a file
            raise ProtocolError("too_large", f"a message may be at most {limit} bytes")
        return parse_client_message(raw)

    async def _dispatch(self, message: p.ClientMessage) -> list[p.Message]:
        if isinstance(message, p.Open | p.Resume | p.Join):
            if message.version != p.PROTOCOL_VERSION:
                raise ProtocolError(
                    "version",
                    f"this server speaks protocol version {p.PROTOCOL_VERSION}: "
                    "virtio-viz was updated since this page loaded; reload the page",
                    "version",
                )
            if isinstance(message, p.Open):
                return await self._open(message)
            if isinstance(message, p.Resume):
                return await self._resume(message)
            return await self._join(message)
        if isinstance(message, p.PollOpen | p.PollAnswer | p.PollReveal):
            return await self._poll(message)
        session = self._current()
        if self.role == "follower":
            raise ProtocolError("follower", "a follower watches; only the presenter moves")
        if isinstance(message, p.Act):
            return await self._act(session, message.action)
        if isinstance(message, p.Prepare):
            self.ahead.prepare_for(session, message.actions)
            return []
        self.ahead.close()  # the reader moves on: forks prepared for this step are moot
        if isinstance(message, p.Play | p.Pause):
            session.playing = isinstance(message, p.Play)
            session.speed = message.speed if isinstance(message, p.Play) else 0.0
        elif isinstance(message, p.Step):
            session.move_to(session.position + message.count)
        elif isinstance(message, p.Back):
            session.move_to(session.position - message.count)
        elif message.step >= len(session.timeline):
            raise ProtocolError("out_of_range", f"the timeline has {len(session.timeline)} steps",
                                "step")  # fmt: skip
        else:
            session.move_to(message.step)
        self.state.sessions.touch(session)
        await self._tell_room()
        return self._moved(session)

    # -- sessions -------------------------------------------------------------------------
    def _current(self) -> Session:
        if self.session is None:
            raise ProtocolError("no_session", "open, resume or join a session first")
        return self.session

    async def _built(self, message: p.Open) -> Built:
        """The timeline an `open` asks for: a story's (built, or shared from the cache), or
        one a scenario source keeps (a live VM's, which grows while it is watched)."""
        source = self.state.sources.get(message.scenario or "")
        if source is None:
            return await self.state.timelines.get(recipe_of(message, self.state.settings),
                                                  self.client)  # fmt: skip
        timeline = await source.open(message)
        recipe = Recipe(message.scenario, None, dict(message.options), message.seed, (),
                        self.state.settings.max_steps)  # fmt: skip
        return Built(timeline, recipe, _header(timeline))

    async def _open(self, message: p.Open) -> list[p.Message]:
        if self.role == "follower":
            raise ProtocolError("follower", "a follower cannot open its own session here")
        built = await self._built(message)
        if message.step >= len(built.timeline):
            raise ProtocolError("out_of_range", f"the timeline has {len(built.timeline)} steps",
                                "step")  # fmt: skip
        try:
            room = self.room.code if self.room else None
            session = await self.state.sessions.create(built, message.step, self.client, room)
        except SessionsFull as error:
            raise ProtocolError("busy", str(error)) from None
        self._attach(session)
        if self.room is not None:
            self.room.session = session
            await self._tell_room()
        return self._opened()

    async def _resume(self, message: p.Resume) -> list[p.Message]:
        session = await self.state.sessions.get(message.session, self.client)
        if session is None or session.room:  # a room's session is joined, not resumed
            raise ProtocolError("unknown_session", "no such session (it may have expired)",
                                "session")  # fmt: skip
        self._leave_room()
        self._attach(session)
        return self._opened()

    def _attach(self, session: Session) -> None:
        """Move this connection onto `session`; a session it leaves that nobody else
        uses is released at once, unless a room holds it."""
        self.ahead.close()  # forks prepared in the session it leaves are moot
        previous, self.session = self.session, session
        session.connections += 1
        self._watch(session)
        if previous is not None:
            self._release(previous)

    def _release(self, session: Session) -> None:
        session.connections -= 1
        if session.connections <= 0 and session.room is None and session is not self.session:
            self.state.sessions.release(session)

    def _watch(self, session: Session) -> None:
        """A growing timeline (a live VM) says when it grew: this client then hears of the
        new length (`grown`), with the frames that fall inside what it is sent anyway."""
        if self._unwatch is not None:
            self._unwatch()
        watch = getattr(session.timeline, "watch", None)
        self._unwatch = watch(self._grown) if watch is not None else None

    def _grown(self) -> None:
        task = asyncio.get_running_loop().create_task(self._tell_growth())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tell_growth(self) -> None:
        """Built when sent (`push` queues without waiting), so its frames never come
        after those of a later reply."""
        session = self.session
        if session is not None:
            timeline = session.timeline
            grown = p.Grown(step_count=len(timeline), stopped=timeline.stopped,
                            chapters=[c.to_json() for c in timeline.chapters],
                            frames=self._frames(session))  # fmt: skip
            await self.push(encode([grown]))

    def detach(self) -> None:
        """The connection closed: its session waits for a resume; a follower leaves."""
        self.ahead.close()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        if self.room is not None:
            self.state.rooms.leave(self.room, self)
        self.room, self.role = None, "solo"
        if self.session is not None:
            self.session.connections -= 1
            self.state.sessions.touch(self.session)

    async def _act(self, session: Session, action: p.ActionIn) -> list[p.Message]:
        self.ahead.close()  # the reader chose: what was prepared for them is built or moot
        recipe = session.built.fork(session.position, UserAction(action.kind, dict(action.params)))
        try:
            fork = await self.state.timelines.get(recipe, self.client)
        except ProtocolError as error:
            if error.field and error.field.startswith("actions."):
                name = error.field.removeprefix("actions.")
                error.field = "action.kind" if name == "kind" else f"action.params.{name}"
            raise
        timeline = fork.timeline
        start = timeline.action_starts[-1] if timeline.action_starts else session.position
        session.built = fork
        session.move_to(start)
        self.state.sessions.touch(session)
        await self._tell_room()
        return self._opened()

    # -- rooms ----------------------------------------------------------------------------
    async def _join(self, message: p.Join) -> list[p.Message]:
        limits, failures = self.state.settings, f"join-failures:{self.client}"
        counters, rooms = self.state.counters, self.state.rooms
        if await counters.count(failures, limits.lockout_seconds) >= limits.max_join_failures:
            raise ProtocolError("locked_out", "too many wrong room codes or tokens from "
                                "here; try again later", "room")  # fmt: skip
        room = await rooms.get(message.room, self.client)
        if room is None or (message.token is not None and not room.token_matches(message.token)):
            await counters.hit(failures, limits.lockout_seconds)
            if room is None:
                raise ProtocolError("unknown_room", "no such room", "room")
            raise ProtocolError("token", "that is not this room's presenter token", "token")
        self._leave_room()
        self.room = room
        self.role = "follower" if message.token is None else "presenter"
        await rooms.enter(room, self, presenter=self.role == "presenter")
        notice = rooms.notice()
        told: list[p.Message] = [notice] if notice else []
        if room.session is None:
            self._leave_session()
            return [*told, p.Position(step=0)]
        self._attach(room.session)
        poll = await rooms.polls.current(room)
        asked = [poll_message(poll, presenter=self.role == "presenter")] if poll else []
        return [*told, *self._opened(), *asked]

    async def _poll(self, message: p.PollOpen | p.PollAnswer | p.PollReveal) -> list[p.Message]:
        """A room's poll: followers answer, only the presenter opens and reveals."""
        room, polls = self.room, self.state.rooms.polls
        if room is None:
            raise ProtocolError("no_room", "polls happen in rooms: join one first")
        if isinstance(message, p.PollAnswer):
            if self.role != "follower":
                raise ProtocolError("presenter", "the presenter asks; followers answer")
            poll = await polls.answer(room, self.voter, message.question, message.answer)
            return [poll_message(poll, presenter=False, answered=True)]
        if self.role != "presenter":
            raise ProtocolError("follower", "only the presenter opens or reveals a question")
        if isinstance(message, p.PollOpen):
            await polls.open(room, question_of(room, message.question))
            return []  # the poll reached every connection of the room, this one included
        poll = await polls.reveal(room)
        session = self._current()
        session.move_to(poll.question.step)  # the step the question was about, for everyone
        await self._tell_room()
        return self._moved(session)

    def _leave_room(self) -> None:
        """One role at a time: leaving a room stops following it and ends presenting."""
        room, self.room, self.role = self.room, None, "solo"
        if room is not None:
            self.state.rooms.leave(room, self)
            if self.session is not None and self.session is room.session:
                self._leave_session()

    def _leave_session(self) -> None:
        session, self.session = self.session, None
        self.sent_upto = -1
        if session is not None:
            self._release(session)

    async def follow(self, room: Room, memo: FollowMemo) -> None:
        """The presenter moved (or forked): bring this follower along. Followers that
        stood in the same place get the same messages, built and encoded once per
        broadcast (`memo`): a lecture hall costs one encoding, not one per student."""
        session = room.session
        if session is None or room is not self.room:
            return
        fresh = session is not self.session or session.built is not self.shown
        fresh = fresh or self.sent_upto < 0
        key = (id(session.built), fresh, self.base, self.sent_upto, self.role)
        if fresh:
            self._attach(session)
        reply = memo.get(key)
        if reply is None:
            messages = self._opened() if fresh else self._moved(session)
            reply = memo[key] = (encode(messages), self.base, self.sent_upto)
        texts, self.base, self.sent_upto = reply
        self.shown = session.built
        await self.push(texts)

    async def notify(self, notice: p.Notice) -> None:
        await self.push(encode([notice]))

    async def relay(self, texts: list[str]) -> None:
        await self.push(texts)

    async def _tell_room(self) -> None:
        if self.room is not None and self.role == "presenter":
            await self.state.rooms.moved(self.room)

    # -- replies --------------------------------------------------------------------------
    def _opened(self) -> list[p.Message]:
        session = self._current()
        timeline = session.timeline
        self.shown = session.built
        self.sent_upto = -1
        opened = p.Opened(
            session=None if self.role == "follower" else session.id,
            role=self.role,  # type: ignore[arg-type]
            room=self.room.code if self.room else None,
            header=_header(timeline) if _growing(timeline) else session.built.header,
            actions=[spec.to_json() for spec in timeline.action_specs],
            snapshot=self._snapshot(session.position),
        )
        return [opened, self._position(session, history=True)]

    def _snapshot(self, step: int) -> p.SnapshotOut:
        timeline = self._current().timeline
        snapshot = timeline.snapshot(step)
        self.base, self.sent_upto = step, step - 1  # the frame at `step` follows: its narration
        return p.SnapshotOut(step=step, state=snapshot.state,
                             memory=memory_json(snapshot.memory.frozen()),
                             status_history=timeline.status_history(step))  # fmt: skip

    def _moved(self, session: Session) -> list[p.Message]:
        replies: list[p.Message] = []
        ahead = self._ahead(session)
        if session.position < self.base or session.position > self.sent_upto + ahead:
            replies.append(self._snapshot(session.position))
        replies.append(self._position(session))
        return replies

    def _ahead(self, session: Session) -> int:
        settings = self.state.settings
        return settings.frames_ahead_playing if session.playing else settings.frames_ahead

    def _frames(self, session: Session) -> list[dict[str, Any]]:
        """The frames from the client's cache up to `frames_ahead` past the position."""
        timeline = session.timeline
        last = min(len(timeline) - 1, session.position + self._ahead(session))
        first = self.sent_upto + 1
        if first > last:
            return []
        self.sent_upto = last
        return [frame_json(timeline.frame(i)) for i in range(first, last + 1)]

    def _history(self, session: Session) -> list[dict[str, Any]]:
        """The frames just before the snapshot: a page opened at step k shows in its event
        log what led there. The client files them by index and never replays them."""
        first = max(0, self.base - EVENT_LOG_FRAMES)
        return [frame_json(session.timeline.frame(i)) for i in range(first, self.base)]

    def _position(self, session: Session, *, history: bool = False) -> p.Position:
        frames = (self._history(session) if history else []) + self._frames(session)
        return p.Position(step=session.position, playing=session.playing, speed=session.speed,
                          frames=frames)  # fmt: skip


def encode(messages: list[p.Message]) -> list[str]:
    return [message.model_dump_json() for message in messages]


def _growing(timeline: Timeline) -> bool:
    return bool(getattr(timeline, "growing", False))


def _header(timeline: Timeline) -> p.TraceHeader:
    """A timeline's header as it is now (a growing one's changes as it grows)."""
    return p.TraceHeader.model_validate(header_json(timeline))
