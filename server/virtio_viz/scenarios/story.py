"""Stories: a scenario told as chapters of small actions on a world.

How this works: a `World` is everything one scenario runs (guest memory, the shared
event log, the machine or the bare rings of the lab, and what the architecture adds: a
vhost memory table, an IOMMU). A `Story` builds its world from `StoryOptions` and lists
its chapters; a chapter is a list of `Beat`s, each one small deterministic action on the
world that records events. The timeline turns every event into a step.

Beats are also where a reader's own action (`UserAction`: a ring-lab move, a feature
toggle, a fault, a frame) can come in: the world's `act()` performs it between two beats.
A world says which actions it accepts (`action_specs()`), and `act()` refuses anything
else with an `ActionError` naming the offending field, before changing any state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from virtio_viz.model.events import Event, EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.scenarios.options import OptionError, StoryOptions, TransportKind
from virtio_viz.scenarios.topologies.transports import for_transport
from virtio_viz.scenarios.topology import Topology

ParamValue = int | str | bool
ParamKind = Literal["int", "str", "bool", "choice"]


class ActionError(ValueError):
    """A user action cannot be performed. `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class UserAction:
    """A reader's action: `kind` (e.g. "use_buffer") and its parameters."""

    kind: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "params": dict(self.params)}


@dataclass(frozen=True, slots=True)
class ParamSpec:
    name: str
    kind: ParamKind
    label: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    default: ParamValue | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name, "kind": self.kind, "label": self.label, "minimum": self.minimum,
            "maximum": self.maximum, "choices": list(self.choices), "default": self.default,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An action a world accepts, as a UI can offer it."""

    kind: str
    label: str
    help: str
    params: tuple[ParamSpec, ...] = ()

    def to_json(self) -> dict[str, object]:
        """As a UI receives it (the protocol's `opened.actions`)."""
        return {
            "kind": self.kind,
            "label": self.label,
            "help": self.help,
            "params": [param.to_json() for param in self.params],
        }

    def check(self, action: UserAction) -> dict[str, ParamValue]:
        """The action's parameters, complete and of the right types, or ActionError."""
        known = {p.name for p in self.params}
        for name in action.params:
            if name not in known:
                raise ActionError(name, f"{self.kind} takes no parameter {name!r}")
        return {p.name: _checked(p, action.params.get(p.name, p.default)) for p in self.params}


def checked_params(specs: tuple[ActionSpec, ...], action: UserAction) -> dict[str, ParamValue]:
    """The parameters of `action`, checked against the spec of its kind, or ActionError."""
    spec = next((s for s in specs if s.kind == action.kind), None)
    if spec is None:
        known = ", ".join(s.kind for s in specs)
        raise ActionError("kind", f"unknown action {action.kind!r}; known: {known}")
    return spec.check(action)


def _checked(spec: ParamSpec, value: ParamValue | None) -> ParamValue:
    if value is None:
        raise ActionError(spec.name, "missing")
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ActionError(spec.name, f"expected true or false, got {value!r}")
        return value
    if spec.kind in {"str", "choice"}:
        if not isinstance(value, str):
            raise ActionError(spec.name, f"expected text, got {value!r}")
        if spec.choices and value not in spec.choices:
            raise ActionError(spec.name, f"expected one of {', '.join(spec.choices)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ActionError(spec.name, f"expected an integer, got {value!r}")
    if spec.minimum is not None and value < spec.minimum:
        raise ActionError(spec.name, f"expected at least {spec.minimum}, got {value}")
    if spec.maximum is not None and value > spec.maximum:
        raise ActionError(spec.name, f"expected at most {spec.maximum}, got {value}")
    return value


class World(Protocol):
    """What a story runs on. A world may also define `annotate(event)`, returning values
    to add to an event as it is recorded (NetWorld decodes the frames it carries)."""

    memory: GuestMemory
    log: EventLog

    def state(self) -> dict[str, Any]:
        """The viewer's state now (docs/trace-format.md "State")."""
        ...

    def action_specs(self) -> tuple[ActionSpec, ...]: ...

    def act(self, action: UserAction) -> None:
        """Perform a user action, or raise ActionError before changing anything."""
        ...


W = TypeVar("W", bound=World)


@dataclass(frozen=True, slots=True)
class Beat(Generic[W]):
    """One small action of a story: `run(world)` records its events. A `note`, when
    given, is told before the first of them (a scenario file's narration override)."""

    label: str
    run: Callable[[W], object]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Chapter(Generic[W]):
    id: str
    title: str
    intro: str
    beats: tuple[Beat[W], ...]


@dataclass(frozen=True, slots=True)
class Ask:
    """A question a story puts to its reader (see `virtio_viz.quiz`): the `nth` step of
    `chapter` (any chapter when None) that a question of `kind` fits. With `sample`, that
    many fitting steps are chosen instead, at random but the same for the same seed."""

    kind: str
    chapter: str | None = None
    nth: int = 0
    sample: int = 0
    source: Literal["story", "file"] = "story"


@dataclass(frozen=True, slots=True)
class Story(Generic[W]):
    """A scenario: its diagram, how to build its world, and its chapters.

    `voice` adjusts an event for this architecture before it is shown (for example the
    vhost-net story names vhost's functions where the model names QEMU's). `questions`
    are the ones its readers are asked (the answers come from the model). `transports`
    are those the architecture exists on, with `why_not` saying why the others are missing.
    """

    id: str
    topology: Topology
    build: Callable[[StoryOptions, int], W]
    chapters: Callable[[StoryOptions], tuple[Chapter[W], ...]]
    voice: Callable[[Event], Event] = lambda event: event
    questions: tuple[Ask, ...] = ()
    transports: tuple[TransportKind, ...] = ("pci", "mmio", "ccw")
    why_not: str = ""

    def check(self, options: StoryOptions) -> None:
        """Raise OptionError if this architecture cannot run on the options' transport."""
        if options.transport not in self.transports:
            raise OptionError("transport", f"{self.id} runs on {', '.join(self.transports)} "
                              f"only: {self.why_not}")  # fmt: skip

    def diagram(self, options: StoryOptions) -> Topology:
        """The topology as these options draw it (ring format, transport)."""
        return for_transport(self.topology.for_ring(options.ring), options.transport)

    @property
    def title(self) -> str:
        return self.topology.title

    @property
    def summary(self) -> str:
        return self.topology.summary
