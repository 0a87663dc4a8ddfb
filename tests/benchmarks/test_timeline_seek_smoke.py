"""The seek benchmark builds a long timeline and measures it (a smoke test: no timing is
judged, only that the run is the one the figures describe)."""

from __future__ import annotations

from benchmarks import timeline_seek as bench


def test_long_timeline_reaches_the_asked_length_with_the_story_first() -> None:
    timeline = bench.long_timeline(3000, queue_size=16)
    assert len(timeline) >= 3000
    assert timeline.chapters[-1].id == "traffic"
    assert timeline.frames.packed_bytes > 0  # the early chunks were sealed


def test_measure_reports_every_figure() -> None:
    result = bench.measure(1500, seeks=20)
    assert result.steps >= 1500 and result.megabytes > 0
    assert min(result.seek_ms, result.keyframe_ms, result.first_tenth_ms) > 0
