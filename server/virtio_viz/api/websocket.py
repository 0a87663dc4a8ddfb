"""The websocket endpoint: checks the origin, paces the client, and relays messages
between the socket and its `Conversation`. Cleans up in `finally`, whatever happened."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from virtio_viz.api import protocol as p
from virtio_viz.api.conversation import Conversation

POLICY_VIOLATION = 1008
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
    state = websocket.app.state.viz
    settings = state.settings
    if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"),
                          settings.allowed_origins):  # fmt: skip
        await websocket.close(code=POLICY_VIOLATION, reason="origin not allowed")
        return
    await websocket.accept()
    outbox: asyncio.Queue[list[p.Message]] = asyncio.Queue()

    async def push(messages: list[p.Message]) -> None:
        outbox.put_nowait(messages)

    conversation = Conversation(state, push)
    sender = asyncio.create_task(_send_all(websocket, outbox))
    bucket = TokenBucket(settings.rate_per_second, settings.rate_burst)
    strikes = 0
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            raw = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            if not bucket.take():
                strikes += 1
                if strikes >= settings.abuse_strikes:
                    sender.cancel()
                    await websocket.close(code=POLICY_VIOLATION, reason="too many messages")
                    break
                await push([p.ErrorOut(code="rate_limited", message="slow down: too many "
                                       "messages per second")])  # fmt: skip
                continue
            await push(await conversation.handle(raw))
    except WebSocketDisconnect:
        pass
    finally:
        conversation.detach()
        sender.cancel()
        if websocket.application_state == WebSocketState.CONNECTED:
            await websocket.close()


async def _send_all(websocket: WebSocket, outbox: asyncio.Queue[list[p.Message]]) -> None:
    try:
        while True:
            for message in await outbox.get():
                await websocket.send_text(message.model_dump_json())
    except (WebSocketDisconnect, RuntimeError):
        return
