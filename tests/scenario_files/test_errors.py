"""Bad scenario files: one exact `file:line:column: what was expected`, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.scenario_files import (
    ScenarioFileError,
    ScenarioStory,
    load_scenario,
    load_scenario_file,
)
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES
from virtio_viz.timeline import Timeline

HEAD = "virtio-viz-scenario: 1\ntitle: t\ntopology: ring-lab\n"


def error_of(text: str, **kwargs: int) -> str:
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario(text, "f.yaml", **kwargs)
    return str(raised.value)


def steps(*lines: str) -> str:
    body = "\n".join(f"      {line}" for line in lines)
    return HEAD + f"chapters:\n  - title: x\n    steps:\n{body}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]", "f.yaml:1:1: a mapping for the scenario"),
        ("", "f.yaml:1:1: a mapping that starts with virtio-viz-scenario: 1"),
        ("title: t", "f.yaml:1:1: virtio-viz-scenario: 1 (the only version there is)"),
        (
            "virtio-viz-scenario: 2\n",
            "f.yaml:1:22: virtio-viz-scenario: 1 (the only version there is)",
        ),
        ("virtio-viz-scenario: 1\ntitle: t\n", "f.yaml:1:1: topology: in the scenario"),
        (
            HEAD.replace("ring-lab", "warp-drive") + "chapters: []\n",
            f"f.yaml:3:11: a topology, one of: {', '.join(STORIES)}",
        ),
        (
            HEAD + "colour: red\n",
            "f.yaml:4:1: a key of the scenario (one of: virtio-viz-scenario, "
            "title, topology, chapters, summary, options, questions), not 'colour'",
        ),
        (
            HEAD + "options:\n  queue_size: 3\nchapters: []\n",
            "f.yaml:5:15: queue_size: expected a power of 2 up to 32768, got 3",
        ),
        (HEAD + "chapters: []\n", "f.yaml:4:11: a list of chapters (at least one)"),
        (
            HEAD + "chapters:\n  - story: warp\n",
            "f.yaml:5:12: a chapter of ring-lab, one of: setup",
        ),
        (
            steps("- do: fly"),
            "f.yaml:7:13: an action of ring-lab, one of: write_descriptor, "
            "write_indirect_table, add_buffer, write_avail_slot, publish, set_avail_idx, "
            "set_avail_flags, set_used_event, kick, device_fetch, use_buffer, set_used_flags, "
            "set_avail_event, interrupt, driver_get_used, reset_queue",
        ),
        (
            steps("- do: write_descriptor", "  index: 16", "  addr: 0x10100000", "  len: 1"),
            "f.yaml:8:16: index: expected at most 15, got 16",
        ),
        (
            steps("- do: write_descriptor", "  index: 1", "  addr: 0x10100000", "  len: -1"),
            "f.yaml:10:14: len: expected at least 0, got -1",
        ),
        (
            steps("- do: write_descriptor", "  index: 1", "  addr: 0x10100000"),
            "f.yaml:7:13: len: missing",
        ),
        (
            steps("- do: write_descriptor", "  index: 1", "  addr: 1", "  len: 1", "  colour: 3"),
            "f.yaml:11:9: colour: write_descriptor takes no parameter 'colour'",
        ),
        (steps("- do: set_avail_idx", "  value: 1.5"), "f.yaml:8:16: a whole number, not '1.5'"),
        (
            steps("- do: set_avail_idx", "  value: [1]"),
            "f.yaml:8:16: value: a number, text or true/false (quote text)",
        ),
        (
            steps("- do: write_indirect_table", "  addr: 0x10300000", "  entries: 4096:8:0:0"),
            "f.yaml:9:18: entries: text in quotes (YAML read this as the number 884764800)",
        ),
        ("a: &x 1\nb: *x\n", "f.yaml:1:4: a plain value (anchors like &name are not allowed)"),
        ("a: !!str 1\n", "f.yaml:1:4: a plain value (tags like !!str are not allowed)"),
        (
            "a: !python/object:os.system 1\n",
            "f.yaml:1:4: a plain value (tags like !!str are not allowed)",
        ),
        ("a: 1\n---\nb: 2\n", "f.yaml:2:1: one YAML document (found a second one)"),
        ("a: 1\na: 2\n", "f.yaml:2:1: each key once ('a' is repeated)"),
        ("a: [1, 2\n", "f.yaml:2:1: valid YAML (expected ',' or ']', but got '<stream end>')"),
        ("a: 1\x00", "f.yaml:1:5: valid YAML text (character 0x0 is not allowed)"),
        ("a: " + "9" * 41, "f.yaml:1:4: a number of at most 40 digits"),
        ("a: " + "[" * 40, "f.yaml:1:19: at most 16 levels of nesting"),
    ],
)
def test_each_mistake_is_pointed_at(text: str, expected: str) -> None:
    assert error_of(text) == expected


def test_the_size_limit_is_enforced_before_parsing() -> None:
    text = HEAD + "# " + "x" * 300_000 + "\n"
    assert error_of(text) == (
        f"f.yaml:1:1: a scenario file of at most 262144 bytes (this one has {len(text)})"
    )
    assert error_of(HEAD, max_bytes=10).startswith(
        "f.yaml:1:1: a scenario file of at most 10 bytes"
    )


def test_a_file_far_over_the_limit_is_told_with_its_real_size(tmp_path: Path) -> None:
    """Only the first max_bytes + 1 bytes are read, but the error gives the file's size."""
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (10 * 1024 * 1024))
    with pytest.raises(ScenarioFileError) as caught:
        load_scenario_file(big)
    size = big.stat().st_size
    assert str(caught.value) == (
        f"{big}:1:1: a scenario file of at most 262144 bytes (this one has {size})"
    )


