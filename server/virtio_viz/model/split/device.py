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
from virtio_viz.model.index16 import distance16, need_event, wrap16
from virtio_viz.model.spec import VIRTQ_AVAIL_F_NO_INTERRUPT, VIRTQ_USED_F_NO_NOTIFY
from virtio_viz.model.split.device_lab import DeviceLab
from virtio_viz.model.split.walk import ChainFault
from virtio_viz.model.virtqueue import Chain

_POP = "virtqueue_split_pop() in QEMU"
_PUSH = "virtqueue_fill() + virtqueue_flush() in QEMU"
_NOTIFY = "virtio_split_should_notify() in QEMU"
_SET_NOTIFICATION = "virtio_queue_split_set_notification() in QEMU"


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
        self._record(
            "avail_idx_read",
            "§2.7.14",
            "virtio_queue_empty() in QEMU",
            f"The device reads avail.idx {idx}; last_avail_idx is {self._last_avail_idx}: "
            f"{waiting} buffer(s) waiting",
            {"idx": idx, "last_avail_idx": self._last_avail_idx, "waiting": waiting},
        )
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
        self._record(
            "avail_ring_read",
            "§2.7.14",
            _POP,
            f"The device reads avail.ring[{slot}] (last_avail_idx {last}): head {head}",
            {"slot": slot, "head": head, "last_avail_idx": last},
        )
        walker = self._walker
        walker.indirect_negotiated = self.indirect  # read at each pop, as the flag may change
        walked = walker.walk(head)
        if isinstance(walked, ChainFault):
            self._fail(walked.rule, walked.detail, walked.values)
            return None
        self._last_avail_idx = wrap16(last + 1)
        self._in_flight.append(walked)
        writable = walked.writable
        self._record(
            "chain_pop",
            "§2.7.14",
            _POP,
            f"The device takes chain {head}: {len(walked.buffers) - len(writable)} readable and "
            f"{len(writable)} writable element(s), {sum(b.length for b in writable)} bytes "
            f"writable; last_avail_idx is now {self._last_avail_idx}",
            {"head": head, "last_avail_idx": self._last_avail_idx, "desc_count": walked.desc_count},
        )
        if self.event_idx and self._notifications_enabled:
            self._write_avail_event(_POP, "asks for a kick when the driver adds past it")
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
            self._record(
                "used_push_dropped",
                "§2.1.2",
                _PUSH,
                f"Queue {self.queue_index} is broken: buffer {chain.id} is not returned",
                {"id": chain.id},
            )
            return
        self._check_use(chain, written, _PUSH)
        self._in_flight.remove(chain)
        self._write_used(chain.id, written, _PUSH)

    # -- used buffer notifications (§2.7.7.2) ---------------------------------------------
    def should_notify(self) -> bool:
        """After pushing: must the driver be notified about the new used buffers?"""
        new, old = self._used_idx, self._signalled_used
        self._signalled_used = new
        if self.broken or new == old:
            why = "the queue is broken" if self.broken else "nothing was used since the last check"
            self._record(
                "notify_check", "§2.7.7.2", _NOTIFY, f"No notification: {why}", {"used_idx": new}
            )
            return False
        if self.event_idx:
            # N54/N55: ignore avail.flags; notify iff used.idx passed used_event
            event = self.memory.read_le16(self._used_event_addr)
            notify = need_event(event, new, old)
            why = f"used_event {event} {'is' if notify else 'is not'} in [{old}, {new})"
            values = {"used_event": event, "old": old, "new": new, "notify": notify}
        else:
            # N52/N53: ignore used_event; notify iff avail.flags lacks NO_INTERRUPT
            flags = self.memory.read_le16(self.layout.avail_flags_addr)
            notify = not flags & VIRTQ_AVAIL_F_NO_INTERRUPT
            why = f"avail.flags is {flags}"
            values = {"avail_flags": flags, "old": old, "new": new, "notify": notify}
        verdict = "must notify the driver" if notify else "should not notify"
        self._record(
            "notify_check",
            "§2.7.7.2",
            _NOTIFY,
            f"used.idx moved from {old} to {new}; {why}, so the device {verdict}",
            values,
        )
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
            self._record(
                "notifications_disabled",
                "§2.7.10",
                _SET_NOTIFICATION,
                "The device stops updating avail_event while it polls the ring",
                {"last_avail_idx": self._last_avail_idx},
            )
            return
        self._write_used_flags(VIRTQ_USED_F_NO_NOTIFY, "please do not kick")

    def enable_notifications(self) -> None:
        """Ask for kicks again: used.flags = 0, or avail_event = last_avail_idx (EVENT_IDX).

        The caller should check has_available() once more afterwards: buffers added
        while notifications were off come with no kick.
        """
        self._notifications_enabled = True
        if self.event_idx:
            self._write_avail_event(_SET_NOTIFICATION, "asks for a kick for the next buffer")
        else:
            self._write_used_flags(0, "kick me again")

    def _write_avail_event(self, analog: str, why: str) -> None:
        value = self._last_avail_idx
        self.memory.write_le16(self._avail_event_addr, value)
        self._record(
            "avail_event_write",
            "§2.7.10",
            analog,
            f"The device sets avail_event to {value}: it {why}",
            {"avail_event": value},
        )

    def _write_used_flags(self, value: int, why: str) -> None:
        self.memory.write_le16(self.layout.used_flags_addr, value)
        self._record(
            "used_flags_write",
            "§2.7.10",
            _SET_NOTIFICATION,
            f"The device sets used.flags to {value}: {why}",
            {"flags": value},
        )
