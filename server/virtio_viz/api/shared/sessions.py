"""Sessions any worker can resume: a record of each in Redis, the timelines per worker.

How this works: a session is a pure function of its recipe (scenario + options + seed
+ actions) and where it stands, so its record in Redis is just that: the recipe, its
digest, the step, playing and speed, its owner, and the room it belongs to, with the
grace period as its time to live. A resume on a worker that does not hold the session
reads the record and rebuilds the timeline (from this worker's cache when it has it).

Creating a session is one Lua script that counts the live sessions, in all and of the
owner (sorted sets of ids by deadline), and writes the record, so the limits hold across
workers. Moves are written behind: `touch` marks the session and a task writes the
changed fields of every marked session right after (the moves of one burst in one
write each), so a step never waits on Redis. The sweeper renews the records of sessions
a connection is on. While Redis is away sessions live on this worker (new ones counted
here) and are written when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets

from redis.asyncio import Redis

from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.sessions import MemorySessions, Session, SessionsFull
from virtio_viz.api.settings import Settings
from virtio_viz.api.shared.link import PREFIX, Link, Unavailable
from virtio_viz.api.timelines import Built, TimelineCache

FLUSH_SECONDS = 0.0  # written as soon as the reply is on its way; moves in one go coalesce
ALL = PREFIX + "sessions"
CREATE = """
local now = tonumber(redis.call('TIME')[1])
local deadline = now + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 2 end
redis.call('HSET', KEYS[3], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[1], deadline, ARGV[4])
redis.call('ZADD', KEYS[2], deadline, ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 0
"""
SAVE = """
local deadline = tonumber(redis.call('TIME')[1]) + tonumber(ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], deadline, ARGV[2])
redis.call('ZADD', KEYS[2], deadline, ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 0
"""
log = logging.getLogger(__name__)


def record_key(session_id: str) -> str:
    return f"{PREFIX}session:{session_id}"


def owned_key(owner: str) -> str:
    return f"{PREFIX}owned:{owner}"


class RedisSessions(MemorySessions):
    def __init__(self, link: Link, timelines: TimelineCache, settings: Settings) -> None:
        super().__init__(max_sessions=settings.max_sessions, idle_seconds=settings.idle_seconds,
                         grace_seconds=settings.grace_seconds,
                         max_per_owner=settings.max_sessions_per_client)  # fmt: skip
        self.link = link
        self.timelines = timelines
        self.ttl = max(1, round(settings.grace_seconds))
        self._dirty: set[str] = set()
        self._saved: dict[str, str] = {}  # id -> the recipe digest its record holds
        self._flusher: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        link.listeners.append(self)

    async def create(
        self, built: Built, position: int, owner: str, room: str | None = None
    ) -> Session:
        session = Session(secrets.token_urlsafe(12), built, owner, room=room)
        session.move_to(position)
        try:
            full = await self.link.script(CREATE, self._keys(session),
                                          [self.max_sessions, self.max_per_owner, self.ttl,
                                           session.id, *self._fields(session)])  # fmt: skip
        except Unavailable:
            self.admit(owner)  # counted on this worker alone until Redis is back
            self._dirty.add(session.id)
        else:
            if full == 1:
                raise SessionsFull(f"the server holds its maximum of {self.max_sessions} sessions")
            if full == 2:
                raise SessionsFull(f"one client may hold at most {self.max_per_owner} sessions")
            self._saved[session.id] = built.recipe.digest()
        return self.add(session, position)

    async def get(self, session_id: str, client: str) -> Session | None:
        here = self.held(session_id)
        if here is not None and (session_id in self._dirty or not self.link.up):
            return here  # what this worker holds is newer than the record
        try:
            record = await self.link.record(record_key(session_id))
        except Unavailable:
            return here
        if not record or record.get("room"):
            return here
        try:
            return await self._from_record(session_id, record, here, client)
        except (KeyError, ValueError):
            log.warning("session %s has an unreadable record", session_id)
            return here

    async def _from_record(self, session_id: str, record: dict[str, str], here: Session | None,
                           client: str) -> Session:  # fmt: skip
        session = here
        if session is None or session.built.recipe.digest() != record["recipe_digest"]:
            built = await self.timelines.get(Recipe.from_json(record["recipe"]), client)
            if session is None:
                session = self.add(Session(session_id, built, record["owner"]), 0)
            session.built = built
        session.move_to(int(record["position"]))
        session.playing = record["playing"] == "1"
        session.speed = float(record["speed"])
        self._saved[session_id] = record["recipe_digest"]
        return session

    def touch(self, session: Session) -> None:
        super().touch(session)
        if session.id in self:  # a room's copy on a follower's worker has no record
            self._dirty.add(session.id)
            if self._flusher is None or self._flusher.done():
                self._flusher = asyncio.create_task(self._flush(FLUSH_SECONDS))

    def release(self, session: Session) -> None:
        """Forget the session here and in Redis (its connection opened another)."""
        super().release(session)
        task = asyncio.create_task(self._delete(session))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _delete(self, session: Session) -> None:
        all_sessions, owned, record = self._keys(session)

        async def delete(redis: Redis) -> None:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.zrem(all_sessions, session.id)
                pipe.zrem(owned, session.id)
                pipe.delete(record)
                await pipe.execute()

        with contextlib.suppress(Unavailable):  # if Redis is away, the record expires
            await self.link.call(delete)

    async def sweep(self) -> None:
        """Forget expired sessions here; renew the records of those still connected."""
        self.evict()
        self._dirty.update(s.id for s in self.held_sessions() if s.connections > 0)
        await self._flush(0)

    def forget(self, session: Session) -> None:
        super().forget(session)
        self._dirty.discard(session.id)
        self._saved.pop(session.id, None)

    async def _flush(self, delay: float) -> None:
        await asyncio.sleep(delay)
        while self._dirty:
            session_id = self._dirty.pop()
            session = self._by_id.get(session_id)
            if session is None:
                continue
            digest = session.built.recipe.digest()
            fields = self._fields(session, recipe=self._saved.get(session_id) != digest)
            try:
                await self.link.script(SAVE, self._keys(session), [self.ttl, session_id, *fields])
            except Unavailable:
                self._dirty.add(session_id)  # written when Redis is back
                return
            self._saved[session_id] = digest

    def _fields(self, session: Session, *, recipe: bool = True) -> list[str]:
        fields = ["position", str(session.position), "playing", "1" if session.playing else "0",
                  "speed", repr(session.speed), "owner", session.owner,
                  "room", session.room or ""]  # fmt: skip
        if recipe:
            built = session.built
            fields += ["recipe", built.recipe.to_json(), "recipe_digest", built.recipe.digest()]
        return fields

    def _keys(self, session: Session) -> list[str]:
        return [ALL, owned_key(session.owner), record_key(session.id)]

    async def on_up(self) -> None:
        """Redis is back (perhaps empty): write every session this worker holds in full."""
        self._saved.clear()
        self._dirty.update(session.id for session in self.held_sessions())
        await self._flush(0)

    async def on_down(self) -> None:
        pass
