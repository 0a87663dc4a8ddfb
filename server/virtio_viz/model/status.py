"""Device status and feature negotiation, as a transition table. virtio-1.2 §2.1, §2.2, §3.1.1.

How this works (the h11 style): the device's side of the handshake is a small state
machine. Its state is the status byte plus the negotiation state (features offered,
driver feature words written so far, whether FEATURES_OK latched or was refused). The
state is summarised as a `Phase`. A driver write of a status value is classified into
`Step`s (a reset, or the status bits it adds, in §3.1.1 order; or "clears bits", "sets a
device-only bit", "changes nothing"), and each step is looked up in `TRANSITIONS`, which
says what the device does: set the bit, check the features, reset, or reject.

Feature words and the check of the driver's subset live in `negotiation.py`.

Choices this model makes where the spec only says what the driver MUST do:
- A write that breaks a rule (clears a bit N2, skips a step N15, re-initializes after
  FAILED N3, continues after a refused FEATURES_OK N18, sets DEVICE_NEEDS_RESET or a
  reserved bit N1) is recorded as a Violation and ignored as a whole: the status stays
  what the device had. Writes are all-or-nothing, so the state stays one of the phases.
- Several bits added in one write (SeaBIOS writes 0 -> 3) are taken as the steps in
  §3.1.1 order. If FEATURES_OK is refused, the steps after it in that write are dropped.
- FEATURES_OK is refused (not latched; the read-back lacks bit 3, §2.2.2, N10) when the
  driver accepted a bit that was not offered (N6), a bit without its requirement (N7),
  left out VERSION_1 although offered (N22), or when the scenario's `refuse_features`
  knob (a mask, or a predicate returning a reason) says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from virtio_viz.model.events import EventLog
from virtio_viz.model.features import describe
from virtio_viz.model.negotiation import (
    FeatureNegotiation,
    RefuseKnob,
    check_subset,
    record_verdict,
)
from virtio_viz.model.spec import Status, status_names

_ANALOG = "virtio_set_status() in QEMU"
_FEATURES = "virtio_pci_common_write() / virtio_mmio_write() in QEMU"
_DRIVER_BITS = (
    Status.ACKNOWLEDGE | Status.DRIVER | Status.FEATURES_OK | Status.DRIVER_OK | Status.FAILED
)


class Phase(Enum):
    """Where the handshake stands, as the device sees it (§3.1.1 steps)."""

    RESET = "reset"
    ACKNOWLEDGED = "acknowledged"
    DRIVER = "driver"
    FEATURES_REFUSED = "features refused"
    FEATURES_OK = "features ok"
    DRIVER_OK = "driver ok"
    FAILED = "failed"


class Step(Enum):
    """One step a driver's status write asks for."""

    RESET = "writes 0 (reset)"
    REWRITE = "changes nothing"
    ADD_ACKNOWLEDGE = "adds ACKNOWLEDGE"
    ADD_DRIVER = "adds DRIVER"
    ADD_FEATURES_OK = "adds FEATURES_OK"
    ADD_DRIVER_OK = "adds DRIVER_OK"
    ADD_FAILED = "adds FAILED"
    CLEAR_BITS = "clears bits"
    SET_DEVICE_BITS = "sets a bit only the device may set"


class Action(Enum):
    RESET = "reset"
    NOTHING = "nothing"
    SET_BIT = "set the bit"
    CHECK_FEATURES = "check the features, then latch FEATURES_OK or refuse it"
    REJECT = "reject the whole write"


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    rule: int | None = None  # the N-number a REJECT records
    why: str = ""


def _reject(rule: int, why: str) -> Transition:
    return Transition(Action.REJECT, rule, why)


_SET = Transition(Action.SET_BIT)
_ANY_PHASE = {
    Step.RESET: Transition(Action.RESET),  # §2.4: writing 0 resets, from anywhere
    Step.REWRITE: Transition(Action.NOTHING),
    Step.CLEAR_BITS: _reject(2, "the driver clears a status bit; only a reset may do that"),
    Step.SET_DEVICE_BITS: _reject(
        1, "the driver sets DEVICE_NEEDS_RESET or a reserved bit, which no init step sets"
    ),
}
_AFTER_FAILED = "the driver must reset the device after FAILED before initializing it again"
_AFTER_REFUSAL = "the device refused FEATURES_OK: the driver must not continue initializing"

