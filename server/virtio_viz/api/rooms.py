"""Follow-me rooms: a presenter's timeline, mirrored live on every follower's screen.

A room is created empty (`POST /api/rooms`): a short code to share and a secret
presenter token, of which the server keeps only a hash. The presenter's connection
(`join` with the token) opens or forks the room's session and moves through it; every
follower connection receives the same position, plus the frames it does not have yet.
A room outlives its presenter's connection: a presenter who reconnects with the token
carries on. Only a connection that joined with the token moves the room; a follower is
never told anything that would let it (conversation.py).

A room whose presenter never came is forgotten after `unjoined_seconds`; a room nobody
follows after `idle_seconds` without a join. `RoomStore` is the interface; `MemoryRooms`
keeps them in this process, and `shared.rooms.RedisRooms` keeps the record and the
position in Redis and carries the presenter's moves to every worker over pub/sub. The
connections themselves (`members`) always stay with the process that holds them.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from virtio_viz.api import protocol as p
from virtio_viz.api.sessions import Session

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a lecture
CODE_LENGTH = 6


class Member(Protocol):
    async def follow(self, room: Room, memo: dict[Hashable, Any]) -> None:
        """Bring this follower's screen to the room's session and position; `memo` is
        shared by the followers of one broadcast, to build each distinct reply once."""
        ...

    async def notify(self, notice: p.Notice) -> None:
        """Tell this connection how the room is doing (shared, or this worker only)."""
        ...


def token_hash(token: str) -> str:
    """What the server keeps of a presenter token: a token holds 192 random bits, so a
    plain digest cannot be reversed or guessed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(slots=True, eq=False)
class Room:
    code: str
    token_digest: str
    session: Session | None = None
    followers: set[Member] = field(default_factory=set)
    presenters: set[Member] = field(default_factory=set)  # connections that joined with the token
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    presented: bool = False  # the presenter has joined at least once

    def token_matches(self, token: str) -> bool:
        return secrets.compare_digest(token_hash(token), self.token_digest)

    @property
    def members(self) -> set[Member]:
        return self.followers | self.presenters

    async def broadcast(self) -> None:
        memo: dict[Hashable, Any] = {}
        for follower in list(self.followers):
            await follower.follow(self, memo)


class RoomStore(Protocol):
    async def create(self) -> tuple[Room, str]:
        """A new empty room and its presenter token (OverflowError when the store is full)."""
        ...

    async def get(self, code: str, client: str) -> Room | None:
        """The room, with its session at the room's position (a shared store may build
        the timeline here, on `client`'s share of the builds)."""
        ...

    async def enter(self, room: Room, member: Member, *, presenter: bool) -> None: ...

    def leave(self, room: Room, member: Member) -> None: ...

    async def moved(self, room: Room) -> None:
        """The presenter moved or replaced the room's session: bring every follower along."""
        ...

    def notice(self) -> p.Notice | None:
        """What a connection joining a room now should be told, if anything."""
        ...

    async def sweep(self) -> None:
        """Forget expired rooms (called on a timer)."""
        ...

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

    async def create(self) -> tuple[Room, str]:
        self.evict()
        if len(self._by_code) >= self.max_rooms:
            raise OverflowError(f"the server holds its maximum of {self.max_rooms} rooms")
        while True:
            code = new_code()
            if code not in self._by_code:
                break
        now, token = self.clock(), secrets.token_urlsafe(24)
        room = Room(code, token_hash(token), created=now, last_seen=now)
        self._by_code[code] = room
        return room, token

    async def get(self, code: str, client: str) -> Room | None:
        del client
        return self.held(code)

    def held(self, code: str) -> Room | None:
        room = self._by_code.get(code.upper())
        if room is not None:
            room.last_seen = self.clock()
        return room

    async def enter(self, room: Room, member: Member, *, presenter: bool) -> None:
        if presenter:
            room.presented = True
            room.presenters.add(member)
        else:
            room.followers.add(member)

    def leave(self, room: Room, member: Member) -> None:
        room.followers.discard(member)
        room.presenters.discard(member)

    async def moved(self, room: Room) -> None:
        await room.broadcast()

    def notice(self) -> p.Notice | None:
        return None

    async def sweep(self) -> None:
        self.evict()

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
