"""Driver and device together on one split ring: whole stories, wraparound, a property.

virtio-1.2 §2.7.13 (driver supplies buffers), §2.7.14 (device uses them), §2.7.7 and
§2.7.10 (notification suppression, with and without VIRTIO_F_EVENT_IDX).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.split_rig import Rig, make_rig
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.virtqueue import Chain


def test_transmit_story() -> None:
    """The driver hands the device a 12-byte header and a payload; the device reads both."""
    rig = make_rig(8)
    header, payload = rig.buf(0, 12), rig.buf(1, 60)
    rig.memory.write(header.addr, bytes(range(12)))
    rig.memory.write(payload.addr, b"P" * 60)
    head = rig.driver.add_buffer([header, payload], [], token="skb")
    assert rig.driver.kick_prepare() is True
    chain = rig.device.pop()
    assert chain is not None
    assert chain.read_all(rig.memory) == bytes(range(12)) + b"P" * 60
    rig.device.push(chain, 0)
    assert rig.device.should_notify() is True
    used = rig.driver.get_used()
    assert used is not None
    assert (used.id, used.length, used.token) == (head, 0, "skb")
    assert rig.driver.free_count == 8
    assert rig.log.violations() == []


def test_receive_story_used_len_is_bytes_written() -> None:
    """used.len is what the device wrote, not the size of the buffer (§2.7.8)."""
    rig = make_rig(8)
    rig.driver.add_buffer([], [rig.buf(0, 12), rig.buf(1, 2048)], token="rx")
    chain = rig.device.pop()
    assert chain is not None
    frame = bytes(n % 251 for n in range(1514))
    written = chain.write_all(rig.memory, frame)
    rig.device.push(chain, written)
    used = rig.driver.get_used()
    assert used is not None
    assert used.length == 1514
    assert rig.memory.peek(rig.buf(0).addr, 12) == frame[:12]
    assert rig.memory.peek(rig.buf(1).addr, 1502) == frame[12:]


@pytest.mark.parametrize("event_idx", [False, True])
def test_indices_wrap_at_65536(event_idx: bool) -> None:
    """avail.idx and used.idx run 0xFFFD, 0xFFFE, 0xFFFF, 0, 1 ...; slots follow idx % N."""
    rig = make_rig(4, event_idx=event_idx, initial_index=0xFFFD)
    seen = []
    for n in range(6):
        head = rig.driver.add_buffer([], [rig.buf(n, 64)], token=n)
        slot = (0xFFFD + n) % 4
        assert rig.avail_slot(slot) == head
        assert rig.driver.kick_prepare() is True
        chain = rig.device.pop()
        assert chain is not None
        rig.device.push(chain, n)
        assert rig.used_elem(slot) == (head, n)
        assert rig.device.should_notify() is True
        used = rig.driver.get_used()
        assert used is not None
        seen.append((used.token, rig.avail_idx(), rig.used_idx()))
    assert seen == [(n, (0xFFFE + n) & 0xFFFF, (0xFFFE + n) & 0xFFFF) for n in range(6)]
    assert rig.log.violations() == []


def test_used_event_across_the_wrap() -> None:
    """N55: with used_event 1 and used.idx starting at 0xFFFE, only the push that moves
    used.idx from 1 to 2 must notify."""
    rig = make_rig(8, event_idx=True, initial_index=0xFFFE)
    rig.driver.set_used_event(1)
    decisions = []
    for n in range(5):
        rig.driver.add_buffer([rig.buf(n)], [])
        chain = rig.device.pop()
        assert chain is not None
        rig.device.push(chain, 0)
        decisions.append((rig.used_idx(), rig.device.should_notify()))
    assert decisions == [(0xFFFF, False), (0, False), (1, False), (2, True), (3, False)]


def test_avail_event_across_the_wrap() -> None:
    """N63: the driver kicks exactly when its batch of avail.idx passes avail_event."""
    rig = make_rig(8, event_idx=True, initial_index=0xFFFC)
    rig.device.set_avail_event(0)
    kicks = []
    for n in range(4):
        rig.driver.add_buffer([rig.buf(n)], [])
        rig.driver.add_buffer([rig.buf(n + 4)], [])
        kicks.append((rig.avail_idx(), rig.driver.kick_prepare()))
        for _ in range(2):
            chain = rig.device.pop()
            assert chain is not None
            rig.device.push(chain, 0)
            rig.driver.get_used()
        rig.device.set_avail_event(0)  # keep asking for the same point
    # batches [0xFFFC, 0xFFFE), [0xFFFE, 0), [0, 2), [2, 4): only the third contains 0
    assert kicks == [(0xFFFE, False), (0, False), (2, True), (4, False)]


@pytest.mark.parametrize(
    ("event_idx", "notified"), [(False, [False] * 3), (True, [False, True, False])]
)
def test_napi_style_polling_with_interrupts_off(event_idx: bool, notified: list[bool]) -> None:
    """The driver turns interrupts off while it polls; the device stays quiet; after the
    driver turns them back on, the next used buffer notifies again.

    With EVENT_IDX, Linux turns them off by writing 0 into used_event, so one stray
    notification comes when used.idx passes 0 (here 0 -> 1, just after the wrap), which
    the driver must tolerate (N51)."""
    rig = make_rig(8, event_idx=event_idx, initial_index=0xFFFF)
    rig.driver.disable_interrupts()
    for n in range(3):
        rig.driver.add_buffer([rig.buf(n)], [])
    seen = []
    for _ in range(3):
        chain = rig.device.pop()
        assert chain is not None
        rig.device.push(chain, 0)
        seen.append(rig.device.should_notify())
    assert seen == notified
    while rig.driver.get_used() is not None:
        pass
    assert rig.driver.enable_interrupts() is False
    rig.driver.add_buffer([rig.buf(7)], [])
    chain = rig.device.pop()
    assert chain is not None
    rig.device.push(chain, 0)
    assert rig.device.should_notify() is True
    assert rig.log.violations() == []


@pytest.mark.parametrize("event_idx", [False, True])
def test_device_polling_with_kicks_off(event_idx: bool) -> None:
    """The device turns kicks off while it drains the ring, then on again, and re-checks."""
    rig = make_rig(8, event_idx=event_idx)
    rig.driver.add_buffer([rig.buf(0)], [])
    assert rig.driver.kick_prepare() is True
    rig.device.disable_notifications()
    assert rig.device.pop() is not None
    rig.driver.add_buffer([rig.buf(1)], [])
    assert rig.driver.kick_prepare() is False  # the device is polling anyway
    assert rig.device.pop() is not None
    assert rig.device.pop() is None
    rig.device.enable_notifications()
    assert rig.device.has_available() is False
    rig.driver.add_buffer([rig.buf(2)], [])
    assert rig.driver.kick_prepare() is True
    assert rig.log.violations() == []


# -- property: random interleavings keep both sides consistent ---------------------------------
@dataclass
class Model:
    """What the test knows independently of the queues."""

    descs: dict[object, int] = field(default_factory=dict)  # token -> descriptors it holds
    returned: list[object] = field(default_factory=list)
    held: list[Chain] = field(default_factory=list)  # popped by the device, not yet pushed
    added: int = 0


OPS = st.lists(
    st.tuples(st.sampled_from(["add", "pop", "push", "get", "kick", "notify"]), st.integers(0, 7)),
    max_size=60,
)


def add(rig: Rig, model: Model, arg: int) -> None:
    count = 1 + arg % 3
    out = [rig.buf(n, 8 + n) for n in range(count - arg % 2)]
    in_ = [rig.buf(10 + n, 100, writable=True) for n in range(count - len(out))]
    table = rig.table(model.added) if rig.driver.indirect and arg >= 4 else None
    needed = 1 if table is not None and count > 1 else count
    token = ("buffer", model.added)
    if needed > rig.driver.free_count or count > rig.layout.size:
        before = (rig.driver.free_list(), rig.ring_bytes())
        with pytest.raises(ConfigError):
            rig.driver.add_buffer(out, in_, token, indirect_table_addr=table)
        assert (rig.driver.free_list(), rig.ring_bytes()) == before
        return
    rig.driver.add_buffer(out, in_, token, indirect_table_addr=table)
    model.descs[token] = needed
    model.added += 1


def step(rig: Rig, model: Model, op: str, arg: int) -> None:
    if op == "add":
        add(rig, model, arg)
    elif op == "pop":
        chain = rig.device.pop()
        if chain is not None:
            model.held.append(chain)
    elif op == "push" and model.held:
        chain = model.held.pop(arg % len(model.held))
        rig.device.push(chain, min(arg * 10, chain.writable_capacity))
    elif op == "get":
        used = rig.driver.get_used()
        if used is not None:
            model.returned.append(used.token)
    elif op == "kick":
        rig.driver.kick_prepare()
    elif op == "notify":
        rig.device.should_notify()


def check(rig: Rig, model: Model) -> None:
    outstanding = sum(n for token, n in model.descs.items() if token not in model.returned)
    assert rig.driver.free_count + outstanding == rig.layout.size
    assert len(set(model.returned)) == len(model.returned)
    assert set(model.returned) <= set(model.descs)
    assert not rig.driver.broken and not rig.device.broken


@settings(max_examples=60, deadline=None)
@given(
    ops=OPS,
    size=st.sampled_from([1, 2, 4, 8]),
    event_idx=st.booleans(),
    indirect=st.booleans(),
    initial=st.one_of(st.integers(0, 0xFFFF), st.integers(0xFFF0, 0xFFFF)),
)
def test_random_interleavings_keep_driver_and_device_consistent(
    ops: list[tuple[str, int]], size: int, event_idx: bool, indirect: bool, initial: int
) -> None:
    """free_count + descriptors in flight == N at every step, and every buffer added
    comes back exactly once when the device finishes everything."""
    rig = make_rig(size, event_idx=event_idx, indirect=indirect, initial_index=initial)
    model = Model()
    for op, arg in ops:
        step(rig, model, op, arg)
        check(rig, model)
    # drain: the device finishes everything, the driver collects everything
    while (chain := rig.device.pop()) is not None:
        model.held.append(chain)
    for chain in model.held:
        rig.device.push(chain, 0)
    while (used := rig.driver.get_used()) is not None:
        model.returned.append(used.token)
    check(rig, model)
    assert sorted(model.returned, key=str) == sorted(model.descs, key=str)
    assert rig.driver.free_count == size
    assert rig.device.in_flight == ()
    assert rig.avail_idx() == rig.used_idx() == (initial + len(model.descs)) & 0xFFFF
    assert rig.log.violations() == []
