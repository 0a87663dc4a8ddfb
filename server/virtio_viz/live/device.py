"""The model's virtio-net device side, serving a real guest's rings for the back-end.

How this works: once QEMU starts a vring, the ring's three areas (translated from QEMU's
addresses to guest-physical ones) become the model's split or packed device queue on
the mapped guest RAM (`make_device_queue`, the same code every story runs), wrapped in
a `LiveQueue`. A kick runs the model's `NetDevice` on that queue: transmit pops the
driver's chains and hands their frames to the network, which may answer; the answers
go into receive buffers the driver posted; then every ring that used buffers asks the
model's suppression rules (used_event / avail.flags, or the packed event structures)
whether to interrupt, and a yes becomes a write to the ring's call eventfd.

Every buffer is looked up in the memory table before it is touched (`gpa_translate`
events with the real addresses). Anything the guest got wrong ends in the model's
Violation events and a broken ring; the device then stops using its rings
(DEVICE_NEEDS_RESET in the model's status) and signals the error eventfd, which is all a
vhost-user back-end can do: QEMU owns the guest-visible status byte. No exception from
the guest's bytes ever leaves `kick()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz.live.mapping import CapturingMemory
from virtio_viz.model.device_queue import LiveQueue, QueueConfig, make_device_queue
from virtio_viz.model.devices.net import RECEIVEQ1, TRANSMITQ1
from virtio_viz.model.errors import ConfigError, ModelError
from virtio_viz.model.events import EventLog
from virtio_viz.model.packed import PackedDeviceQueue
from virtio_viz.model.split import SplitDeviceQueue
from virtio_viz.model.vhost.memtable import MemoryTable, Translation
from virtio_viz.model.virtqueue import Chain
from virtio_viz.scenarios.stories.vhost_setup import OffloadedNet

RING_PACKED = 1 << 34  # VIRTIO_F_RING_PACKED
FRESH_PACKED_BASE = 1 << 15 | 1 << 31  # next_avail 0, next_used 0, both wrap counters 1
TRANSLATE = "vhost_user_iova_to_va() / vu_gpa_to_va() in a vhost-user back-end"
log = logging.getLogger(__name__)
Signal = Callable[[int], bool]  # write the call (or error) eventfd of a vring; False: none
Network = Callable[[bytes], list[bytes]]  # a frame the guest sent -> the answers


@dataclass(frozen=True, slots=True)
class RingPlace:
    """Where a ring lives in guest-physical memory, from SET_VRING_NUM/ADDR/BASE."""

    index: int
    size: int
    desc: int
    driver: int
    device: int
    base: int


class LiveNetDevice:
    """The device side the back-end runs (see the module docstring)."""

    def __init__(
        self, memory: CapturingMemory, events: EventLog, *, network: Network, call: Signal,
        error: Signal,
    ) -> None:  # fmt: skip
        self.memory = memory
        self.log = events
        self.network = network
        self._call, self._error = call, error
        self.net = OffloadedNet(memory, events, follow=self._follow)
        self.rings: dict[int, LiveQueue] = {}
        self.enabled: dict[int, bool] = {}
        self.table: MemoryTable | None = None
        self.negotiated = 0
        self.needs_reset_reason: str | None = None

    # -- DeviceGate and QueueHost ---------------------------------------------------------
    @property
    def processing(self) -> bool:
        return self.needs_reset_reason is None

    def live_queue(self, index: int) -> LiveQueue | None:
        ring = self.rings.get(index)
        if ring is None or not ring.usable:
            return None
        if index == RECEIVEQ1 and not self.enabled.get(index, False):
            return None  # a disabled ring gets no new packets (vhost-user.rst, ring states)
        return ring

    def flush_notifications(self) -> None:
        for ring in list(self.rings.values()):
            if not ring.pushed_since_notify:
                continue
            ring.pushed_since_notify = 0
            if ring.should_notify():
                self._interrupt(ring.queue_index)

    # -- what the protocol starts and stops ------------------------------------------------
    def set_features(self, value: int) -> None:
        self.negotiated = self.net.negotiated = value

    def start(self, place: RingPlace) -> None:
        """Take ring `place.index` (raises ModelError when it cannot be served)."""
        fresh = FRESH_PACKED_BASE if self.negotiated & RING_PACKED else 0
        if place.base != fresh:
            raise ConfigError(
                f"vring {place.index} would resume at base 0x{place.base:x}; this back-end "
                f"only starts rings from the beginning (0x{fresh:x})"
            )
        config = QueueConfig(place.index, max_size=place.size, size=place.size,
                             desc_addr=place.desc, driver_addr=place.driver,
                             device_addr=place.device)  # fmt: skip
        inner = make_device_queue(self.memory, self.log, config, self.negotiated)
        self.rings[place.index] = LiveQueue(inner, self, self._ring_broke)

    def stop(self, index: int) -> int:
        """Stop ring `index`; the base GET_VRING_BASE reports (split: last_avail_idx; packed:
        next_avail | wrap << 15 | next_used << 16 | wrap << 31)."""
        ring = self.rings.pop(index, None)
        if not self.rings:
            self.needs_reset_reason = None  # every ring stopped: a restart starts clean
        if ring is None:
            return 0
        ring.retire()
        inner = ring.inner
        if isinstance(inner, PackedDeviceQueue):
            return (inner.next_avail | inner.avail_wrap_counter << 15 | inner.next_used << 16
                    | inner.used_wrap_counter << 31)  # fmt: skip
        assert isinstance(inner, SplitDeviceQueue)
        return inner.last_avail_idx

    def stop_all(self) -> None:
        for index in list(self.rings):
            self.stop(index)

    # -- a kick --------------------------------------------------------------------------
    def kick(self, index: int) -> None:
        """The guest notified vring `index` (its kick eventfd fired)."""
        ring = self.rings.get(index)
        if ring is None or not ring.usable:
            why = "it is not started" if ring is None else "the device needs a reset"
            self._record("queue_notify_ignored", "§2.9", f"The back-end ignores a kick for "
                         f"vring {index}: {why}", index)  # fmt: skip
            return
        self._record("queue_notify", "§2.9", f"The kick eventfd of vring {index} fires: the "
                     "driver has new buffers for the back-end", index)  # fmt: skip
        try:
            self.net.handle_queue(self, index)
            self._pass_frames(index)
            self.flush_notifications()
        except ModelError as error:  # e.g. a ring the memory table no longer maps
            self.needs_reset(f"vring {index}: {error}", index)
        except Exception as error:  # a bug of ours must not end the server
            log.exception("the live device failed on a kick")
            self.needs_reset(f"vring {index}: internal error {type(error).__name__}", index)

    def _pass_frames(self, index: int) -> None:
        frames, self.net.outbox = self.net.outbox, []
        if frames and index == TRANSMITQ1 and not self.enabled.get(TRANSMITQ1, False):
            self._record(
                "tx_discarded",
                "§2.6",
                f"transmitq1 is disabled (SET_VRING_ENABLE 0): "
                f"the back-end returns its {len(frames)} frame(s) unsent",
                index,
            )
            return  # vhost-user.rst: a started but disabled ring is served, its packets dropped
        for frame in frames:
            for answer in self.network(frame):
                self.net.deliver(self, answer)

    # -- failures ------------------------------------------------------------------------
    def _ring_broke(self, index: int, reason: str) -> None:
        self.needs_reset(f"vring {index}: {reason}", index)

    def needs_reset(self, reason: str, ring: int) -> None:
        """Stop serving every ring; signal the error eventfd of the ring that failed."""
        if self.needs_reset_reason is not None:
            return
        self.needs_reset_reason = reason
        signalled = self._error(ring)
        how = ("signals the ring's error eventfd (QEMU logs 'vhost vring error')" if signalled
               else "has no error eventfd to signal")  # fmt: skip
        self.log.record(
            "device_needs_reset", actor="device", plane="control", spec="§2.1.2",
            analog="vq->broken in a back-end; vhost_virtqueue_error_notifier() in QEMU",
            summary=f"The device stops serving its rings ({reason}) and {how}. A vhost-user "
            "back-end cannot set DEVICE_NEEDS_RESET in the guest's status byte: the model "
            "shows it here, and only a reset by the driver brings the rings back.",
            values={"reason": reason, "signalled": signalled},
        )  # fmt: skip

    # -- translation and notifications -----------------------------------------------------
    def _follow(self, chain: Chain, queue: int) -> bool:
        """Look every buffer of `chain` up in the memory table before touching it."""
        spec = "§2.8.13" if self.negotiated & RING_PACKED else "§2.7.5"
        for number, buffer in enumerate(chain.buffers):
            found = self.table.translate(buffer.addr, buffer.length) if self.table else None
            if not isinstance(found, Translation):  # the walk already checked guest memory,
                self.needs_reset(f"vring {queue}: buffer {number} is not in the table", queue)
                return False  # which is the table's regions: this would be a stale table
            way = "writes into" if buffer.writable else "reads from"
            self.log.record(
                "gpa_translate", actor="vhost-user", plane="data", spec=spec, analog=TRANSLATE,
                queue=queue,
                summary=f"Buffer {number} of chain {chain.id}: guest-physical 0x{found.gpa:x} "
                f"({found.length} bytes) is in region {found.region} at offset "
                f"0x{found.offset:x}; the back-end {way} its own mapping at "
                f"0x{found.backend_addr:x} (QEMU's address 0x{found.uaddr:x}).",
                values={"gpa": found.gpa, "length": found.length, "region": found.region,
                        "offset": found.offset, "user_addr": found.uaddr,
                        "backend_addr": found.backend_addr, "writable": buffer.writable},
            )  # fmt: skip
        return True

    def _interrupt(self, index: int) -> None:
        sent = self._call(index)
        what = (
            "writes 1 to the call eventfd of vring {i}; QEMU reads it and raises the "
            "device's interrupt line"
            if sent
            else "would interrupt the driver for vring {i}, but QEMU gave it no call eventfd"
        )
        self._record("interrupt", "§2.3", "The back-end " + what.format(i=index), index,
                     analog="eventfd_write() on the vring's call fd (vhost_vring_call_split() "
                     "in DPDK)")  # fmt: skip

    def _record(self, kind: str, spec: str, summary: str, queue: int, analog: str = "") -> None:
        self.log.record(kind, actor="device", plane="notification", spec=spec,
                        analog=analog or "the back-end's kick eventfd handler", summary=summary,
                        queue=queue)  # fmt: skip
