"""Smoke run of the room benchmark: every follower gets every step of the presenter."""

from __future__ import annotations

from benchmarks import ws_room_fanout


def test_every_follower_follows() -> None:
    result = ws_room_fanout.measure(followers=3, steps=3)
    assert (result.followers, result.steps) == (3, 3)
    assert 0 < result.p50 <= result.p99
