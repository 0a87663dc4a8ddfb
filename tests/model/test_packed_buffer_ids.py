"""A driver that reuses a packed buffer id still in flight, and the device's bookkeeping.

The spec's driver takes "the next free buffer id" for each list (virtio-1.2 §2.8.21.1) and
the device names the list by that id when it uses it. Reusing an id the device has not
returned yet leaves the used descriptor ambiguous; the checklist has no MUST of its own
for it, so the device records it as the driver changing an exposed entry (N20) when it
takes the second list. Whatever the driver did, the device must remember exactly which
lists it holds: QEMU keeps one element per popped list, and so does the model.
"""

from __future__ import annotations

import pytest

from tests.support.packed_rig import DATA, Rig, make_rig, out
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.virtqueue import Chain

AVAIL = 0x80


def two_lists_sharing_id_0(rig: Rig) -> tuple[Chain, Chain]:
    """Buffer 0 (2 slots) through the driver, then a 1-slot list at slot 2 written by hand
    with the same id 0; the device takes both."""
    assert rig.driver.add_buffer([out(0), out(1)], []) == 0
    rig.driver.write_descriptor(2, DATA + 0x500, 0x10, 0, AVAIL)
    first, second = rig.device.pop(), rig.device.pop()
    assert first is not None and second is not None
    assert (first.id, first.desc_count, second.id, second.desc_count) == (0, 2, 0, 1)
    return first, second


def test_a_reused_id_is_a_violation_when_the_device_takes_the_list() -> None:
    rig = make_rig(5)
    two_lists_sharing_id_0(rig)
    [violation] = rig.log.violations()
    assert (violation.rule, violation.actor) == (20, "driver")
    assert violation.values == {"buffer_id": 0, "slot": 2, "in_flight_slots": 2, "slots": 1}
    assert "reuses buffer id 0" in violation.summary
    assert rig.device.in_flight == ((0, 2), (0, 1))  # taken all the same


def test_completing_the_short_list_leaves_the_long_one_in_flight() -> None:
    """N20 broken by the driver, yet the device returns exactly the list it finished: the
    1-slot list first, then the 2-slot one, which is not refused as 'never popped'."""
    rig = make_rig(5)
    first, second = two_lists_sharing_id_0(rig)
    rig.device.push(second, 0)
    assert rig.device.in_flight == ((0, 2),)
    assert rig.device.next_used == 1  # one slot skipped for the 1-slot list
    rig.device.push(first, 0)
    assert not rig.device.in_flight
    assert rig.device.next_used == 3
    with pytest.raises(ConfigError, match="not popped"):
        rig.device.push(first, 0)


def test_a_hand_made_use_picks_the_list_with_that_id_and_slot_count() -> None:
    rig = make_rig(5)
    two_lists_sharing_id_0(rig)
    rig.device.use_buffer(0, 0, 1)
    assert rig.device.in_flight == ((0, 2),)
    rig.device.use_buffer(0, 0, 2)
    assert not rig.device.in_flight


def test_the_driver_side_skips_by_its_own_record_of_the_id() -> None:
    """Linux's driver knows only its buffer 0 (2 slots): told 'id 0 used' for the 1-slot
    list, it frees two slots and skips two, as the real driver would."""
    rig = make_rig(5)
    _first, second = two_lists_sharing_id_0(rig)
    rig.device.push(second, 0)
    used = rig.driver.get_used()
    assert used is not None and used.id == 0
    assert (rig.driver.next_used, rig.driver.free_count) == (2, 5)


@pytest.mark.parametrize(
    ("order", "in_order_breaks"), [((0, 1), 0), ((1, 0), 1)], ids=["oldest-first", "newest-first"]
)
def test_in_order_judges_the_list_itself_not_its_id(
    order: tuple[int, int], in_order_breaks: int
) -> None:
    """With IN_ORDER the oldest popped list must be used first (N27). Both lists carry id
    0, so only the list itself tells whether the device kept the order."""
    rig = make_rig(5, in_order=True)
    chains = two_lists_sharing_id_0(rig)
    for n in order:
        rig.device.push(chains[n], 0)
    rules = [v.rule for v in rig.log.violations()]
    assert rules == [20] + [27] * in_order_breaks
    assert rig.device.in_flight == ()
