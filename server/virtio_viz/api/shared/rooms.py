"""Rooms whose presenter and followers sit on different workers, kept in Redis.

How this works: a room's record in Redis holds the hash of its presenter token, whether
the presenter has come, and the room's *show*: the recipe of its timeline, the recipe's
digest, the step, playing and speed, and `seq`, a number raised by every move. Each
worker with a connection in the room holds a local `Room` (its members are that
worker's connections, its session a timeline built here from the recipe) and listens
on the room's channel. A presenter's move is broadcast to the followers on its own
worker, then one Lua script raises `seq`, writes the show and publishes it; the other
workers apply it in order (a move with a known digest only moves their session; a new
digest, a fork or a new story, is rebuilt from the record's recipe, once per worker) and
broadcast to their followers. A late joiner's worker reads the record.

While Redis is away the room goes on among the connections of each worker, and they are
told so (`rooms_local`). When it is back a worker whose presenter moved meanwhile writes
its show (the record is made again if Redis came back empty), the others read it, and
everyone is told (`rooms_shared`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.rooms import CODE_ALPHABET, CODE_LENGTH, Member, Room, new_code, token_hash
from virtio_viz.api.sessions import Session
from virtio_viz.api.settings import Settings
from virtio_viz.api.shared import room_scripts as lua
from virtio_viz.api.shared.link import PREFIX, Link, Unavailable
from virtio_viz.api.timelines import TimelineCache

ALL = PREFIX + "rooms"
CODE_TRIES = 8
REBUILD_RETRY_SECONDS = 1.0
LOCAL = p.Notice(code="rooms_local", message="The server's shared store cannot be reached: "
                 "this room goes on only among the screens connected to this server until "
                 "it is back.")  # fmt: skip
SHARED = p.Notice(code="rooms_shared", message="The shared store is back: the whole room "
                  "follows the presenter again.")  # fmt: skip
log = logging.getLogger(__name__)


def record_key(code: str) -> str:
    return f"{PREFIX}room:{code}"


def channel(code: str) -> str:
    return f"{PREFIX}room:{code}:moves"


def _show(replica: Replica) -> tuple[object, ...]:
    session = replica.room.session
    if session is None:
        return ()
    return replica.digest, session.position, session.playing, session.speed


def unreachable() -> ProtocolError:
    return ProtocolError("unavailable", "this room cannot be reached right now (the server's "
                         "shared store is away); try again in a moment", "room")  # fmt: skip


@dataclass(slots=True, eq=False)
class Replica:
    """This worker's copy of a room, and how far it has followed the record."""

    room: Room
    seq: int = 0
    digest: str = ""  # the recipe digest of the room's session here
    pending: dict[str, Any] | None = None  # the latest move heard, not yet applied
    applier: asyncio.Task[None] | None = None
    unshared: bool = False  # the presenter here moved while Redis was away
    ready: bool = False  # read from the record: moves heard before wait in `pending`


