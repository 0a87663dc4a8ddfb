"""The fork and join-link benchmark runs end to end in Chromium (no timing is judged)."""

from __future__ import annotations

import pytest

from benchmarks import frontend_actions as bench


def test_it_forks_and_joins_and_times_each() -> None:
    result = bench.measure(forks=2, joins=1, read_ms=300)
    assert len(result.fork_ms) == len(result.at_once_ms) == len(result.step_ms) == 2
    assert len(result.join_ms) == len(result.open_ms) == 1
    assert min(result.fork_ms) > 0 and min(result.at_once_ms) > 0 and min(result.step_ms) > 0
    assert min(result.join_ms) > 0 and min(result.open_ms) > 0


def test_with_no_forks_it_times_the_joins_alone(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--forks", "0", "--joins", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("join link to diagram: p50 ")
