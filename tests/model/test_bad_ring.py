"""The driver meets a device that returns a bad id the way Linux 6.1 does.

virtqueue_get_buf_ctx_split() and virtqueue_get_buf_ctx_packed() are the only places
drivers/virtio/virtio_ring.c calls BAD_RING(): an id that is not below the queue size
("id %u out of range") and an id that names no buffer in flight ("id %u is not a head!").
Each case here must produce its `bad_ring` event, leave the driver's bookkeeping exactly
as it was, and leave the queue broken: nothing more is collected, added or kicked.
"""

from __future__ import annotations

import pytest

from tests.support import packed_rig, split_rig
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Event
from virtio_viz.model.packed import PackedDriverQueue
from virtio_viz.model.split import SplitDriverQueue


def only_bad_ring(events: list[Event]) -> Event:
    [event] = [e for e in events if e.kind == "bad_ring"]
    return event


def assert_bad_ring(events: list[Event], ring: str, size: int, case: tuple[str, int, str]) -> None:
    """One `bad_ring` event among `events`, naming Linux's check, log line and function."""
    check, bad_id, line = case
    event = only_bad_ring(events)
    assert event.values == {
        "id": bad_id, "size": size, "check": check, "linux_log": line, "broken": True,
    }  # fmt: skip
    assert event.analog == f"BAD_RING() in virtqueue_get_buf_ctx_{ring}() in Linux"
    assert event.spec == {"split": "§2.7.8", "packed": "§2.8.22"}[ring]
    assert f'"{line}"' in event.summary and "does not reset the device" in event.summary


# -- split ------------------------------------------------------------------------------------
def _two_heads(rig: split_rig.Rig) -> None:
    rig.driver.add_buffer([rig.buf(0)], [rig.buf(1, writable=True)], token="a")  # 0 -> 1
    rig.driver.add_buffer([rig.buf(2)], [], token="b")  # 2


SPLIT_CASES = [
    ("out_of_range", 8, "id 8 out of range"),  # the first id past a ring of 8
    ("out_of_range", 0xFFFF_FFFF, "id 4294967295 out of range"),
    ("not_a_head", 1, "id 1 is not a head!"),  # inside chain 0, not its head
    ("not_a_head", 5, "id 5 is not a head!"),  # a free descriptor
]


@pytest.mark.parametrize(("check", "bad_id", "line"), SPLIT_CASES)
def test_split_bad_id_is_bad_ring_and_the_queue_stays_broken(
    check: str, bad_id: int, line: str
) -> None:
    rig = split_rig.make_rig(8)
    _two_heads(rig)
    rig.device.use_buffer(bad_id, 0)
    state = (rig.driver.free_list(), rig.driver.last_used_idx, rig.driver.in_flight_heads)
    ring = rig.ring_bytes()
    rig.log.take()
    assert rig.driver.get_used() is None
    assert_bad_ring(rig.log.take(), "split", 8, (check, bad_id, line))
    assert rig.driver.broken
    # nothing of the driver's own changed, and it wrote nothing
    assert (rig.driver.free_list(), rig.driver.last_used_idx, rig.driver.in_flight_heads) == state
    assert rig.ring_bytes() == ring
    # broken for good: Linux's get_buf returns NULL without reading, add fails (-EIO)
    rig.device.use_buffer(0, 0)
    assert rig.driver.get_used() is None
    assert [e for e in rig.log.take() if e.actor == "driver"] == []
    with pytest.raises(ConfigError, match="broken"):
        rig.driver.add_buffer([rig.buf(3)], [])


def test_split_id_returned_twice_is_not_a_head_the_second_time() -> None:
    rig = split_rig.make_rig(8)
    _two_heads(rig)
    rig.device.use_buffer(2, 0)
    rig.device.use_buffer(2, 0)
    assert rig.driver.get_used() is not None
    assert rig.driver.get_used() is None
    assert only_bad_ring(rig.log.take()).values["check"] == "not_a_head"
    assert rig.driver.free_list() == (2, 3, 4, 5, 6, 7)


# -- packed -----------------------------------------------------------------------------------
PACKED_CASES = [
    ("out_of_range", 5, "id 5 out of range"),  # the first id past a ring of 5
    ("out_of_range", 0xFFFF, "id 65535 out of range"),
    ("not_a_head", 1, "id 1 is not a head!"),  # the 2-slot buffer 0 consumed id entry 1
    ("not_a_head", 3, "id 3 is not a head!"),  # never handed out
]


@pytest.mark.parametrize(("check", "bad_id", "line"), PACKED_CASES)
def test_packed_bad_id_is_bad_ring_and_the_queue_stays_broken(
    check: str, bad_id: int, line: str
) -> None:
    rig = packed_rig.make_rig(5)
    rig.driver.add_buffer([packed_rig.out(0), packed_rig.out(1)], [], token="a")  # id 0
    rig.driver.add_buffer([packed_rig.out(2)], [], token="b")  # id 2
    rig.device.use_buffer(bad_id, 0, 1)
    state = (rig.driver.free_ids(), rig.driver.next_used, dict(rig.driver.in_flight))
    rig.take()
    assert rig.driver.get_used() is None
    assert_bad_ring(rig.take(), "packed", 5, (check, bad_id, line))
    assert rig.driver.broken
    assert (rig.driver.free_ids(), rig.driver.next_used, dict(rig.driver.in_flight)) == state
    rig.device.use_buffer(2, 0, 1)
    assert rig.driver.get_used() is None
    assert [e for e in rig.take() if e.actor == "driver"] == []
    with pytest.raises(ConfigError, match="broken"):
        rig.driver.add_buffer([packed_rig.out(3)], [])


# -- what Linux does not check, and the broken queue's poll --------------------------------------
def test_a_used_len_larger_than_the_buffer_is_passed_on_unchecked() -> None:
    """virtio_ring.c does not compare len with the buffer (its callers do, e.g. virtio_net
    drops frames with a bad length); the device broke N57, the driver just hands len on."""
    rig = split_rig.make_rig(8)
    head = rig.driver.add_buffer([], [rig.buf(0, 64, True)])
    rig.device.use_buffer(head, 4096)
    assert [v.rule for v in rig.log.violations()] == []  # never popped: no capacity known
    used = rig.driver.get_used()
    assert used is not None and used.length == 4096
    assert not rig.driver.broken


@pytest.mark.parametrize("ring", ["split", "packed"])
def test_a_broken_queue_polls_as_empty_even_with_used_buffers_waiting(ring: str) -> None:
    """virtqueue_poll() returns false on a broken queue, so enabling callbacks reports
    nothing to collect."""
    if ring == "split":
        rig = split_rig.make_rig(8)
        rig.driver.add_buffer([rig.buf(0)], [])
        rig.device.use_buffer(7, 0)  # not a head
        rig.device.use_buffer(0, 0)
        driver: SplitDriverQueue | PackedDriverQueue = rig.driver
    else:
        prig = packed_rig.make_rig(5)
        prig.driver.add_buffer([packed_rig.out(0)], [])
        prig.device.use_buffer(4, 0, 1)  # not a head
        prig.device.use_buffer(0, 0, 1)
        driver = prig.driver
    assert driver.get_used() is None and driver.broken
    driver.disable_interrupts()
    assert driver.enable_interrupts() is False