class RedisRooms:
    def __init__(self, link: Link, timelines: TimelineCache, settings: Settings) -> None:
        self.link = link
        self.timelines = timelines
        self.max_rooms = settings.max_rooms
        self.unjoined = max(1, round(settings.room_unjoined_seconds))
        self.idle = max(1, round(settings.room_idle_seconds))
        self._here: dict[str, Replica] = {}
        self._loading: dict[str, asyncio.Task[Replica | None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        link.listeners.append(self)

    # -- the store -------------------------------------------------------------------------
    async def create(self) -> tuple[Room, str]:
        token = secrets.token_urlsafe(24)
        for _ in range(CODE_TRIES):
            code = new_code()
            try:
                made = await self.link.script(lua.CREATE, [ALL, record_key(code)],
                                              [self.max_rooms, self.unjoined, code,
                                               token_hash(token)])  # fmt: skip
            except Unavailable:
                raise OverflowError("rooms are shared through Redis, which cannot be reached "
                                    "right now; try again in a moment") from None  # fmt: skip
            if made == 1:
                raise OverflowError(f"the server holds its maximum of {self.max_rooms} rooms")
            if made == 0:
                return Room(code, token_hash(token)), token
        raise OverflowError("no free room code was found; try again")

    async def get(self, code: str, client: str) -> Room | None:
        code = code.upper()
        if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
            return None
        task = self._loading.get(code)
        replica = self._here.get(code)
        if task is None and replica is not None:
            return replica.room
        if task is None:
            if not self.link.up:
                raise unreachable()
            task = self._loading[code] = asyncio.create_task(self._load(code, client))
            task.add_done_callback(lambda _: self._loading.pop(code, None))
        replica = await asyncio.shield(task)
        return replica.room if replica else None

    async def _load(self, code: str, client: str) -> Replica | None:
        """The room from its record: listen first, so no move falls between the read and
        the subscription."""
        replica = Replica(Room(code, ""))
        self._here[code] = replica
        try:
            await self.link.subscribe(channel(code), lambda data: self._heard(code, data))
            record = await self.link.record(record_key(code))
            if not record:
                raise LookupError(code)
            replica.room.token_digest = record["token"]
            replica.room.presented = record.get("presented") == "1"
            await self._adopt(replica, record, client)
        except (LookupError, ValueError):
            self._drop(code)
            return None
        except Unavailable:
            self._drop(code)
            raise unreachable() from None
        except BaseException:
            self._drop(code)
            raise
        replica.ready = True
        self._kick(replica)
        return replica

    async def enter(self, room: Room, member: Member, *, presenter: bool) -> None:
        (room.presenters if presenter else room.followers).add(member)
        room.presented = room.presented or presenter
        await self._renew(room, presenter=presenter)

    def leave(self, room: Room, member: Member) -> None:
        """Let the room go once nobody here is in it: checked on the next turn of the
        loop, as a connection joining the room again (a follower taking the presenter's
        token) leaves it first and enters it right after."""
        room.followers.discard(member)
        room.presenters.discard(member)
        if not room.members:
            asyncio.get_running_loop().call_soon(self._drop_if_empty, room)

    def _drop_if_empty(self, room: Room) -> None:
        replica = self._here.get(room.code)
        if replica is not None and replica.room is room and not room.members:
            self._drop(room.code)

    async def moved(self, room: Room) -> None:
        await room.broadcast()
        replica = self._here.get(room.code)
        if replica is not None and replica.room is room:
            await self._publish(replica, whole=False)

    def notice(self) -> p.Notice | None:
        return None if self.link.up else LOCAL

    async def sweep(self) -> None:
        """Renew the records of the rooms someone here is in; let go of the others."""
        for code, replica in list(self._here.items()):
            if replica.room.members:
                await self._renew(replica.room, presenter=False)
            elif code not in self._loading:
                self._drop(code)

    def held(self, code: str) -> Room | None:
        replica = self._here.get(code.upper())
        return replica.room if replica else None

    def __len__(self) -> int:
        return len(self._here)

    # -- moves -----------------------------------------------------------------------------
    async def _publish(self, replica: Replica, *, whole: bool) -> None:
        """Write the room's show and tell the other workers; `whole` also writes the
        recipe and makes the record again if Redis lost it."""
        room, session = replica.room, replica.room.session
        if session is None:
            return
        recipe = session.built.recipe
        digest = recipe.digest()
        new = whole or digest != replica.digest
        args = [room.code, self.idle, channel(room.code), self.link.worker, session.position,
                "1" if session.playing else "0", repr(session.speed), digest,
                recipe.to_json() if new else "", room.token_digest if whole else "",
                "1" if room.presented else "0", replica.seq]  # fmt: skip
        try:
            seq = await self.link.script(lua.MOVE, [ALL, record_key(room.code)], args)
        except Unavailable:
            replica.unshared = True
            return
        if seq == -1:  # the record is gone (expired, or Redis came back empty): write it whole
            await self._publish(replica, whole=True)
            return
        replica.seq, replica.digest, replica.unshared = int(seq), digest, False

    def _heard(self, code: str, data: str) -> None:
        """A move published by a worker (called by the link's reader: must not wait)."""
        replica = self._here.get(code)
        try:
            move = json.loads(data)
            if not isinstance(move, dict) or move.get("worker") == self.link.worker:
                return
            int(move["seq"])
        except (ValueError, KeyError, TypeError):
            log.warning("an unreadable move on room %s", code)
            return
        if replica is not None:
            replica.pending = move
            self._kick(replica)

    def _kick(self, replica: Replica) -> None:
        idle = replica.applier is None or replica.applier.done()
        if replica.ready and replica.pending is not None and idle:
            replica.applier = asyncio.create_task(self._apply(replica))

    async def _apply(self, replica: Replica) -> None:
        """Apply the moves heard, in order; of several waiting, only the latest."""
        while replica.pending is not None:
            move, replica.pending = replica.pending, None
            if int(move["seq"]) <= replica.seq:
                continue
            try:
                if move.get("digest") == replica.digest and replica.room.session is not None:
                    self._place(replica, move)
                else:
                    await self._reread(replica)
            except Unavailable:
                return  # Redis is away: on_up reads the room again
            except ProtocolError as error:  # no build now (busy, or too slow): try again
                log.warning("room %s could not follow a move: %s", replica.room.code, error)
                await asyncio.sleep(REBUILD_RETRY_SECONDS)
                replica.pending = replica.pending or move
                continue
            except (KeyError, ValueError) as error:
                log.warning("room %s has an unreadable record: %s", replica.room.code, error)
                continue
            await replica.room.broadcast()

    async def _reread(self, replica: Replica) -> None:
        code = replica.room.code
        record = await self.link.record(record_key(code))
        if record:
            await self._adopt(replica, record, f"room:{code}")

    async def _adopt(self, replica: Replica, record: dict[str, str], client: str) -> None:
        """Take the record's show: rebuild the timeline if its recipe is another."""
        replica.seq = int(record.get("seq", 0))
        if "recipe" not in record:
            return
        room, digest = replica.room, record["recipe_digest"]
        if room.session is None or digest != replica.digest:
            built = await self.timelines.get(Recipe.from_json(record["recipe"]), client)
            if room.session is None:
                room.session = Session(secrets.token_urlsafe(12), built, f"room:{room.code}",
                                       room=room.code)  # fmt: skip
            room.session.built = built
            replica.digest = digest
        self._place(replica, record)

    def _place(self, replica: Replica, show: dict[str, Any]) -> None:
        session = replica.room.session
        assert session is not None
        session.move_to(int(show["position"]))
        session.playing = show["playing"] in {True, "1"}
        session.speed = float(show["speed"])
        replica.seq = max(replica.seq, int(show.get("seq", 0)))

    # -- Redis away and back ---------------------------------------------------------------
    async def on_down(self) -> None:
        for replica in list(self._here.values()):
            for member in list(replica.room.members):
                await member.notify(LOCAL)

    async def on_up(self) -> None:
        for code, replica in list(self._here.items()):
            try:
                if replica.unshared:
                    await self._publish(replica, whole=True)
                else:
                    await self.link.script(lua.RESTORE, [ALL, record_key(code)],
                                           self._restore_args(replica))  # fmt: skip
                    replica.seq = 0  # whatever the record says now is the room's position
                    before = _show(replica)
                    await self._reread(replica)
                    if _show(replica) != before:
                        await replica.room.broadcast()
            except (Unavailable, ProtocolError, KeyError, ValueError) as error:
                log.warning("room %s could not catch up: %s", code, error)
            for member in list(replica.room.members):
                await member.notify(SHARED)

    def _restore_args(self, replica: Replica) -> list[object]:
        room, session = replica.room, replica.room.session
        args: list[object] = [room.code, self.unjoined, self.idle, room.token_digest,
                              "1" if room.presented else "0", replica.seq]  # fmt: skip
        if session is not None:
            recipe = session.built.recipe
            args += ["recipe", recipe.to_json(), "recipe_digest", recipe.digest(),
                     "position", session.position, "playing", "1" if session.playing else "0",
                     "speed", repr(session.speed)]  # fmt: skip
        return args

    # -- bookkeeping -----------------------------------------------------------------------
    async def _renew(self, room: Room, *, presenter: bool) -> None:
        with contextlib.suppress(Unavailable):  # renewed again when Redis is back
            await self.link.script(lua.RENEW, [ALL, record_key(room.code)],
                                   [room.code, self.unjoined, self.idle,
                                    "1" if presenter else "0"])  # fmt: skip

    def _drop(self, code: str) -> None:
        replica = self._here.pop(code, None)
        if replica is None:
            return
        if replica.applier is not None:
            replica.applier.cancel()
        task = asyncio.create_task(self._unsubscribe(code))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _unsubscribe(self, code: str) -> None:
        if code not in self._here:  # unless someone here joined it again meanwhile
            await self.link.unsubscribe(channel(code))
