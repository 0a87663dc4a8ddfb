"""The fork and join-link benchmark runs end to end in Chromium (no timing is judged)."""

from __future__ import annotations

from benchmarks import frontend_actions as bench


def test_it_forks_and_joins_and_times_each() -> None:
    result = bench.measure(forks=2, joins=1, read_ms=300)
    assert len(result.fork_ms) == len(result.at_once_ms) == len(result.step_ms) == 2
    assert len(result.join_ms) == len(result.open_ms) == 1
    assert min(result.fork_ms) > 0 and min(result.at_once_ms) > 0 and min(result.step_ms) > 0
    assert min(result.join_ms) > 0 and min(result.open_ms) > 0
