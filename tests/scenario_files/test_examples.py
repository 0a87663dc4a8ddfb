"""Every example under examples/scenarios loads and runs to its end, and tells what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtio_viz.model.features import by_name
from virtio_viz.scenario_files import ScenarioStory, load_scenario_file
from virtio_viz.scenarios.stories.ring_lab_world import RING_BASE
from virtio_viz.timeline import Timeline

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "scenarios").glob("*.yaml"))


def run(name: str) -> tuple[ScenarioStory, Timeline]:
    story = load_scenario_file(EXAMPLES[0].parent / name)
    return story, Timeline(story, story.options)


def le(timeline: Timeline, addr: int, size: int) -> int:
    return int.from_bytes(timeline.snapshot(len(timeline) - 1).memory.read(addr, size), "little")


def test_there_are_the_three_promised_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "ring-lab-wraparound.yaml",
        "ring-lab-out-of-order.yaml",
        "qemu-emulated-no-mrg-rxbuf.yaml",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_runs_to_completion(path: Path) -> None:
    story = load_scenario_file(path)
    timeline = Timeline(story, story.options)
    assert timeline.stopped is None
    assert sum(c.step_count for c in timeline.chapters) == len(timeline) > 0
    assert story.title and story.summary
    assert not [f for f in timeline.frames if f.event.kind == "violation"]


def test_wraparound_crosses_65535() -> None:
    story, timeline = run("ring-lab-wraparound.yaml")
    assert story.options.initial_index == 65533 and story.options.queue_size == 4
    avail, used = RING_BASE + 64, RING_BASE + 64 + 16
    assert le(timeline, avail + 2, 2) == 1 and le(timeline, used + 2, 2) == 1
    moves = [
        (f.event.values["old"], f.event.values["idx"])
        for f in timeline.frames
        if f.event.kind == "avail_idx_publish"
    ]
    assert moves == [(65533, 65534), (65534, 65535), (65535, 0), (0, 1)]
    assert [c.id for c in timeline.chapters] == ["setup", "first-lap", "the-wrap"]
    assert timeline.chapters[0].intro.startswith("The driver sets up a 4-entry split ring")


def test_out_of_order_lists_heads_in_completion_order() -> None:
    _story, timeline = run("ring-lab-out-of-order.yaml")
    used = RING_BASE + 16 * 8 + (6 + 2 * 8) + 2  # the used ring is 4-aligned after avail
    assert [le(timeline, used + 4 + 8 * slot, 4) for slot in range(4)] == [2, 0, 1, 5]
    reclaimed = [f.event.values["id"] for f in timeline.frames if f.event.kind == "used_elem_read"]
    assert reclaimed == [2, 0, 1]
    note = next(f for f in timeline.frames if f.event.kind == "used_elem_write")
    assert note.narration.startswith("The last buffer made available is the first one done.")


def test_the_qemu_story_declines_mrg_rxbuf_and_keeps_its_overrides() -> None:
    story, timeline = run("qemu-emulated-no-mrg-rxbuf.yaml")
    assert story.options.declined == ("VIRTIO_NET_F_MRG_RXBUF",)
    features = timeline.snapshot(len(timeline) - 1).state["features"]
    bit = 1 << by_name("VIRTIO_NET_F_MRG_RXBUF").bit
    assert int(features["offered"], 16) & bit and not int(features["negotiated"], 16) & bit
    chapters = {c.id: c for c in timeline.chapters}
    assert chapters["features"].intro.startswith("The device offers VIRTIO_NET_F_MRG_RXBUF")
    assert chapters["transmit"].title == "Sending an ARP request through QEMU"
    assert "extra-ping" in chapters and "suppression" not in chapters
    assert any(f.narration.startswith("Watch for bit 15") for f in timeline.frames)


def test_the_documented_example_loads_and_runs() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "scenario-format.md").read_text()
    example = doc.split("## A complete example")[1].split("```yaml\n")[1].split("```")[0]
    from virtio_viz.scenario_files import load_scenario  # noqa: PLC0415

    story = load_scenario(example, "doc.yaml")
    timeline = Timeline(story, story.options)
    assert timeline.stopped is None
    reclaimed = [f.event.values["id"] for f in timeline.frames if f.event.kind == "used_elem_read"]
    assert reclaimed == [1, 0]
