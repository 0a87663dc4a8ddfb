"""Events noted on the data path are built when read, and are then exactly the events
told at once: the same fields, values (types and order), memory ranges and repr.

Each case runs the same steps twice on fresh rings: once with an observer, so every
event is built the moment it is noted (as the timeline sees it), and once without, so
the events are built later, when `events`, `take()` or an `UnreadEvents` item reads them.
tests/scenarios/stories/test_noted_events_in_stories.py does the same for every story.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from benchmarks.ring_loops import BUFFER_ADDR, PACKET_BYTES, Queues, build

from virtio_viz.model.events import Event, EventLog, UnreadEvents, event_type
from virtio_viz.model.memory import GuestMemory, MemRange
from virtio_viz.model.virtqueue import Buffer

RAM = 0x1000_0000
Steps = Callable[[Queues], None]


def traffic(queues: Queues) -> None:
    """Buffers of one and three elements, kicks, pops, uses, notification switches and
    reclaims, past the end of a 4-slot ring (so its indexes and wrap counters go round),
    and the empty checks at the end."""
    driver, device = queues.driver, queues.device
    for n in range(6):
        out = [Buffer(BUFFER_ADDR + 0x1000 * n, 64)] * (2 if n % 2 else 0)
        driver.add_buffer(out, [Buffer(BUFFER_ADDR + 0x800, PACKET_BYTES)], token=n)
        driver.kick_prepare()
        if n == 3:
            device.disable_notifications()
            driver.disable_interrupts()
        chain = device.pop()
        assert chain is not None
        device.push(chain, PACKET_BYTES if chain.writable else 0)
        device.should_notify()
        assert driver.get_used() is not None
        if n == 4:
            device.enable_notifications()
            driver.enable_interrupts()
    driver.kick_prepare()
    device.should_notify()
    assert device.pop() is None and driver.get_used() is None


def run(ring: str, event_idx: bool, *, observed: bool) -> tuple[EventLog, list[Event]]:
    queues = build(ring, 4, event_idx=event_idx)
    seen: list[Event] = []
    if observed:
        queues.log.observer = seen.append
    traffic(queues)
    return queues.log, seen


@pytest.mark.parametrize("ring", ["split", "packed"])
@pytest.mark.parametrize("event_idx", [True, False])
def test_events_built_when_read_equal_the_events_built_at_once(ring: str, event_idx: bool) -> None:
    _log, told_at_once = run(ring, event_idx, observed=True)
    log, nothing_seen = run(ring, event_idx, observed=False)
    assert nothing_seen == []
    built_later = log.events
    assert len(built_later) == len(told_at_once) > 70
    for later, at_once in zip(built_later, told_at_once, strict=True):
        assert type(later) is type(at_once) is Event
        assert later == at_once and repr(later) == repr(at_once)
        assert [type(v) for v in later.values.values()] == [
            type(v) for v in at_once.values.values()
        ]
    kinds = {e.kind for e in built_later}
    assert {"desc_read", "chain_pop", "notify_check", "kick_check"} <= kinds


def test_unread_events_are_built_one_by_one_and_only_once() -> None:
    log, _ = run("split", True, observed=False)
    expected = list(log.events)  # built here: a second run gives the same, unbuilt
    log, _ = run("split", True, observed=False)
    unread = log.take_unread()
    assert isinstance(unread, UnreadEvents) and log.events == []
    assert len(unread) == len(expected)
    assert unread[-1] == expected[-1] and unread[-1] is unread[-1]
    assert unread[2:5] == expected[2:5]
    assert list(unread) == expected and unread.index(expected[7]) == 7


def test_noted_and_recorded_events_keep_their_order_and_their_own_bytes() -> None:
    memory = GuestMemory.with_regions([("ram", RAM, 0x1000)])
    log = EventLog(memory)

    @event_type("poke", "driver", "data", "§2.7", "a test")
    def poked(offset: int) -> tuple[str, dict[str, int]]:
        return f"poke at {offset}", {"offset": offset}

    memory.write_le16(RAM, 1)
    log.note(poked, 0, 0)
    memory.read_le32(RAM + 8)
    log.record("peek", actor="device", plane="data", spec="§2.7", analog="", summary="peek")
    memory.write_le16(RAM + 2, 2)  # touches the first write, but belongs to the next event
    log.note(poked, None, 2)
    first, second, third = log.take()
    assert (first.kind, second.kind, third.kind) == ("poke", "peek", "poke")
    assert first.writes == (MemRange(RAM, 2),) and first.reads == ()
    assert second.reads == (MemRange(RAM + 8, 4),) and second.writes == ()
    assert third.writes == (MemRange(RAM + 2, 2),) and third.queue is None
    assert (first.summary, first.values, first.queue) == ("poke at 0", {"offset": 0}, 0)
    assert log.events == [] and len(log.take_unread()) == 0
