"""The device status transition table and feature negotiation (virtio-1.2 §2.1, §2.2, §3.1.1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.negotiation import RefuseKnob
from virtio_viz.model.spec import DeviceId, Status
from virtio_viz.model.status import (
    TRANSITIONS,
    Action,
    Phase,
    StatusMachine,
    Step,
    classify,
)

VERSION_1 = bit("VIRTIO_F_VERSION_1")
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")
MAC = bit("VIRTIO_NET_F_MAC")
CSUM = bit("VIRTIO_NET_F_CSUM")
HOST_TSO4 = bit("VIRTIO_NET_F_HOST_TSO4")
OFFERED = VERSION_1 | EVENT_IDX | MAC | CSUM | HOST_TSO4
ACK, DRV, FOK, DOK = Status.ACKNOWLEDGE, Status.DRIVER, Status.FEATURES_OK, Status.DRIVER_OK
FAILED, NEEDS_RESET = Status.FAILED, Status.DEVICE_NEEDS_RESET


def machine(refuse: RefuseKnob = 0, offered: int = OFFERED) -> StatusMachine:
    return StatusMachine(EventLog(GuestMemory()), DeviceId.NET, offered, refuse_features=refuse)


def accept(m: StatusMachine, features: int) -> None:
    for select in (0, 1):
        m.select_driver_word(select)
        m.write_driver_word(features >> (32 * select) & 0xFFFF_FFFF)


def rules(m: StatusMachine) -> list[int]:
    return [v.rule for v in m.log.violations()]


def machine_in(phase: Phase) -> StatusMachine:
    """A machine brought to `phase` the way a Linux driver gets there."""
    m = machine(refuse=MAC)
    paths: dict[Phase, list[int | str]] = {
        Phase.RESET: [],
        Phase.ACKNOWLEDGED: [1],
        Phase.DRIVER: [1, 3],
        Phase.FEATURES_REFUSED: [1, 3, "refused"],
        Phase.FEATURES_OK: [1, 3, "ok"],
        Phase.DRIVER_OK: [1, 3, "ok", 0xF],
        Phase.FAILED: [0x80],  # gives up at once: every init step is still to come
    }
    for action in paths[phase]:
        if action == "refused":
            accept(m, VERSION_1 | MAC)
            m.write(0xB)
        elif action == "ok":
            accept(m, VERSION_1)
            m.write(0xB)
        else:
            assert isinstance(action, int)
            m.write(action)
    assert m.phase is phase
    assert rules(m) == []
    m.log.take()
    return m


# -- classification --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "steps"),
    [
        (0x0F, 0x00, (Step.RESET,)),
        (0x00, 0x00, (Step.RESET,)),
        (0x01, 0x03, (Step.ADD_DRIVER,)),
        (0x00, 0x03, (Step.ADD_ACKNOWLEDGE, Step.ADD_DRIVER)),  # SeaBIOS: 0 -> 3
        (0x03, 0x0F, (Step.ADD_FEATURES_OK, Step.ADD_DRIVER_OK)),
        (0x03, 0x83, (Step.ADD_FAILED,)),
        (0x0B, 0x0B, (Step.REWRITE,)),
        (0x0B, 0x03, (Step.CLEAR_BITS,)),
        (0x4B, 0x8B, (Step.CLEAR_BITS,)),  # drops DEVICE_NEEDS_RESET
        (0x0B, 0x4B, (Step.SET_DEVICE_BITS,)),
        (0x01, 0x21, (Step.SET_DEVICE_BITS,)),  # a reserved bit
    ],
)
def test_classify(old: int, new: int, steps: tuple[Step, ...]) -> None:
    assert classify(old, new) == steps


# -- every row of the table ------------------------------------------------------------------------
ROWS = [(phase, step) for phase, row in TRANSITIONS.items() for step in row]
_BIT = {
    Step.ADD_ACKNOWLEDGE: ACK,
    Step.ADD_DRIVER: DRV,
    Step.ADD_FEATURES_OK: FOK,
    Step.ADD_DRIVER_OK: DOK,
    Step.ADD_FAILED: FAILED,
}


def _write_for(m: StatusMachine, step: Step) -> int:
    old = m.status
    if step is Step.RESET:
        return 0
    if step is Step.REWRITE:
        if old == 0:  # writing 0 is a reset: rewrite DEVICE_NEEDS_RESET instead
            m.set_needs_reset()
        return m.status
    if step is Step.CLEAR_BITS:
        if old == 0:  # only DEVICE_NEEDS_RESET can be cleared from status 0
            m.set_needs_reset()
            return int(ACK)
        lowest = old & -old
        return old & ~lowest or lowest << 1  # 1 -> 2 clears ACKNOWLEDGE, adds DRIVER
    if step is Step.ADD_FEATURES_OK and m.phase is Phase.DRIVER:
        accept(m, VERSION_1)
        m.log.take()
    if step is Step.SET_DEVICE_BITS:
        return old | NEEDS_RESET
    return old | _BIT[step]


def test_the_table_covers_every_reachable_pair() -> None:
    """Adding a bit that is already set is no step, so those pairs cannot occur."""
    for phase in Phase:
        status = machine_in(phase).status
        for step in Step:
            unreachable = step in _BIT and status & _BIT[step]
            assert (step in TRANSITIONS[phase]) == (not unreachable), (phase, step)


@pytest.mark.parametrize(("phase", "step"), ROWS, ids=[f"{p.name}-{s.name}" for p, s in ROWS])
def test_every_row(phase: Phase, step: Step) -> None:
    m = machine_in(phase)
    transition = TRANSITIONS[phase][step]
    value = _write_for(m, step)
    old = m.status
    outcome = m.write(value)
    assert outcome.steps[-1:] == (step,) or outcome.rejected
    kinds = [e.kind for e in m.log.events]
    if transition.action is Action.REJECT:
        assert rules(m) == [transition.rule]
        assert m.status == old and outcome.rejected
        assert kinds[-1] == "status_write_ignored"
    elif transition.action is Action.RESET:
        assert m.status == 0 and outcome.reset
        assert kinds == ["status_reset"]
    elif transition.action is Action.NOTHING:
        assert m.status == old and kinds == ["status_rewrite"]
    elif transition.action is Action.SET_BIT:
        assert m.status == old | _BIT[step]
        assert rules(m) == [] and kinds == ["status_set"]
    else:  # CHECK_FEATURES, with VERSION_1 accepted: latched
        assert m.status == old | FOK and outcome.features_latched
        assert kinds == ["features_accepted", "status_set"]
    event = m.log.events[-1]
    assert event.values["old"] == old and event.values["new"] == m.status


# -- the Linux sequence ----------------------------------------------------------------------------
def test_linux_init_sequence_0_1_3_11_15() -> None:
    m = machine()
    seen = []
    for value in (0, 1, 3):
        m.write(value)
        seen.append(m.status)
    accept(m, VERSION_1 | EVENT_IDX | MAC)
    m.write(0xB)
    seen.append(m.status)  # step 6: re-read, FEATURES_OK is still there
    m.write(0xF)
    seen.append(m.status)
    assert seen == [0, 1, 3, 0xB, 0xF]
    assert m.phase is Phase.DRIVER_OK
    assert m.negotiated == VERSION_1 | EVENT_IDX | MAC
    assert rules(m) == []
    last = m.log.events[-1]
    assert last.kind == "status_set"
    assert last.values["old_names"] == "ACKNOWLEDGE|DRIVER|FEATURES_OK"
    assert last.values["new_names"] == "ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK"


def test_several_steps_in_one_write_seabios_style() -> None:
    m = machine()
    outcome = m.write(3)
    assert outcome.steps == (Step.ADD_ACKNOWLEDGE, Step.ADD_DRIVER)
    assert m.status == 3 and rules(m) == []


def test_a_refused_features_ok_drops_the_rest_of_the_write() -> None:
    """N22: VERSION_1 offered and not accepted; FEATURES_OK and DRIVER_OK both stay clear."""
    m = machine()
    m.write(3)
    accept(m, MAC)
    outcome = m.write(0xF)
    assert m.status == 3
    assert outcome.steps == () and not outcome.went_live
    assert rules(m) == [22]
    assert m.log.events[-1].summary == (
        "Status 0x3 -> 0x3; FEATURES_OK is refused, so the rest of the write (adds DRIVER_OK) "
        "is dropped"
    )


# -- FEATURES_OK refused ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("features", "rule"),
    [
        (VERSION_1 | bit("VIRTIO_NET_F_GUEST_CSUM"), 6),  # not offered
        (VERSION_1 | HOST_TSO4, 7),  # HOST_TSO4 needs CSUM
        (MAC, 22),  # VERSION_1 left out
    ],
)
def test_invalid_subsets_are_refused(features: int, rule: int) -> None:
    """N6 / N7 / N22 (driver) and N10 (device): the device does not latch FEATURES_OK."""
    m = machine()
    m.write(3)
    accept(m, features)
    m.write(0xB)
    assert m.status == 3  # the read-back lacks bit 3
    assert rules(m) == [rule]
    assert m.phase is Phase.FEATURES_REFUSED
    assert [e.kind for e in m.log.events][-2:] == ["features_refused", "status_set"]


def test_bits_past_63_are_never_offered() -> None:
    """N6: a driver that sets a bit through driver_feature_select 2."""
    m = machine()
    m.write(3)
    accept(m, VERSION_1)
    m.select_driver_word(2)
    m.write_driver_word(1)
    m.write(0xB)
    assert m.status == 3 and rules(m) == [6]


def test_refuse_knob_mask_and_predicate() -> None:
    masked = machine(refuse=MAC)
    masked.write(3)
    accept(masked, VERSION_1 | MAC)
    masked.write(0xB)
    assert masked.status == 3 and rules(masked) == []  # the device's choice: no violation
    assert "VIRTIO_NET_F_MAC" in masked.log.events[-2].summary

    def no_event_idx(accepted: int) -> str | None:
        return "this backend polls" if accepted & EVENT_IDX else None

    picky = machine(refuse=no_event_idx)
    picky.write(3)
    accept(picky, VERSION_1 | MAC)
    picky.write(0xB)
    assert picky.status == 0xB


def test_after_a_refusal_the_driver_fails_and_must_reset() -> None:
    """N10 then N3: FAILED is allowed, re-initializing without a reset is not."""
    m = machine(refuse=MAC)
    m.write(3)
    accept(m, VERSION_1 | MAC)
    m.write(0xB)
    assert not m.status & FOK
    m.write(0x83)
    assert m.phase is Phase.FAILED and rules(m) == []
    m.write(0x87)  # pretend nothing happened: DRIVER_OK
    assert rules(m) == [3] and m.status == 0x83
    m.write(0)
    m.write(1)
    assert m.status == 1 and m.features.accepted == 0 and not m.features.refused


def test_continuing_after_a_refusal_is_n18() -> None:
    """N18: retrying FEATURES_OK, or DRIVER_OK, after the device refused."""
    m = machine(refuse=MAC)
    m.write(3)
    accept(m, VERSION_1 | MAC)
    m.write(0xB)
    m.write(0xB)
    m.write(0x7)
    assert rules(m) == [18, 18] and m.status == 3


# -- feature words ---------------------------------------------------------------------------------
def test_feature_words_through_the_select_registers() -> None:
    m = machine(offered=0x0000_0101_30BF_8024)
    words = []
    for select in (0, 1, 2, 7):
        m.select_device_word(select)
        words.append(m.features.device_word())
    assert words == [0x30BF_8024, 0x101, 0, 0]


def test_feature_writes_before_driver_are_ignored() -> None:
    """N15: feature bits are written in step 4, after DRIVER."""
    m = machine()
    m.write(1)
    assert not m.write_driver_word(VERSION_1 & 0xFFFF_FFFF)
    assert rules(m) == [15] and m.features.accepted == 0


def test_new_feature_bits_after_features_ok_are_ignored() -> None:
    """N17: the negotiated set cannot change after FEATURES_OK."""
    m = machine()
    m.write(3)
    accept(m, VERSION_1)
    m.write(0xB)
    m.select_driver_word(0)
    assert m.write_driver_word(0)  # the same word again: harmless
    assert not m.write_driver_word(MAC)
    assert rules(m) == [17]
    assert m.negotiated == VERSION_1


# -- DEVICE_NEEDS_RESET ----------------------------------------------------------------------------
def test_needs_reset_is_the_devices_bit() -> None:
    """N2 / N1: the driver may neither clear DEVICE_NEEDS_RESET nor set it."""
    m = machine_in(Phase.DRIVER_OK)
    assert m.set_needs_reset() and not m.set_needs_reset()
    assert m.status == 0x4F
    m.write(0x0F)
    assert rules(m) == [2] and m.status == 0x4F
    m.write(0xCF)  # FAILED on top of what it read: fine
    assert m.status == 0xCF
    fresh = machine_in(Phase.DRIVER)
    fresh.write(0x43)
    assert rules(fresh) == [1] and fresh.status == 3


def test_clearing_a_bit_is_ignored() -> None:
    """N2: the driver writes 0x3 over 0xB; the device keeps 0xB."""
    m = machine_in(Phase.FEATURES_OK)
    m.write(0x3)
    assert rules(m) == [2] and m.status == 0xB
    values = m.log.events[-1].values
    assert (values["old"], values["new"], values["written"]) == (0xB, 0xB, 0x3)


# -- a property: any sequence of writes leaves a consistent state ----------------------------------
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 255), max_size=12), st.booleans())
def test_any_writes_keep_the_status_a_phase(values: list[int], refuse: bool) -> None:
    m = machine(refuse=MAC if refuse else 0)
    for value in values:
        if m.status & DRV and not m.status & FOK:
            accept(m, VERSION_1 | MAC)
        before = len(m.log.events)
        m.write(value)
        assert len(m.log.events) > before  # every write is told
        status = m.status & ~NEEDS_RESET
        steps = status & ~FAILED
        assert steps in (0, 1, 3, 0xB, 0xF)  # a prefix of the §3.1.1 order
        assert not (status & FOK) or m.features.latched
        assert m.status & ~(status | NEEDS_RESET) == 0
