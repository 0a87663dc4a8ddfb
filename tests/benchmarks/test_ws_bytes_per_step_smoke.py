"""Smoke run of the bytes-per-step benchmark: it counts real bytes on the socket."""

from __future__ import annotations

from benchmarks import ws_bytes_per_step


def test_bytes_are_counted_on_the_wire_and_as_text() -> None:
    result = ws_bytes_per_step.measure(queue_size=16, steps=10)
    assert result.steps == 10
    assert result.open_text > result.open_wire > 0  # the open compresses well
    assert result.median_wire > 0 and result.median_text > 0
