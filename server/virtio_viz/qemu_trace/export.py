"""Build the virtio-viz trace document (docs/trace-format.md, version 2) from a QEMU log.

The state of each frame is that of one device, the *primary* one (virtio-net when the
log has it, or the one `device=` names); `extras.devices` carries every device's state,
so a viewer can show the others too. The diagram draws every device of the document
(scenarios/topologies/imported.py), and each frame lights the boxes and wires of the
device its step acts on. Chapters follow the guest's phase markers; QMP
replies are placed among the steps by their time (or, with no timestamps, in a last
chapter of their own). The header adds `limitations`, `source` and `qmp`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from virtio_viz import GENERATOR
from virtio_viz.qemu_trace.context import Step
from virtio_viz.qemu_trace.decode import Decoder
from virtio_viz.qemu_trace.errors import TraceImportError
from virtio_viz.qemu_trace.parse import MAX_TRACE_BYTES, parse_text
from virtio_viz.qemu_trace.phases import FIRMWARE, LIMITATIONS, WHOLE, Phase, phase_for
from virtio_viz.qemu_trace.qmp import QmpReply
from virtio_viz.qemu_trace.qmpsteps import qmp_step
from virtio_viz.scenarios.topologies.imported import SHARED, DrawnDevice, draw
from virtio_viz.timeline.delta import diff
from virtio_viz.trace import TRACE_FORMAT, TRACE_VERSION, feature_names

KEYFRAME_INTERVAL = 256
QMP_PHASE = Phase(
    "qmp",
    "What QEMU reports (QMP)",
    "QMP replies that could not be placed in time among the trace's lines: QEMU's own view "
    "of the queues, with the ring indices the trace cannot show.",
)


def import_trace(
    text: str,
    *,
    source: str = "<trace>",
    qmp: Sequence[QmpReply] = (),
    device: str | None = None,
    strict: bool = True,
    max_bytes: int = MAX_TRACE_BYTES,
) -> dict[str, Any]:
    """The trace document. Raises TraceImportError (with a line number where one applies)."""
    parsed = parse_text(text, max_bytes)
    if strict and parsed.malformed:
        first = parsed.malformed[0]
        raise TraceImportError(first.what, line=first.line, column=first.column)
    decoder = Decoder(parsed)
    devices = decoder.ctx.bindings.devices
    if not devices:
        raise TraceImportError("no virtio-pci device accesses found in this trace")
    primary = device or ("virtio-net" if "virtio-net" in devices else devices[0])
    if primary not in devices:
        raise TraceImportError(f"no device {primary!r} in this trace; it has {', '.join(devices)}")
    order = [primary] if device else [primary, *(name for name in devices if name != primary)]
    builder = _Builder(decoder, primary, only=device, drawn=draw([(n, "split") for n in order])[1])
    for step in _merge(decoder, qmp, parsed.has_timestamps):
        builder.add(step)
    if not builder.frames:
        raise TraceImportError(f"no events of {primary} in this trace")
    rings = {life.ring for life in decoder.ctx.devices[primary].lives if life.negotiated}
    others = [(name, _main_ring(decoder, name)) for name in order[1:]]
    irqfd = builder.irqfd  # the devices whose interrupts went through an irqfd
    return {
        "format": TRACE_FORMAT,
        "version": TRACE_VERSION,
        "generator": GENERATOR,
        "scenario": builder.scenario(source),
        "topology": asdict(draw([(primary, _main_ring(decoder, primary)), *others], irqfd)[0]),
        "topologies": {
            ring: asdict(draw([(primary, ring), *others], irqfd)[0]) for ring in sorted(rings)
        }
        if len(rings) > 1
        else None,
        "lives": builder.lives(),
        "feature_names": feature_names(decoder.ctx.devices[primary].dev_id),
        "step_count": len(builder.frames),
        "stopped": None,
        "chapters": builder.chapters,
        "keyframe_interval": KEYFRAME_INTERVAL,
        "limitations": list(LIMITATIONS),
        "source": {
            "kind": "qemu-trace",
            "file": source,
            "lines": parsed.total_lines,
            "events": len(parsed.lines),
            "timestamps": parsed.has_timestamps,
            "unknown_lines": parsed.unknown_count,
            "unknown_events": dict(parsed.unknown),
            "malformed": [{"line": p.line, "what": p.what} for p in parsed.malformed],
            "devices": list(devices),
            "primary_device": primary,
            "markers": "".join(m for _, m in decoder.markers if len(m) == 1),
        },
        "qmp": [reply.to_json() for reply in qmp],
        "keyframes": builder.keyframes,
        "steps": builder.frames,
    }


def _merge(decoder: Decoder, qmp: Sequence[QmpReply], timed: bool) -> Iterator[Step]:
    """Trace steps with QMP steps placed by time; the rest at the end, in phase "qmp"."""
    waiting = sorted((r for r in qmp if r.time is not None and timed), key=lambda r: r.time or 0.0)
    late = [r for r in qmp if r.time is None or not timed]
    for line in decoder.parsed.lines:
        while waiting and line.time is not None and (waiting[0].time or 0.0) < line.time:
            extra = qmp_step(waiting.pop(0), decoder.ctx)
            if extra is not None:
                yield extra
        step = decoder.step_for(line)
        if step is not None:
            yield step
    decoder.ctx.phase = QMP_PHASE.id
    for reply in [*waiting, *late]:
        extra = qmp_step(reply, decoder.ctx)
        if extra is not None:
            yield extra


def _main_ring(decoder: Decoder, device: str) -> str:
    """The ring format of the device's life that carried its data (split if none did)."""
    main = decoder.ctx.devices[device].main_life()
    return main.ring if main else "split"


