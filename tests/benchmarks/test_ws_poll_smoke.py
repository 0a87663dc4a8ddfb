"""Smoke run of the poll benchmark: every follower's answer is counted, right and wrong."""

from __future__ import annotations

from benchmarks import ws_poll


def test_every_answer_reaches_the_presenters_tally() -> None:
    result = ws_poll.measure(followers=3, rounds=1)
    assert (result.followers, result.rounds) == (3, 1)
    assert [sorted(t.values()) for t in result.tallies] == [[1, 2]]  # a third answer wrong
    assert result.answered > 0 and result.baseline > 0


def test_answers_on_other_processes_reach_the_presenters_tally() -> None:
    result = ws_poll.measure(followers=4, rounds=1, processes=2)
    assert [sorted(t.values()) for t in result.tallies] == [[1, 3]]
