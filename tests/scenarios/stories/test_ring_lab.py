"""ring-lab: the reader plays driver and device; these read like virtio-queue's mock-driver
tests, but every step is a user action going through the world, as a fork would send it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.events import Violation
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.scenarios.stories.ring_lab import RingLabWorld
from virtio_viz.scenarios.stories.ring_lab_world import DATA_BASE, RING_BASE, TABLE_BASE
from virtio_viz.scenarios.story import ActionError, UserAction
from virtio_viz.timeline import PlacedAction, Timeline

STORY = story("ring-lab")
DESC, RAM = RING_BASE, DATA_BASE


def act(kind: str, **params: Any) -> UserAction:
    return UserAction(kind, params)


def lab(actions: Sequence[UserAction], **options: Any) -> Timeline:
    """The setup chapter, then `actions` one after another, as forks at the end."""
    opts = StoryOptions(**options)
    end = len(Timeline(STORY, opts)) - 1
    return Timeline(STORY, opts, actions=[PlacedAction(end, a) for a in actions])


def world(**options: Any) -> RingLabWorld:
    w = RingLabWorld(StoryOptions(**options))
    w.allocate()
    w.tell_device()
    w.attach_device()
    w.log.take()
    return w


def le16(tl: Timeline, addr: int) -> int:
    return int.from_bytes(tl.snapshot(len(tl) - 1).memory.read(addr, 2), "little")


def le32(tl: Timeline, addr: int) -> int:
    return int.from_bytes(tl.snapshot(len(tl) - 1).memory.read(addr, 4), "little")


def kinds(tl: Timeline, chapter: int) -> list[str]:
    span = tl.chapters[chapter]
    return [
        tl.frame(i).event.kind for i in range(span.first_step, span.first_step + span.step_count)
    ]


def violations(tl: Timeline) -> list[Violation]:
    return [f.event for f in tl.frames if isinstance(f.event, Violation)]


# -- the setup chapter -----------------------------------------------------------------------
def test_the_lab_starts_from_a_valid_empty_queue() -> None:
    tl = Timeline(STORY, StoryOptions(queue_size=4))
    assert [c.id for c in tl.chapters] == ["setup"]
    state = tl.snapshot(len(tl) - 1).state
    queue = state["queues"][0]
    assert [a["addr"] for a in queue["areas"]] == [DESC, DESC + 64, DESC + 64 + 16]
    assert queue["driver"]["num_free"] == 4 and queue["device"]["last_avail_idx"] == 0
    # the table is zeroed; the free list 0 -> 1 -> 2 -> 3 is the driver's private state
    assert tl.snapshot(len(tl) - 1).memory.read(DESC, 64) == bytes(64)
    assert queue["driver"]["free_list"] == [0, 1, 2, 3]
    registers = [f.event.values["register"] for f in tl.frames if f.route == "config"]
    assert registers == ["queue_desc", "queue_driver", "queue_device", "queue_enable"]


def test_a_full_round_trip_through_actions() -> None:
    tl = lab(
        [
            act("add_buffer", out_lens="12", in_lens="1514"),
            act("kick", check=True),
            act("device_fetch"),
            act("use_buffer", head=0, len=60),
            act("interrupt", check=True),
            act("driver_get_used"),
        ],
        queue_size=4,
    )
    assert [c.title for c in tl.chapters[1:3]] == [
        "Your action: add a buffer (as Linux does)",
        "Your action: notify the device",
    ]
    # descriptor 0: addr DATA_BASE, len 12, NEXT, next 1; descriptor 1: len 1514, WRITE
    assert le32(tl, DESC) == RAM and le32(tl, DESC + 8) == 12 and le16(tl, DESC + 12) == 1
    assert le32(tl, DESC + 16 + 8) == 1514 and le16(tl, DESC + 16 + 12) == 2
    used = DESC + 64 + 16
    assert (le16(tl, used + 2), le32(tl, used + 4), le32(tl, used + 8)) == (1, 0, 60)
    kick = next(f for f in tl.frames if f.route == "kick")
    assert kick.hops == ("avail-notify",) and kick.event.values["register"] == "notify[0]"
    assert next(f for f in tl.frames if f.route == "interrupt").hops == ("used-notify",)
    queue = tl.snapshot(len(tl) - 1).state["queues"][0]
    assert queue["driver"]["num_free"] == 4 and queue["driver"]["last_used_idx"] == 1
    assert violations(tl) == []


def test_indices_wrap_at_65536_from_initial_index_65533() -> None:
    actions = []
    for _ in range(4):
        actions += [
            act("add_buffer", in_lens="64"),
            act("device_fetch"),
            act("use_buffer", head=0, len=64),
            act("driver_get_used"),
        ]
    tl = lab(actions, queue_size=4, initial_index=65533)
    avail, used = DESC + 64, DESC + 64 + 16
    assert le16(tl, avail + 2) == 1 and le16(tl, used + 2) == 1  # 65533 + 4 wraps to 1
    # the buffers went through avail.ring slots 1, 2, 3, 0 (65533 % 4 == 1)
    slots = [f.event.values["slot"] for f in tl.frames if f.event.kind == "avail_ring_write"]
    assert slots == [1, 2, 3, 0]
    state = tl.snapshot(len(tl) - 1).state["queues"][0]
    assert state["device"]["last_avail_idx"] == 1 and state["driver"]["last_used_idx"] == 1
    assert violations(tl) == []


def test_the_device_may_use_buffers_out_of_order() -> None:
    tl = lab(
        [
            act("add_buffer", in_lens="100"),
            act("add_buffer", in_lens="200"),
            act("device_fetch"),
            act("device_fetch"),
            act("use_buffer", head=1, len=200),
            act("use_buffer", head=0, len=50),
            act("driver_get_used"),
            act("driver_get_used"),
        ],
        queue_size=4,
    )
    used = DESC + 64 + 16
    assert [le32(tl, used + 4), le32(tl, used + 12)] == [1, 0]  # ids in completion order
    got = [f.event.values["id"] for f in tl.frames if f.event.kind == "used_elem_read"]
    assert got == [1, 0]
    assert violations(tl) == []


def test_a_hand_built_chain_reaches_the_device() -> None:
    tl = lab(
        [
            act("write_descriptor", index=2, addr=RAM, len=64, flags=1, next=3),
            act("write_descriptor", index=3, addr=RAM + 0x100, len=100, flags=2),
            act("publish", head=2),
            act("kick"),
            act("device_fetch"),
            act("use_buffer", head=2, len=100),
        ],
        queue_size=4,
    )
    avail = DESC + 64
    assert (le16(tl, avail + 2), le16(tl, avail + 4)) == (1, 2)
    pop = next(f for f in tl.frames if f.event.kind == "chain_pop")
    assert pop.event.values["head"] == 2 and pop.event.values["desc_count"] == 2
    assert le32(tl, DESC + 64 + 16 + 4) == 2


def test_packed_round_trip_out_of_order_and_wrap() -> None:
    tl = lab(
        [
            act("add_buffer", out_lens="12", in_lens="1514"),
            act("add_buffer", in_lens="100"),
            act("device_fetch"),
            act("device_fetch"),
            act("use_buffer", id=2, len=60),
            act("use_buffer", id=0, len=10),
            act("driver_get_used"),
            act("driver_get_used"),
            act("add_buffer", in_lens="8"),
            act("add_buffer", in_lens="8"),
        ],
        queue_size=4,
        ring="packed",
    )
    # Linux's ids: the 2-slot buffer took ids 0 and 1 from the id list, so the next is 2.
    # Buffer 2 finished first: its used descriptor went to slot 0 (AVAIL=USED=1, WRITE)
    used = [
        (f.event.values["slot"], f.event.values["buffer_id"], f.event.values["flags"])
        for f in tl.frames
        if f.event.kind == "used_desc_flags_write"
    ]
    assert used == [(0, 2, 0x8082), (1, 0, 0x8082)]
    # the last two buffers: slot 3 in lap 1 (AVAIL), slot 0 in lap 2 (wrap 0: USED, no AVAIL)
    assert le16(tl, DESC + 16 * 3 + 14) == 0x0082 and le16(tl, DESC + 14) == 0x8002
    queue = tl.snapshot(len(tl) - 1).state["queues"][0]
    assert queue["format"] == "packed" and queue["driver"]["avail_wrap_counter"] == 0
    assert violations(tl) == []


# -- forbidden moves: the model's Violations ---------------------------------------------------
def test_rewriting_an_exposed_descriptor_is_n20() -> None:
    """N20: the driver must not change a descriptor the device may still be using."""
    tl = lab(
        [
            act("add_buffer", in_lens="64"),
            act("write_descriptor", index=0, addr=RAM, len=1, flags=2),
        ],
        queue_size=4,
    )
    assert [v.rule for v in violations(tl)] == [20]


def test_moving_avail_idx_backwards_is_n48() -> None:
    """N48 (§2.7.6.1): the driver must not decrement avail.idx."""
    tl = lab([act("set_avail_idx", value=2), act("set_avail_idx", value=1)], queue_size=4)
    assert [v.rule for v in violations(tl)] == [48]


@pytest.mark.parametrize(("event_idx", "value", "rule"), [(False, 2, 49), (True, 1, 50)])
def test_illegal_avail_flags_are_n49_or_n50(event_idx: bool, value: int, rule: int) -> None:
    """N49: avail.flags is 0 or 1 without EVENT_IDX; N50: it is 0 with EVENT_IDX."""
    tl = lab([act("set_avail_flags", value=value)], queue_size=4, event_idx=event_idx)
    assert [v.rule for v in violations(tl)] == [rule]
    assert le16(tl, DESC + 64) == value  # written anyway: that is the lesson


@pytest.mark.parametrize(("event_idx", "value", "rule"), [(False, 3, 64), (True, 1, 65)])
def test_illegal_used_flags_are_n64_or_n65(event_idx: bool, value: int, rule: int) -> None:
    """N64: used.flags is 0 or 1 without EVENT_IDX; N65: it is 0 with EVENT_IDX."""
    tl = lab([act("set_used_flags", value=value)], queue_size=4, event_idx=event_idx)
    assert [v.rule for v in violations(tl)] == [rule]


def test_a_used_len_beyond_the_writable_bytes_is_n57() -> None:
    """N57: the device must have written at least len bytes into the buffer."""
    tl = lab(
        [act("add_buffer", in_lens="64"), act("device_fetch"), act("use_buffer", head=0, len=65)],
        queue_size=4,
    )
    assert [v.rule for v in violations(tl)] == [57]


def test_a_looping_chain_is_n39_and_breaks_the_queue() -> None:
    """N39 (§2.7.5.2): loops in a descriptor chain are forbidden."""
    tl = lab(
        [
            act("write_descriptor", index=0, addr=RAM, len=8, flags=1, next=1),
            act("write_descriptor", index=1, addr=RAM, len=8, flags=1, next=0),
            act("publish", head=0),
            act("device_fetch"),
        ],
        queue_size=4,
    )
    assert [v.rule for v in violations(tl)] == [39]
    assert tl.snapshot(len(tl) - 1).state["device"]["needs_reset"] is True


def test_indirect_without_the_feature_is_n41() -> None:
    """N41: no INDIRECT unless VIRTIO_F_INDIRECT_DESC was negotiated."""
    tl = lab(
        [
            act("write_indirect_table", addr=TABLE_BASE, entries=f"{RAM:#x}:64:2:0"),
            act("write_descriptor", index=0, addr=TABLE_BASE, len=16, flags=4),
            act("publish", head=0),
            act("device_fetch"),
        ],
        queue_size=4,
        declined=("VIRTIO_F_INDIRECT_DESC",),
    )
    assert [v.rule for v in violations(tl)] == [41]
    assert le16(tl, TABLE_BASE + 12) == 2  # the table entry's flags: WRITE


def test_indirect_and_next_together_is_n44() -> None:
    """N44: a descriptor must not set both INDIRECT and NEXT."""
    tl = lab(
        [
            act("write_indirect_table", addr=TABLE_BASE, entries=f"{RAM:#x}:64:0:0"),
            act("write_descriptor", index=0, addr=TABLE_BASE, len=16, flags=5, next=1),
            act("publish", head=0),
            act("device_fetch"),
        ],
        queue_size=4,
    )
    assert [v.rule for v in violations(tl)] == [44]


def test_packed_rewriting_an_available_slot_is_n76() -> None:
    """N76 (§2.8.16): the driver must not change a descriptor after making it available."""
    tl = lab(
        [
            act("add_buffer", in_lens="64"),
            act("write_descriptor", index=0, addr=RAM, len=1, mark="available"),
        ],
        queue_size=4,
        ring="packed",
    )
    assert [v.rule for v in violations(tl)] == [76]


# -- impossible requests: ActionError naming the field, nothing changed ---------------------
@pytest.mark.parametrize(
    ("action", "field"),
    [
        (act("write_descriptor", index=4, addr=RAM, len=1), "index"),
        (act("write_descriptor", index=0, addr=1 << 64, len=1), "addr"),
        (act("write_descriptor", index=0, addr=RAM, len=1 << 32), "len"),
        (act("write_descriptor", index=0, addr=RAM, len=1, colour=3), "colour"),
        (act("set_avail_idx", value=0x10000), "value"),
        (act("publish", head=-1), "head"),
        (act("use_buffer", head=0, len=1 << 32), "len"),
        (act("write_indirect_table", addr=0x100, entries="0x10:8:0:0"), "addr"),
        (act("write_indirect_table", addr=TABLE_BASE, entries="0x10:8:0"), "entries"),
        (act("write_indirect_table", addr=TABLE_BASE, entries="zz:8:0:0"), "entries"),
        (act("write_indirect_table", addr=TABLE_BASE, entries=""), "entries"),
        (act("add_buffer", out_lens="1,2,3,4,5"), "out_lens"),
        (act("add_buffer", in_lens="ten"), "in_lens"),
        (act("add_buffer"), "out_lens"),
        (act("set_driver_event", flags=0), "kind"),
        (act("fly"), "kind"),
    ],
)
def test_impossible_requests_name_their_field(action: UserAction, field: str) -> None:
    w = world(queue_size=4)
    before = w.memory.snapshot()
    with pytest.raises(ActionError) as raised:
        w.act(action)
    assert raised.value.field == field
    assert w.log.events == [] and w.memory.snapshot() == before


def test_packed_mark_with_avail_bits_in_flags_is_refused() -> None:
    w = world(queue_size=4, ring="packed")
    with pytest.raises(ActionError) as raised:
        w.act(act("write_descriptor", index=0, addr=RAM, len=1, flags=0x80, mark="available"))
    assert raised.value.field == "flags"


def test_a_broken_device_refuses_device_actions_until_reset() -> None:
    w = world(queue_size=4)
    for a in (
        act("write_descriptor", index=0, addr=RAM, len=8, flags=1, next=0),
        act("publish", head=0),
        act("device_fetch"),
    ):
        w.act(a)
    with pytest.raises(ActionError):
        w.act(act("device_fetch"))
    w.act(act("reset_queue"))
    assert w.state()["device"]["needs_reset"] is False


@pytest.mark.parametrize(
    ("ring", "bad_use"),
    [("split", act("use_buffer", head=16, len=0)), ("packed", act("use_buffer", id=16, len=0))],
)
def test_a_used_id_outside_the_ring_is_bad_ring_then_the_driver_is_done(
    ring: str, bad_use: UserAction
) -> None:
    """The ring lab's device returns id 16 on a 16-entry queue: the device's write says so,
    the driver's collect is Linux's BAD_RING() ("id 16 out of range"), and from then on
    the lab refuses what Linux refuses on a broken queue, until reset_queue."""
    w = world(queue_size=16, ring=ring)
    w.act(bad_use)
    written = w.log.take()
    assert any("16" in e.summary and e.values.get("popped") is False for e in written)
    w.act(act("driver_get_used"))
    [bad] = w.log.take()
    assert (bad.kind, bad.values["linux_log"]) == ("bad_ring", "id 16 out of range")
    assert w.state()["queues"][0]["driver"]["broken"] is True
    for refused in (act("driver_get_used"), act("add_buffer", in_lens="8"), act("kick")):
        with pytest.raises(ActionError, match="BAD_RING"):
            w.act(refused)
    w.act(act("interrupt", check=False))
    handler = w.log.take()[-1]
    assert handler.values["broken"] is True and "without running" in handler.summary
    w.act(act("reset_queue"))
    w.act(act("add_buffer", in_lens="8"))


# -- any sequence of possible actions leaves the model consistent -----------------------------
ACTIONS = st.one_of(
    st.builds(
        lambda i, f, n: act("write_descriptor", index=i, addr=RAM, len=8, flags=f, next=n),
        st.integers(0, 3),
        st.sampled_from([0, 1, 2, 3, 4, 5]),
        st.integers(0, 5),
    ),
    st.builds(lambda h: act("publish", head=h), st.integers(0, 5)),
    st.builds(lambda v: act("set_avail_idx", value=v), st.integers(0, 0xFFFF)),
    st.builds(lambda h, n: act("use_buffer", head=h, len=n), st.integers(0, 5), st.integers(0, 99)),
    st.sampled_from(
        [
            act("add_buffer", in_lens="8"),
            act("add_buffer", out_lens="4,4"),
            act("device_fetch"),
            act("driver_get_used"),
            act("kick", check=True),
            act("interrupt", check=True),
            act("reset_queue"),
        ]
    ),
)


def _for_packed(action: UserAction) -> UserAction:
    """The same move in the packed vocabulary: no next, and use_buffer takes an id."""
    params = dict(action.params)
    params.pop("next", None)
    if "head" in params:
        params["id"] = params.pop("head")
    return UserAction(action.kind, params)


@settings(max_examples=40, deadline=None)
@given(actions=st.lists(ACTIONS, max_size=12), ring=st.sampled_from(["split", "packed"]))
def test_any_actions_give_events_or_action_errors(actions: list[UserAction], ring: str) -> None:
    w = world(queue_size=4, ring=ring)
    for action in actions:
        if ring == "packed" and action.kind in {"publish", "set_avail_idx"}:
            continue
        with contextlib.suppress(ActionError):
            w.act(_for_packed(action) if ring == "packed" else action)
        state: dict[str, Any] = w.state()
        assert state["queues"][0]["size"] == 4
