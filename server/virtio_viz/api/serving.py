"""How uvicorn runs the app: its own limits, set from ours, and a deadline for a
request's head.

uvicorn closes a connection that stays idle between requests (`timeout_keep_alive`) and
refuses HTTP requests over `limit_concurrency` with 503, but it waits forever for the
head of a request that trickles in a byte at a time. `HeaderDeadline` is uvicorn's h11
protocol (h11 also caps a head at 16 KiB) with one addition: a connection that has not
sent a whole request head within `header_seconds` of starting it is closed.

`limit_concurrency` counts websockets too (uvicorn keeps them in the same set), so it is
set to the websocket cap plus `http_concurrency`: the websockets, capped by the app
itself, can never starve `/healthz`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

from virtio_viz.api.settings import Settings


class HeaderDeadline(H11Protocol):
    header_seconds = 10.0  # set per server by `header_deadline()`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a new request's head is coming (or still coming)
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is complete

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def header_deadline(seconds: float) -> type[HeaderDeadline]:
    return type("HeaderDeadline", (HeaderDeadline,), {"header_seconds": seconds})


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> Config:
    """The server's uvicorn configuration; `options` (host, port, log_level ...) add to it."""
    return Config(
        app,
        http=header_deadline(settings.header_seconds),
        ws_max_size=settings.close_message_bytes,
        limit_concurrency=settings.max_connections + settings.http_concurrency,
        timeout_keep_alive=settings.keep_alive_seconds,
        **options,
    )
