"""The browser benchmark runs end to end (a smoke test: no timing is judged)."""

from __future__ import annotations

from benchmarks import frontend_speed as bench


def test_it_plays_and_measures_every_figure() -> None:
    result = bench.measure(seconds=1.0)
    assert result.steps_played > 5  # playing at 20 steps/s really moved
    assert result.bundle_kb > 1 and result.first_paint_ms > 0
    assert min(result.frame_median_ms, result.blank_median_ms, result.step_to_paint_ms) > 0
