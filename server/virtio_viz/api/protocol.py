"""The websocket protocol, version 2: every message either side may send.

Messages are JSON objects with a `type` (a discriminated union); the client's first
message (`open`, `resume` or `join`) carries the protocol `version`. The server's
`State`, `Frame` and `Keyframe` objects are those of docs/trace-format.md; they travel
as plain JSON (`dict`) because the timeline already produces them in that shape, and the
published JSON Schema describes them through `TraceHeader`.

Client messages are validated strictly, straight from the JSON text: a field of the
wrong type is refused rather than converted (`"version": "2"`, `"count": true`), and the
JSON reader refuses nesting deeper than a message needs and numbers longer than any
field holds, before anything is built from them.

The frontend's TypeScript types are generated from `protocol_schema()`.

Versions: 2 sends a step's queue changes as edits (trace format 2, docs/trace-format.md)
and adds `prepare`. A page from before an upgrade is refused with code `version`, and
told to reload, rather than served frames it would misread.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from virtio_viz.api.trace_schema import Question

PROTOCOL_VERSION = 2
MAX_STEP = 10_000_000
Number = Annotated[int, Field(ge=-(2**63), le=2**64)]
Text = Annotated[str, Field(max_length=1024)]
ParamValue = Number | Text | bool
OptionValue = Number | Text | bool | Annotated[list[Text], Field(max_length=64)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientMessageBase(Message):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ActionIn(ClientMessageBase):
    """A reader's action: a ring-lab move, a feature toggle, a fault, a frame."""

    kind: str = Field(min_length=1, max_length=64)
    params: dict[str, ParamValue] = Field(default_factory=dict, max_length=32)


class PlacedActionIn(ActionIn):
    at: int = Field(ge=-1, le=MAX_STEP)


Options = Annotated[dict[str, OptionValue], Field(max_length=16)]
Actions = Annotated[list[PlacedActionIn], Field(max_length=256)]


class Open(ClientMessageBase):
    """Start a session on a built-in scenario or an uploaded scenario file."""

    type: Literal["open"]
    version: int
    scenario: str | None = Field(default=None, max_length=64)
    scenario_file: str | None = None
    options: Options = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    actions: Actions = Field(default_factory=list)
    step: int = Field(default=0, ge=0, le=MAX_STEP)


class Resume(ClientMessageBase):
    """Reattach to a session after a dropped connection."""

    type: Literal["resume"]
    version: int
    session: str = Field(min_length=1, max_length=64)


class Join(ClientMessageBase):
    """Follow a room; with the presenter token, control it."""

    type: Literal["join"]
    version: int
    room: str = Field(min_length=1, max_length=16)
    token: str | None = Field(default=None, max_length=128)


class Step(ClientMessageBase):
    type: Literal["step"]
    count: int = Field(default=1, ge=1, le=1000)


class Back(ClientMessageBase):
    type: Literal["back"]
    count: int = Field(default=1, ge=1, le=1000)


class Seek(ClientMessageBase):
    type: Literal["seek"]
    step: int = Field(ge=0, le=MAX_STEP)


class Play(ClientMessageBase):
    type: Literal["play"]
    speed: float = Field(default=4.0, gt=0, le=100)


class Pause(ClientMessageBase):
    type: Literal["pause"]


class Act(ClientMessageBase):
    """Perform an action at the current step: the timeline forks there."""

    type: Literal["act"]
    action: ActionIn


MAX_PREPARED = 3  # forks one `prepare` may ask to have built ahead


class Prepare(ClientMessageBase):
    """The actions the reader may take next, at the current step: the server builds their
    forks while a worker is idle, so an `act` that follows finds its fork built. No reply."""

    type: Literal["prepare"]
    actions: list[ActionIn] = Field(max_length=MAX_PREPARED)


AnswerValue = (
    Number
    | Annotated[str, Field(max_length=128)]
    | Annotated[list[Annotated[str, Field(max_length=128)]], Field(max_length=16)]
)


class PollOpen(ClientMessageBase):
    """The presenter puts one of the story's questions to the room."""

    type: Literal["poll_open"]
    question: str = Field(min_length=1, max_length=64)


class PollAnswer(ClientMessageBase):
    """A follower's answer to the question the room is asked (once per question)."""

    type: Literal["poll_answer"]
    question: str = Field(min_length=1, max_length=64)
    answer: AnswerValue


class PollReveal(ClientMessageBase):
    """The presenter closes the poll: everyone sees the answer, and the room the step."""

    type: Literal["poll_reveal"]


