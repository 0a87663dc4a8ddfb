"""The one way the shared stores reach Redis, and how the worker knows whether it can.

How this works: a `Link` holds a redis-py asyncio client (a pool of connections for
commands) and one pub/sub connection for the rooms' moves. A watcher task reads the
pub/sub connection. When it breaks, or any command fails for want of Redis, the link is
*down*: `call` refuses at once with `Unavailable`, so the stores fall back to what this
worker holds instead of waiting on a dead server, and every listener hears `on_down`
(the rooms tell their members). The watcher tries again every `RETRY_SECONDS`; when
Redis answers, it subscribes again to every channel, the link is *up*, and every
listener hears `on_up`, to push what changed meanwhile and read what others wrote.

Each worker has an id, renewed in the sorted set `viz:workers` with a deadline every
`HEARTBEAT_SECONDS`: what a worker that died had counted (its open connections) can be
told apart from what the living hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

PREFIX = "viz:"
WORKERS = PREFIX + "workers"
POOL_SIZE = 32
POOL_WAIT_SECONDS = 10.0
CONNECT_SECONDS = 1.0
COMMAND_SECONDS = 2.0
RETRY_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
WORKER_SECONDS = 20  # a worker not heard from this long is gone
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# the deadline of a worker, by Redis's clock (the same for every host)
HEARTBEAT = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""
T = TypeVar("T")
log = logging.getLogger(__name__)


class Unavailable(Exception):
    """Redis cannot be reached now: the caller falls back to what this worker holds."""


class Listener(Protocol):
    async def on_down(self) -> None: ...
    async def on_up(self) -> None: ...


class Link:
    def __init__(self, url: str) -> None:
        self.worker = secrets.token_hex(8)
        # a bounded pool: a burst of commands (a lecture hall connecting at once) waits for
        # a connection instead of opening hundreds, past Redis's own limit of clients
        pool = BlockingConnectionPool.from_url(
            url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS, decode_responses=True,
            socket_connect_timeout=CONNECT_SECONDS, socket_timeout=COMMAND_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )  # fmt: skip
        self.redis: Redis = Redis.from_pool(pool)
        self.up = False
        self.listeners: list[Listener] = []
        self._handlers: dict[str, Callable[[str], None]] = {}
        self._pubsub: PubSub | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._scripts: dict[str, AsyncScript] = {}
        self._heartbeat = self.redis.register_script(HEARTBEAT)

    # -- commands ------------------------------------------------------------------------------
    async def call(self, command: Callable[[Redis], Awaitable[T]]) -> T:
        """`command(client)`, or Unavailable (at once when the link is known to be down)."""
        if not self.up:
            raise Unavailable("Redis cannot be reached")
        try:
            return await command(self.redis)
        except UNREACHABLE as error:
            self.up = False  # the watcher sees it, tells the listeners and tries again
            raise Unavailable(str(error)) from error

    async def record(self, key: str) -> dict[str, str]:
        """The hash at `key` (empty if there is none)."""
        fields = await self.call(lambda redis: redis.hgetall(key))
        return {str(name): str(value) for name, value in fields.items()}

    async def script(self, text: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run a Lua script (registered once, run by its digest)."""
        script = self._scripts.get(text)
        if script is None:
            script = self._scripts[text] = self.redis.register_script(text)
        return await self.call(lambda _: script(list(keys), list(args)))

    # -- pub/sub -------------------------------------------------------------------------------
    async def subscribe(self, channel: str, handler: Callable[[str], None]) -> None:
        """`handler(data)` for every message on `channel`, now and after every reconnect."""
        self._handlers[channel] = handler
        if self.up and self._pubsub is not None:
            await self.call(lambda _: self._subscribed().subscribe(channel))

    async def unsubscribe(self, channel: str) -> None:
        if self._handlers.pop(channel, None) is not None and self.up and self._pubsub:
            with contextlib.suppress(Unavailable):
                await self.call(lambda _: self._subscribed().unsubscribe(channel))

    def _subscribed(self) -> PubSub:
        assert self._pubsub is not None
        return self._pubsub

    # -- the watcher ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect (or, if Redis is away, start down and keep trying), then watch."""
        if not await self._connect():
            log.warning("Redis cannot be reached; rooms stay on this worker until it can")
        self._watcher = asyncio.create_task(self._watch())

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self._drop_pubsub()
        with contextlib.suppress(RedisError, OSError):
            await self.redis.aclose()

    async def _watch(self) -> None:
        while True:
            if not self.up:
                await asyncio.sleep(RETRY_SECONDS)
                if await self._connect():
                    await self._tell("on_up")
                continue
            with contextlib.suppress(*UNREACHABLE):
                await self._read()
            self.up = False
            await self._drop_pubsub()
            log.warning("Redis went away; rooms stay on this worker until it is back")
            await self._tell("on_down")

    async def _connect(self) -> bool:
        try:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(WORKERS, *self._handlers)
            self._pubsub = pubsub
            await self._heartbeat([WORKERS], [self.worker, WORKER_SECONDS])
        except UNREACHABLE:
            await self._drop_pubsub()
            return False
        self.up = True
        return True

    async def _read(self) -> None:
        """Deliver messages until the connection breaks (or a command found Redis gone)."""
        pubsub = self._subscribed()
        beat = asyncio.get_running_loop().time() + HEARTBEAT_SECONDS
        while self.up:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None and message["type"] == "message":
                handler = self._handlers.get(message["channel"])
                if handler is not None:
                    handler(message["data"])
            if asyncio.get_running_loop().time() >= beat:
                await self._heartbeat([WORKERS], [self.worker, WORKER_SECONDS])
                beat += HEARTBEAT_SECONDS

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    async def _tell(self, event: str) -> None:
        for listener in self.listeners:
            try:
                await getattr(listener, event)()
            except Exception:  # one listener's bug must not stop the others, or the watcher
                log.exception("a Redis %s listener failed", event)
