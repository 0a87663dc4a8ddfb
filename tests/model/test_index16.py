"""16-bit index arithmetic (virtio-1.2 §2.7.10, §2.7.13.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtio_viz.model.index16 import distance16, need_event, wrap16

u16 = st.integers(0, 0xFFFF)


@pytest.mark.parametrize(
    ("event", "new", "old", "expected"),
    [
        (0, 1, 0, True),
        (0, 0, 0, False),
        (65535, 0, 65535, True),
        (1, 1, 65535, False),
        (0, 2, 65534, True),
    ],
)
def test_need_event_examples_from_the_fact_sheet(
    event: int, new: int, old: int, expected: bool
) -> None:
    assert need_event(event, new, old) is expected


@given(u16, u16, st.integers(0, 0x7FFF))
def test_need_event_is_true_exactly_when_event_lies_in_old_to_new(
    event: int, old: int, moved: int
) -> None:
    new = wrap16(old + moved)
    passed = {wrap16(old + k) for k in range(moved)}
    assert need_event(event, new, old) is (event in passed)


def test_wrap_and_distance() -> None:
    assert wrap16(65536 + 5) == 5
    assert distance16(2, 65534) == 4
    assert distance16(7, 7) == 0
