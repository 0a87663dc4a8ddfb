"""Sessions: one timeline and where a reader stands in it, kept across reconnects.

A session outlives its websocket: a client that drops can `resume` it by id within the
grace period. The store holds at most `max_sessions`; when full it evicts sessions idle
for longer than `idle_seconds`, then (if still full) refuses new ones.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from virtio_viz.timeline import Timeline


@dataclass(slots=True, eq=False)
class Session:
    id: str
    timeline: Timeline
    position: int = 0
    playing: bool = False
    speed: float = 0.0
    connections: int = 0
    last_seen: float = field(default_factory=time.monotonic)

    def move_to(self, step: int) -> int:
        self.position = max(0, min(step, len(self.timeline) - 1))
        return self.position


class SessionsFull(Exception):
    pass


class Sessions:
    def __init__(
        self,
        *,
        max_sessions: int,
        idle_seconds: float,
        grace_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.grace_seconds = grace_seconds
        self.clock = clock
        self._by_id: dict[str, Session] = {}

    def create(self, timeline: Timeline, position: int = 0) -> Session:
        self.evict()
        if len(self._by_id) >= self.max_sessions:
            raise SessionsFull(f"the server holds its maximum of {self.max_sessions} sessions")
        session = Session(secrets.token_urlsafe(12), timeline, last_seen=self.clock())
        session.move_to(position)
        self._by_id[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        self.evict()
        session = self._by_id.get(session_id)
        if session is not None:
            session.last_seen = self.clock()
        return session

    def touch(self, session: Session) -> None:
        session.last_seen = self.clock()

    def evict(self) -> None:
        """Forget sessions nobody is connected to: after the grace period once dropped,
        or after `idle_seconds` without a message."""
        now = self.clock()
        for session_id, session in list(self._by_id.items()):
            limit = self.grace_seconds if session.connections == 0 else self.idle_seconds
            if now - session.last_seen > limit:
                del self._by_id[session_id]

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._by_id
