"""Smoke run of the under-attack benchmark: both phases and the flood come out."""

from __future__ import annotations

from benchmarks import ws_under_attack


def test_latency_with_and_without_heavy_uploads_and_memory_after_a_flood() -> None:
    result = ws_under_attack.measure(steps=20, flood=10, grace=1, build_seconds=1)
    assert result.alone.step_p99 > 0 and result.attacked.health_p99 > 0
    assert result.builds_refused >= 1  # the heavy uploads really were stopped at the budget
    assert result.flood == 10 and result.rss_after_kib > 0
