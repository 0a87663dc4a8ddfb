"""The REST routes: scenarios, traces, imports, schemas, rooms, recordings.

Anything that runs a story or reads an upload (a trace of a scenario or a fork, a QEMU
import) runs in the build workers (builds.py), counted against the client's share, and
comes back as JSON bytes: the event loop only passes them on.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from virtio_viz.api import protocol as p
from virtio_viz.api.build_worker import Recipe
from virtio_viz.api.errors import ProtocolError, refusal
from virtio_viz.api.limits import origin_allowed
from virtio_viz.api.timelines import recipe_of
from virtio_viz.api.trace_schema import trace_schema
from virtio_viz.qemu_record.library import shelf, shelved_trace
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import Story

if TYPE_CHECKING:
    from virtio_viz.api.app import AppState

HOUR = 3600.0


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


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


class ImportRequest(Strict):
    """A QEMU trace (log backend) uploaded from the browser, to replay as a trace."""

    text: str
    filename: str = Field(default="upload.log", max_length=200)
    device: str | None = Field(default=None, max_length=64)


class TraceRequest(Strict):
    scenario: str | None = Field(default=None, max_length=64)
    scenario_file: str | None = None
    options: p.Options = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    actions: p.Actions = Field(default_factory=list)


Seed = Annotated[int, Query(ge=0, le=2**31 - 1)]
OPTIONS: TypeAdapter[dict[str, p.OptionValue]] = TypeAdapter(p.Options)
ACTIONS: TypeAdapter[list[p.PlacedActionIn]] = TypeAdapter(p.Actions)
ERROR: dict[str, Any] = {"model": p.ErrorOut}
JSON_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}},
          "description": "the trace document (docs/trace-format.md)"},
}  # fmt: skip
BAD_INPUT: dict[int | str, dict[str, Any]] = {
    400: {**ERROR, "description": "text that is not JSON"},
    413: {**ERROR, "description": "a body over the size limit"},
    422: {**ERROR, "description": "bad input, naming the field"},
    429: {**ERROR, "description": "this client is over its share"},
    503: {**ERROR, "description": "the server is at a limit"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**ERROR, "description": "no such scenario"},
    **BAD_INPUT,
}
ROOM_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {**ERROR, "description": "a page of a site that is not allowed"},
    429: {**ERROR, "description": "too many rooms created from this address"},
    503: {**ERROR, "description": "too many rooms"},
}


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_rest(app: FastAPI, state: AppState) -> None:
    settings = state.settings

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/scenarios")
    async def scenarios() -> list[ScenarioSummary]:
        return [ScenarioSummary(id=s.id, title=s.title, summary=s.summary)
                for s in STORIES.values()]  # fmt: skip

    @app.get("/api/scenarios/{scenario_id}", responses=NOT_FOUND)
    async def scenario(scenario_id: str, request: Request) -> dict[str, Any]:
        story = _known(scenario_id)
        recipe = Recipe(story.id, None, {}, 0, (), settings.max_steps)
        built = await state.timelines.get(recipe, client_of(request))
        return {
            "id": story.id, "title": story.title, "summary": story.summary,
            "topology": asdict(story.topology),
            "chapters": [c.to_json() for c in built.timeline.chapters],
            "options": StoryOptions().to_json(),
        }  # fmt: skip

    @app.post("/api/trace", responses={**JSON_DOCUMENT, **BAD_INPUT}, response_class=Response)
    async def trace(body: TraceRequest, request: Request) -> Response:
        """The whole timeline of a scenario (or a fork of it) as a trace document
        (docs/trace-format.md)."""
        exported = await state.builder.export(recipe_of(body, settings), client_of(request))
        return Response(exported, media_type="application/json")

    @app.get("/api/trace", responses={**JSON_DOCUMENT, **BAD_INPUT}, response_class=Response)
    async def trace_of_permalink(
        request: Request, scenario: str, seed: Seed = 0, options: str = "{}", actions: str = "[]"
    ) -> Response:
        """The same as POST, for a link: `options` and `actions` are JSON text."""
        body = TraceRequest(scenario=scenario, seed=seed,
                            options=_json_query(OPTIONS, options, "options"),
                            actions=_json_query(ACTIONS, actions, "actions"))  # fmt: skip
        return await trace(body, request)

    async def other_methods(request: Request) -> Response:
        """GET and POST are two routes on one path: Starlette would answer 405 naming only
        the first one's method, so the other methods get an honest Allow here."""
        del request
        return Response(status_code=405, headers={"Allow": "GET, POST"})

    app.add_route("/api/trace", other_methods, ["PUT", "PATCH", "DELETE", "OPTIONS"],
                  include_in_schema=False)  # fmt: skip

    @app.get("/api/scenarios/{scenario_id}/trace", responses={**JSON_DOCUMENT, **NOT_FOUND},
             response_class=Response)  # fmt: skip
    async def scenario_trace(scenario_id: str, request: Request, seed: Seed = 0) -> Response:
        """The trace of a built-in scenario as it is told (no options, no actions)."""
        _known(scenario_id)
        return await trace(TraceRequest(scenario=scenario_id, seed=seed), request)

    @app.post("/api/import", responses={**JSON_DOCUMENT, **BAD_INPUT}, response_class=Response)
    async def import_recording(body: ImportRequest, request: Request) -> Response:
        """A QEMU trace (log backend) as a trace document on the qemu-emulated diagram
        (docs/qemu-import.md); malformed lines are reported with line and column."""
        if len(body.text.encode("utf-8", "surrogatepass")) > settings.max_upload_bytes:
            limit = settings.max_upload_bytes
            raise ProtocolError("too_large", f"an upload may be at most {limit} bytes", "text")
        document = await state.builder.import_qemu(body.text, body.filename, body.device,
                                                   client_of(request))  # fmt: skip
        return Response(document, media_type="application/json")

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

    @app.post("/api/rooms", status_code=201, responses=ROOM_REFUSED)
    async def create_room(request: Request) -> RoomCreated:
        """A follow-me room. Like the websocket, only pages of this site (or of sites
        allowed with --allow-origin) may create one, and each address a few an hour."""
        if not origin_allowed(request.headers.get("origin"), request.headers.get("host"),
                              settings.allowed_origins):  # fmt: skip
            raise ProtocolError("origin", "pages of this site may create rooms; this one "
                                "is not allowed (see --allow-origin)", status=403)  # fmt: skip
        made = await state.counters.hit(f"rooms:{client_of(request)}", HOUR)
        if made > settings.rooms_per_hour:
            raise ProtocolError("rate_limited", f"at most {settings.rooms_per_hour} rooms an "
                                "hour from one address", status=429)  # fmt: skip
        try:
            room, token = await state.rooms.create()
        except OverflowError as error:
            raise ProtocolError("busy", str(error), status=503) from None
        join_url = str(request.base_url) + f"?room={room.code}"
        return RoomCreated(code=room.code, join_url=join_url, presenter_token=token)


def add_recordings(app: FastAPI) -> None:
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


def _json_query(adapter: TypeAdapter[Any], text: str, name: str) -> Any:
    """A query parameter holding JSON, read strictly; errors name the parameter."""
    try:
        return adapter.validate_json(text, strict=True)
    except ValidationError as error:
        refused = refusal(error.errors())
        refused.field = ".".join(part for part in (name, refused.field) if part)
        raise refused from None
