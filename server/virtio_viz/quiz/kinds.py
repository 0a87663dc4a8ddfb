"""The kinds of question, each read off one step of a built timeline.

How this works: a kind looks at the frame of step k (the event the model recorded, the
box and route it was drawn on) and either passes (not its kind of step) or returns the
`Question` that step answers: the prompt says what the reader can see at step k - 1, the
answer and the explanation come from the event's own values. So a question can never
disagree with the step it asks about, whatever the options, the ring format or the
reader's own actions did to the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.model.features import describe, table_for
from virtio_viz.quiz.question import Question
from virtio_viz.scenarios.topology import Topology
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.frames import Frame

YES_NO = ("yes", "no")
STATUS_BITS = ("ACKNOWLEDGE", "DRIVER", "FEATURES_OK", "DRIVER_OK", "FAILED", "DEVICE_NEEDS_RESET")
PACKED_FLAGS = ("AVAIL=1, USED=0", "AVAIL=0, USED=1", "AVAIL=1, USED=1", "AVAIL=0, USED=0")
AVAIL, USED = 1 << 7, 1 << 15  # VIRTQ_DESC_F_AVAIL / _USED, virtio-1.2 §2.8.1
MAX_FEATURE_CHOICES = 8
CLICKABLE = frozenset({"process", "component", "hardware", "vm"})


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    about: str  # one line, for the docs and for an error listing the known kinds
    make: Callable[[Timeline, int], Question | None]


def _int(frame: Frame, name: str) -> int:
    value = frame.event.values[name]
    assert isinstance(value, int)
    return value


def _queue(frame: Frame) -> str:
    return f"queue {frame.event.queue}"


def _said(frame: Frame) -> str:
    """The step's own narration, as the explanation starts."""
    return frame.narration.rstrip(".") + "."


