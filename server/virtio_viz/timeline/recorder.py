"""Turns the events of a running story into frames, keyframes and chapter spans.

How this works: the recorder sits on the world's `EventLog` as its observer, so it sees
each event the moment it is recorded, while the world is exactly as that event left it.
It copies the bytes the event wrote, reads the viewer's state, keeps only what changed,
and every `interval` steps stores a keyframe (the whole state and all bytes written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from virtio_viz.model.events import Event
from virtio_viz.scenarios.routing import locate
from virtio_viz.scenarios.story import World
from virtio_viz.scenarios.topology import Topology
from virtio_viz.timeline.delta import State, diff, share
from virtio_viz.timeline.frames import ChapterSpan, Frame, Keyframe
from virtio_viz.timeline.runs import Runs
from virtio_viz.timeline.store import FrameStore

KEYFRAME_INTERVAL = 256


class Recorder:
    def __init__(
        self,
        world: World,
        topology: Topology,
        voice: Callable[[Event], Event],
        *,
        interval: int = KEYFRAME_INTERVAL,
    ) -> None:
        self.world = world
        self.topology = topology
        self.voice = voice
        self.interval = interval
        self.frames = FrameStore(interval)
        self.chapters: list[ChapterSpan] = []
        self.written = Runs()
        self.note = ""  # told before the next event (a scenario file's override)
        self._state: State | None = None
        self._open: tuple[str, str, str] | None = None
        self.status_changes: list[tuple[int, int]] = []  # (step, status value written)

    def __call__(self, raw: Event) -> None:
        event = self.voice(self._annotated(raw))
        world, index = self.world, len(self.frames)
        memory = self.bytes_of(event)
        for addr, data in memory:
            self.written.write(addr, data)
        state = share(world.state(), self._state)
        changes = diff(self._state, state)
        self._state = state
        if "status" in changes:
            self.status_changes.append((index, int(changes["status"]["value"])))
        where = locate(self.topology, event)
        narration = f"{self.note} {event.summary}" if self.note else event.summary
        self.note = ""
        self._start_chapter_if_needed(index)
        frame = Frame(
            index, len(self.chapters) - 1, event, where.box, where.route, where.hops,
            narration, memory, changes,
        )  # fmt: skip
        keyframe = None
        if index % self.interval == 0:
            keyframe = Keyframe(index, state, self.written.frozen())
        self.frames.append(frame, keyframe)

    def bytes_of(self, event: Event) -> tuple[tuple[int, bytes], ...]:
        """The bytes a frame carries: what the event wrote, as memory holds them now."""
        return tuple((r.addr, self.world.memory.peek(r.addr, r.length)) for r in event.writes)

    def _annotated(self, event: Event) -> Event:
        """The event with what its world adds to it (a decoded frame, for example)."""
        annotate = getattr(self.world, "annotate", None)
        extra = annotate(event) if annotate is not None else None
        return replace(event, values={**event.values, **extra}) if extra else event

    # -- chapters: a span opens lazily, with its first event ----------------------------
    def chapter(self, chapter_id: str, title: str, intro: str) -> None:
        """The next events belong to this chapter (a chapter without events is dropped)."""
        self._open = (chapter_id, title, intro)

    def current_chapter(self) -> str | None:
        """The id of the chapter the next event joins."""
        if self._open is not None:
            return self._open[0]
        return self.chapters[-1].id if self.chapters else None

    def _start_chapter_if_needed(self, index: int) -> None:
        if self._open is None:
            if not self.chapters:
                self._open = ("steps", "Steps", "")
            else:
                return
        self._close(index)
        chapter_id, title, intro = self._open
        self.chapters.append(ChapterSpan(len(self.chapters), chapter_id, title, intro, index, 0))
        self._open = None

    def _close(self, index: int) -> None:
        if self.chapters:
            last = self.chapters[-1]
            self.chapters[-1] = ChapterSpan(
                last.index, last.id, last.title, last.intro, last.first_step,
                index - last.first_step,
            )  # fmt: skip

    def finish(self) -> None:
        self._close(len(self.frames))