# virtio-1.2 §2.1.1, §3.1.1: (phase, step) -> what the device does.
TRANSITIONS: dict[Phase, dict[Step, Transition]] = {
    Phase.RESET: {
        **_ANY_PHASE,
        Step.ADD_ACKNOWLEDGE: _SET,
        Step.ADD_DRIVER: _reject(15, "DRIVER is set before ACKNOWLEDGE"),
        Step.ADD_FEATURES_OK: _reject(15, "FEATURES_OK is set before ACKNOWLEDGE and DRIVER"),
        Step.ADD_DRIVER_OK: _reject(15, "DRIVER_OK is set before ACKNOWLEDGE"),
        Step.ADD_FAILED: _SET,
    },
    Phase.ACKNOWLEDGED: {
        **_ANY_PHASE,
        Step.ADD_DRIVER: _SET,
        Step.ADD_FEATURES_OK: _reject(15, "FEATURES_OK is set before DRIVER"),
        Step.ADD_DRIVER_OK: _reject(15, "DRIVER_OK is set before DRIVER and FEATURES_OK"),
        Step.ADD_FAILED: _SET,
    },
    Phase.DRIVER: {
        **_ANY_PHASE,
        Step.ADD_FEATURES_OK: Transition(Action.CHECK_FEATURES),
        Step.ADD_DRIVER_OK: _reject(15, "DRIVER_OK is set before FEATURES_OK"),
        Step.ADD_FAILED: _SET,
    },
    Phase.FEATURES_REFUSED: {
        **_ANY_PHASE,
        Step.ADD_FEATURES_OK: _reject(18, _AFTER_REFUSAL),
        Step.ADD_DRIVER_OK: _reject(18, _AFTER_REFUSAL),
        Step.ADD_FAILED: _SET,
    },
    Phase.FEATURES_OK: {**_ANY_PHASE, Step.ADD_DRIVER_OK: _SET, Step.ADD_FAILED: _SET},
    Phase.DRIVER_OK: {**_ANY_PHASE, Step.ADD_FAILED: _SET},
    Phase.FAILED: {
        **_ANY_PHASE,
        Step.ADD_ACKNOWLEDGE: _reject(3, _AFTER_FAILED),
        Step.ADD_DRIVER: _reject(3, _AFTER_FAILED),
        Step.ADD_FEATURES_OK: _reject(3, _AFTER_FAILED),
        Step.ADD_DRIVER_OK: _reject(3, _AFTER_FAILED),
    },
}

# §3.1.1 order; FAILED last, so "ACKNOWLEDGE|FAILED" acknowledges, then gives up.
_STEP_ORDER = (
    (Status.ACKNOWLEDGE, Step.ADD_ACKNOWLEDGE),
    (Status.DRIVER, Step.ADD_DRIVER),
    (Status.FEATURES_OK, Step.ADD_FEATURES_OK),
    (Status.DRIVER_OK, Step.ADD_DRIVER_OK),
    (Status.FAILED, Step.ADD_FAILED),
)
_STEP_BIT = {step: status_bit for status_bit, step in _STEP_ORDER}
_NEXT_PHASE = {
    Step.ADD_ACKNOWLEDGE: Phase.ACKNOWLEDGED,
    Step.ADD_DRIVER: Phase.DRIVER,
    Step.ADD_FEATURES_OK: Phase.FEATURES_OK,
    Step.ADD_DRIVER_OK: Phase.DRIVER_OK,
    Step.ADD_FAILED: Phase.FAILED,
}


