"""Which steps a story asks about: its `Ask`s resolved against a built timeline.

An `Ask` names a kind and where to look (a chapter, and which fitting step of it), so the
same list of asks gives the right questions for any options, ring format or fork: if a
reader's action moved the transmit chapter, its questions move with it, and an ask that
fits no step of this timeline simply asks nothing.
"""

from __future__ import annotations

import random
from dataclasses import replace

from virtio_viz.quiz.kinds import KINDS
from virtio_viz.quiz.question import Question
from virtio_viz.scenarios.story import Ask
from virtio_viz.timeline import Timeline


def questions_for(timeline: Timeline) -> tuple[Question, ...]:
    """Every question of the timeline's story, in step order, at most one per step."""
    found: dict[int, Question] = {}
    for ask in timeline.story.questions:
        for question in resolve(timeline, ask):
            found.setdefault(question.step, question)
    return tuple(found[step] for step in sorted(found))


def resolve(timeline: Timeline, ask: Ask) -> list[Question]:
    """The questions `ask` puts in this timeline (none when nothing fits)."""
    kind = KINDS[ask.kind]
    fitting = []
    for index in steps_of(timeline, ask.chapter):
        question = kind.make(timeline, index)
        if question is not None:
            fitting.append(replace(question, source=ask.source))
    if ask.sample:
        chosen = random.Random(f"{timeline.seed}/{ask.kind}/{ask.chapter}").sample(
            fitting, min(ask.sample, len(fitting))
        )
        return sorted((replace(q, source="generated") for q in chosen), key=lambda q: q.step)
    return fitting[ask.nth : ask.nth + 1]


def steps_of(timeline: Timeline, chapter: str | None) -> range | list[int]:
    """The steps of every span of `chapter` (a chapter an action split in two included)."""
    if chapter is None:
        return range(1, len(timeline))  # step 0 has no step before it to ask from
    return [
        index
        for span in timeline.chapters
        if span.id == chapter
        for index in range(max(span.first_step, 1), span.first_step + span.step_count)
    ]
