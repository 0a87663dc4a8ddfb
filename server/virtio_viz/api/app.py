"""The app factory: REST under /api, the websocket at /ws, the built frontend at /.

With no `redis_url` everything lives in this process (the embedded default); with one,
rooms, session records and counters live in Redis for every worker (api/shared/)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from virtio_viz.api import memory
from virtio_viz.api import protocol as p
from virtio_viz.api.builds import Builder
from virtio_viz.api.errors import ProtocolError, refusal
from virtio_viz.api.guards import BodyLimit, ReadOnlyCORS, SecurityHeaders
from virtio_viz.api.host import add_host_routes
from virtio_viz.api.limits import Counters, MemoryCounters
from virtio_viz.api.rest import add_recordings, add_rest
from virtio_viz.api.rooms import MemoryRooms, RoomStore
from virtio_viz.api.sessions import MemorySessions, SessionStore
from virtio_viz.api.settings import Settings
from virtio_viz.api.static import FrontendFiles, element_redirect, page
from virtio_viz.api.timelines import TimelineCache
from virtio_viz.api.websocket import websocket_endpoint

if TYPE_CHECKING:
    from virtio_viz.api.shared import Link

log = logging.getLogger(__name__)


@dataclass(slots=True)
class AppState:
    settings: Settings
    sessions: SessionStore
    rooms: RoomStore
    timelines: TimelineCache
    counters: Counters
    builder: Builder
    link: Link | None = None  # to Redis, when the stores are shared

    @classmethod
    def in_memory(cls, settings: Settings) -> AppState:
        """Everything in this process: the embedded default (one worker)."""
        counters = MemoryCounters()
        builder = Builder(settings, counters)
        return cls(
            settings,
            MemorySessions(max_sessions=settings.max_sessions, idle_seconds=settings.idle_seconds,
                           grace_seconds=settings.grace_seconds,
                           max_per_owner=settings.max_sessions_per_client),
            MemoryRooms(max_rooms=settings.max_rooms, idle_seconds=settings.room_idle_seconds,
                        unjoined_seconds=settings.room_unjoined_seconds),
            TimelineCache(settings.timeline_cache, builder),
            counters,
            builder,
        )  # fmt: skip

    @classmethod
    def shared(cls, settings: Settings, redis_url: str) -> AppState:
        """Rooms, session records and counters in Redis, shared by every worker."""
        from virtio_viz.api.shared import (  # noqa: PLC0415  (redis loads only when used)
            Link,
            RedisCounters,
            RedisRooms,
            RedisSessions,
        )

        link = Link(redis_url)
        counters = RedisCounters(link)
        builder = Builder(settings, counters)
        timelines = TimelineCache(settings.timeline_cache, builder)
        return cls(settings, RedisSessions(link, timelines, settings),
                   RedisRooms(link, timelines, settings), timelines, counters, builder,
                   link)  # fmt: skip


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if settings.redis_url:
        state = AppState.shared(settings, settings.redis_url)
    else:
        state = AppState.in_memory(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        del app
        if state.link is not None:
            await state.link.start()
        sweeper = asyncio.create_task(_sweep(state))
        try:
            yield
        finally:
            sweeper.cancel()
            if state.link is not None:
                await state.link.close()
            state.builder.close()

    app = FastAPI(
        title="virtio-viz",
        version="0.1.0",
        summary="A stepwise, byte-accurate virtio model, served to the browser",
        lifespan=lifespan,
    )
    app.state.viz = state
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(ReadOnlyCORS, allow_origins=["*"], allow_methods=["GET"])
    app.add_middleware(SecurityHeaders, embed_ancestors=settings.embed_ancestors)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _errors(app)
    add_rest(app, state)
    add_recordings(app)
    add_host_routes(app)
    app.add_api_websocket_route("/ws", websocket_endpoint)
    _frontend(app, settings)
    return app


async def _sweep(state: AppState) -> None:
    """Forget expired sessions and rooms, and the timelines nobody asked for in a grace
    period, on a timer, not only when someone asks for a new one: after a flood, the
    memory they held goes back to the system while the server is quiet (api/memory.py)."""
    interval = max(1.0, min(30.0, state.settings.grace_seconds / 4))
    held = 0  # sessions, rooms and timelines at the last sweep
    while True:
        await asyncio.sleep(interval)
        try:
            await state.sessions.sweep()
            await state.rooms.sweep()
        except Exception:  # a bug of ours: the next round tries again
            log.exception("sweeping sessions and rooms failed")
        state.timelines.expire(state.settings.grace_seconds)
        now = len(state.sessions) + len(state.rooms) + len(state.timelines)
        if now < held:
            memory.give_back()
        held = now


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ProtocolError)
    async def protocol_error(request: Request, error: ProtocolError) -> JSONResponse:
        del request
        return JSONResponse(error.reply.model_dump(), status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        del request
        code = "bad_request" if error.status_code == 400 else f"http_{error.status_code}"
        reply = p.ErrorOut(code=code, message=str(error.detail))
        return JSONResponse(reply.model_dump(), status_code=error.status_code,
                            headers=error.headers)  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        """FastAPI's own checks answer in the same shape as ours."""
        del request
        refused = refusal(error.errors(), skip=("body", "query", "path"))
        return JSONResponse(refused.reply.model_dump(), status_code=refused.status)


def _frontend(app: FastAPI, settings: Settings) -> None:
    static_dir = settings.static_dir

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return page(static_dir, "index.html")

    @app.get("/embed", include_in_schema=False)
    async def embed() -> Response:
        return page(static_dir, "embed.html")

    @app.get("/virtio-viz.js", include_in_schema=False)
    async def element_script() -> Response:
        """A stable address for the <virtio-viz> element's script, for other sites: it
        redirects to the current hashed build (which is cached forever)."""
        return element_redirect(static_dir)

    if static_dir.is_dir():
        app.mount("/", FrontendFiles(directory=static_dir), name="static")
