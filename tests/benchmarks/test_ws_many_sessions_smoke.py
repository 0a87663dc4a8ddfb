"""Smoke run of the many-sessions benchmark: a handful of sessions for a moment."""

from __future__ import annotations

from benchmarks import ws_many_sessions


def test_many_sessions_step_without_errors() -> None:
    result = ws_many_sessions.measure(sessions=3, rate=10, seconds=0.3)
    assert result.session.errors == 0 and result.echo.errors == 0
    assert result.session.steps == 9 and result.echo.steps == 9
