"""The JSON Schema of a trace document (docs/trace-format.md), as pydantic models.

The timeline produces traces as plain JSON; these models exist only to describe that
JSON to other programs (`GET /api/schema/trace`), and a test validates real traces
against them so the description cannot drift from what is sent. Parts that stories may
extend (a queue side's counters, `extras`, an event's `values`) stay open objects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Hex = str  # "0x..." for 64-bit words and anything at or above 2**53


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class MemoryRun(Closed):
    """Bytes of guest memory starting at `addr`, as hex."""

    addr: int = Field(ge=0)
    hex: str = Field(pattern="^([0-9a-f]{2})*$")


class TraceEvent(Closed):
    """One model event: who did what, where the spec says so, and what real software does."""

    kind: str
    actor: str
    plane: Literal["control", "data", "notification"]
    spec: str
    analog: str
    summary: str | None = Field(
        default=None, description="what happened, in words; absent when it is the frame's narration"
    )
    queue: int | None
    values: dict[str, Any]
    reads: list[tuple[int, int]] = Field(description="[address, length] ranges read")
    writes: list[tuple[int, int]] = Field(description="[address, length] ranges written")
    rule: int | None = Field(description="the N-number of the MUST this event breaks")
    requirement: str | None


class Area(Closed):
    name: str
    label: str
    addr: int
    size: int


class DriverSide(Open):
    """The driver's private bookkeeping for one queue; the other counters depend on the
    ring format (docs/trace-format.md, QueueState)."""

    free_list: list[int] | None = Field(
        default=None,
        description="the driver's free list in list order, from free_head (split: descriptor "
        "indices; packed: buffer ids). Private state, as Linux keeps it in desc_extra[].next: "
        "guest memory holds no free links. null or absent when not recorded",
    )


class QueueState(Closed):
    index: int
    name: str
    format: Literal["split", "packed"]
    size: int
    enabled: bool
    msix_vector: int | None
    areas: list[Area]
    driver: DriverSide | None = Field(description="the driver's counters, null before setup")
    device: Open | None = Field(description="the device's counters, null before setup")


class Status(Closed):
    value: int = Field(ge=0, le=255)
    names: str | list[str]


class Features(Closed):
    device_id: int
    offered: Hex
    driver: Hex
    negotiated: Hex


class State(Closed):
    """Everything the views show at one step."""

    status: Status
    features: Features
    device: dict[str, Any]
    queues: list[QueueState]
    extras: dict[str, Any]


class SideEdit(Closed):
    """What changed in one side's counters: values whole, lists as splices."""

    set: dict[str, Any] | None = Field(default=None, description="the counters that changed")
    splice: dict[str, tuple[int, int, list[Any]]] | None = Field(
        default=None,
        description="for each list that changed, [at, cut, put]: remove `cut` items at index "
        "`at` and insert the items `put` there",
    )


class QueueChange(Closed):
    """What changed in the queue with this `index`: the whole queue (`queue`), or its
    changed fields (`set`) and edits of its sides' counters (`driver`, `device`)."""

    index: int
    queue: QueueState | None = Field(
        default=None, description="the whole queue: new, or with other fields than before"
    )
    set: dict[str, Any] | None = Field(default=None, description="the queue's changed fields")
    driver: SideEdit | None = None
    device: SideEdit | None = None


class Changes(Closed):
    """The state fields a step changed: top-level fields whole, queues as `QueueChange`s."""

    status: Status | None = None
    features: Features | None = None
    device: dict[str, Any] | None = None
    queues: list[QueueChange] | None = None
    extras: dict[str, Any] | None = None


class Frame(Closed):
    """One step: its event, the bytes it wrote, and what it changed in the state."""

    index: int = Field(ge=0)
    chapter: int = Field(ge=0)
    event: TraceEvent
    box: str | None
    route: str | None
    hops: list[str]
    narration: str
    memory: list[MemoryRun]
    changes: Changes


class Keyframe(Closed):
    """The whole state at `step`, and every byte written up to it."""

    step: int = Field(ge=0)
    state: State
    memory: list[MemoryRun]


class Chapter(Closed):
    index: int
    id: str
    title: str
    intro: str
    first_step: int
    step_count: int


class PlacedAction(Closed):
    at: int = Field(ge=-1)
    kind: str
    params: dict[str, int | str | bool]


class Scenario(Closed):
    id: str
    title: str
    summary: str
    options: dict[str, Any]
    seed: int
    actions: list[PlacedAction]


class FeatureName(Closed):
    bit: int
    name: str
    section: str


class Question(Closed):
    """A question put to the reader at step `step - 1` about step `step` (virtio_viz.quiz):
    the answer and the explanation are read from the model's event at that step."""

    id: str
    step: int = Field(ge=1)
    kind: str
    prompt: str
    answer_type: Literal["number", "choice", "choices", "box"]
    choices: list[str] = Field(description="the options; for `box`, the boxes worth clicking")
    answer: int | str | list[str] = Field(
        description="number: the integer; choice: one choice; choices: the set; box: any of "
        "these box ids is right"
    )
    explanation: str
    spec: str
    source: Literal["story", "file", "generated"]


class Life(Closed):
    """One bring-up of an imported device: from the first status after a reset to the next
    reset (virtio-1.2 §2.4), with the ring it ran and the device as it left it."""

    number: int = Field(ge=1)
    driver: str = Field(description='who brought it up: "the firmware" or "the driver"')
    ring: Literal["split", "packed"]
    event_idx: bool
    negotiated: Hex
    driver_ok: bool
    ended_by_reset: bool
    first_step: int | None = Field(description="null: none of its steps are in this document")
    last_step: int | None
    final: dict[str, Any] = Field(description="the device's state when the life ended")


class Trace(Closed):
    """A whole timeline, replayable with no server."""

    format: Literal["virtio-viz-trace"]
    version: Literal[2]
    generator: str
    scenario: Scenario
    topology: dict[str, Any]
    feature_names: list[FeatureName]
    chapters: list[Chapter]
    step_count: int
    stopped: str | None
    keyframe_interval: int
    keyframes: list[Keyframe]
    steps: list[Frame]
    questions: list[Question] = Field(
        default_factory=list, description="questions for the reader, in step order"
    )
    limitations: list[str] | None = Field(
        default=None, description="an imported recording: what it cannot show"
    )
    source: dict[str, Any] | None = Field(
        default=None, description="an imported recording: the file it came from"
    )
    topologies: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="an imported recording whose device lived on both ring formats: the "
        "diagram for each (`state.device.ring` says which is in force)",
    )
    lives: dict[str, list[Life]] | None = Field(
        default=None, description="an imported recording: each device's lives, in order"
    )
    qmp: list[dict[str, Any]] | None = Field(
        default=None, description="an imported recording: QMP replies taken with it"
    )
    comparison: dict[str, list[dict[str, Any]]] | None = Field(
        default=None,
        description="an imported recording: per device, how it compares with the model's run",
    )


def trace_schema() -> dict[str, Any]:
    schema = Trace.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "virtio-viz trace, version 2"
    return schema
