"""Smoke run of the idle-memory benchmark: both cases come out."""

from __future__ import annotations

from benchmarks import ws_idle_memory


def test_both_cases_are_measured() -> None:
    result = ws_idle_memory.measure(sessions=3, own_sessions=2)
    assert (result.shared.sessions, result.own.sessions) == (3, 2)
