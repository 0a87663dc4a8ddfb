"""The event log: journal draining, violations naming their rule."""

from __future__ import annotations

import dataclasses

import pytest

from virtio_viz.model.conformance import RULES
from virtio_viz.model.events import EventLog, Violation
from virtio_viz.model.memory import GuestMemory, MemRange


def test_record_attaches_exactly_the_bytes_touched_since_the_previous_event() -> None:
    memory = GuestMemory.with_regions([("ram", 0x1000, 0x1000)])
    log = EventLog(memory)
    memory.write_le32(0x1000, 7)
    first = log.record("a", actor="driver", plane="data", spec="§2.7", analog="x", summary="s")
    memory.read_le16(0x1800)
    second = log.record("b", actor="device", plane="data", spec="§2.7", analog="y", summary="t")
    assert first.writes == (MemRange(0x1000, 4),) and first.reads == ()
    assert second.reads == (MemRange(0x1800, 2),) and second.writes == ()


def test_events_are_frozen() -> None:
    log = EventLog(GuestMemory.with_regions([("ram", 0, 16)]))
    event = log.record("a", actor="driver", plane="control", spec="§2.1", analog="", summary="")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = "b"  # type: ignore[misc]


def test_violation_names_rule_section_and_requirement() -> None:
    log = EventLog(GuestMemory.with_regions([("ram", 0, 16)]))
    violation = log.violation(48, actor="driver", detail="avail.idx went from 5 to 4")
    assert isinstance(violation, Violation)
    assert violation.rule == 48
    assert violation.spec == "§2.7.6.1" == RULES[48].section
    assert "N48" in violation.summary and "5 to 4" in violation.summary
    assert log.violations() == [violation]


def test_the_checklist_is_complete_and_numbered_in_order() -> None:
    """N1-N114 are FACTS.md's checklist; N115-N135 the channel I/O MUSTs of §4.3."""
    assert sorted(RULES) == list(range(1, 136))
    assert all(rule.section.startswith("§") for rule in RULES.values())
    assert {rule.section[:4] for n, rule in RULES.items() if n > 114} == {"§4.3"}