def classify(old: int, new: int) -> tuple[Step, ...]:
    """The steps a driver write of `new` over status `old` asks for."""
    if new == 0:
        return (Step.RESET,)
    if old & ~new:
        return (Step.CLEAR_BITS,)
    added = new & ~old
    if added & ~_DRIVER_BITS:
        return (Step.SET_DEVICE_BITS,)
    if not added:
        return (Step.REWRITE,)
    return tuple(step for status_bit, step in _STEP_ORDER if added & status_bit)


def phase_of(status: int, *, refused: bool) -> Phase:
    if status & Status.FAILED:
        return Phase.FAILED
    for status_bit, phase in (
        (Status.DRIVER_OK, Phase.DRIVER_OK),
        (Status.FEATURES_OK, Phase.FEATURES_OK),
        (Status.DRIVER, Phase.FEATURES_REFUSED if refused else Phase.DRIVER),
        (Status.ACKNOWLEDGE, Phase.ACKNOWLEDGED),
    ):
        if status & status_bit:
            return phase
    return Phase.RESET


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    """What one driver status write did; the device core acts on it."""

    old: int
    new: int
    steps: tuple[Step, ...]
    rejected: bool = False
    reset: bool = False
    features_latched: bool = False
    went_live: bool = False


class StatusMachine:
    """The device status byte and feature negotiation of one device."""

    def __init__(
        self, log: EventLog, device_id: int, offered: int, *, refuse_features: RefuseKnob = 0
    ) -> None:
        self.log = log
        self.device_id = device_id
        self.features = FeatureNegotiation(offered)
        self.refuse_features: RefuseKnob = refuse_features
        self.status = 0

    @property
    def phase(self) -> Phase:
        return phase_of(self.status, refused=self.features.refused)

    @property
    def negotiated(self) -> int:
        """The negotiated features once FEATURES_OK latched, else 0."""
        return self.features.accepted if self.features.latched else 0

    def has(self, status_bit: Status) -> bool:
        return bool(self.status & status_bit)

    # -- the driver writes device_status / Status ------------------------------------------
    def write(self, value: int) -> StatusOutcome:
        old = self.status
        steps = classify(old, value)
        problem = self._first_rejection(steps)
        if problem is not None:
            step, transition = problem
            return self._reject(old, value, steps, step, transition)
        if steps == (Step.RESET,):
            return self._reset(old)
        if steps == (Step.REWRITE,):
            self._record("status_rewrite", old, f"The driver writes status {old:#x} again")
            return StatusOutcome(old, old, steps)
        return self._apply(old, steps)

    def _first_rejection(self, steps: tuple[Step, ...]) -> tuple[Step, Transition] | None:
        """Walk the steps through the table, assuming each succeeds; the first REJECT."""
        phase = self.phase
        for step in steps:
            transition = TRANSITIONS[phase][step]
            if transition.action is Action.REJECT:
                return step, transition
            phase = _NEXT_PHASE.get(step, phase)
        return None

    def _reject(
        self, old: int, value: int, steps: tuple[Step, ...], step: Step, rule: Transition
    ) -> StatusOutcome:
        assert rule.rule is not None
        self.log.violation(
            rule.rule,
            actor="driver",
            detail=f"{rule.why} (status {status_names(old)} -> {status_names(value)})",
            analog="virtio_add_status() in Linux never does this",
            values={"old": old, "written": value, "step": step.value},
        )
        self._record(
            "status_write_ignored",
            old,
            f"The device ignores the write of {value:#x} ({status_names(value)}) and keeps "
            f"status {old:#x}",
            written=value,
        )
        return StatusOutcome(old, old, steps, rejected=True)

    def _reset(self, old: int, how: str = "The driver writes 0") -> StatusOutcome:
        # virtio-1.2 §2.4.1: the device reinitializes status to 0 (N11, N91)
        self.status = 0
        self.features.clear()
        self._record(
            "status_reset",
            old,
            f"{how}: the device resets (status {status_names(old)} -> 0) and reads back 0",
        )
        return StatusOutcome(old, 0, (Step.RESET,), reset=True)

    def reset(self, how: str) -> StatusOutcome:
        """A reset that is not a status write (virtio-ccw's CCW_CMD_VDEV_RESET, §4.3.3.3);
        `how` says what asked for it."""
        return self._reset(self.status, how)

    def _apply(self, old: int, steps: tuple[Step, ...]) -> StatusOutcome:
        applied: list[Step] = []
        for step in steps:
            action = TRANSITIONS[self.phase][step].action
            if action is Action.CHECK_FEATURES and not self._check_features():
                break
            self.status = int(self.status | _STEP_BIT[step])
            applied.append(step)
        summary = f"Status {old:#x} -> {self.status:#x}"
        if applied:
            summary = f"The driver {', '.join(s.value for s in applied)}: " + summary.lower()
        if len(applied) < len(steps):
            summary += "; FEATURES_OK is refused"
            dropped = steps[len(applied) + 1 :]
            if dropped:
                summary += f", so the rest of the write ({', '.join(s.value for s in dropped)})"
                summary += " is dropped"
        self._record("status_set", old, summary, steps=", ".join(s.name for s in applied))
        return StatusOutcome(
            old,
            self.status,
            tuple(applied),
            features_latched=Step.ADD_FEATURES_OK in applied,
            went_live=Step.ADD_DRIVER_OK in applied,
        )

    # -- FEATURES_OK: the device checks the driver's subset (§2.2.1, §2.2.2) ---------------
    def _check_features(self) -> bool:
        why = check_subset(self.features, self.device_id, self.refuse_features, self.log)
        record_verdict(self.log, self.features, self.device_id, why)
        self.features.latched, self.features.refused = why is None, why is not None
        return why is None

    # -- feature words (PCI device_feature*, driver_feature*; MMIO *Features*) -------------
    def select_device_word(self, select: int) -> None:
        self.features.device_feature_select = select

    def select_driver_word(self, select: int) -> None:
        self.features.driver_feature_select = select

    def write_driver_word(self, word: int) -> bool:
        """The driver writes 32 accepted bits at driver_feature_select; False if ignored."""
        select, features = self.features.driver_feature_select, self.features
        old_word = features.driver_word()
        if self.has(Status.FAILED):
            return self._ignore_word(3, _AFTER_FAILED, select, word)
        if not self.has(Status.DRIVER):
            return self._ignore_word(15, "feature bits are written before DRIVER", select, word)
        if features.latched and word != old_word:
            return self._ignore_word(
                17, f"word {select} changes from {old_word:#x} after FEATURES_OK", select, word
            )
        features.driver_words[select] = word
        names = describe(word << (32 * select), self.device_id) if select < 2 else []
        self.log.record(
            "driver_features_write",
            actor="device",
            plane="control",
            spec="§2.2",
            analog=_FEATURES,
            summary=f"The device stores the driver's feature word {select} = {word:#010x}"
            + (f" ({', '.join(names)})" if names else ""),
            values={"select": select, "word": word, "accepted": features.accepted},
        )
        return True

    def _ignore_word(self, rule: int, why: str, select: int, word: int) -> bool:
        self._violation(rule, f"{why} (select {select}, value {word:#x}); the device ignores it")
        return False

    # -- DEVICE_NEEDS_RESET, set by the device only (§2.1.2) ---------------------------------
    def set_needs_reset(self) -> bool:
        """Set DEVICE_NEEDS_RESET; True if it was newly set."""
        if self.has(Status.DEVICE_NEEDS_RESET):
            return False
        self.status = int(self.status | Status.DEVICE_NEEDS_RESET)
        return True

    # -- events ---------------------------------------------------------------------------
    def _violation(self, rule: int, detail: str) -> None:
        self.log.violation(rule, actor="driver", detail=detail, analog=_FEATURES)

    def _record(self, kind: str, old: int, summary: str, **values: int | str) -> None:
        self.log.record(
            kind,
            actor="device",
            plane="control",
            spec="§2.1" if kind != "status_reset" else "§2.4",
            analog=_ANALOG,
            summary=summary,
            values={
                "old": old,
                "new": self.status,
                "old_names": status_names(old),
                "new_names": status_names(self.status),
                "phase": self.phase.value,
                **values,
            },
        )
