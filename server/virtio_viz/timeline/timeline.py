"""A deterministic timeline: a story (plus the reader's actions) run to the end, as steps.

How this works: building a timeline runs the story's beats on a fresh world while a
`Recorder` turns every event into a frame. The reader's actions (`PlacedAction`) come in
at beat boundaries: an action placed at step k runs right after the beat that recorded
step k, in a chapter of its own, and the story then carries on. A beat is one move of a
party (the driver fills the receive queue and kicks once): when step k is inside one,
the action's chapter says so, since the reader acted earlier than the action shows.
Everything is a function of (story, options, seed, actions), so a fork is simply a new
timeline built with one more action, and rebuilding a permalink gives the same frames
byte for byte.

Seeking to step k takes the last keyframe at or before k and applies the frames after it:
at most `interval - 1` small patches, whatever the length of the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from virtio_viz.model.errors import ModelError
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.story import ActionSpec, Beat, Story, UserAction, World
from virtio_viz.timeline.delta import State, apply
from virtio_viz.timeline.frames import ChapterSpan, Frame
from virtio_viz.timeline.recorder import KEYFRAME_INTERVAL, Recorder
from virtio_viz.timeline.runs import Runs
from virtio_viz.timeline.store import FrameStore, Keyframes

DEFAULT_MAX_STEPS = 200_000


class TimelineTooLong(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the timeline would exceed {limit} steps")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class PlacedAction:
    """A reader's action, performed after the beat that recorded step `at`
    (at -1: before the story starts)."""

    at: int
    action: UserAction

    def to_json(self) -> dict[str, object]:
        return {"at": self.at, **self.action.to_json()}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything at one step: the state and the bytes written so far."""

    step: int
    state: State
    memory: Runs


class Timeline:
    def __init__(
        self,
        story: Story[Any],
        options: StoryOptions | None = None,
        *,
        seed: int = 0,
        actions: Sequence[PlacedAction] = (),
        max_steps: int = DEFAULT_MAX_STEPS,
        interval: int = KEYFRAME_INTERVAL,
    ) -> None:
        self.story = story
        self.options = options or StoryOptions()
        self.seed = seed
        self.actions = tuple(actions)
        self.max_steps = max_steps
        self.stopped: str | None = None  # why the story ended early, if it did
        self.action_starts: list[int] = []  # the first step of each action
        story.check(self.options)
        self._last_beat = ""
        world = story.build(self.options, seed)
        self.action_specs: tuple[ActionSpec, ...] = world.action_specs()
        recorder = Recorder(world, story.diagram(self.options), story.voice, interval=interval)
        world.log.observer = recorder
        try:
            self._run(world, recorder)
        finally:
            world.log.observer = None
        recorder.finish()
        self.frames: FrameStore = recorder.frames
        self.keyframes = Keyframes(recorder.frames)
        self.chapters: tuple[ChapterSpan, ...] = tuple(recorder.chapters)
        self.status_changes: tuple[tuple[int, int], ...] = tuple(recorder.status_changes)
        self.interval = interval

    # -- building --------------------------------------------------------------------------
    def _run(self, world: World, recorder: Recorder) -> None:
        pending = list(self.actions)
        for chapter in self.story.chapters(self.options):
            for number, beat in enumerate(chapter.beats):
                self._act(world, recorder, pending, until=len(recorder.frames) - 1)
                if self.stopped is not None:
                    break
                if number == 0:
                    recorder.chapter(chapter.id, chapter.title, chapter.intro)
                elif recorder.current_chapter() != chapter.id:  # an action came in between
                    recorder.chapter(chapter.id, f"{chapter.title} (continued)", "")
                self._beat(world, recorder, beat)
        self._act(world, recorder, pending, until=None)

    def _beat(self, world: World, recorder: Recorder, beat: Beat[Any]) -> None:
        self._last_beat = beat.label
        recorder.note = beat.note
        try:
            beat.run(world)
        except ModelError as error:
            self.stopped = f"{beat.label}: {error}"
            recorder.chapter("stopped", "The story stops here", "")
            world.log.record(
                "story_stopped", actor="narrator", plane="control", spec="", analog="",
                summary=f"The story cannot go on from here: {error}.",
            )  # fmt: skip
        self._check_length(recorder)

    def _act(
        self, world: World, recorder: Recorder, pending: list[PlacedAction], until: int | None
    ) -> None:
        while pending and (until is None or pending[0].at <= until):
            placed = pending.pop(0)
            spec = next((s for s in self.action_specs if s.kind == placed.action.kind), None)
            label = spec.label if spec else placed.action.kind
            recorder.chapter(f"action-{len(self.action_starts)}", f"Your action: {label}",
                             self._waited(placed.at, len(recorder.frames)))  # fmt: skip
            self.action_starts.append(len(recorder.frames))
            world.act(placed.action)
            self._check_length(recorder)

    def _waited(self, at: int, start: int) -> str:
        """Why an action placed at step `at` starts at step `start` (0-based), if later."""
        if at < 0 or start <= at + 1:
            return ""
        return (f"You acted at step {at + 1}, in the middle of one move of the story "
                f"(\"{self._last_beat}\"). The model takes an action only between two "
                f"moves, so steps {at + 2} to {start} finished that one first, as they did "
                f"before, and your action starts here.")  # fmt: skip

    def _check_length(self, recorder: Recorder) -> None:
        if len(recorder.frames) > self.max_steps:
            raise TimelineTooLong(self.max_steps)

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.frames)

    def frame(self, index: int) -> Frame:
        return self.frames[self._checked(index)]

    def chapter_of(self, index: int) -> ChapterSpan:
        return self.chapters[self.frame(index).chapter]

    def snapshot(self, index: int) -> Snapshot:
        """The state at step `index`: the last keyframe before it, patched forward."""
        index = self._checked(index)
        keyframe, frames = self.frames.chunk(index // self.interval)
        state = dict(keyframe.state)
        memory = Runs.thaw(keyframe.memory)
        for frame in frames[1 : index - keyframe.step + 1]:
            apply(state, frame.changes)
            for addr, data in frame.memory:
                memory.write(addr, data)
        return Snapshot(index, state, memory)

    def status_history(self, index: int) -> list[int]:
        """The status values up to step `index`, oldest first, a repeat merged into one."""
        index = self._checked(index)
        values: list[int] = []
        for step, value in self.status_changes:
            if step > index:
                break
            if not values or values[-1] != value:
                values.append(value)
        return values

    def _checked(self, index: int) -> int:
        if not 0 <= index < len(self.frames):
            raise IndexError(f"step {index} is outside 0..{len(self.frames) - 1}")
        return index

    # -- forking ---------------------------------------------------------------------------
    def fork(self, at: int, action: UserAction) -> Timeline:
        """A new timeline: this one up to step `at`, then `action`, then the story goes on.

        Actions of this timeline that start after step `at` are not kept: the reader has
        stepped back before them, so they belong to a future that is being replaced.
        """
        at = self._checked(at) if self.frames else -1
        kept = [p for p, start in zip(self.actions, self.action_starts, strict=False)
                if start <= at]  # fmt: skip
        return Timeline(
            self.story, self.options, seed=self.seed,
            actions=(*kept, PlacedAction(at, action)),
            max_steps=self.max_steps, interval=self.interval,
        )  # fmt: skip