class _Builder:
    def __init__(
        self, decoder: Decoder, primary: str, only: str | None, drawn: dict[str, DrawnDevice]
    ) -> None:
        self.decoder = decoder
        self.primary = primary
        self.only = only
        self.drawn = drawn
        self.irqfd: set[str] = set()  # devices with a step through an irqfd
        self.frames: list[dict[str, Any]] = []
        self.keyframes: list[dict[str, Any]] = []
        self.chapters: list[dict[str, Any]] = []
        self._phase: str | None = None
        self._state: dict[str, Any] | None = None
        self._life_steps: dict[tuple[str, int], list[int]] = {}  # (device, life) -> first, last
        self._open_life: dict[str, int] = {}  # device -> the life in force at the last step

    def add(self, step: Step) -> None:
        if self.only is not None and step.device not in (self.only, None):
            return
        if step.phase != self._phase or not self.chapters:
            self._chapter(step.phase)
        index = len(self.frames)
        state = self.state()
        self._note_lives(index)
        self.frames.append(self._frame(index, step, diff(self._state, state)))
        if index % KEYFRAME_INTERVAL == 0:
            self.keyframes.append({"step": index, "state": state, "memory": []})
        self._state = state
        self.chapters[-1]["step_count"] += 1

    def _note_lives(self, index: int) -> None:
        """Extend each device's life in force to step `index`; a reset step ends one."""
        for name, dev in self.decoder.ctx.devices.items():
            ended = self._open_life.pop(name, None)
            if dev.life is not None:
                self._open_life[name] = dev.life.number
                self._life_steps.setdefault((name, dev.life.number), [index, index])[1] = index
            elif ended is not None:  # this step's reset ended it
                self._life_steps[(name, ended)][1] = index

    def lives(self) -> dict[str, list[dict[str, Any]]]:
        """Every device's lives, each with the steps it spans (null: none of its steps made
        it into this document, for a document of another device)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name, dev in self.decoder.ctx.devices.items():
            rows = []
            for life in dev.lives_json():
                first, last = self._life_steps.get((name, life["number"]), [None, None])
                rows.append({**life, "first_step": first, "last_step": last})
            out[name] = rows
        return out

    def _chapter(self, phase: str) -> None:
        self._phase = phase
        if phase == QMP_PHASE.id:
            info = QMP_PHASE
        elif phase:
            info = phase_for(phase)
        else:
            info = FIRMWARE if self.decoder.ctx.has_markers else WHOLE
        intro = info.intro
        if not self.chapters:
            intro += " What a trace cannot show: " + " ".join(LIMITATIONS)
        self.chapters.append({
            "index": len(self.chapters), "id": info.id, "title": info.title, "intro": intro,
            "first_step": len(self.frames), "step_count": 0,
        })  # fmt: skip

    def state(self) -> dict[str, Any]:
        devices = self.decoder.ctx.devices
        dev = devices[self.primary]
        return {
            "status": {"value": dev.status, "names": dev.to_json()["status"]["names"]},
            "features": dev.features_json(),
            "device": {
                "name": dev.name,
                "life": dev.life.number if dev.life else None,
                "ring": "packed" if dev.packed else "split",
                "needs_reset": bool(dev.status & 0x40),
                "config_generation": dev.config_generation,
                "config_msix_vector": dev.config_msix_vector,
            },
            "queues": dev.queues_json(),
            "extras": {"devices": {name: d.to_json() for name, d in devices.items()}},
        }

    def _where(self, step: Step) -> tuple[str, str | None, list[str]]:
        """The step's box, route and hops on the diagram: those of the device it acts on
        (the primary's when the log does not say). A device left off the diagram (see
        MAX_DRAWN) lights the VM or QEMU around it and travels no wire."""
        drawn = self.drawn.get(step.device or self.primary)
        if drawn is None:
            around = "vm" if step.box == "driver" else "qemu"
            return (step.box if step.box in SHARED else around), None, []
        if step.variant == "irqfd":
            self.irqfd.add(drawn.name)
        hops = drawn.hops(step.route, step.variant) if step.route else []
        return drawn.box(step.box), step.route, hops

    def _frame(self, index: int, step: Step, changes: dict[str, Any]) -> dict[str, Any]:
        box, route, hops = self._where(step)
        return {
            "index": index,
            "chapter": len(self.chapters) - 1,
            "event": {
                "kind": step.kind,
                "actor": step.actor,
                "plane": step.plane,
                "spec": step.spec,
                "analog": step.analog,
                "queue": step.queue,
                "values": dict(step.values),
                "reads": [],
                "writes": [],
                "rule": None,
                "requirement": None,
            },
            "box": box,
            "route": route,
            "hops": hops,
            "narration": step.summary,
            "memory": [],
            "changes": changes,
        }

    def scenario(self, source: str) -> dict[str, Any]:
        main = self.decoder.ctx.devices[self.primary].main_life()
        return {
            "id": "qemu-import",
            "title": f"A real QEMU trace: {source}",
            "summary": (
                f"What QEMU logged while a real guest drove {', '.join(self.decoder.ctx.devices)}"
                f"; the lights and queues follow {self.primary}."
            ),
            "options": {
                "source": "qemu-trace",
                "transport": "pci",
                "ring": main.ring if main else "split",
                "event_idx": main.event_idx if main else False,
                "device": self.primary,
            },
            "seed": 0,
            "actions": [],
        }
