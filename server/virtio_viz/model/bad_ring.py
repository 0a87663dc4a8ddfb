"""Linux's checks on the buffer id a device hands back, shared by split and packed rings.

How this works: Linux 6.1 (drivers/virtio/virtio_ring.c) does not trust the id the device
writes into a used element (split) or a used descriptor (packed). Before touching its own
bookkeeping, virtqueue_get_buf_ctx_split() and virtqueue_get_buf_ctx_packed() check two
things, in this order: the id is below the queue size, and the entry it names is the head
of a buffer still in flight (its desc_state[id].data is set). A failed check goes through
BAD_RING(): one line in the kernel log and `vq->broken = true`. Nothing else happens: the
buffer is not reclaimed and last_used_idx does not move.

A broken queue stays broken. Linux's get_buf returns NULL, add returns -EIO,
virtqueue_notify() and virtqueue_poll() return false, and vring_interrupt() stops calling
the driver's callback. Linux 6.1 resets the device only when the driver is unbound
(virtio_reset_device() in virtio_net's remove_vq_common() or virtblk_remove()), on suspend
(the freeze handlers) or when a driver probes the device again; never because a queue
broke. The events below say so.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Literal

from virtio_viz.model.events import EventLog

Check = Literal["out_of_range", "not_a_head"]
_LOG_LINE: dict[Check, str] = {
    "out_of_range": "id {} out of range",
    "not_a_head": "id {} is not a head!",
}
_WHY: dict[Check, str] = {
    "out_of_range": "a queue of {size} has no entry {id}",
    "not_a_head": "{id} is not the head of a buffer the driver has in flight",
}
AFTERMATH = (
    "from now on Linux returns no used buffers from it, refuses new ones (-EIO) and sends no "
    "kicks for it; it does not reset the device (only unbinding the driver or a suspend does)"
)


def failed_check(buffer_id: int, size: int, heads: Container[int]) -> Check | None:
    """Which of Linux's two checks `buffer_id` fails, if any (out of range comes first)."""
    if buffer_id >= size:
        return "out_of_range"
    if buffer_id not in heads:
        return "not_a_head"
    return None


def record_bad_ring(
    log: EventLog,
    check: Check,
    *,
    buffer_id: int,
    size: int,
    queue: int,
    where: str,
    ring: Literal["split", "packed"],
) -> None:
    """Record the failed check on an id the device returned, as BAD_RING() does; the
    caller then marks its queue broken and stops. `where` names what the id was read
    from."""
    line = _LOG_LINE[check].format(buffer_id)
    why = _WHY[check].format(size=size, id=buffer_id)
    log.record(
        "bad_ring",
        actor="driver",
        plane="control",
        spec="§2.7.8" if ring == "split" else "§2.8.22",
        analog=f"BAD_RING() in virtqueue_get_buf_ctx_{ring}() in Linux",
        summary=(
            f"The driver reads id {buffer_id} from {where}, but {why}. Linux logs "
            f'"{line}" and marks queue {queue} broken: {AFTERMATH}'
        ),
        queue=queue,
        values={"id": buffer_id, "size": size, "check": check, "linux_log": line, "broken": True},
    )
