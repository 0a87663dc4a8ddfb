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

`serve --workers N` runs N uvicorn worker processes, started afresh: each reads its
settings from the VIRTIO_VIZ_* variables the parent set (`worker_app`), and uses the
module-level `WorkerHeaderDeadline`, whose deadline that worker sets as it starts.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

from virtio_viz.api.app import create_app
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


class WorkerHeaderDeadline(HeaderDeadline):
    """The protocol of each `serve --workers` process (set by `worker_app`)."""


def limits(settings: Settings) -> dict[str, Any]:
    """uvicorn's own limits, from ours."""
    return {
        "ws_max_size": settings.close_message_bytes,
        "limit_concurrency": settings.max_connections + settings.http_concurrency,
        "timeout_keep_alive": settings.keep_alive_seconds,
    }


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> Config:
    """The server's uvicorn configuration; `options` (host, port, log_level ...) add to it."""
    return Config(app, http=header_deadline(settings.header_seconds), **limits(settings),
                  **options)  # fmt: skip


def worker_app() -> FastAPI:
    """The app of one `serve --workers` process, from the variables its parent set."""
    settings = Settings.from_env()
    WorkerHeaderDeadline.header_seconds = settings.header_seconds
    return create_app(settings)


def run_workers(settings: Settings, workers: int, **options: Any) -> None:
    """`workers` uvicorn processes on one socket; uvicorn starts a new one if one dies."""
    os.environ.update(settings.as_environ())
    uvicorn.run("virtio_viz.api.serving:worker_app", factory=True, workers=workers,
                http=WorkerHeaderDeadline, **limits(settings), **options)  # fmt: skip
