"""A timeline that grows while the VM runs: every event of the live world becomes a step.

How this works: a story's timeline is built in one go; a live one is a `Timeline` whose
recorder stays attached to the live world's event log for the VM's whole life. Each
event the back-end records becomes a frame at once (the same frames, keyframes and
chapters as a story's), so sessions can step back, scrub and seek in what happened so
far while it keeps growing. The frames carry the bytes the device actually read and
wrote, captured at the moment it did (`CapturingMemory`), not bytes read back later.

Whoever watches (a websocket session) registers with `watch()`; growth is reported once
per turn of the event loop, however many events arrived in it. At `max_steps` the
timeline stops growing and says why; its owner then stops the VM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.live.topology import TOPOLOGY
from virtio_viz.live.world import LiveWorld
from virtio_viz.model.events import Event
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories.device_voices import LIVE_VOICE
from virtio_viz.scenarios.story import ActionError, Story, UserAction
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import ChapterSpan
from virtio_viz.timeline.recorder import KEYFRAME_INTERVAL, Recorder
from virtio_viz.timeline.store import Keyframes

Listener = Callable[[], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveOptions(StoryOptions):
    """A live VM's options: its ring format and EVENT_IDX choice, and which VM it is."""

    vm: str = ""

    def to_json(self) -> dict[str, object]:
        return {"vm": self.vm, "ring": self.ring, "event_idx": self.event_idx}


def _no_world(options: StoryOptions, seed: int) -> LiveWorld:
    raise ActionError("scenario", "a live VM is started with POST /api/live, not rebuilt")


LIVE_STORY: Story[LiveWorld] = Story(
    id=TOPOLOGY.id, topology=TOPOLOGY, build=_no_world, chapters=lambda options: ()
)


class LiveRecorder(Recorder):
    """A recorder whose frames carry the bytes the device touched, as it touched them."""

    def __init__(self, world: LiveWorld, on_frame: Callable[[], None], interval: int) -> None:
        super().__init__(world, TOPOLOGY, LIVE_VOICE, interval=interval)
        self.live_world = world
        self.on_frame = on_frame

    def bytes_of(self, event: Event) -> tuple[tuple[int, bytes], ...]:
        return self.live_world.captured.take_seen()

    def __call__(self, raw: Event) -> None:
        super().__call__(raw)
        self.on_frame()


class LiveTimeline(Timeline):
    growing = True

    def __init__(
        self, world: LiveWorld, options: LiveOptions, *, max_steps: int,
        interval: int = KEYFRAME_INTERVAL, on_full: Callable[[str], None] = lambda _: None,
    ) -> None:  # fmt: skip
        self.story = LIVE_STORY
        self.options = options
        self.vm = options.vm
        self.seed = 0
        self.actions = ()
        self.max_steps = max_steps
        self.interval = interval
        self.stopped: str | None = None
        self.action_starts = []
        self.action_specs = ()
        self.world = world
        self.recorder = LiveRecorder(world, self._grew, interval)
        self.frames = self.recorder.frames
        self.keyframes = Keyframes(self.frames)
        self.chapters: tuple[ChapterSpan, ...] = ()
        self.status_changes: tuple[tuple[int, int], ...] = ()
        self._listeners: list[Listener] = []
        self._pending = False
        self._on_full = on_full
        world.log.observer = self.recorder
        world.on_chapter = self.recorder.chapter

    # -- watching ---------------------------------------------------------------------------
    def watch(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after the timeline grew; returns the call that stops it."""
        self._listeners.append(listener)

        def unwatch() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unwatch

    @property
    def watchers(self) -> int:
        return len(self._listeners)

    def _grew(self) -> None:
        recorder = self.recorder
        spans = list(recorder.chapters)
        if spans:
            last = spans[-1]
            spans[-1] = ChapterSpan(last.index, last.id, last.title, last.intro, last.first_step,
                                    len(self.frames) - last.first_step)  # fmt: skip
        self.chapters = tuple(spans)
        if len(recorder.status_changes) != len(self.status_changes):
            self.status_changes = tuple(recorder.status_changes)
        if len(self.frames) >= self.max_steps and self.stopped is None:
            self.finish(f"the live timeline reached its limit of {self.max_steps} steps")
            self._on_full(self.stopped or "")
        self._schedule()

    def finish(self, reason: str) -> None:
        """No more steps: the VM stopped (or the timeline is full)."""
        if self.stopped is None:
            self.stopped = reason
        self.world.log.observer = None
        self._schedule()

    def _schedule(self) -> None:
        if self._pending or not self._listeners:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # recorded outside the server's loop (tests, headless): no one waits
            return
        self._pending = True
        loop.call_soon(self._tell)

    def _tell(self) -> None:
        self._pending = False
        for listener in list(self._listeners):
            listener()

    # -- what a story timeline does, and a live one cannot --------------------------------
    def fork(self, at: int, action: UserAction) -> Timeline:
        raise ActionError("kind", "a live VM takes its commands on its console")
