"""The app factory: REST under /api, the websocket at /ws, the built frontend at /."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from virtio_viz.api import protocol as p
from virtio_viz.api.errors import ProtocolError
from virtio_viz.api.rooms import Rooms
from virtio_viz.api.sessions import Sessions
from virtio_viz.api.settings import Settings
from virtio_viz.api.static import FrontendFiles, element_redirect, page
from virtio_viz.api.timelines import (
    ScenarioSource,
    TimelineCache,
    TimelineRequest,
    build_timeline,
)
from virtio_viz.api.trace_schema import trace_schema
from virtio_viz.api.websocket import websocket_endpoint
from virtio_viz.qemu_record.library import shelf, shelved_trace
from virtio_viz.qemu_trace.compare import compare_all
from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import Story
from virtio_viz.trace import export_trace


@dataclass(slots=True)
class AppState:
    settings: Settings
    sessions: Sessions
    rooms: Rooms
    timelines: TimelineCache
    # scenarios whose timelines come from elsewhere than a story (a live VM: api/live.py)
    sources: dict[str, ScenarioSource] = field(default_factory=dict)


class ScenarioSummary(BaseModel):
    id: str
    title: str
    summary: str


class RecordingSummary(BaseModel):
    id: str
    title: str
    summary: str
    trace_url: str


class RoomCreated(BaseModel):
    code: str = Field(description="the short code followers type or scan")
    join_url: str
    presenter_token: str = Field(description="secret: whoever holds it controls the room")


class ImportRequest(BaseModel):
    """A QEMU trace (log backend) uploaded from the browser, to replay as a trace."""

    text: str
    filename: str = Field(default="upload.log", max_length=200)
    device: str | None = Field(default=None, max_length=64)


class TraceRequest(BaseModel):
    scenario: str | None = None
    scenario_file: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    actions: list[p.PlacedActionIn] = Field(default_factory=list, max_length=256)


Seed = Annotated[int, Query(ge=0, le=2**31 - 1)]
ERROR: dict[str, Any] = {"model": p.ErrorOut}
BAD_INPUT: dict[int | str, dict[str, Any]] = {
    400: {**ERROR, "description": "a body that is not JSON"},
    422: {**ERROR, "description": "bad input, naming the field"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**ERROR, "description": "no such scenario"},
    **BAD_INPUT,
}
FULL: dict[int | str, dict[str, Any]] = {503: {**ERROR, "description": "too many rooms"}}


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
        Rooms(max_rooms=settings.max_rooms, idle_seconds=4 * 3600),
        TimelineCache(settings.timeline_cache),
    )  # fmt: skip
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])

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
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = [str(part) for part in first.get("loc", ())]
        field = ".".join(where[1:] if where[:1] in (["body"], ["query"], ["path"]) else where)
        reply = p.ErrorOut(code="invalid", message=str(first.get("msg")), field=field or None)
        return JSONResponse(reply.model_dump(), status_code=422)

    _rest(app, settings)
    _recordings(app)
    app.add_api_websocket_route("/ws", websocket_endpoint)
    _frontend(app, settings)
    return app


def _rest(app: FastAPI, settings: Settings) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/scenarios")
    async def scenarios() -> list[ScenarioSummary]:
        sources = app.state.viz.sources.values()
        return [ScenarioSummary(id=s.id, title=s.title, summary=s.summary)
                for s in (*STORIES.values(), *sources)]  # fmt: skip

    @app.get("/api/scenarios/{scenario_id}", responses=NOT_FOUND)
    async def scenario(scenario_id: str) -> dict[str, Any]:
        story = _known(scenario_id)
        request = TimelineRequest(story, StoryOptions(), 0, (), settings.max_steps)
        timeline = await app.state.viz.timelines.get(request)
        return {
            "id": story.id, "title": story.title, "summary": story.summary,
            "topology": asdict(story.topology),
            "chapters": [c.to_json() for c in timeline.chapters],
            "options": StoryOptions().to_json(),
        }  # fmt: skip

    @app.post("/api/trace", responses=BAD_INPUT)
    async def trace(body: TraceRequest) -> dict[str, Any]:
        """The whole timeline of a scenario (or a fork of it) as a trace document
        (docs/trace-format.md)."""
        message = p.Open(type="open", version=p.PROTOCOL_VERSION, **body.model_dump())
        request = TimelineRequest.from_open(message, settings)
        # A private timeline: exporting reads every chunk, from a worker thread.
        return await run_in_threadpool(lambda: export_trace(build_timeline(request)))

    @app.get("/api/trace", responses=BAD_INPUT)
    async def trace_of_permalink(
        scenario: str, seed: Seed = 0, options: str = "{}", actions: str = "[]"
    ) -> dict[str, Any]:
        """The same as POST, for a link: `options` and `actions` are JSON text."""
        body = {"scenario": scenario, "seed": seed, "options": _json_query(options, "options"),
                "actions": _json_query(actions, "actions")}  # fmt: skip
        try:
            parsed = TraceRequest.model_validate(body)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise ProtocolError("invalid", first["msg"], field) from None
        return await trace(parsed)

    async def other_methods(request: Request) -> Response:
        """GET and POST are two routes on one path: Starlette would answer 405 naming only
        the first one's method, so the other methods get an honest Allow here."""
        del request
        return Response(status_code=405, headers={"Allow": "GET, POST"})

    app.add_route("/api/trace", other_methods, ["PUT", "PATCH", "DELETE", "OPTIONS"],
                  include_in_schema=False)  # fmt: skip

    @app.get("/api/scenarios/{scenario_id}/trace", responses=NOT_FOUND)
    async def scenario_trace(scenario_id: str, seed: Seed = 0) -> dict[str, Any]:
        """The trace of a built-in scenario as it is told (no options, no actions)."""
        _known(scenario_id)
        return await trace(TraceRequest(scenario=scenario_id, seed=seed))

    @app.post("/api/import", responses=BAD_INPUT)
    async def import_recording(body: ImportRequest) -> dict[str, Any]:
        """A QEMU trace (log backend) as a trace document on the qemu-emulated diagram
        (docs/qemu-import.md); malformed lines are reported with their numbers."""
        if len(body.text.encode()) > settings.max_upload_bytes:
            limit = settings.max_upload_bytes
            raise ProtocolError("too_large", f"an upload may be at most {limit} bytes", "text")
        try:
            document = await run_in_threadpool(
                import_trace, body.text, source=body.filename, device=body.device
            )
        except TraceImportError as error:
            where = f"{body.filename}:{error.line}: " if error.line else f"{body.filename}: "
            raise ProtocolError("import", where + error.what, "text") from None
        document["comparison"] = await run_in_threadpool(compare_all, document)
        return document

    @app.get("/api/schema/protocol")
    async def protocol_schema() -> dict[str, Any]:
        return p.protocol_schema()

    @app.get("/api/schema/trace")
    async def trace_document_schema() -> dict[str, Any]:
        """The JSON Schema of a whole trace document (docs/trace-format.md)."""
        return trace_schema()

    @app.get("/api/schema/trace-header")
    async def trace_header_schema() -> dict[str, Any]:
        return p.TraceHeader.model_json_schema()

    @app.post("/api/rooms", status_code=201, responses=FULL)
    async def create_room(request: Request) -> RoomCreated:
        try:
            room = app.state.viz.rooms.create()
        except OverflowError as error:
            raise ProtocolError("busy", str(error), status=503) from None
        join_url = str(request.base_url) + f"?room={room.code}"
        return RoomCreated(code=room.code, join_url=join_url, presenter_token=room.token)


def _recordings(app: FastAPI) -> None:
    @app.get("/api/recordings")
    async def recordings() -> list[RecordingSummary]:
        """The real recordings shipped with virtio-viz (made by `virtio-viz record`)."""
        return [RecordingSummary(**shelved.to_json()) for shelved in shelf()]

    @app.get("/api/recordings/{recording_id}/trace", responses=NOT_FOUND)
    async def recording_trace(recording_id: str) -> Response:
        """A shipped recording, imported as a trace document (docs/qemu-record.md)."""
        try:
            body = await run_in_threadpool(shelved_trace, recording_id)
        except KeyError:
            known = ", ".join(shelved.id for shelved in shelf())
            raise ProtocolError("unknown_recording", f"known recordings: {known}",
                                "recording_id", status=404) from None  # fmt: skip
        return Response(body, media_type="application/json")


def _known(scenario_id: str) -> Story[Any]:
    story = STORIES.get(scenario_id)
    if story is None:
        raise ProtocolError("unknown_scenario", f"known scenarios: {', '.join(STORIES)}",
                            "scenario_id", status=404)  # fmt: skip
    return story


def _json_query(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProtocolError("bad_json", f"{name} is not JSON: {error.msg}", name) from None


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
