"""Scenario files (docs/scenario-format.md, version 1) turned into Stories.

How this works: `nodes.parse` gives a tree of values that know their line and column.
This module reads the header and the options, then each chapter: either one of the
base story's chapters by id (its intro, title and beat narration may be overridden) or
a chapter of the file's own steps, each step one action of the base story's world
(`do: <kind>` plus its parameters). Every action is checked against the world's
`ActionSpec`s while loading, then the whole file is run once on a fresh world, so a step
the world refuses is reported at its line before anyone sees the story. Each action's
beat keeps its position too: when the story later runs with other options and the world
refuses, the timeline stops with `file:line:column: ...` as its reason.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from virtio_viz.model.errors import ModelError
from virtio_viz.scenario_files.errors import ScenarioFileError, ScenarioRunError
from virtio_viz.scenario_files.nodes import Node, parse
from virtio_viz.scenario_files.questions import FileQuestion, check_fit, read_questions
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import (
    ActionError,
    ActionSpec,
    Beat,
    Chapter,
    Story,
    UserAction,
    World,
)

SCHEMA_VERSION = 1
DEFAULT_MAX_BYTES = 256 * 1024
HEADER = "virtio-viz-scenario"
_SETUP_FIRST = {"ring-lab": "setup"}  # base chapters a file always starts with


@dataclass(frozen=True, slots=True)
class ScenarioStory(Story[Any]):
    """A Story read from a file: the base story's diagram and world, the file's chapters,
    plus the file's own title, summary and options (`.story` is itself, for callers that
    treat the loaded file as a (story, options) pair)."""

    options: StoryOptions = field(default_factory=StoryOptions)
    file_title: str = ""
    file_summary: str = ""
    filename: str = ""

    @property
    def story(self) -> ScenarioStory:
        return self

    @property
    def title(self) -> str:
        return self.file_title

    @property
    def summary(self) -> str:
        return self.file_summary


def load_scenario_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ScenarioStory:
    """Read and load a scenario file (OSError if it cannot be read)."""
    path = Path(path)
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:  # never read the rest; say how big the file really is
            size = os.fstat(handle.fileno()).st_size
            raise ScenarioFileError(str(path), 1, 1, f"a scenario file of at most {max_bytes} "
                                    f"bytes (this one has {size})")  # fmt: skip
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioFileError(str(path), line, 1, "UTF-8 text") from None
    return load_scenario(text, str(path), max_bytes=max_bytes)


def load_scenario(text: str, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ScenarioStory:
    """A Story from the text of a scenario file, or ScenarioFileError."""
    reader = _Reader(filename)
    root = parse(text, filename, max_bytes)
    keys = (HEADER, "title", "topology", "chapters")
    extra = ("summary", "options", "questions")
    doc = reader.mapping(root, "the scenario", required=(), optional=(*keys, *extra))
    version = doc.get(HEADER)
    if version is None or version.value != SCHEMA_VERSION or isinstance(version.value, bool):
        where = root if version is None else version
        raise where.error(filename, f"{HEADER}: {SCHEMA_VERSION} (the only version there is)")
    reader.mapping(root, "the scenario", required=keys, optional=extra)
    title = reader.text(doc["title"], "title")
    summary = reader.text(doc["summary"], "summary", empty=True) if "summary" in doc else ""
    topology = doc["topology"]
    base = STORIES.get(topology.value) if isinstance(topology.value, str) else None
    if base is None:
        raise topology.error(filename, f"a topology, one of: {', '.join(STORIES)}")
    options = reader.options(doc.get("options"))
    try:
        base.check(options)
    except OptionError as error:
        raise (doc.get("options") or topology).error(filename, error.message) from None
    specs = _specs(base, options, doc.get("options") or topology, filename)
    plans = reader.chapters(doc["chapters"], base, options, specs)
    first = _SETUP_FIRST.get(base.id)
    if first is not None and (not isinstance(plans[0], _BaseRef) or plans[0].id != first):
        plans.insert(0, _BaseRef(first, None, None, {}))
    asked: tuple[FileQuestion, ...] = ()
    if "questions" in doc:
        ids = tuple(dict.fromkeys(plan.id for plan in plans))
        asked = read_questions(doc["questions"], ids, fail=reader.fail, mapping=reader.mapping)
    story = ScenarioStory(
        id=base.id, topology=base.topology, build=base.build, voice=base.voice,
        transports=base.transports, why_not=base.why_not,
        chapters=_composer(base, tuple(plans), filename), options=options,
        file_title=title, file_summary=summary, filename=filename,
        questions=tuple(entry.ask for entry in asked) if asked else base.questions,
    )  # fmt: skip
    _rehearse(story, options)
    check_fit(story, asked, filename)
    return story


def _specs(
    base: Story[Any], options: StoryOptions, where: Node, filename: str
) -> dict[str, ActionSpec]:
    try:
        world = base.build(options, 0)
    except ModelError as error:
        raise where.error(
            filename, f"options the {base.id} world can be built with ({error})"
        ) from None
    return {spec.kind: spec for spec in world.action_specs()}


def _rehearse(story: ScenarioStory, options: StoryOptions) -> None:
    """Run the file once, so a step the world refuses is reported where it is written.
    A base chapter may legitimately end the story (a ModelError): then nothing after it
    would run, in the timeline either."""
    world = story.build(options, 0)
    for chapter in story.chapters(options):
        for beat in chapter.beats:
            try:
                beat.run(world)
            except ScenarioRunError as error:
                raise ScenarioFileError(error.filename, error.line, error.column,
                                        error.expected) from None  # fmt: skip
            except ModelError:
                return


# -- the file's plan, and the chapters it makes ---------------------------------------------
@dataclass(frozen=True, slots=True)
class _BaseRef:
    id: str
    title: str | None
    intro: str | None
    notes: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str
    params: dict[str, int | str | bool]
    note: str
    where: dict[str, tuple[int, int]]  # parameter (or "kind") -> position of its value


@dataclass(frozen=True, slots=True)
class _OwnChapter:
    id: str
    title: str
    intro: str
    steps: tuple[_Step, ...]


_Plan = _BaseRef | _OwnChapter


def _composer(
    base: Story[Any], plans: tuple[_Plan, ...], filename: str
) -> Callable[[StoryOptions], tuple[Chapter[Any], ...]]:
    def chapters(options: StoryOptions) -> tuple[Chapter[Any], ...]:
        found = {chapter.id: chapter for chapter in base.chapters(options)}
        made: list[Chapter[Any]] = []
        for plan in plans:
            if isinstance(plan, _BaseRef):
                if plan.id in found:
                    made.append(_overridden(found[plan.id], plan))
            else:
                beats = tuple(_beat(step, filename) for step in plan.steps)
                made.append(Chapter(plan.id, plan.title, plan.intro, beats))
        return tuple(made)

    return chapters


def _overridden(chapter: Chapter[Any], plan: _BaseRef) -> Chapter[Any]:
    beats = tuple(
        dataclasses.replace(beat, note=plan.notes[beat.label]) if beat.label in plan.notes else beat
        for beat in chapter.beats
    )
    return dataclasses.replace(
        chapter,
        title=plan.title if plan.title is not None else chapter.title,
        intro=plan.intro if plan.intro is not None else chapter.intro,
        beats=beats,
    )


def _beat(step: _Step, filename: str) -> Beat[Any]:
    action = UserAction(step.kind, dict(step.params))

    def run(world: World) -> None:
        try:
            world.act(action)
        except ActionError as error:
            line, column = step.where.get(error.field, step.where["kind"])
            raise ScenarioRunError(
                filename, line, column, f"{error.field}: {error.message}"
            ) from None

    return Beat(step.kind, run, step.note)


# -- reading the nodes --------------------------------------------------------------------------
class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename

    def fail(self, node: Node, expected: str) -> ScenarioFileError:
        return node.error(self.filename, expected)

    def mapping(
        self, node: Node, what: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        if not isinstance(node.value, dict):
            raise self.fail(node, f"a mapping for {what}")
        value: dict[str, Node] = node.value
        keys = node.keys or {}
        for key, key_node in keys.items():
            if key not in required and key not in optional:
                known = ", ".join((*required, *optional))
                raise self.fail(key_node, f"a key of {what} (one of: {known}), not {key!r}")
        for key in required:
            if key not in value:
                raise self.fail(node, f"{key}: in {what}")
        return value

    def text(self, node: Node, what: str, *, empty: bool = False) -> str:
        if not isinstance(node.value, str) or (not empty and not node.value.strip()):
            raise self.fail(node, f"text for {what}" + ("" if empty else " (not empty)"))
        return node.value

    def options(self, node: Node | None) -> StoryOptions:
        if node is None:
            return StoryOptions()
        fields = self.mapping(node, "options", required=(),
                              optional=tuple(StoryOptions.__dataclass_fields__))  # fmt: skip
        try:
            return StoryOptions.parse({key: _plain(value) for key, value in fields.items()})
        except OptionError as error:
            raise self.fail(
                fields.get(error.field, node), f"{error.field}: {error.message}"
            ) from None

    def chapters(
        self, node: Node, base: Story[Any], options: StoryOptions, specs: dict[str, ActionSpec]
    ) -> list[_Plan]:
        if not isinstance(node.value, list) or not node.value:
            raise self.fail(node, "a list of chapters (at least one)")
        known = {chapter.id: chapter for chapter in base.chapters(options)}
        plans: list[_Plan] = []
        for number, item in enumerate(node.value):
            if isinstance(item.value, dict) and "story" in item.value:
                plans.append(self.base_chapter(item, known, base.id))
            else:
                plans.append(self.own_chapter(item, number, specs, base.id))
        return plans

    def base_chapter(self, node: Node, known: dict[str, Chapter[Any]], base_id: str) -> _BaseRef:
        fields = self.mapping(node, "a story chapter", required=("story",),
                              optional=("title", "intro", "notes"))  # fmt: skip
        chapter_id = fields["story"]
        chapter = known.get(chapter_id.value) if isinstance(chapter_id.value, str) else None
        if chapter is None:
            raise self.fail(chapter_id, f"a chapter of {base_id}, one of: {', '.join(known)}")
        notes: dict[str, str] = {}
        if "notes" in fields:
            labels = [beat.label for beat in chapter.beats]
            given = self.mapping(fields["notes"], f"the notes of {chapter.id}", required=(),
                                 optional=tuple(labels))  # fmt: skip
            notes = {
                label: self.text(note, f"the note of {label!r}") for label, note in given.items()
            }
        title = self.text(fields["title"], "title") if "title" in fields else None
        intro = self.text(fields["intro"], "intro", empty=True) if "intro" in fields else None
        return _BaseRef(chapter.id, title, intro, notes)

    def own_chapter(
        self, node: Node, number: int, specs: dict[str, ActionSpec], base_id: str
    ) -> _OwnChapter:
        fields = self.mapping(node, "a chapter (give story: <id>, or title and steps)",
                              required=("title", "steps"), optional=("id", "intro"))  # fmt: skip
        chapter_id = self.text(fields["id"], "id") if "id" in fields else f"part-{number + 1}"
        intro = self.text(fields["intro"], "intro", empty=True) if "intro" in fields else ""
        steps = fields["steps"]
        if not isinstance(steps.value, list) or not steps.value:
            raise self.fail(steps, "a list of steps (at least one)")
        made = tuple(self.step(step, specs, base_id) for step in steps.value)
        return _OwnChapter(chapter_id, self.text(fields["title"], "title"), intro, made)

    def step(self, node: Node, specs: dict[str, ActionSpec], base_id: str) -> _Step:
        if not isinstance(node.value, dict) or "do" not in node.value:
            raise self.fail(node, "a step: a mapping with do: <action> and its parameters")
        fields: dict[str, Node] = node.value
        kind = fields["do"]
        spec = specs.get(kind.value) if isinstance(kind.value, str) else None
        if spec is None:
            raise self.fail(kind, f"an action of {base_id}, one of: {', '.join(specs)}")
        note = self.text(fields["note"], "note") if "note" in fields else ""
        keys = node.keys or {}
        where = {"kind": (kind.line, kind.column)}
        params: dict[str, int | str | bool] = {}
        for name, value in fields.items():
            if name in {"do", "note"}:
                continue
            if not isinstance(value.value, int | str | bool):
                raise self.fail(value, f"{name}: a number, text or true/false (quote text)")
            params[name] = value.value
            where[name] = (value.line, value.column)
        for param in spec.params:
            given = params.get(param.name)
            if param.kind in {"str", "choice"} and given is not None and not isinstance(given, str):
                seen = f"{given!r}" if isinstance(given, bool) else f"the number {given}"
                raise self.fail(fields[param.name], f"{param.name}: text in quotes (YAML read "
                                f"this as {seen})")  # fmt: skip
        try:
            spec.check(UserAction(spec.kind, params))
        except ActionError as error:
            raise self.fail(_culprit(error.field, spec, fields, keys, kind),
                            f"{error.field}: {error.message}") from None  # fmt: skip
        return _Step(spec.kind, params, note, where)


def _culprit(
    name: str, spec: ActionSpec, fields: dict[str, Node], keys: dict[str, Node], kind: Node
) -> Node:
    """The node an ActionError is about: a parameter's value, an unknown parameter's key,
    or the step's `do:` when a parameter is missing."""
    if name in fields:
        return fields[name] if any(p.name == name for p in spec.params) else keys[name]
    return kind


def _plain(node: Node) -> object:
    if isinstance(node.value, dict):
        return {key: _plain(value) for key, value in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    return node.value