def test_an_alias_bomb_is_refused_at_the_first_alias() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    assert error_of("\n".join(lines)) == (
        "f.yaml:1:5: a plain value (anchors like &name are not allowed)"
    )


def test_a_step_the_world_refuses_is_reported_at_load_time() -> None:
    """A broken queue refuses the device: found while the file is rehearsed, at its `do`."""
    text = steps(
        "- do: write_descriptor", "  index: 0", "  addr: 0x10100000", "  len: 8", "  flags: 1",
        "  next: 0", "- do: publish", "  head: 0", "- do: device_fetch", "- do: device_fetch",
    )  # fmt: skip
    assert error_of(text) == (
        "f.yaml:16:13: kind: the device has stopped using the queue and needs a reset (reset_queue)"
    )


def test_a_step_refused_under_other_options_stops_the_timeline_at_its_line() -> None:
    story = load_scenario(
        HEAD + "options:\n  queue_size: 8\n" + steps("- do: write_avail_slot", "  slot: 7",
                                                   "  head: 0").removeprefix(HEAD),
        "f.yaml",
    )  # fmt: skip
    timeline = Timeline(story, StoryOptions(queue_size=4))
    assert timeline.stopped == "write_avail_slot: f.yaml:10:15: slot: expected at most 3, got 7"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"title: t\n\xff\n")
    with pytest.raises(ScenarioFileError) as raised:
        load_scenario_file(path)
    assert str(raised.value) == f"{path}:2:1: UTF-8 text"


def test_ring_lab_files_start_from_the_setup_chapter_even_when_they_skip_it() -> None:
    story = load_scenario(steps("- do: add_buffer", "  in_lens: '64'"), "f.yaml")
    timeline = Timeline(story, story.options)
    assert [c.id for c in timeline.chapters] == ["setup", "part-1"]


# -- fuzzing: garbage in, a ScenarioFileError or a Story out ------------------------------------
SCALARS = st.one_of(st.integers(-(2**70), 2**70), st.text(max_size=12), st.booleans(), st.none())
KEYS = st.sampled_from(["virtio-viz-scenario", "title", "topology", "chapters", "options",
                        "steps", "do", "story", "index", "addr", "len", "notes", "x"])  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=20,
)


def _dump(value: object, indent: int = 0) -> str:
    import json  # noqa: PLC0415 (JSON is YAML: a quick faithful writer)

    return json.dumps(value)


def _outcome(text: str) -> None:
    try:
        story = load_scenario(text, "fuzz.yaml")
    except ScenarioFileError as error:
        assert str(error).startswith("fuzz.yaml:") and "\n" not in str(error)
        return
    assert isinstance(story, ScenarioStory)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_garbage_text_gives_an_error_or_a_story(text: str) -> None:
    _outcome(text)


@settings(max_examples=150, deadline=None)
@given(tree=TREES)
def test_garbage_structures_give_an_error_or_a_story(tree: object) -> None:
    _outcome(_dump(tree))


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["write_descriptor", "publish", "use_buffer", "add_buffer", "kick",
                          "device_fetch", "driver_get_used", "write_indirect_table"]),
    params=st.dictionaries(st.sampled_from(["index", "addr", "len", "flags", "next", "head",
                                            "in_lens", "entries", "check"]),
                           SCALARS, max_size=4),
)  # fmt: skip
def test_garbage_steps_give_an_error_or_a_story(kind: str, params: dict[str, object]) -> None:
    step = {"do": kind, **params}
    doc = {"virtio-viz-scenario": 1, "title": "t", "topology": "ring-lab",
           "chapters": [{"title": "x", "steps": [step]}]}  # fmt: skip
    _outcome(_dump(doc))
