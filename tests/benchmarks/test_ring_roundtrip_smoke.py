"""The round-trip benchmark runs and counts right (a smoke test: no timing is judged)."""

from __future__ import annotations

import pytest

from benchmarks import ring_loops
from benchmarks import ring_roundtrip as bench


@pytest.mark.parametrize(
    ("ring", "event_idx", "events_per_round_trip"),
    [("split", True, 15), ("split", False, 14), ("packed", True, 9), ("packed", False, 9)],
)
@pytest.mark.parametrize("size", [4, 256])
@pytest.mark.parametrize("read", [False, True])
def test_round_trips_complete_with_every_event_recorded_and_taken(
    ring: str, size: int, event_idx: bool, events_per_round_trip: int, read: bool
) -> None:
    """More round trips than the ring has slots, so indexes and wrap counters go round."""
    queues = ring_loops.build(ring, size, event_idx=event_idx)
    events, seconds = ring_loops.round_trips(queues, 300, 128, read=read)
    assert events == 300 * events_per_round_trip
    assert len(seconds) == 3  # chunks of 128, 128 and 44
    assert queues.log.events == []  # the consumer took everything
    assert queues.driver.free_count == size  # every buffer came back
    assert queues.device.pop() is None


def test_measure_reports_rates_per_chunk_for_rings_and_baselines() -> None:
    for name in ("packed", "packed+read"):
        run = bench.measure(name, 8, 250, 100)
        assert (run.iterations, run.events, len(run.chunk_rates)) == (250, 250 * 9, 3)
        assert run.rate > 0 and run.first_over_last > 0 and run.max_over_min >= 1
    for baseline in bench.BASELINES:
        assert bench.measure(baseline, 8, 50, 20).iterations == 50


def test_the_command_line_prints_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--round-trips", "200", "--chunk", "100", "--repeat", "2", "--sizes", "8", "16"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "| split | 16 |" in out and "| packed | 8 |" in out
    assert "| split, every event read | 8 |" in out and "| packed, every event read | 16" not in out
    assert "| floor | 8 |" in out and "| note | - |" in out and "| record | - |" in out
    assert "short of the 50,000/s goal" in out or "meets the 50,000/s goal" in out


def test_pure_runs_each_ring_again_by_the_pure_python_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--round-trips", "200", "--chunk", "100", "--repeat", "1", "--sizes", "8",
            "--rings", "split", "--no-read", "--no-baselines", "--pure"]  # fmt: skip
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "| split | 8 |" in out and "| split, pure Python | 8 |" in out
    pure = bench.measure("packed@pure", 8, 250, 100, event_idx=True)
    assert (pure.name, pure.iterations, pure.events, len(pure.chunk_seconds)) == (
        "packed@pure", 250, 250 * 9, 3,
    )  # fmt: skip