ClientMessage = Annotated[
    Open
    | Resume
    | Join
    | Step
    | Back
    | Seek
    | Play
    | Pause
    | Act
    | Prepare
    | PollOpen
    | PollAnswer
    | PollReveal,
    Field(discriminator="type"),
]
CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


class _Kind(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: object = None


_KIND: TypeAdapter[_Kind] = TypeAdapter(_Kind)


def message_type(raw: str) -> object:
    """The `type` of a message, read without building the rest (None if unreadable)."""
    try:
        return _KIND.validate_json(raw).type
    except ValueError:
        return None


# -- server to client -------------------------------------------------------------------------
class TraceHeader(Message):
    """Everything of a trace except keyframes and frames (docs/trace-format.md)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    format: Literal["virtio-viz-trace"]
    version: int
    scenario: dict[str, Any]
    topology: dict[str, Any]
    feature_names: list[dict[str, Any]]
    chapters: list[dict[str, Any]]
    step_count: int
    stopped: str | None
    keyframe_interval: int
    questions: list[Question] = Field(default_factory=list)


class SnapshotOut(Message):
    """The whole state at `step` and every byte written so far."""

    type: Literal["snapshot"] = "snapshot"
    step: int
    state: dict[str, Any]
    memory: list[dict[str, Any]]
    status_history: list[int] = Field(
        default_factory=list,
        description="the device status values up to `step`, oldest first, repeats merged",
    )


class Opened(Message):
    """A session (re)started: its header, actions the reader may take, where it stands."""

    type: Literal["opened"] = "opened"
    version: int = PROTOCOL_VERSION
    session: str | None = Field(
        description="the id to `resume` this session by; null for a follower, who only "
        "watches the room's session and can never move it"
    )
    role: Literal["solo", "presenter", "follower"] = "solo"
    room: str | None = None
    header: TraceHeader
    actions: list[dict[str, Any]]
    snapshot: SnapshotOut


class Position(Message):
    """Where the timeline stands now (after a step, back, seek, or the presenter's move),
    with the frames the client does not have yet, in order (deltas: docs/trace-format.md):
    one message per move, so a step costs one round trip."""

    type: Literal["position"] = "position"
    step: int
    playing: bool = False
    speed: float = 0.0
    frames: list[dict[str, Any]] = Field(default_factory=list)


class Notice(Message):
    """How the room this connection is in is doing. With several workers sharing Redis,
    `rooms_local` says the shared store cannot be reached: the room goes on only among
    the connections of this worker until `rooms_shared` says it is whole again."""

    type: Literal["notice"] = "notice"
    code: Literal["rooms_local", "rooms_shared"]
    message: str


class Grown(Message):
    """The session's timeline grew (a live VM keeps adding steps): how long it is now, its
    chapters, why it stopped growing if it did, and the new frames that fall inside what
    the client is sent anyway. It moves nobody: the client stays at its step."""

    type: Literal["grown"] = "grown"
    step_count: int
    chapters: list[dict[str, Any]]
    stopped: str | None = None
    frames: list[dict[str, Any]] = Field(default_factory=list)


class PollOut(Message):
    """A room's poll (server/virtio_viz/api/polls.py): the question, and for a presenter,
    or for everyone once revealed, the tally and the answer."""

    type: Literal["poll"] = "poll"
    state: Literal["open", "revealed"]
    question: str
    step: int
    prompt: str
    answer_type: Literal["number", "choice", "choices", "box"]
    choices: list[str]
    answered: bool = Field(default=False, description="this follower's answer was counted")
    tally: dict[str, int] | None = Field(description="answers by value (no names)")
    total: int | None
    answer: int | str | list[str] | None
    explanation: str | None
    spec: str


class ErrorOut(Message):
    type: Literal["error"] = "error"
    code: str
    message: str
    field: str | None = None


ServerMessage = Annotated[
    Opened | SnapshotOut | Position | Notice | Grown | PollOut | ErrorOut,
    Field(discriminator="type"),
]


class Protocol(BaseModel):
    """Both directions of the protocol, so one schema (one set of $defs) describes them."""

    client: ClientMessage
    server: ServerMessage


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema of both directions, for generated client types."""
    schema = Protocol.model_json_schema()
    schema["title"] = "virtio-viz websocket protocol"
    schema["description"] = f"Protocol version {PROTOCOL_VERSION}."
    schema["x-protocol-version"] = PROTOCOL_VERSION
    return schema
