"""The websocket endpoint: checks the origin and the connection limits, paces the
client, and relays messages between the socket and its `Conversation`. Cleans up in
`finally`, whatever happened.

A refused connection is accepted and then closed at once with a code that says why
(1008: a site not allowed; 1013: too many connections, try again later), because a
browser page can read a close code but never the status of a refused handshake."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from virtio_viz.api import protocol as p
from virtio_viz.api.conversation import Conversation, encode
from virtio_viz.api.limits import Counters, origin_allowed
from virtio_viz.api.settings import Settings

POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
TRY_AGAIN_LATER = 1013


class TokenBucket:
    """`rate` messages per second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


async def websocket_endpoint(websocket: WebSocket) -> None:
    state = websocket.app.state.viz
    settings: Settings = state.settings
    client = client_address(websocket)
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                          settings.allowed_origins):  # fmt: skip
        await _refuse(websocket, POLICY_VIOLATION, "origin not allowed")
        return
    async with connection_slot(state.counters, settings, client) as reason:
        if reason:
            await _refuse(websocket, TRY_AGAIN_LATER, reason)
            return
        await websocket.accept()
        await Connection(websocket, client).run()


def client_address(websocket: WebSocket) -> str:
    """Who the limits count by: the peer's address (behind a proxy, uvicorn's
    --forwarded-allow-ips makes it the address the proxy saw)."""
    return websocket.client.host if websocket.client else "unknown"


@asynccontextmanager
async def connection_slot(
    counters: Counters, settings: Settings, client: str
) -> AsyncIterator[str | None]:
    """A place among the open connections, held until the block ends; or why not."""
    total, mine = "connections", f"connections:{client}"
    taken = await counters.adjust(total, 1), await counters.adjust(mine, 1)
    try:
        if taken[0] > settings.max_connections:
            yield f"the server holds its maximum of {settings.max_connections} connections"
        elif taken[1] > settings.max_connections_per_client:
            yield f"at most {settings.max_connections_per_client} connections from one client"
        else:
            yield None
    finally:
        await counters.adjust(total, -1)
        await counters.adjust(mine, -1)


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    await websocket.accept()
    await _close(websocket, code, reason)


class Connection:
    """One accepted socket. Replies to this client's own messages are sent at once; what
    other connections push (a presenter's moves reaching a follower) waits in a bounded
    outbox for a sender task. A lock keeps each batch of messages together on the wire."""

    def __init__(self, websocket: WebSocket, client: str) -> None:
        self.websocket = websocket
        self.settings: Settings = websocket.app.state.viz.settings
        self.outbox: asyncio.Queue[list[str]] = asyncio.Queue(self.settings.max_outbox)
        self.sending = asyncio.Lock()
        self.conversation = Conversation(websocket.app.state.viz, self.push, client)
        self.sender = asyncio.create_task(self._send_pushed())
        self.closing: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        bucket = TokenBucket(self.settings.rate_per_second, self.settings.rate_burst)
        strikes = 0
        try:
            while not self.sender.done():  # done: the socket died, or a reader stopped reading
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
                if size > self.settings.close_message_bytes:
                    await _close(self.websocket, MESSAGE_TOO_BIG, "message too big")
                    break
                if bucket.take():
                    await self.reply(await self.conversation.handle(raw))
                    continue
                strikes += 1
                if strikes >= self.settings.abuse_strikes:
                    await _close(self.websocket, POLICY_VIOLATION, "too many messages")
                    break
                await self.reply([p.ErrorOut(code="rate_limited", message="slow down: too many "
                                             "messages per second")])  # fmt: skip
        except WebSocketDisconnect:
            pass
        finally:
            self.conversation.detach()
            self.sender.cancel()
            await _close(self.websocket, 1000, "")

    async def reply(self, messages: list[p.Message]) -> None:
        """This client's own replies: straight out, unless pushed messages are waiting
        (they go first, in order)."""
        texts = encode(messages)
        if not self.outbox.empty():
            await self.push(texts)
            return
        async with self.sending:
            await self._send(texts)

    async def push(self, texts: list[str]) -> None:
        """Messages from elsewhere (a presenter's move), already encoded."""
        if not self.outbox.full():
            self.outbox.put_nowait(texts)
        elif not self.sender.done():  # a reader that stopped reading: stop, and close
            self.sender.cancel()
            task = asyncio.create_task(_close(self.websocket, POLICY_VIOLATION, "replies not read"))
            self.closing.add(task)
            task.add_done_callback(self.closing.discard)

    async def _send_pushed(self) -> None:
        while True:
            messages = await self.outbox.get()
            async with self.sending:
                await self._send(messages)

    async def _send(self, texts: list[str]) -> None:
        try:
            for text in texts:
                await self.websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.sender.cancel()  # the socket is gone: the receive loop ends with it


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    """Close once, whoever asks first; a socket already gone is fine."""
    if websocket.application_state != WebSocketState.CONNECTED:
        return
    try:
        async with asyncio.timeout(5):
            await websocket.close(code=code, reason=reason)
    except (TimeoutError, RuntimeError, WebSocketDisconnect, OSError):
        return
