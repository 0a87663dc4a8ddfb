"""The app factory: REST under /api, the websocket at /ws, the built frontend at /."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.rooms import Rooms
from virtio_viz.api.sessions import Sessions
from virtio_viz.api.settings import Settings
from virtio_viz.api.static import FrontendFiles, page
from virtio_viz.api.timelines import TimelineRequest, build_timeline
from virtio_viz.api.websocket import websocket_endpoint
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline
from virtio_viz.trace import export_trace


@dataclass(slots=True)
class AppState:
    settings: Settings
    sessions: Sessions
    rooms: Rooms


class ScenarioSummary(BaseModel):
    id: str
    title: str
    summary: str


class RoomCreated(BaseModel):
    code: str = Field(description="the short code followers type or scan")
    join_url: str
    presenter_token: str = Field(description="secret: whoever holds it controls the room")


class TraceRequest(BaseModel):
    scenario: str | None = None
    scenario_file: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    actions: list[p.PlacedActionIn] = Field(default_factory=list, max_length=256)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="virtio-viz",
        version="0.1.0",
        summary="A stepwise, byte-accurate virtio model, served to the browser",
    )
    app.state.viz = AppState(
        settings,
        Sessions(max_sessions=settings.max_sessions, idle_seconds=settings.idle_seconds,
                 grace_seconds=settings.grace_seconds),
        Rooms(max_rooms=max(16, settings.max_sessions // 4), idle_seconds=4 * 3600),
    )  # fmt: skip
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])

    @app.exception_handler(ProtocolError)
    async def protocol_error(request: Request, error: ProtocolError) -> JSONResponse:
        del request
        return JSONResponse(error.reply.model_dump(), status_code=422)

    _rest(app, settings)
    app.add_api_websocket_route("/ws", websocket_endpoint)
    _frontend(app, settings)
    return app


def _rest(app: FastAPI, settings: Settings) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/scenarios")
    async def scenarios() -> list[ScenarioSummary]:
        return [ScenarioSummary(id=s.id, title=s.title, summary=s.summary)
                for s in STORIES.values()]  # fmt: skip

    @app.get("/api/scenarios/{scenario_id}")
    async def scenario(scenario_id: str) -> dict[str, Any]:
        story = STORIES.get(scenario_id)
        if story is None:
            raise HTTPException(404, f"unknown scenario {scenario_id!r}")
        timeline = await run_in_threadpool(Timeline, story, StoryOptions())
        return {
            "id": story.id, "title": story.title, "summary": story.summary,
            "topology": asdict(story.topology),
            "chapters": [c.to_json() for c in timeline.chapters],
            "options": StoryOptions().to_json(),
        }  # fmt: skip

    @app.post("/api/trace")
    async def trace(body: TraceRequest) -> dict[str, Any]:
        """The whole timeline of a scenario (or a fork of it) as a trace document."""
        message = p.Open(type="open", version=p.PROTOCOL_VERSION, **body.model_dump())
        request = TimelineRequest.from_open(message, settings)
        timeline = await run_in_threadpool(build_timeline, request)
        return await run_in_threadpool(export_trace, timeline)

    @app.get("/api/scenarios/{scenario_id}/trace")
    async def scenario_trace(scenario_id: str, seed: int = 0) -> dict[str, Any]:
        return await trace(TraceRequest(scenario=scenario_id, seed=seed))

    @app.get("/api/schema/protocol")
    async def protocol_schema() -> dict[str, Any]:
        return p.protocol_schema()

    @app.get("/api/schema/trace-header")
    async def trace_schema() -> dict[str, Any]:
        return p.TraceHeader.model_json_schema()

    @app.post("/api/rooms", status_code=201)
    async def create_room(request: Request) -> RoomCreated:
        try:
            room = app.state.viz.rooms.create()
        except OverflowError as error:
            raise HTTPException(503, str(error)) from None
        join_url = str(request.base_url) + f"?room={room.code}"
        return RoomCreated(code=room.code, join_url=join_url, presenter_token=room.token)


def _frontend(app: FastAPI, settings: Settings) -> None:
    static_dir = settings.static_dir

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return page(static_dir, "index.html")

    @app.get("/embed", include_in_schema=False)
    async def embed() -> Response:
        return page(static_dir, "embed.html")

    if static_dir.is_dir():
        app.mount("/", FrontendFiles(directory=static_dir), name="static")
