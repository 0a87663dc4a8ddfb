"""Questions in scenario files and in traces: pointed-at mistakes, and answers that travel
with the trace so a page with no server can check them."""

from __future__ import annotations

import pytest

from virtio_viz.api.trace_schema import Trace
from virtio_viz.scenario_files import ScenarioFileError, load_scenario
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline
from virtio_viz.trace import export_trace

FILE = """virtio-viz-scenario: 1
title: t
topology: ring-lab
chapters:
  - id: lap
    title: One lap
    steps:
      - do: add_buffer
        in_lens: "100"
      - do: kick
        check: true
questions:
{questions}
"""


def error_of(questions: str) -> str:
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario(FILE.format(questions=questions), "q.yaml")
    return str(raised.value)


BAD = [
    ("  - ask: guess", "13:10: a question kind, one of: status_bit, negotiated,"),
    ("  - ask: avail_idx\n    chapter: nope", "14:14: a chapter of this file, one of: setup, lap"),
    ("  - ask: avail_idx\n    occurrence: 0", "14:17: occurrence: a whole number from 1 to 1000"),
    ("  - ask: avail_idx\n    occurrence: 1\n    sample: 2",
     "15:13: either occurrence or sample, not both"),
    ("  - ask: avail_idx\n    when: now",
     "14:5: a key of a question (one of: ask, chapter, occurrence, sample), not 'when'"),
    ("  - ask: will_interrupt\n    chapter: lap",
     "13:5: a question that fits a step: no step of chapter 'lap' is one that will_interrupt "
     "asks about"),
    ("  - ask: avail_idx\n    occurrence: 2",
     "13:5: a question that fits a step: no step of the story is one that avail_idx asks "
     "about (occurrence 2)"),
    ("  []", "13:3: a list of questions (1 to 64)"),
]  # fmt: skip


@pytest.mark.parametrize(("questions", "expected"), BAD)
def test_a_bad_question_is_pointed_at(questions: str, expected: str) -> None:
    assert error_of(questions).startswith(f"q.yaml:{expected}")


def test_a_files_questions_replace_the_base_storys_and_are_answered_by_the_model() -> None:
    loaded = load_scenario(
        FILE.format(questions="  - ask: avail_idx\n  - ask: will_kick"), "q.yaml"
    )
    doc = export_trace(Timeline(loaded, loaded.options))
    asked = [(q["kind"], q["answer"], q["source"]) for q in doc["questions"]]
    assert asked == [("avail_idx", 1, "file"), ("will_kick", "yes", "file")]


def test_the_trace_carries_every_question_and_validates() -> None:
    doc = export_trace(Timeline(story("vhost-net")))
    Trace.model_validate(doc)
    assert len(doc["questions"]) >= 10
    steps = [q["step"] for q in doc["questions"]]
    assert steps == sorted(set(steps)) and steps[0] >= 1
    box = next(q for q in doc["questions"] if q["answer_type"] == "box")
    assert set(box["answer"]) <= set(box["choices"])
