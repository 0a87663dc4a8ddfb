"""Events: what the model reports after each action.

Every step of the model is told as events (the h11 style: actions go in, events come
out). An event is a frozen, slotted, keyword-only dataclass carrying the stable `kind`,
the `actor` that acted, the `plane` it belongs to, the spec section that decides it, the
real-software analog (the Linux / QEMU / vhost function that does the same thing), the
guest-memory ranges it read and wrote, and the values involved. `Violation` is an event
that names the MUST of the spec that was broken (FACTS.md §12 N-number).

`EventLog` is the one sink all model components share: `record()` drains the memory
journal so each event carries exactly the bytes touched since the previous event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

from virtio_viz.model.conformance import RULES
from virtio_viz.model.memory import GuestMemory, MemRange

Plane = Literal["control", "data", "notification"]
Value = int | str | bool | None | tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: str
    actor: str
    plane: Plane
    spec: str
    analog: str
    summary: str
    queue: int | None = None
    values: Mapping[str, Value] = field(default_factory=dict)
    reads: tuple[MemRange, ...] = ()
    writes: tuple[MemRange, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation(Event):
    """A spec MUST was broken. `rule` is the N-number of FACTS.md §12."""

    rule: int
    requirement: str


_EVENT_FIELDS = (
    "kind", "actor", "plane", "spec", "analog", "summary", "queue", "values", "reads", "writes",
)  # fmt: skip
if (
    tuple(f.name for f in fields(Event)) != _EVENT_FIELDS
    or Event.__slots__ != _EVENT_FIELDS
    or hasattr(Event, "__post_init__")
):
    raise RuntimeError("_EventBuilder must set exactly the fields of Event, and nothing else")


class _EventBuilder:
    """Builds an Event three to four times faster than its dataclass __init__.

    The log records one event per step, which makes this the model's hottest path, and a
    frozen dataclass's __init__ sets each of the ten fields through object.__setattr__.
    This class has exactly Event's slots, so it can fill them with plain attribute
    stores and then become an Event: CPython allows assigning `__class__` between two
    classes with the same slot layout. What comes out is an ordinary, frozen Event, equal
    to `Event(kind=..., ..., writes=...)` (tests/model/test_fast_paths.py checks it).
    Users still build events with `Event(...)`; only `EventLog.record` uses this.
    """

    __slots__ = _EVENT_FIELDS

    def __init__(  # noqa: PLR0917 (positional: the hottest call of the model)
        self,
        kind: str,
        actor: str,
        plane: Plane,
        spec: str,
        analog: str,
        summary: str,
        queue: int | None,
        values: Mapping[str, Value],
        reads: tuple[MemRange, ...],
        writes: tuple[MemRange, ...],
    ) -> None:
        self.kind = kind
        self.actor = actor
        self.plane = plane
        self.spec = spec
        self.analog = analog
        self.summary = summary
        self.queue = queue
        self.values = values
        self.reads = reads
        self.writes = writes
        self.__class__ = Event  # type: ignore[assignment]


_new_event: Callable[
    [str, str, Plane, str, str, str, int | None, Mapping[str, Value], tuple[MemRange, ...],
     tuple[MemRange, ...]],
    Event,
] = _EventBuilder  # type: ignore[assignment]  # fmt: skip


class EventLog:
    """Collects events in order; shared by driver, device and transport."""

    def __init__(self, memory: GuestMemory) -> None:
        self.memory = memory
        self.events: list[Event] = []
        # Called with each event as it is recorded, while the model's state is exactly
        # as that event left it (the timeline captures its frames here).
        self.observer: Callable[[Event], None] | None = None

    def record(
        self,
        kind: str,
        *,
        actor: str,
        plane: Plane,
        spec: str,
        analog: str,
        summary: str,
        queue: int | None = None,
        values: Mapping[str, Value] | None = None,
    ) -> Event:
        reads, writes = self.memory.drain_journal()
        event = _new_event(
            kind, actor, plane, spec, analog, summary, queue,
            values if values is not None else {}, reads, writes,
        )  # fmt: skip
        self.events.append(event)
        if self.observer is not None:
            self.observer(event)
        return event

    def violation(
        self,
        rule: int,
        *,
        actor: str,
        detail: str,
        analog: str = "",
        queue: int | None = None,
        values: Mapping[str, Value] | None = None,
    ) -> Violation:
        """Record that `actor` broke rule N`rule`; `detail` says how, with the values."""
        known = RULES[rule]
        reads, writes = self.memory.drain_journal()
        event = Violation(
            kind="violation",
            actor=actor,
            plane="control",
            spec=known.section,
            analog=analog,
            summary=f"N{rule} broken: {detail}",
            queue=queue,
            values=dict(values or {}),
            reads=reads,
            writes=writes,
            rule=rule,
            requirement=known.requirement,
        )
        self.events.append(event)
        if self.observer is not None:
            self.observer(event)
        return event

    def violations(self) -> list[Violation]:
        return [e for e in self.events if isinstance(e, Violation)]

    def take(self) -> list[Event]:
        """Return and forget the events recorded so far."""
        taken, self.events = self.events, []
        return taken
