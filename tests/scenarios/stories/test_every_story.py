"""What every built-in story owes its reader, checked for all of them at once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.scenarios.story import Story
from virtio_viz.timeline import Timeline

ALL = sorted(STORIES)
TOLD = {story_id: Timeline(STORIES[story_id]) for story_id in ALL}


@pytest.mark.parametrize("story_id", ALL)
def test_every_step_is_narrated_with_its_spec_section_and_analog(story_id: str) -> None:
    timeline = TOLD[story_id]
    assert len(timeline) > 0 and timeline.stopped is None
    for frame in timeline.frames:
        assert frame.narration.strip(), frame
        assert frame.event.spec.startswith("§"), frame.event
        assert frame.event.analog.strip(), frame.event


@pytest.mark.parametrize("story_id", ALL)
def test_every_step_happens_on_the_diagram(story_id: str) -> None:
    timeline = TOLD[story_id]
    topology = timeline.story.topology
    boxes = {box.id for box in topology.boxes}
    wires = {wire.id for wire in topology.wires}
    for frame in timeline.frames:
        assert frame.box in boxes, frame
        assert set(frame.hops) <= wires, frame
        if frame.route is not None:
            assert topology.has_route(frame.route)  # type: ignore[arg-type]


@pytest.mark.parametrize("story_id", ALL)
def test_chapters_have_intros_in_the_projects_words(story_id: str) -> None:
    for chapter in TOLD[story_id].chapters:
        assert chapter.title
        assert chapter.intro or chapter.title.endswith("(continued)"), chapter


OPTIONS = st.builds(
    StoryOptions,
    transport=st.sampled_from(["pci", "mmio"]),
    ring=st.sampled_from(["split", "packed"]),
    queue_size=st.sampled_from([1, 2, 8, 64, 256]),
    event_idx=st.booleans(),
    initial_index=st.sampled_from([0, 65533]),
)


@settings(max_examples=25, deadline=None)
@given(story_id=st.sampled_from(ALL), options=OPTIONS)
def test_any_valid_options_give_a_whole_timeline(story_id: str, options: StoryOptions) -> None:
    story: Story[Any] = STORIES[story_id]
    timeline = Timeline(story, options)
    assert len(timeline) > 0
    assert sum(c.step_count for c in timeline.chapters) == len(timeline)
