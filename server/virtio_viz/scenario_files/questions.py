"""A scenario file's own questions for its readers (docs/scenario-format.md, "Questions").

Each entry names a question kind and where to ask it; the model computes the answer. An
entry is checked twice: while reading (a known kind, a chapter of this file, a positive
occurrence or sample) and once the story is built, against the timeline itself, so an
entry that fits no step is reported at its line instead of silently asking nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from virtio_viz.quiz import KINDS, resolve
from virtio_viz.scenario_files.errors import ScenarioFileError
from virtio_viz.scenario_files.nodes import Node
from virtio_viz.scenarios.story import Ask, Story
from virtio_viz.timeline import Timeline

MAX_QUESTIONS = 64
Fail = Callable[[Node, str], ScenarioFileError]
Mapping = Callable[..., dict[str, Node]]


@dataclass(frozen=True, slots=True)
class FileQuestion:
    ask: Ask
    node: Node  # where the entry is, for an error found later


def read_questions(
    node: Node, chapter_ids: tuple[str, ...], *, fail: Fail, mapping: Mapping
) -> tuple[FileQuestion, ...]:
    if not isinstance(node.value, list) or not 1 <= len(node.value) <= MAX_QUESTIONS:
        raise fail(node, f"a list of questions (1 to {MAX_QUESTIONS})")
    return tuple(_entry(item, chapter_ids, fail, mapping) for item in node.value)


def _entry(node: Node, chapter_ids: tuple[str, ...], fail: Fail, mapping: Mapping) -> FileQuestion:
    fields = mapping(node, "a question", required=("ask",),
                     optional=("chapter", "occurrence", "sample"))  # fmt: skip
    kind = fields["ask"]
    if kind.value not in KINDS:
        raise fail(kind, f"a question kind, one of: {', '.join(KINDS)}")
    chapter = fields.get("chapter")
    if chapter is not None and chapter.value not in chapter_ids:
        raise fail(chapter, f"a chapter of this file, one of: {', '.join(chapter_ids)}")
    if "occurrence" in fields and "sample" in fields:
        raise fail(fields["sample"], "either occurrence or sample, not both")
    occurrence = _count(fields.get("occurrence"), "occurrence", fail)
    sample = _count(fields.get("sample"), "sample", fail) if "sample" in fields else 0
    ask = Ask(
        str(kind.value),
        chapter=str(chapter.value) if chapter is not None else None,
        nth=occurrence - 1,
        sample=sample,
        source="file",
    )
    return FileQuestion(ask, node)


def _count(node: Node | None, name: str, fail: Fail) -> int:
    if node is None:
        return 1
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise fail(node, f"{name}: a whole number from 1 to 1000")
    return value


def check_fit(story: Story[Any], asked: tuple[FileQuestion, ...], filename: str) -> None:
    """Raise ScenarioFileError at the first entry that asks about no step of the story."""
    if not asked:
        return
    timeline = Timeline(story, getattr(story, "options", None))
    for entry in asked:
        if not resolve(timeline, entry.ask):
            where = f"chapter {entry.ask.chapter!r}" if entry.ask.chapter else "the story"
            nth = f" (occurrence {entry.ask.nth + 1})" if entry.ask.nth else ""
            raise entry.node.error(
                filename, f"a question that fits a step: no step of {where} is one that "
                f"{entry.ask.kind} asks about{nth}",
            )  # fmt: skip
