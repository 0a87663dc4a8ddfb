"""The device side of a split virtqueue. virtio-1.2 §2.7.7, §2.7.8, §2.7.10, §2.7.14.

How this works (the QEMU design, in our own code): the device keeps `last_avail_idx`,
the next avail.ring slot it will consume, and a shadow of avail.idx so it only re-reads
avail.idx from memory when it has caught up with what it saw last time. `pop()` takes the
head from avail.ring[last_avail_idx % N] and walks its chain in guest memory
(walk.py); `push()` writes the used element, then publishes used.idx.

Whatever the driver published wrongly ends in `_fail()`: a Violation (or `device_error`),
the queue is marked `broken`, and nothing moves; the device core turns `broken` into
DEVICE_NEEDS_RESET.

Notification decisions. With EVENT_IDX `should_notify()` applies the spec rule alone:
notify iff used_event lies in [used.idx at the previous check, used.idx now) (§2.7.7.2,
N55). QEMU additionally always notifies the first time after the queue (re)starts; we do
not, because a driver that just set up the ring has used_event == used.idx == the initial
index, so the spec rule already fires for the first used buffer.
"""

from __future__ import annotations

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventType
from virtio_viz.model.index16 import distance16, need_event, wrap16
from virtio_viz.model.spec import VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_USED_F_NO_NOTIFY
from virtio_viz.model.split import steps
from virtio_viz.model.split.device_lab import DeviceLab
from virtio_viz.model.split.walk import ChainFault
from virtio_viz.model.virtqueue import Chain


class SplitDeviceQueue(DeviceLab):
    """A split virtqueue as the device sees it (QEMU: VirtQueue)."""

    # -- available buffers (§2.7.14) ------------------------------------------------------
    def has_available(self) -> bool:
        """Is there an available buffer the device has not taken yet?"""
        if self.broken:
            return False
        if self._shadow_avail_idx != self._last_avail_idx:
            return True
        idx = self.memory.read_le16(self._avail_idx_addr)
        waiting = distance16(idx, self._last_avail_idx)
        if waiting > self.layout.size:
            self._fail(
                None,
                f"avail.idx {idx} is {waiting} ahead of last_avail_idx {self._last_avail_idx}, "
                f"more than the {self.layout.size} buffers the ring can hold "
                "(moving avail.idx backwards breaks N48)",
                {"idx": idx, "last_avail_idx": self._last_avail_idx},
            )
            return False
        self._shadow_avail_idx = idx
        self.log.note(steps.avail_idx_read, self.queue_index, idx, self._last_avail_idx, waiting)
        return waiting > 0

    def pop(self) -> Chain | None:
        """Take the next available chain, validated, or None (empty or refused)."""
        if not self.has_available():
            return None
        size, last = self.layout.size, self._last_avail_idx
        if len(self._in_flight) >= size:
            self._fail(
                None,
                f"{size} buffers are already in flight; the ring cannot hold another",
                {"in_flight": len(self._in_flight)},
            )
            return None
        slot = last % size
        head = self.memory.read_le16(self._avail_ring_addr + 2 * slot)  # avail.ring[slot]
        self.log.note(steps.avail_ring_read, self.queue_index, slot, head, last)
        walker = self._walker
        walker.indirect_negotiated = self.indirect  # read at each pop, as the flag may change
        walked = walker.walk(head)
        if isinstance(walked, ChainFault):
            self._fail(walked.rule, walked.detail, walked.values)
            return None
        self._last_avail_idx = wrap16(last + 1)
        self._in_flight.append(walked)
        self.log.note(steps.chain_pop, self.queue_index, walked, self._last_avail_idx)
        if self.event_idx and self._notifications_enabled:
            self._write_avail_event(steps.avail_event_after_pop)
        return walked

    # -- used buffers (§2.7.8) ------------------------------------------------------------
    def push(self, chain: Chain, written: int) -> None:
        """Return a popped chain with used len `written` (bytes written into it)."""
        if not 0 <= written <= 0xFFFF_FFFF:
            raise ConfigError(f"used len {written} does not fit in le32")
        if chain not in self._in_flight:
            raise ConfigError(f"chain {chain.id} is not in flight on queue {self.queue_index}")
        if self.broken:
            self._in_flight.remove(chain)
            self.log.note(steps.used_push_dropped, self.queue_index, self.queue_index, chain.id)
            return
        self._check_use(chain, written, steps.PUSH)
        self._in_flight.remove(chain)
        self._write_used(chain.id, written, steps.used_elem_write, steps.used_idx_publish)

    # -- used buffer notifications (§2.7.7.2) ---------------------------------------------
    def should_notify(self) -> bool:
        """After pushing: must the driver be notified about the new used buffers?"""
        new, old = self._used_idx, self._signalled_used
        self._signalled_used = new
        if self.broken or new == old:
            self.log.note(steps.nothing_to_notify, self.queue_index, self.broken, new)
            return False
        if self.event_idx:
            # N54/N55: ignore avail.flags; notify iff used.idx passed used_event
            event = self.memory.read_le16(self._used_event_addr)
            notify = need_event(event, new, old)
            self.log.note(steps.notify_by_used_event, self.queue_index, event, old, new, notify)
        else:
            # N52/N53: ignore used_event; notify iff avail.flags lacks NO_INTERRUPT
            flags = self.memory.read_le16(self.layout.avail_flags_addr)
            notify = not flags & VIRTQ_AVAIL_F_NO_INTERRUPT
            self.log.note(steps.notify_by_avail_flags, self.queue_index, flags, old, new, notify)
        return notify

    # -- available buffer notification suppression (§2.7.10) --------------------------------
    def disable_notifications(self) -> None:
        """Ask the driver not to kick (best effort, §2.7.10).

        Without EVENT_IDX: used.flags = NO_NOTIFY. With EVENT_IDX used.flags must stay 0
        (N65): like QEMU, the device just stops moving avail_event, which stays where it
        was; the driver kicks only when it adds past that point.
        """
        self._notifications_enabled = False
        if self.event_idx:
            self.log.note(steps.notifications_disabled, self.queue_index, self._last_avail_idx)
            return
        self._write_used_flags(VIRTQ_USED_F_NO_NOTIFY, "please do not kick")

    def enable_notifications(self) -> None:
        """Ask for kicks again: used.flags = 0, or avail_event = last_avail_idx (EVENT_IDX).

        The caller should check has_available() once more afterwards: buffers added
        while notifications were off come with no kick.
        """
        self._notifications_enabled = True
        if self.event_idx:
            self._write_avail_event(steps.avail_event_enable)
        else:
            self._write_used_flags(0, "kick me again")

    def _write_avail_event(self, told: EventType[int]) -> None:
        value = self._last_avail_idx
        self.memory.write_le16(self._avail_event_addr, value)
        self.log.note(told, self.queue_index, value)

    def _write_used_flags(self, value: int, why: str) -> None:
        self.memory.write_le16(self.layout.used_flags_addr, value)
        self.log.note(steps.used_flags_write, self.queue_index, value, why)
