"""The websocket endpoint: checks the origin, paces the client, and relays messages
between the socket and its `Conversation`. Cleans up in `finally`, whatever happened."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from virtio_viz.api import protocol as p
from virtio_viz.api.conversation import Conversation, encode
from virtio_viz.api.settings import Settings

POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def origin_allowed(origin: str | None, host: str | None, allowed: tuple[str, ...]) -> bool:
    """Same origin, a local page, or an origin the operator allowed ("*": any)."""
    if origin is None or "*" in allowed or origin in allowed:
        return True
    origin_host = urlsplit(origin).hostname or ""
    if origin_host in LOCAL_HOSTS:
        return True
    return host is not None and urlsplit(origin).netloc == host


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
    settings = websocket.app.state.viz.settings
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                          settings.allowed_origins):  # fmt: skip
        await websocket.close(code=POLICY_VIOLATION, reason="origin not allowed")
        return
    await websocket.accept()
    await Connection(websocket).run()


class Connection:
    """One accepted socket. Replies to this client's own messages are sent at once; what
    other connections push (a presenter's moves reaching a follower) waits in a bounded
    outbox for a sender task. A lock keeps each batch of messages together on the wire."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.settings: Settings = websocket.app.state.viz.settings
        self.outbox: asyncio.Queue[list[str]] = asyncio.Queue(self.settings.max_outbox)
        self.sending = asyncio.Lock()
        self.conversation = Conversation(websocket.app.state.viz, self.push)
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
                if len(raw) > self.settings.close_message_bytes:
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
