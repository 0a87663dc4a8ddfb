"""Building a timeline in a worker process, within a budget of CPU time.

How this works: the web layer never builds a timeline on its event loop. It sends a
`Recipe` (plain data: a scenario's id or the text of a scenario file, the options, seed,
actions and step limit) to a process pool. The worker loads the file if there is one,
checks the options and actions, runs the story, and sends back the timeline (`build`),
or the whole trace as JSON bytes (`export`), or a `Refusal` naming what was wrong.
Importing an uploaded QEMU trace (`import_qemu`) runs here too. A timer on the worker's
own CPU time (ITIMER_PROF) interrupts a build that runs past its budget. A story's
functions do not travel between processes: the timeline comes back with a stand-in
story that keeps what its readers use (id, titles, diagram); a fork of it is built from
a recipe, here, like any other.

This module imports no web framework, so the workers start light.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any, TypeVar

from virtio_viz.qemu_trace.compare import compare_all
from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.export import import_trace
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import ActionError, Story, UserAction
from virtio_viz.timeline import PlacedAction, Timeline, TimelineTooLong
from virtio_viz.trace import export_trace


@dataclass(frozen=True, slots=True)
class Recipe:
    """Everything a timeline is a pure function of."""

    scenario: str | None
    scenario_file: str | None
    options: Mapping[str, object]  # as sent; a scenario file's own options come first
    seed: int
    actions: tuple[PlacedAction, ...]
    max_steps: int

    def key(self) -> str:
        """Equal for recipes of the same timeline (a file is known by its digest)."""
        source = self.scenario
        if self.scenario_file is not None:
            text = self.scenario_file.encode("utf-8", "surrogatepass")
            source = "file:" + hashlib.sha256(text).hexdigest()
        actions = [placed.to_json() for placed in self.actions]
        return json.dumps([source, dict(self.options), self.seed, actions, self.max_steps],
                          sort_keys=True)  # fmt: skip

    def forked(self, kept: tuple[PlacedAction, ...], placed: PlacedAction) -> Recipe:
        return dataclasses.replace(self, actions=(*kept, placed))

    def digest(self) -> str:
        """A short name of the timeline, for records that must tell two apart."""
        return hashlib.sha256(self.key().encode()).hexdigest()[:32]

    def to_json(self) -> str:
        """The recipe as text, to keep where another process can rebuild the timeline."""
        actions = [placed.to_json() for placed in self.actions]
        return json.dumps({"scenario": self.scenario, "scenario_file": self.scenario_file,
                           "options": dict(self.options), "seed": self.seed,
                           "actions": actions, "max_steps": self.max_steps})  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """The recipe `to_json` wrote (ValueError if the text is not one)."""
        try:
            data = json.loads(text)
            actions = tuple(
                PlacedAction(int(a["at"]), UserAction(str(a["kind"]), dict(a["params"])))
                for a in data["actions"]
            )
            return cls(data["scenario"], data["scenario_file"], dict(data["options"]),
                       int(data["seed"]), actions, int(data["max_steps"]))  # fmt: skip
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a recipe: {error}") from None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a recipe cannot be built: an error for the client, naming the field."""

    code: str
    message: str
    field: str | None = None


class _Refused(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.refusal = Refusal(code, message, field)


class _OverBudget(Exception):
    pass


_armed = False
T = TypeVar("T")
PARENT_CHECK_SECONDS = 2.0


def watch_server(server_pid: int) -> None:
    """Run in each worker as it starts: end it when the server is gone (a server that was
    killed never tells its workers to stop, and they would wait for work forever)."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="watch-server", daemon=True).start()


def build(recipe: Recipe, cpu_seconds: float) -> Timeline | Refusal:
    """The timeline of `recipe`, or why not."""
    return _within(cpu_seconds, lambda: _portable(_build(recipe)))


def export(recipe: Recipe, cpu_seconds: float) -> bytes | Refusal:
    """The trace document of `recipe` as JSON (docs/trace-format.md), or why not."""
    return _within(cpu_seconds, lambda: as_json(export_trace(_build(recipe))))


def import_qemu(text: str, filename: str, device: str | None,
                cpu_seconds: float) -> bytes | Refusal:  # fmt: skip
    """A QEMU trace imported and compared with the model (docs/qemu-import.md)."""
    return _within(cpu_seconds, lambda: _imported(text, filename, device))


def as_json(document: Any) -> bytes:
    """JSON as the web layer writes it (compact, UTF-8)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _within(cpu_seconds: float, work: Callable[[], T]) -> T | Refusal:
    """`work()`, interrupted once this process has spent `cpu_seconds` of CPU on it."""
    global _armed  # noqa: PLW0603 (one timer per worker process, armed for one task)
    previous = signal.signal(signal.SIGPROF, _over_budget)
    _armed = True
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        return work()
    except _Refused as refused:
        return refused.refusal
    except _OverBudget:
        return Refusal("too_slow", f"this took more than {cpu_seconds:g} s of CPU time, "
                       "the server's limit for one request")  # fmt: skip
    except MemoryError:
        return Refusal("too_large", "this needs more memory than the server allows")
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _over_budget(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if _armed:
        raise _OverBudget


def _imported(text: str, filename: str, device: str | None) -> bytes:
    try:
        document = import_trace(text, source=filename, device=device)
    except TraceImportError as error:
        where = ":".join(str(part) for part in (filename, error.line, error.column) if part)
        raise _Refused("import", f"{where}: {error.what}", "text") from None
    document["comparison"] = compare_all(document)
    return as_json(document)


def _build(recipe: Recipe) -> Timeline:
    story, file_options = _story(recipe)
    raw = {**(file_options.to_json() if file_options else {}), **recipe.options}
    try:
        options = StoryOptions.parse(raw)
        story.check(options)
    except OptionError as error:
        raise _Refused("option", error.message, f"options.{error.field}") from None
    try:
        return Timeline(story, options, seed=recipe.seed, actions=recipe.actions,
                        max_steps=recipe.max_steps)  # fmt: skip
    except ActionError as error:
        raise _Refused("action", error.message, f"actions.{error.field}") from None
    except TimelineTooLong as error:
        raise _Refused("too_long", str(error)) from None


def _story(recipe: Recipe) -> tuple[Story[Any], StoryOptions | None]:
    if recipe.scenario is not None:
        story = STORIES.get(recipe.scenario)
        if story is None:
            known = ", ".join(STORIES)
            raise _Refused("unknown_scenario", f"known scenarios: {known}", "scenario")
        return story, None
    try:
        from virtio_viz.scenario_files import ScenarioFileError, load_scenario  # noqa: PLC0415
    except ImportError:
        raise _Refused("unsupported", "this server cannot read scenario files",
                       "scenario_file") from None  # fmt: skip
    try:
        loaded = load_scenario(recipe.scenario_file or "", "upload.yaml")
    except ScenarioFileError as error:
        raise _Refused("scenario_file", str(error), "scenario_file") from None
    return loaded.story, loaded.options


def _portable(timeline: Timeline) -> Timeline:
    """The timeline with a story that can cross to another process: the same id,
    titles and diagram, without the functions that told it."""
    timeline.story = dataclasses.replace(timeline.story, build=_told_elsewhere,
                                         chapters=_told_elsewhere, voice=_as_told)  # fmt: skip
    return timeline


def _told_elsewhere(*args: object) -> Any:
    raise RuntimeError("this timeline was built in a worker: build its forks from a Recipe")


def _as_told(event: Any) -> Any:
    return event
