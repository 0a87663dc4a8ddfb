"""Smoke run of the several-processes benchmark: every follower on every process gets
every step; the round trips and resumes are measured."""

from __future__ import annotations

from benchmarks import ws_redis


def test_the_room_spread_over_processes_follows() -> None:
    result = ws_redis.measure(followers=6, processes=2, steps=3, sessions=2)
    assert (result.followers, result.processes, result.steps) == (6, 2, 3)
    assert 0 < result.spread.p50 <= result.spread.p99 and 0 < result.one.p50 <= result.one.p99
    assert result.ping_p50 > 0 and result.move_p50 > 0
    assert result.resume_here > 0 and result.resume_there_warm > 0
    assert result.resume_there_cold > 0
