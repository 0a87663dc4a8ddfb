"""The kinds of event the packed virtqueue records, with the facts that never change.

Each `Step` fixes an event's stable `kind`, its plane, the virtio-1.2 section that
decides it and the real-software analog; the summary and values are filled in when the
step happens (`emit`). Keeping them in one table gives views one list of kinds to know.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.model.events import EventLog, Plane, Value

_LINUX = "in Linux (drivers/virtio/virtio_ring.c)"
_QEMU = "in QEMU (hw/virtio/virtio.c)"


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    plane: Plane
    spec: str
    analog: str


def emit(  # noqa: PLR0917 (the same call shape as EventLog.record, positionally)
    log: EventLog, step: Step, actor: str, queue: int, summary: str, values: dict[str, Value]
) -> None:
    """Record one event of `step`, with its summary and values (the dict is kept as is)."""
    log.record(step.kind, actor=actor, plane=step.plane, spec=step.spec, analog=step.analog,
               summary=summary, queue=queue, values=values)  # fmt: skip


def plural(count: int, noun: str) -> str:
    """'1 slot', '3 slots'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- driver ------------------------------------------------------------------------------------
RING_ZEROED = Step("desc_ring_init", "control", "§2.8.13", f"vring_alloc_queue_packed() {_LINUX}")
DESC_WRITTEN = Step("desc_write", "data", "§2.8.21.1", f"virtqueue_add_packed() {_LINUX}")
HEAD_FLAGS_WRITTEN = Step(
    "head_flags_write", "data", "§2.8.21.1", f"virtqueue_add_packed() {_LINUX}"
)
INDIRECT_TABLE_WRITTEN = Step(
    "indirect_table_write", "data", "§2.8.7", f"virtqueue_add_indirect_packed() {_LINUX}"
)
KICK_DECISION = Step(
    "kick_check", "notification", "§2.8.21.2", f"virtqueue_kick_prepare_packed() {_LINUX}"
)
NO_USED_BUFFER = Step(
    "used_desc_empty", "data", "§2.8.22", f"virtqueue_get_buf_ctx_packed() {_LINUX}"
)
USED_BUFFER_RECLAIMED = Step("chain_detach", "data", "§2.8.22", f"detach_buf_packed() {_LINUX}")
USED_EVENT_MOVED = Step(
    "driver_event_write", "notification", "§2.8.10", f"virtqueue_get_buf_ctx_packed() {_LINUX}"
)
NO_CALLBACK = Step(
    "driver_event_write", "notification", "§2.8.10", f"virtqueue_vring_init_packed() {_LINUX}"
)
INTERRUPTS_DISABLED = Step(
    "driver_event_write", "notification", "§2.8.10", f"virtqueue_disable_cb_packed() {_LINUX}"
)
INTERRUPTS_ENABLED = Step(
    "driver_event_write",
    "notification",
    "§2.8.10",
    f"virtqueue_enable_cb_prepare_packed() {_LINUX}",
)
RAW_DESC_WRITTEN = Step(
    "lab_desc_write", "data", "§2.8.13", "ring-lab: a descriptor written by hand"
)
RAW_DRIVER_EVENT = Step(
    "lab_driver_event_write", "notification", "§2.8.14", "ring-lab: event structure written by hand"
)

# -- device ------------------------------------------------------------------------------------
NO_AVAILABLE_DESC = Step(
    "avail_desc_empty", "data", "§2.8.15", f"virtio_queue_packed_empty() {_QEMU}"
)
DESC_READ = Step("desc_read", "data", "§2.8.18", f"virtqueue_packed_pop() {_QEMU}")
INDIRECT_DESC_READ = Step("indirect_desc_read", "data", "§2.8.7", f"virtqueue_packed_pop() {_QEMU}")
CHAIN_POPPED = Step("chain_pop", "data", "§2.8.12", f"virtqueue_packed_pop() {_QEMU}")
DEVICE_ERROR = Step("device_error", "data", "§2.8.12", f"virtio_error() {_QEMU}")
QUEUE_BROKEN = Step("queue_broken", "control", "§2.1.2", f"virtio_error() {_QEMU}")
USED_DESC_WRITTEN = Step(
    "used_desc_write", "data", "§2.8.4", f"virtqueue_packed_fill_desc() {_QEMU}"
)
USED_FLAGS_WRITTEN = Step(
    "used_desc_flags_write", "data", "§2.8.1", f"virtqueue_packed_fill_desc() {_QEMU}"
)
NOTIFY_DECISION = Step(
    "notify_check", "notification", "§2.8.10", f"virtio_packed_should_notify() {_QEMU}"
)
DEVICE_EVENT_WRITTEN = Step(
    "device_event_write",
    "notification",
    "§2.8.10",
    f"virtio_queue_packed_set_notification() {_QEMU}",
)
RAW_USED_DESC = Step("lab_used_desc_write", "data", "§2.8.4", "ring-lab: a buffer used by hand")
RAW_DEVICE_EVENT = Step(
    "lab_device_event_write", "notification", "§2.8.14", "ring-lab: event structure written by hand"
)
