"""The real recording next to the model's own run of the same device, differences called out.

How this works: both sides are trace documents. From the imported one we read, per
device, the values the guest wrote to device_status (in order), the features offered and
accepted, the queues (size, MSI-X vector) and how many notifications QEMU raised on its
own; from the model we build the story of the same device type at QEMU's queue size
(256), with the recorded device's ring format and event-index choice, and read the same
things from its frames. Each topic becomes a row: the real value, the model's, and a
sentence saying what differs and why, or that they agree.
"""

from __future__ import annotations

from typing import Any

from virtio_viz.model.features import bit, describe
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline, frame_json

STORY_OF = {"virtio-net": "qemu-emulated", "virtio-blk": "virtio-blk"}
QEMU_QUEUE_SIZE = 256
STATUS_REGISTERS = {"device_status", "Status"}
WRITES = {"status_write", "device_reset", "register_write"}  # imported kinds, and the model's
NO_VECTOR = 0xFFFF  # VIRTIO_MSI_NO_VECTOR (virtio-1.2 §4.1.5.1.2): the same as "none"


def _status_writes(steps: list[dict[str, Any]], device: str | None) -> list[int]:
    writes = []
    for step in steps:
        values = step["event"]["values"]
        if device is not None and values.get("device") != device:
            continue
        if values.get("register") in STATUS_REGISTERS and step["event"]["kind"] in WRITES:
            writes.append(int(values["value"]))
    return writes


def _after_last_probe(writes: list[int]) -> list[int]:
    """The writes of the last bring-up: from the last reset that was followed by more."""
    starts = [i for i, value in enumerate(writes) if value == 0 and i + 1 < len(writes)]
    return writes[starts[-1] :] if starts else writes


def _row(topic: str, real: str, model: str, same: str, differs: str) -> dict[str, Any]:
    agree = real == model
    return {"topic": topic, "real": real, "model": model, "agree": agree,
            "note": same if agree else differs}  # fmt: skip


def _hexes(values: list[int]) -> str:
    return ", ".join(hex(v) for v in values) or "none"


def _queue_list(queues: list[tuple[str, int, int | None]]) -> str:
    return (
        "; ".join(
            f"{name}: {size} entries, " + ("no vector" if vector is None else f"vector {vector}")
            for name, size, vector in queues
        )
        or "none"
    )


def model_options(offered: int) -> StoryOptions:
    """The model set up like the recorded device: its queue size, ring format and whether
    it offers VIRTIO_F_EVENT_IDX (QEMU's `packed=` and `event_idx=` properties)."""
    return StoryOptions(
        queue_size=QEMU_QUEUE_SIZE,
        ring="packed" if offered & bit("VIRTIO_F_RING_PACKED") else "split",
        event_idx=bool(offered & bit("VIRTIO_F_EVENT_IDX")),
    )


def _model_run(device: str, options: StoryOptions) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    timeline = Timeline(story(STORY_OF[device]), options)
    driver_ok = next(
        i for i, f in enumerate(timeline.frames) if f.changes.get("status", {}).get("value") == 15
    )
    return [frame_json(f) for f in timeline.frames], timeline.snapshot(driver_ok).state


def _queues(state: dict[str, Any]) -> list[tuple[str, int, int | None]]:
    return [
        (q["name"], q["size"], None if q["msix_vector"] in {None, NO_VECTOR} else q["msix_vector"])
        for q in state["queues"]
        if q["size"]
    ]


def _main_life(imported: dict[str, Any], device: str) -> dict[str, Any] | None:
    """The life to compare: the last that reached DRIVER_OK (the one that carried data),
    else the last; never the state a later reset left behind."""
    lives = (imported.get("lives") or {}).get(device) or []
    live = [life for life in lives if life["driver_ok"]] or lives
    return live[-1] if live else None


def compare(imported: dict[str, Any], device: str = "virtio-net") -> list[dict[str, Any]]:
    """Rows comparing the recording's `device` with the model's run of it."""
    life = _main_life(imported, device) if device in STORY_OF else None
    if life is None:
        return []
    real_state: dict[str, Any] = life["final"]
    model_steps, model_state = _model_run(
        device, model_options(int(real_state["features"]["offered"], 16))
    )
    real_writes = _after_last_probe(_status_writes(imported["steps"], device))
    model_writes = _after_last_probe(_status_writes(model_steps, None))
    rows = [
        _row("device_status writes", _hexes(real_writes[:5]), _hexes(model_writes[:5]),
             "The same handshake, one status bit per write (Linux's virtio_add_status()).",
             "The bring-ups differ: the real guest set bits in other steps (firmware sets "
             "ACKNOWLEDGE and DRIVER in one write, 0x3), or the recording split it across "
             "module loads."),
    ]  # fmt: skip
    all_writes = _status_writes(imported["steps"], device)
    multi = [
        f"{before:#x} → {after:#x}"
        for before, after in zip([0, *all_writes], all_writes, strict=False)
        if bin(after & ~before).count("1") > 1
    ]
    rows.append(_row("status writes that set several bits at once", ", ".join(multi) or "none",
                     "none",
                     "Every status write adds one bit, as in the model.",
                     "Another guest (the firmware, before Linux) set ACKNOWLEDGE and DRIVER in one "
                     "write; virtio allows it, Linux's driver never does it."))  # fmt: skip
    device_id = int(real_state["features"]["device_id"])
    real_f, model_f = real_state["features"], model_state["features"]
    rows.append(_row("features offered", real_f["offered"], model_f["offered"],
                     "The model offers what QEMU 7.2 offered in the recording.",
                     "The offers differ (a QEMU version or command-line property)."))  # fmt: skip
    declined = int(real_f["offered"], 16) & ~int(real_f["driver"], 16)
    rows.append(_row("features accepted", real_f["driver"], model_f["driver"],
                     "The model's driver accepts what Linux 6.1 accepted"
                     + (f"; both decline {', '.join(describe(declined, device_id))}."
                        if declined else "."),
                     "The drivers accept different sets."))  # fmt: skip
    rows.append(_row("queues (name, size, MSI-X vector)", _queue_list(_queues(real_state)),
                     _queue_list(_queues(model_state)),
                     "Same queues, sizes and vectors; the control queue has none (Linux polls it).",
                     "The queues differ."))  # fmt: skip
    synthetic = sum(
        1 for s in imported["steps"]
        if s["event"]["kind"] == "queue_check" and s["event"]["values"].get("device") == device
    )  # fmt: skip
    rows.append(_row("notifications QEMU raised itself", str(synthetic), "0",
                     "Neither side notified without a kick.",
                     "QEMU checks each queue once right after DRIVER_OK (its own "
                     "virtio_queue_notify() calls); the model's device only looks at a queue "
                     "when the driver kicks it."))  # fmt: skip
    return rows


def compare_all(imported: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows for every device of the recording the model also has."""
    devices = imported.get("lives") or {}
    return {name: compare(imported, name) for name in sorted(devices) if name in STORY_OF}
