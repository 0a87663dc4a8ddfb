"""The websocket benchmarks run against a real server (smoke runs: a few iterations, no
timing judged, only that every figure comes out)."""

from __future__ import annotations

from benchmarks import ws_step_latency


def test_step_latency_reports_both_round_trips() -> None:
    result = ws_step_latency.measure(steps=5)
    assert result.steps == 5
    assert 0 < result.step_p50 <= result.step_p99 and 0 < result.echo_p50 <= result.echo_p99
    assert 0 < result.replay_p50 <= result.replay_p99
    assert result.ratio_p50 == result.step_p50 / result.replay_p50
