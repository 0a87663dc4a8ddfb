"""Events: what the model reports after each action.

Every step of the model is told as events (the h11 style: actions go in, events come
out). An event is a frozen, slotted, keyword-only dataclass carrying the stable `kind`,
the `actor` that acted, the `plane` it belongs to, the spec section that decides it, the
real-software analog (the Linux / QEMU / vhost function that does the same thing), the
guest-memory ranges it read and wrote, and the values involved. `Violation` is an event
that names the MUST of the spec that was broken (FACTS.md §12 N-number).

`EventLog` is the one sink all model components share. Each event carries exactly the
bytes touched since the previous one: recording an event takes the memory journal.

How this works: an event can be recorded in two ways. `record()` is given the summary and
values, and builds the `Event` at once. `note()` is the data path's way, the ring steps a
buffer goes through thousands of times: it is given an `EventType` (the kind's fixed
facts and its `tell` function) and the arguments of this occurrence, and keeps only
those and the raw journal. The `Event` is built when someone reads it (`events`,
`take()`, an `UnreadEvents` item), by calling `tell` with the same arguments, so it is
exactly the event `record()` would have made then; while an `observer` is set (the
timeline's recorder), it is built at once and handed over. Arguments are values that
never change (ints, strings, frozen dataclasses), so telling later tells the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, TypeVarTuple, Unpack, overload

from virtio_viz.model.conformance import RULES
from virtio_viz.model.frozen import pickled_by_fields
from virtio_viz.model.memory import GuestMemory, MemRange, journal_ranges

Plane = Literal["control", "data", "notification"]
Value = int | str | bool | None | tuple[int, ...]
Told = tuple[str, Mapping[str, Value]]  # what one event says: its summary and its values
Ts = TypeVarTuple("Ts")


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


class EventType(Generic[*Ts]):
    """One kind of event: what every event of it shares, and `tell`, which puts one
    occurrence into words (its summary and values) from the arguments it was noted with.

    A plain class with final attributes rather than a frozen dataclass: mypyc cannot
    compile a generic dataclass."""

    def __init__(  # noqa: PLR0917 (the steps modules list their event types positionally)
        self, kind: str, actor: str, plane: Plane, spec: str, analog: str,
        tell: Callable[[Unpack[Ts]], Told],
    ) -> None:  # fmt: skip
        self.kind: Final = kind
        self.actor: Final = actor
        self.plane: Final = plane
        self.spec: Final = spec
        self.analog: Final = analog
        self.tell: Final = tell

    def __repr__(self) -> str:
        return f"EventType({self.kind!r}, {self.actor!r}, {self.plane!r}, {self.spec!r})"


def event_type(
    kind: str, actor: str, plane: Plane, spec: str, analog: str
) -> Callable[[Callable[[Unpack[Ts]], Told]], EventType[*Ts]]:
    """Decorator: the function below tells the events of this kind."""

    def make(tell: Callable[[Unpack[Ts]], Told]) -> EventType[*Ts]:
        return EventType(kind, actor, plane, spec, analog, tell)

    return make


def said(summary: str, values: Mapping[str, Value]) -> Told:
    """The `tell` of an event type whose events are put into words where they happen."""
    return summary, values


# An event noted but not built yet: its type, queue, arguments, and the raw journal of
# its reads and its writes (flat start, end pairs; None for no access)
_Noted = tuple[
    EventType[*tuple[Any, ...]], int | None, tuple[Any, ...], list[int] | None, list[int] | None
]


def _built(
    event_type: EventType[*tuple[Any, ...]],
    queue: int | None,
    args: tuple[Any, ...],
    reads: list[int] | None,
    writes: list[int] | None,
) -> Event:
    summary, values = event_type.tell(*args)
    return Event(
        kind=event_type.kind,
        actor=event_type.actor,
        plane=event_type.plane,
        spec=event_type.spec,
        analog=event_type.analog,
        summary=summary,
        queue=queue,
        values=values,
        reads=journal_ranges(reads) if reads else (),
        writes=journal_ranges(writes) if writes else (),
    )


class UnreadEvents(Sequence[Event]):
    """Events handed over before anyone read them: each is built when first read."""

    __slots__ = ("_entries",)

    def __init__(self, entries: list[Event | _Noted]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self._entries))[index]]
        entry = self._entries[index]
        if isinstance(entry, tuple):
            entry = self._entries[index] = _built(*entry)
        return entry


class EventLog:
    """Collects events in order; shared by driver, device and transport."""

    def __init__(self, memory: GuestMemory) -> None:
        self.memory = memory
        self._entries: list[Event | _Noted] = []
        self._unbuilt_from = 0  # every entry before this one is an Event
        # Called with each event as it is recorded, while the model's state is exactly
        # as that event left it (the timeline captures its frames here).
        self.observer: Callable[[Event], None] | None = None

    @property
    def events(self) -> list[Event]:
        """Every event recorded and not taken, in order."""
        entries = self._entries
        for index in range(self._unbuilt_from, len(entries)):
            entry = entries[index]
            if isinstance(entry, tuple):
                entries[index] = _built(*entry)
        self._unbuilt_from = len(entries)
        return entries  # type: ignore[return-value]  # every entry is an Event now

    def note(self, event_type: EventType[*Ts], queue: int | None, *args: *Ts) -> None:
        """Record an event of `event_type`, told from `args` when it is read."""
        # The journal is handed over as it is, flat lists that become MemRanges when the
        # event is built; this runs for every event, so GuestMemory's lists are taken here,
        # and only a list that holds something is replaced (a step mostly reads or writes).
        memory = self.memory
        reads: list[int] | None = memory._reads
        writes: list[int] | None = memory._writes
        if reads:
            memory._reads = []
        else:
            reads = None
        if writes:
            memory._writes = []
        else:
            writes = None
        if self.observer is None:
            self._entries.append((event_type, queue, args, reads, writes))
            return
        event = _built(event_type, queue, args, reads, writes)
        self._entries.append(event)
        self.observer(event)

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
        self._entries.append(event)
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
        self._entries.append(event)
        if self.observer is not None:
            self.observer(event)
        return event

    def violations(self) -> list[Violation]:
        return [e for e in self.events if isinstance(e, Violation)]

    def take(self) -> list[Event]:
        """Return and forget the events recorded so far."""
        taken = self.events
        self._entries, self._unbuilt_from = [], 0
        return taken

    def take_unread(self) -> UnreadEvents:
        """Hand over the events recorded so far without building them: a consumer that
        reads only some of them pays only for those."""
        taken = UnreadEvents(self._entries)
        self._entries, self._unbuilt_from = [], 0
        return taken


pickled_by_fields(Event, Violation)  # virtio_viz/model/frozen.py
