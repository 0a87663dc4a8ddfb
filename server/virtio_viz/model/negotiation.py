"""Feature words and the device's check of the driver's subset. virtio-1.2 §2.2, §6.

The transports expose the 64 feature bits as 32-bit words behind select registers
(select 0 = bits 0..31, select 1 = bits 32..63; any other select reads 0, §4.1.4.3).
When the driver sets FEATURES_OK the device checks what it accepted (§2.2.1, §2.2.2):
only offered bits (N6), every requirement accepted too (N7), VERSION_1 accepted when
offered (N22), and whatever the scenario's `refuse_features` knob refuses on purpose.
`status.py` drives this from the status transition table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit, describe, missing_requirements

FeaturePredicate = Callable[[int], str | None]  # accepted features -> reason to refuse, or None
RefuseKnob = int | FeaturePredicate  # a mask of bits the device refuses, or a predicate

VERSION_1 = bit("VIRTIO_F_VERSION_1")
WORD_MASK = 0xFFFF_FFFF
_VALIDATE = "virtio_validate_features() in QEMU"


@dataclass(slots=True)
class FeatureNegotiation:
    """The feature registers of one device and where negotiation stands."""

    offered: int
    device_feature_select: int = 0
    driver_feature_select: int = 0
    driver_words: dict[int, int] = field(default_factory=dict)
    latched: bool = False  # FEATURES_OK accepted: `accepted` is now the negotiated set
    refused: bool = False  # the last FEATURES_OK was refused (§2.2.2)

    @property
    def accepted(self) -> int:
        """The driver's feature bits 0..63 as written so far."""
        return self.driver_words.get(0, 0) | self.driver_words.get(1, 0) << 32

    @property
    def beyond_64(self) -> bool:
        """Did the driver set a bit through a select other than 0 or 1 (never offered)?"""
        return any(word for select, word in self.driver_words.items() if select > 1)

    def device_word(self) -> int:
        """device_feature: the offered bits of the selected word; 0 past bit 63."""
        select = self.device_feature_select
        return self.offered >> (32 * select) & WORD_MASK if select < 2 else 0

    def driver_word(self) -> int:
        return self.driver_words.get(self.driver_feature_select, 0)

    def clear(self) -> None:
        """Reset: the offer stays, everything the driver wrote is gone."""
        self.device_feature_select = self.driver_feature_select = 0
        self.driver_words.clear()
        self.latched = self.refused = False


def check_subset(
    features: FeatureNegotiation, device_id: int, knob: RefuseKnob, log: EventLog
) -> str | None:
    """Check the driver's accepted subset at FEATURES_OK. Record the driver's broken
    MUSTs as Violations; return why the device refuses, or None to accept."""
    accepted, offered = features.accepted, features.offered
    problems: list[str] = []
    unoffered = describe(accepted & ~offered, device_id)
    if features.beyond_64:
        unoffered.append("bits past 63")
    if unoffered:
        problems.append(f"not offered: {', '.join(unoffered)}")
        _violation(log, 6, f"the driver accepts {', '.join(unoffered)}, which were not offered")
    for feature, needs in missing_requirements(accepted, device_id):
        problems.append(f"{feature.name} without {' or '.join(needs)}")
        _violation(log, 7, f"the driver accepts {feature.name} but not {' or '.join(needs)}")
    if offered & VERSION_1 and not accepted & VERSION_1:
        problems.append("VIRTIO_F_VERSION_1 left out")
        _violation(log, 22, "the device offers VIRTIO_F_VERSION_1 and the driver leaves it out")
    reason = _knob_reason(knob, accepted, device_id)
    if reason:
        problems.append(reason)
    return "; ".join(problems) or None


def _knob_reason(knob: RefuseKnob, accepted: int, device_id: int) -> str | None:
    if callable(knob):
        return knob(accepted)
    if accepted & knob:
        return "this device cannot support " + ", ".join(describe(accepted & knob, device_id))
    return None


def _violation(log: EventLog, rule: int, detail: str) -> None:
    log.violation(rule, actor="driver", detail=detail, analog=_VALIDATE)


def record_verdict(
    log: EventLog, features: FeatureNegotiation, device_id: int, why: str | None
) -> None:
    """Record the device's answer to FEATURES_OK: accepted (latched) or refused (N10)."""
    accepted, offered = features.accepted, features.offered
    if why is not None:
        log.record(
            "features_refused",
            actor="device",
            plane="control",
            spec="§2.2.2",
            analog=_VALIDATE,
            summary=f"The device refuses FEATURES_OK for 0x{accepted:x} ({why}): the status "
            "keeps bit 3 clear",
            values={"accepted": accepted, "offered": offered, "reason": why},
        )
        return
    names = ", ".join(describe(accepted, device_id)) or "none"
    log.record(
        "features_accepted",
        actor="device",
        plane="control",
        spec="§2.2.2",
        analog=_VALIDATE,
        summary=f"The device accepts the driver's features 0x{accepted:x} ({names}) and "
        "latches FEATURES_OK",
        values={"negotiated": accepted, "offered": offered},
    )
