"""Smoke run of the start-up benchmark: it times real child processes of the command."""

from __future__ import annotations

from benchmarks import cli_startup


def test_each_command_is_timed_as_a_child_process() -> None:
    only = ("python -c pass", "virtio-viz scenarios", "virtio-viz export ring-lab")
    figures = cli_startup.measure(repeat=2, only=only)
    assert [f.name for f in figures] == list(only)
    assert all(len(f.seconds) == len(f.cpu) == 2 and min(f.seconds) > 0 for f in figures)
    assert all(c > 0 for f in figures for c in f.cpu)
    assert [f.goal for f in figures] == [None, 0.25, 0.5]
    # loading the model and building a story costs more than a bare interpreter
    assert figures[2].median > figures[0].median
