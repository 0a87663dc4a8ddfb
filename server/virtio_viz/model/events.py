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

from collections.abc import Mapping
from dataclasses import dataclass, field
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


class EventLog:
    """Collects events in order; shared by driver, device and transport."""

    def __init__(self, memory: GuestMemory) -> None:
        self.memory = memory
        self.events: list[Event] = []

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
        event = Event(
            kind=kind,
            actor=actor,
            plane=plane,
            spec=spec,
            analog=analog,
            summary=summary,
            queue=queue,
            values=values if values is not None else {},
            reads=reads,
            writes=writes,
        )
        self.events.append(event)
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
        return event

    def violations(self) -> list[Violation]:
        return [e for e in self.events if isinstance(e, Violation)]

    def take(self) -> list[Event]:
        """Return and forget the events recorded so far."""
        taken, self.events = self.events, []
        return taken
