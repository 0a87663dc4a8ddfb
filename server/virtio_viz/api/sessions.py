"""Sessions: one timeline and where a reader stands in it, kept across reconnects.

A session outlives its websocket: a client that drops can `resume` it by id within the
grace period. Each session belongs to the client (address) that opened it. The store
holds at most `max_sessions`, and at most `max_per_owner` for one client; when full it
first evicts sessions nobody is connected to past the grace period and sessions idle
past `idle_seconds`, then refuses (`SessionsFull`). A connection that opens a new
session releases its previous one at once (conversation.py), so one connection holds
one session. `SessionStore` is the interface; `MemorySessions` keeps them in this
process, and `shared.sessions.RedisSessions` keeps a record of each in Redis (its recipe
and position), so another worker can resume it.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from virtio_viz.api.timelines import Built
from virtio_viz.timeline import Timeline


@dataclass(slots=True, eq=False)
class Session:
    id: str
    built: Built
    owner: str
    position: int = 0
    playing: bool = False
    speed: float = 0.0
    connections: int = 0
    room: str | None = None  # the code of the room it was opened in: joined, never resumed
    last_seen: float = field(default_factory=time.monotonic)

    @property
    def timeline(self) -> Timeline:
        return self.built.timeline

    def move_to(self, step: int) -> int:
        self.position = max(0, min(step, len(self.timeline) - 1))
        return self.position


class SessionsFull(Exception):
    pass


class SessionStore(Protocol):
    async def create(
        self, built: Built, position: int, owner: str, room: str | None = None
    ) -> Session:
        """A new session, of `room` if it is a room's (SessionsFull when the store, or the
        owner's share, is full)."""
        ...

    async def get(self, session_id: str, client: str) -> Session | None:
        """The session, for `client` to resume (a shared store may rebuild it here, on
        `client`'s share of the builds)."""
        ...

    def touch(self, session: Session) -> None:
        """The session was used (moved, forked) now."""
        ...

    def release(self, session: Session) -> None:
        """Forget the session now (its connection moved on to another)."""
        ...

    async def sweep(self) -> None:
        """Forget expired sessions (called on a timer)."""
        ...

    def __len__(self) -> int: ...


class MemorySessions:
    def __init__(
        self,
        *,
        max_sessions: int,
        idle_seconds: float,
        grace_seconds: float,
        max_per_owner: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_sessions = max_sessions
        self.max_per_owner = max_per_owner or max_sessions
        self.idle_seconds = idle_seconds
        self.grace_seconds = grace_seconds
        self.clock = clock
        self._by_id: dict[str, Session] = {}
        self._owned: Counter[str] = Counter()

    async def create(
        self, built: Built, position: int, owner: str, room: str | None = None
    ) -> Session:
        self.admit(owner)
        return self.add(Session(secrets.token_urlsafe(12), built, owner, room=room), position)

    def admit(self, owner: str) -> None:
        """SessionsFull unless the store, and `owner`'s share, have room for one more."""
        self.evict()
        if len(self._by_id) >= self.max_sessions:
            raise SessionsFull(f"the server holds its maximum of {self.max_sessions} sessions")
        if self._owned[owner] >= self.max_per_owner:
            raise SessionsFull(f"one client may hold at most {self.max_per_owner} sessions")

    def add(self, session: Session, position: int) -> Session:
        session.last_seen = self.clock()
        session.move_to(position)
        self._by_id[session.id] = session
        self._owned[session.owner] += 1
        return session

    async def get(self, session_id: str, client: str) -> Session | None:
        del client  # everything is here already
        return self.held(session_id)

    def held(self, session_id: str) -> Session | None:
        """The session if this process holds it."""
        self.evict()
        session = self._by_id.get(session_id)
        if session is not None:
            session.last_seen = self.clock()
        return session

    def touch(self, session: Session) -> None:
        session.last_seen = self.clock()

    def release(self, session: Session) -> None:
        self.forget(session)

    def forget(self, session: Session) -> None:
        """Forget the session in this process (a shared store keeps its record)."""
        if self._by_id.get(session.id) is session:
            del self._by_id[session.id]
            self._owned[session.owner] -= 1
            if self._owned[session.owner] <= 0:
                del self._owned[session.owner]

    async def sweep(self) -> None:
        self.evict()

    def evict(self) -> None:
        """Forget sessions nobody is connected to: after the grace period once dropped,
        or after `idle_seconds` without a message."""
        now = self.clock()
        for session in list(self._by_id.values()):
            limit = self.grace_seconds if session.connections == 0 else self.idle_seconds
            if now - session.last_seen > limit:
                self.forget(session)

    def owned_by(self, owner: str) -> int:
        return self._owned[owner]

    def held_sessions(self) -> list[Session]:
        return list(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._by_id