# -- the handshake -------------------------------------------------------------------------
def status_bit(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "status_set":
        return None
    old, new = _int(frame, "old"), _int(frame, "new")
    added = describe_status(new & ~old)
    if len(added) != 1:
        return None
    before = frame.event.values.get("old_names", "0")
    return Question(
        step=index, kind="status_bit", answer_type="choice", choices=STATUS_BITS,
        answer=added[0], spec="§3.1.1",
        prompt=f"device_status is {before}. Which status bit does the driver set now?",
        explanation=f"{_said(frame)} The driver sets the bits in a fixed order: ACKNOWLEDGE "
        "(it has seen the device), DRIVER (it knows how to drive it), FEATURES_OK once the "
        "features are written (and reads it back), DRIVER_OK when the queues are ready.",
    )  # fmt: skip


def describe_status(bits: int) -> list[str]:
    names = {1: "ACKNOWLEDGE", 2: "DRIVER", 4: "DRIVER_OK", 8: "FEATURES_OK", 64:
             "DEVICE_NEEDS_RESET", 128: "FAILED"}  # fmt: skip
    return [name for value, name in names.items() if bits & value]


def negotiated(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "features_accepted":
        return None
    offered, agreed = _int(frame, "offered"), _int(frame, "negotiated")
    device_id = int(timeline.keyframes[0].state["features"]["device_id"])
    bits = sorted(table_for(device_id))
    # wrong choices first: declined by the driver, then never offered by the device
    wrong = [b for b in bits if offered >> b & 1 and not agreed >> b & 1]
    wrong += [b for b in bits if not offered >> b & 1]
    right = [b for b in bits if agreed >> b & 1]
    half = MAX_FEATURE_CHOICES // 2
    shown = sorted(wrong[:half] + right[: MAX_FEATURE_CHOICES - min(len(wrong), half)])
    choices = tuple(describe(1 << b, device_id)[0] for b in shown)
    answer = tuple(describe(agreed & sum(1 << b for b in shown), device_id))
    return Question(
        step=index, kind="negotiated", answer_type="choices", choices=choices, answer=answer,
        spec="§2.2",
        prompt="The driver has written the features it accepts. Of these, which end up "
        "negotiated when FEATURES_OK latches?",
        explanation=f"{_said(frame)} Negotiated means offered by the device and accepted by "
        "the driver: a feature the device never offered cannot be, and one the driver leaves "
        "out is off until the next reset.",
    )  # fmt: skip


# -- the rings -----------------------------------------------------------------------------
def avail_idx(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "avail_idx_publish" or frame.event.actor != "driver":
        return None
    old, new = _int(frame, "old"), _int(frame, "idx")
    added = (new - old) % 0x10000
    sum_ = f"({old} + {added}) mod 65536" if new < old else f"{old} + {added}"
    wrap = " The index wrapped: it is a 16-bit counter." if new < old else ""
    return Question(
        step=index, kind="avail_idx", answer_type="number", answer=new, spec="§2.7.13",
        prompt=f"avail.idx of {_queue(frame)} is {old}. The driver publishes {added} more "
        f"head{'s' if added != 1 else ''}. What will avail.idx be?",
        explanation=f"{_said(frame)} avail.idx counts every head the driver ever made "
        f"available, modulo 65536: {sum_} = {new}.{wrap}",
    )  # fmt: skip


def avail_flags(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "head_flags_write":
        return None
    flags, wrap = _int(frame, "flags"), _int(frame, "wrap")
    answer = f"AVAIL={int(bool(flags & AVAIL))}, USED={int(bool(flags & USED))}"
    return Question(
        step=index, kind="avail_flags", answer_type="choice", choices=PACKED_FLAGS,
        answer=answer, spec="§2.8.1",
        prompt=f"The driver makes buffer {_int(frame, 'buffer_id')} available at slot "
        f"{_int(frame, 'slot')} of {_queue(frame)}, and its wrap counter is {wrap}. How does "
        "it set the head descriptor's AVAIL and USED flags?",
        explanation=f"{_said(frame)} A descriptor is available when AVAIL equals the driver's "
        f"wrap counter and USED does not: with wrap counter {wrap}, that is {answer}. Each "
        "time the driver wraps around the ring, the meaning of the two bits flips.",
    )  # fmt: skip


def device_takes(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.actor != "device":
        return None
    if frame.event.kind == "avail_ring_read":  # split: avail.ring[last_avail_idx % size]
        head, slot = _int(frame, "head"), _int(frame, "slot")
        last = _int(frame, "last_avail_idx")
        return Question(
            step=index, kind="device_takes", answer_type="number", answer=head,
            spec=frame.event.spec,
            prompt=f"The device looks for the next buffer in {_queue(frame)}; its "
            f"last_avail_idx is {last}. Which descriptor head will it take?",
            explanation=f"{_said(frame)} The device reads avail.ring[{last} mod ring size] = "
            f"avail.ring[{slot}], where the driver put head {head}.",
        )  # fmt: skip
    if frame.event.kind == "desc_read" and "id" in frame.event.values:  # packed, chain head
        pop = _next_pop(timeline, index)
        if pop is None or _int(pop, "head") != _int(frame, "slot"):
            return None
        return Question(
            step=index, kind="device_takes", answer_type="number",
            answer=_int(pop, "buffer_id"), spec=pop.event.spec,
            prompt=f"The device reads slot {_int(frame, 'slot')} of {_queue(frame)}'s "
            "descriptor ring. Which buffer id will it take?",
            explanation=f"{_said(frame)} A packed ring hands back buffer ids, not slot "
            "numbers: the device uses the id the driver wrote into the chain's descriptors.",
        )  # fmt: skip
    return None


def _next_pop(timeline: Timeline, index: int) -> Frame | None:
    queue = timeline.frame(index).event.queue
    for later in range(index + 1, min(index + 64, len(timeline))):
        frame = timeline.frame(later)
        if frame.event.kind == "chain_pop" and frame.event.queue == queue:
            return frame
    return None


# -- notifications -------------------------------------------------------------------------
def _notify_or_not(
    frame: Frame, index: int, kind: str, decided: str, *, prompt: str, why: str
) -> Question:
    """A yes/no question about a notification the model decided at this step (`decided`
    is the event's value that holds the decision)."""
    return Question(
        step=index, kind=kind, answer_type="choice", choices=YES_NO,
        answer="yes" if frame.event.values[decided] else "no", spec=frame.event.spec,
        prompt=prompt, explanation=f"{_said(frame)} {why}",
    )  # fmt: skip


def will_kick(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "kick_check":
        return None
    added = frame.event.values.get("added", frame.event.values.get("moved"))
    return _notify_or_not(
        frame, index, "will_kick", "kick",
        prompt=f"The driver has just added {added} buffer(s) to {_queue(frame)}. Will it "
        "notify the device?",
        why="The device says when it wants a kick (avail_event with EVENT_IDX, a flag "
        "without it), and the driver checks before every notify.",
    )  # fmt: skip


def will_interrupt(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "notify_check":
        return None
    return _notify_or_not(
        frame, index, "will_interrupt", "notify",
        prompt=f"The device has just used buffers of {_queue(frame)}. Will it interrupt the "
        "driver?",
        why="The driver says when it wants an interrupt (used_event with EVENT_IDX, a flag "
        "without it), and the device checks before every one.",
    )  # fmt: skip


def _diagram(timeline: Timeline) -> Topology:
    """The picture the reader sees (its transport's and ring format's labels and wires)."""
    return timeline.story.diagram(timeline.options)


def _clickable(timeline: Timeline) -> tuple[str, ...]:
    return tuple(b.id for b in _diagram(timeline).boxes if b.kind in CLICKABLE)


def _label(timeline: Timeline, box_id: str) -> str:
    return _diagram(timeline).box(box_id).label


def kick_lands(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "queue_notify" or frame.event.actor != "device":
        return None
    topology = _diagram(timeline)
    around = [b for b in topology.ancestors(frame.box) if topology.box(b).kind == "process"]
    return Question(
        step=index, kind="kick_lands", answer_type="box", choices=_clickable(timeline),
        answer=(frame.box, *around), spec="§2.9",
        prompt=f"The driver has written {_queue(frame)}'s notify address. Click the box that "
        "is woken up to serve the ring.",
        explanation=f"{_said(frame)} In this architecture the rings are served by "
        f"{_label(timeline, frame.box)}.",
    )  # fmt: skip


def interrupt_path(timeline: Timeline, index: int) -> Question | None:
    frame = timeline.frame(index)
    if frame.event.kind != "interrupt" or frame.route is None:
        return None
    topology = _diagram(timeline)
    route = next(r for r in topology.routes if r.name == frame.route and r.hops == frame.hops)
    between = topology.walk(route)[1:-1]
    if not between:
        return None
    wires = " then ".join(topology.wire(hop).label for hop in frame.hops)
    return Question(
        step=index, kind="interrupt_path", answer_type="box", choices=_clickable(timeline),
        answer=tuple(between), spec="§2.3",
        prompt=f"The device is about to interrupt the driver for {_queue(frame)}. Click a box "
        "the interrupt passes through on its way.",
        explanation=f"{_said(frame)} The interrupt goes {wires}: through "
        f"{', '.join(_label(timeline, b) for b in between)}.",
    )  # fmt: skip


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("status_bit", "which status bit the driver sets next", status_bit),
        Kind("negotiated", "which features end up negotiated", negotiated),
        Kind("avail_idx", "what avail.idx becomes (split rings)", avail_idx),
        Kind("avail_flags", "how AVAIL and USED are set (packed rings)", avail_flags),
        Kind("device_takes", "which descriptor head or buffer id the device takes", device_takes),
        Kind("will_kick", "whether the driver notifies the device", will_kick),
        Kind("will_interrupt", "whether the device interrupts the driver", will_interrupt),
        Kind("kick_lands", "which box a kick wakes (a click on the diagram)", kick_lands),
        Kind("interrupt_path", "a box an interrupt passes through (a click)", interrupt_path),
    )
}
