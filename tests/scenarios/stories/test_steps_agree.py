"""Every step tells one story: its narration, its "in real software" line, the diagram's
route and the state panels agree, in every scenario, with every ring format and
transport, and after a reader's fault injection too.

Each rule is a way a reader was once shown something false (issue 14): a vDPA step
crediting QEMU for the card's DMA, QEMU-emulated interrupts drawn through an irqfd,
a fork saying "no DRIVER_OK" under a lit DRIVER_OK light, the ring view jumping to
another queue at a kick.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import STORIES, story
from virtio_viz.scenarios.story import UserAction
from virtio_viz.scenarios.topology import Topology
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.delta import apply
from virtio_viz.timeline.frames import Frame

VARIANTS = {
    "default": StoryOptions(),
    "packed": StoryOptions(ring="packed"),
    "mmio": StoryOptions(transport="mmio"),
    "no-event-idx": StoryOptions(event_idx=False),
    "ccw": StoryOptions(transport="ccw"),
}
# mechanisms an analog may name, and the wire ids that carry each on a diagram
MECHANISMS = {
    "irqfd": "irqfd",
    "ioeventfd": "ioeventfd",
    "KVM_SIGNAL_MSI": "KVM_SIGNAL_MSI",
    "virtio_pci_notify_write": "KVM_EXIT_MMIO",
    "KVM_IRQ_LINE": "KVM_IRQ_LINE",
    "css_adapter_interrupt": "css_adapter_interrupt",
    "DIAGNOSE": "DIAGNOSE",
}


@cache
def timeline(scenario: str, variant: str, faulted: bool) -> Timeline:
    built = Timeline(story(scenario), VARIANTS[variant])
    if not faulted:
        return built
    traffic = next((c for c in built.chapters if c.id in ("transmit", "write")), None)
    if traffic is None:
        return built
    return built.fork(traffic.first_step - 1, UserAction("needs_reset"))


def cases() -> Iterator[Any]:
    for scenario in STORIES:
        if scenario == "ring-lab":  # the reader plays both sides there: no host software
            continue
        for variant, options in VARIANTS.items():
            if options.transport in story(scenario).transports:
                yield pytest.param(scenario, variant, False, id=f"{scenario}-{variant}")
        yield pytest.param(scenario, "default", True, id=f"{scenario}-fault")


def path_boxes(topology: Topology, frame: Frame) -> set[str]:
    """The boxes a step touches: where it happens and every box along its route."""
    boxes = {frame.box}
    if frame.route is not None:
        variant = next(
            r.variant for r in topology.routes if r.name == frame.route and r.hops == frame.hops
        )
        boxes.update(topology.walk(topology.route(frame.route, variant)))  # type: ignore[arg-type]
    return boxes


def qemu_boxes(topology: Topology) -> set[str]:
    """QEMU the host program: the process box and what it holds, the guest excepted."""
    return {
        box.id
        for box in topology.boxes
        if box.id == "qemu" or ("qemu" in topology.ancestors(box.id)
                                and "vm" not in (box.id, *topology.ancestors(box.id)))
    }  # fmt: skip


def states(built: Timeline) -> Iterator[tuple[Frame, dict[str, Any]]]:
    state: dict[str, Any] = {}
    for frame in built.frames:
        apply(state, frame.changes)
        yield frame, state


@pytest.mark.parametrize(("scenario", "variant", "faulted"), list(cases()))
def test_a_step_that_names_qemu_passes_through_qemu(
    scenario: str, variant: str, faulted: bool
) -> None:
    """vDPA's card, vhost-net's worker and a DPDK back-end do their own work: a step
    whose box and route never touch QEMU must not name a QEMU function."""
    built = timeline(scenario, variant, faulted)
    topology = built.story.diagram(built.options)
    qemu = qemu_boxes(topology)
    wrong = [
        (frame.index, frame.event.kind, frame.event.analog)
        for frame in built.frames
        if "in QEMU" in frame.event.analog and not path_boxes(topology, frame) & qemu
    ]
    assert wrong == []


@pytest.mark.parametrize(("scenario", "variant", "faulted"), list(cases()))
def test_every_mechanism_an_analog_names_is_on_the_steps_route(
    scenario: str, variant: str, faulted: bool
) -> None:
    """An interrupt said to go through an irqfd travels the irqfd wire, one raised with
    KVM_SIGNAL_MSI the QEMU-to-KVM wire; a kick said to reach QEMU by a VM exit travels
    KVM_EXIT_MMIO. (A wire's label or its tooltip must name the mechanism.)"""
    built = timeline(scenario, variant, faulted)
    wires = {wire.id: wire for wire in built.story.diagram(built.options).wires}
    wrong = []
    for frame in built.frames:
        if frame.route is None:
            continue
        said = " ".join(f"{wires[h].label} {wires[h].detail}" for h in frame.hops)
        for mechanism, shown in MECHANISMS.items():  # a word, not part of a function name
            if re.search(rf"\b{mechanism}\b", frame.event.analog) and shown not in said:
                wrong.append((frame.index, frame.event.kind, mechanism, frame.hops))
    assert wrong == []


@pytest.mark.parametrize(("scenario", "variant", "faulted"), list(cases()))
def test_a_step_that_touches_a_ring_names_that_queue(
    scenario: str, variant: str, faulted: bool
) -> None:
    """The ring view shows the queue a step names: every event that reads or writes a
    queue's ring memory names that queue, and every notify-register access names the
    queue it kicks (the view used to jump to receiveq1 at "notify[1]")."""
    wrong: list[tuple[object, ...]] = []
    for frame, state in states(timeline(scenario, variant, faulted)):
        event = frame.event
        if event.kind.startswith("register_") and event.values.get("region") == "notify":
            if event.queue is None:
                wrong.append((frame.index, "notify access without a queue"))
            continue
        for queue in state.get("queues", ()):
            inside = [
                r for r in (*event.reads, *event.writes)
                for area in queue["areas"]
                if area["addr"] <= r.addr < area["addr"] + area["size"]
            ]  # fmt: skip
            if inside and event.queue != queue["index"]:
                wrong.append((frame.index, event.kind, queue["name"], event.queue))
    assert wrong == []


@pytest.mark.parametrize(("scenario", "variant", "faulted"), list(cases()))
def test_what_a_step_says_about_the_status_is_what_the_lights_show(
    scenario: str, variant: str, faulted: bool
) -> None:
    wrong = []
    for frame, state in states(timeline(scenario, variant, faulted)):
        lit = set(state["status"]["names"])
        if "no DRIVER_OK" in frame.narration and "DRIVER_OK" in lit:
            wrong.append((frame.index, frame.narration, sorted(lit)))
        if "reads DEVICE_NEEDS_RESET" in frame.narration and "DEVICE_NEEDS_RESET" not in lit:
            wrong.append((frame.index, frame.narration, sorted(lit)))
    assert wrong == []


def test_vdpa_credits_the_card_and_the_host_kernel_not_qemu_for_its_data_path() -> None:
    """Issue 14.1: from the first doorbell on, the card, its parent driver and vhost-vdpa
    do the work; QEMU is not involved."""
    built = timeline("vdpa", "default", False)
    first_kick = next(f.index for f in built.frames if f.route == "kick")
    for frame in built.frames[first_kick:]:
        if frame.event.plane == "control" or frame.event.actor != "device":
            continue
        assert "QEMU" not in frame.event.analog, (frame.index, frame.event.analog)
        assert frame.box == "nic"
    interrupt = next(f for f in built.frames[first_kick:] if f.event.kind == "interrupt")
    assert "vhost_vdpa_virtqueue_cb()" in interrupt.event.analog
    kick = built.frames[first_kick].event.analog
    assert "doorbell" in kick and "virtio_pci_notify_write" not in kick


def test_qemu_raises_the_emulated_devices_msi_itself() -> None:
    """Issue 14.2: no vhost, no irqfd: virtio_notify() -> msix_notify(), KVM_SIGNAL_MSI."""
    built = timeline("qemu-emulated", "default", False)
    interrupts = [f for f in built.frames if f.event.kind == "interrupt"]
    assert interrupts
    for frame in interrupts:
        assert frame.hops == ("qemu-irq", "vcpu-irq")
        assert "msix_notify()" in frame.event.analog and "irqfd" not in frame.event.analog
