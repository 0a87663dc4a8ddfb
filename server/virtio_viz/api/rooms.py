"""Follow-me rooms: a presenter's timeline, mirrored live on every follower's screen.

A room is created empty (`POST /api/rooms`): a short code to share and a secret
presenter token. The presenter's connection (`join` with the token) opens or forks the
room's session and moves through it; every follower connection receives the same
position, plus the frames it does not have yet. A room outlives its presenter's
connection: a presenter who reconnects with the token carries on. Only a connection
that joined with the token moves the room; a follower is never told anything that
would let it (conversation.py).

A room whose presenter never came is forgotten after `unjoined_seconds`; a room nobody
follows after `idle_seconds` without a join. `RoomStore` is the interface; `MemoryRooms`
keeps them in this process (a store shared by several workers can replace it; the
followers of a room are live connections and stay with the process that holds them).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from virtio_viz.api.sessions import Session

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a lecture
CODE_LENGTH = 6


class Follower(Protocol):
    async def follow(self, room: Room, memo: dict[Hashable, Any]) -> None:
        """Bring this follower's screen to the room's session and position; `memo` is
        shared by the followers of one broadcast, to build each distinct reply once."""
        ...


@dataclass(slots=True, eq=False)
class Room:
    code: str
    token: str
    session: Session | None = None
    followers: set[Follower] = field(default_factory=set)
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    presented: bool = False  # the presenter has joined at least once

    def token_matches(self, token: str) -> bool:
        return secrets.compare_digest(token.encode(), self.token.encode())

    async def broadcast(self) -> None:
        memo: dict[Hashable, Any] = {}
        for follower in list(self.followers):
            await follower.follow(self, memo)


class RoomStore(Protocol):
    def create(self) -> Room:
        """A new empty room (OverflowError when the store is full)."""
        ...

    def get(self, code: str) -> Room | None: ...

    def evict(self) -> None: ...

    def __len__(self) -> int: ...


class MemoryRooms:
    def __init__(
        self,
        *,
        max_rooms: int,
        idle_seconds: float,
        unjoined_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_rooms = max_rooms
        self.idle_seconds = idle_seconds
        self.unjoined_seconds = unjoined_seconds
        self.clock = clock
        self._by_code: dict[str, Room] = {}

    def create(self) -> Room:
        self.evict()
        if len(self._by_code) >= self.max_rooms:
            raise OverflowError(f"the server holds its maximum of {self.max_rooms} rooms")
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._by_code:
                break
        now = self.clock()
        room = Room(code, secrets.token_urlsafe(24), created=now, last_seen=now)
        self._by_code[code] = room
        return room

    def get(self, code: str) -> Room | None:
        room = self._by_code.get(code.upper())
        if room is not None:
            room.last_seen = self.clock()
        return room

    def evict(self) -> None:
        now = self.clock()
        for code, room in list(self._by_code.items()):
            if room.followers:
                continue
            unjoined = not room.presented and now - room.created > self.unjoined_seconds
            if unjoined or now - room.last_seen > self.idle_seconds:
                del self._by_code[code]

    def __len__(self) -> int:
        return len(self._by_code)
