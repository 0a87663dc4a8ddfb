"""Random interleavings of the driver and the device stay consistent over many laps.

Whatever order buffers are added, taken, completed (in or out of order) and reclaimed in,
on a small ring whose size need not be a power of 2 (virtio-1.2 §2.8): every token comes
back exactly once with the length the device reported, the driver's free slots plus its
in-flight slots always make N, nobody breaks a MUST, and once everything is drained both
sides stand on the same slot with the same wrap counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from tests.support.packed_rig import TABLE, Rig, inn, make_rig, out
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.virtqueue import Chain

Op = tuple[str, int, int, bool]

ops = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "add", "pop", "pop", "push", "push", "get_used", "get_used", "kick", "notify"]
        ),
        st.integers(0, 3),
        st.integers(0, 0x300),
        st.booleans(),
    ),
    min_size=40,
    max_size=200,
)


@dataclass
class Tracker:
    rig: Rig
    in_order: bool
    next_token: int = 0
    popped: list[Chain] = field(default_factory=list)
    expected_len: dict[int, int] = field(default_factory=dict)  # token -> len to come back
    returned: list[int] = field(default_factory=list)
    tables: dict[int, int] = field(default_factory=dict)  # token -> indirect table slot
    token_of_id: dict[int, int] = field(default_factory=dict)
    laps: int = 0

    def add(self, readable: int, writable: int, indirect: bool) -> None:
        driver = self.rig.driver
        readable = max(readable, 0 if writable % 3 else 1)
        out_ = [out(n) for n in range(readable)]
        in_ = [inn(4 + n) for n in range(writable % 3)]
        indirect = indirect and len(out_) + len(in_) <= self.rig.layout.size  # else N87
        slot = min(set(range(8)) - set(self.tables.values()))
        table = TABLE + 0x100 * slot if indirect else None
        need = 1 if indirect else len(out_) + len(in_)
        if need > driver.free_count:
            before = (driver.free_count, driver.next_avail, self.rig.memory.snapshot())
            try:
                driver.add_buffer(out_, in_, self.next_token, indirect_table_addr=table)
            except ConfigError:
                assert (driver.free_count, driver.next_avail, self.rig.memory.snapshot()) == before
                return
            raise AssertionError("a list without room was accepted")
        wrap = driver.avail_wrap_counter
        buffer_id = driver.add_buffer(out_, in_, self.next_token, indirect_table_addr=table)
        self.laps += wrap != driver.avail_wrap_counter
        self.token_of_id[buffer_id] = self.next_token
        if indirect:
            self.tables[self.next_token] = slot
        self.next_token += 1

    def pop(self) -> None:
        chain = self.rig.device.pop()
        if chain is not None:
            self.popped.append(chain)
            self.tables.pop(self.token_of_id[chain.id], None)  # the device has read the table

    def push(self, pick: int, written: int) -> None:
        if not self.popped:
            return
        chain = self.popped.pop(0 if self.in_order else pick % len(self.popped))
        written = min(written, chain.writable_capacity)
        self.expected_len[self.token_of_id[chain.id]] = written
        self.rig.device.push(chain, written)

    def get_used(self) -> None:
        used = self.rig.driver.get_used()
        if used is not None:
            assert isinstance(used.token, int)
            assert used.length == self.expected_len.pop(used.token)
            assert self.token_of_id[used.id] == used.token
            self.returned.append(used.token)

    def check(self) -> None:
        driver, device, size = self.rig.driver, self.rig.device, self.rig.layout.size
        assert driver.free_count + sum(driver.in_flight.values()) == size
        assert {buffer_id for buffer_id, _ in device.in_flight} <= set(driver.in_flight)
        assert not driver.broken and not device.broken
        assert self.rig.log.violations() == []

    def drain(self) -> None:
        while (chain := self.rig.device.pop()) is not None:
            self.popped.append(chain)
        while self.popped:
            self.push(0, 1)
        while self.rig.driver.in_flight:
            before = len(self.returned)
            self.get_used()
            assert len(self.returned) == before + 1


@settings(max_examples=60, deadline=None)
@given(
    size=st.sampled_from([1, 2, 3, 4, 5, 7]),
    event_idx=st.booleans(),
    in_order=st.booleans(),
    script=ops,
)
def test_random_driver_and_device_steps_stay_consistent(
    size: int, event_idx: bool, in_order: bool, script: list[Op]
) -> None:
    rig = make_rig(size, event_idx=event_idx, indirect=True, in_order=in_order)
    tracker = Tracker(rig, in_order)
    for name, a, b, flag in script:
        if name == "add":
            tracker.add(a, b, flag)
        elif name == "pop":
            tracker.pop()
        elif name == "push":
            tracker.push(a, b)
        elif name == "get_used":
            tracker.get_used()
        elif name == "kick":
            rig.driver.kick_prepare()
        else:
            rig.device.should_notify()
        tracker.check()
        rig.log.take()
    tracker.drain()
    tracker.check()
    target(float(tracker.laps))  # steer towards scripts that turn the ring over often
    event(f"laps: {min(tracker.laps, 5)}+" if tracker.laps >= 5 else f"laps: {tracker.laps}")
    assert sorted(tracker.returned) == list(range(tracker.next_token))
    driver, device = rig.driver, rig.device
    assert driver.free_count == size
    assert driver.next_avail == driver.next_used == device.next_avail == device.next_used
    assert (driver.avail_wrap_counter, driver.used_wrap_counter) == (
        device.avail_wrap_counter,
        device.used_wrap_counter,
    )
    assert driver.avail_wrap_counter == driver.used_wrap_counter


def test_the_property_covers_several_laps() -> None:
    """A fixed long script on a 5-slot ring: the ring turns over at least 4 times."""
    rig = make_rig(5, indirect=True)
    tracker = Tracker(rig, in_order=False)
    for n in range(40):
        tracker.add(n % 3, n % 2, n % 5 == 0)
        tracker.pop()
        if n % 2:
            tracker.push(n, 0x40)
            tracker.push(0, 0)
        tracker.get_used()
        tracker.get_used()
        tracker.check()
    tracker.drain()
    assert tracker.laps >= 4
    assert sorted(tracker.returned) == list(range(tracker.next_token))
