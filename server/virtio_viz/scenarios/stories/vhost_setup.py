"""What the three vhost stories share: a net world whose data plane QEMU handed away.

How this works: the model's virtio-net device still does the ring work (pop, push,
notify), but a story tells it as the work of a vhost back-end (vhost-net in the host
kernel, or a vhost-user process). `OffloadedNet` is the model's `NetDevice` with two
hooks a real back-end has and QEMU's device model does not:

- every chain the back-end takes is followed through the memory table (guest-physical
  address -> the back-end's own address), which the world records as a translation
  event before the buffer is touched; an address outside the table is a fault;
- when the driver resets the device while the back-end runs, QEMU first stops it (reads
  each ring's position back), and only then does the device finish its reset.

`VhostWorld` owns the memory table, knows whether the back-end runs, and shows the table
in the viewer's `extras`. The setup sequences themselves (ioctls, vhost-user messages)
belong to each story.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from virtio_viz.model.device_queue import LiveQueue
from virtio_viz.model.devices.net import QEMU_NET_FEATURES, NetDevice
from virtio_viz.model.features import bit
from virtio_viz.model.machine import NetMachine, virtio_net_machine
from virtio_viz.model.packed import PackedDeviceQueue
from virtio_viz.model.split import SplitDeviceQueue
from virtio_viz.model.vhost.memtable import MemoryTable, Translation
from virtio_viz.model.virtqueue import Chain, DeviceQueue
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories.followed_queue import FollowedQueue
from virtio_viz.scenarios.stories.worlds import NetWorld, machine_options
from virtio_viz.scenarios.story import ActionError

QEMU_RAM_VA = 0x7F3A_0000_0000  # where QEMU mapped guest RAM: userspace_addr = this + gpa
BACKEND_RAM_VA = 0x7F81_0000_0000  # where a vhost-user back-end mmap()ed the RAM fd
DATA_QUEUES = (0, 1)  # receiveq1, transmitq1; the control queue stays with QEMU
QUEUE_NAMES = {0: "receiveq1", 1: "transmitq1"}
RING_PACKED = bit("VIRTIO_F_RING_PACKED")
EVENT_IDX = bit("VIRTIO_F_EVENT_IDX")


# The bits QEMU lets a vhost back-end veto (hw/net/vhost_net.c kernel_feature_bits and
# user_feature_bits); the rest of the offer (MAC, STATUS, the control queue ...) is QEMU's.
CHECKED = sum(
    bit(name)
    for name in ("VIRTIO_F_NOTIFY_ON_EMPTY", "VIRTIO_F_INDIRECT_DESC", "VIRTIO_F_EVENT_IDX",
                 "VIRTIO_NET_F_MRG_RXBUF", "VIRTIO_F_VERSION_1", "VIRTIO_NET_F_MTU",
                 "VIRTIO_F_ACCESS_PLATFORM", "VIRTIO_F_RING_PACKED", "VIRTIO_F_RING_RESET",
                 "VIRTIO_F_IN_ORDER")
)  # fmt: skip


def kick_fd(queue: int) -> int:
    """The eventfd numbers are illustrative: QEMU's own fd table decides them."""
    return 30 + 2 * queue


def call_fd(queue: int) -> int:
    return 31 + 2 * queue


Reach = Callable[[Chain, int], bool]  # True: the back-end reached every buffer of the chain


@dataclass(slots=True)
class OffloadedNet(NetDevice):
    """virtio-net whose rx/tx rings a vhost back-end serves (see the module docstring)."""

    follow: Reach | None = None
    stopping: Callable[[], None] | None = None

    def _checked(self, chain: Chain, queue_index: int) -> Chain | None:
        reached = self.follow is None or self.follow(chain, queue_index)
        return chain if reached else None

    def transmit(self, txq: DeviceQueue) -> int:
        ring = txq if self.follow is None else FollowedQueue(txq, self._checked)
        return NetDevice.transmit(self, ring)

    def receive(self, rxq: DeviceQueue, frame: bytes) -> bool:
        ring = rxq if self.follow is None else FollowedQueue(rxq, self._checked)
        return NetDevice.receive(self, ring, frame)

    def reset(self) -> None:
        if self.stopping is not None:
            self.stopping()
        NetDevice.reset(self)


@dataclass(frozen=True, slots=True)
class RingPosition:
    """Where the device is in a ring: what SET_VRING_BASE / GET_VRING_BASE carry."""

    base: int  # split: last_avail_idx; packed: the packed base word
    last_avail_idx: int
    used_idx: int
    text: str


class VhostWorld(NetWorld):
    """A net world whose data plane runs in `backend` (a box id of the topology)."""

    def __init__(
        self,
        machine: NetMachine,
        *,
        backend: str,
        translate_analog: str,
        mapped_base: int | None,
    ) -> None:
        super().__init__(machine)
        self.backend = backend
        self.translate_analog = translate_analog
        self.table = MemoryTable.from_guest_memory(machine.memory, QEMU_RAM_VA, mapped_base)
        self.table_sent = False
        self.running = False
        self.stop_backend: Callable[[VhostWorld], None] = lambda world: None
        self.start_backend: Callable[[VhostWorld], None] = lambda world: None
        self.rings: dict[int, LiveQueue] = {}
        old = machine.net
        net = OffloadedNet(
            old.memory, old.log, mac=old.mac, offered=old.offered, queue_sizes=old.queue_sizes,
            follow=self._follow, stopping=self._stopping,
        )  # fmt: skip
        machine.net = net
        machine.device.backend = net

    # -- the back-end's life ----------------------------------------------------------------
    @property
    def packed(self) -> bool:
        return bool(self.machine.device.negotiated & RING_PACKED)

    def take_rings(self) -> dict[int, LiveQueue]:
        """The data rings the back-end is about to serve (QEMU reads them at start)."""
        self.require_live()
        found = {q: self.machine.device.queues.ring(q) for q in DATA_QUEUES}
        self.rings = {q: ring for q, ring in found.items() if ring is not None}
        return self.rings

    def position(self, queue: int) -> RingPosition:
        """The device's place in ring `queue` (QEMU: virtio_queue_get_last_avail_idx())."""
        inner = self.rings[queue].inner
        if isinstance(inner, PackedDeviceQueue):
            avail, used = inner.next_avail, inner.next_used
            a_wrap, u_wrap = inner.avail_wrap_counter, inner.used_wrap_counter
            base = avail | a_wrap << 15 | used << 16 | u_wrap << 31
            text = (
                f"next_avail {avail} (wrap {a_wrap}), next_used {used} (wrap {u_wrap}): "
                f"base word 0x{base:08x}"
            )
            return RingPosition(base, avail, used, text)
        assert isinstance(inner, SplitDeviceQueue)
        last, used = inner.last_avail_idx, inner.used_idx
        return RingPosition(last, last, used, f"last_avail_idx {last}")

    def host_starts(self) -> None:
        """DRIVER_OK again after a reset: QEMU hands the new rings to the back-end."""
        self.start_backend(self)

    def _stopping(self) -> None:
        if self.running:
            self.running = False
            self.stop_backend(self)

    def perform(self, kind: str, params: dict[str, int | str | bool]) -> None:
        if kind in {"send_frame", "receive_frame"} and not self.running:
            raise ActionError("kind", f"the {self.backend} back-end is not running")
        super().perform(kind, params)

    # -- following a chain through the memory table -----------------------------------------
    def _follow(self, chain: Chain, queue: int) -> bool:
        spec = "§2.8.13" if self.packed else "§2.7.5"
        for number, buffer in enumerate(chain.buffers):
            found = self.table.translate(buffer.addr, buffer.length)
            if not isinstance(found, Translation):
                self.log.record(
                    "gpa_translate_fault", actor=self.backend, plane="data", spec=spec,
                    analog=self.translate_analog,
                    summary=f"The back-end cannot reach buffer {number} of chain {chain.id}: "
                    f"{found.detail}. It gives up on the ring.",
                    queue=queue, values={"gpa": buffer.addr, "length": buffer.length,
                                         "reason": found.reason},
                )  # fmt: skip
                self.machine.device.needs_reset(f"{self.backend} cannot translate a buffer")
                return False
            self._record_translation(chain, number, found, queue=queue, spec=spec)
        return True

    def _record_translation(
        self, chain: Chain, number: int, found: Translation, *, queue: int, spec: str
    ) -> None:
        writable = chain.buffers[number].writable
        way = "writes into" if writable else "reads from"
        self.log.record(
            "gpa_translate", actor=self.backend, plane="data", spec=spec,
            analog=self.translate_analog,
            summary=f"Buffer {number} of chain {chain.id} is guest-physical 0x{found.gpa:x} "
            f"({found.length} bytes). The memory table puts it in region {found.region} at "
            f"offset 0x{found.offset:x}, so the back-end {way} its own address "
            f"0x{found.backend_addr:x}.",
            queue=queue,
            values={"gpa": found.gpa, "length": found.length, "region": found.region,
                    "offset": found.offset, "user_addr": found.uaddr,
                    "backend_addr": found.backend_addr, "writable": writable},
        )  # fmt: skip

    # -- the viewer -------------------------------------------------------------------------
    def extras(self) -> dict[str, Any]:
        if not self.table_sent:
            return {"memtable": []}
        return {
            "memtable": [
                {"guest_phys": r.guest_phys_addr, "user_addr": r.userspace_addr,
                 "mmap_offset": r.mmap_offset, "size": r.memory_size,
                 "backend_addr": r.backend_base}
                for r in self.table.regions
            ]
        }  # fmt: skip


def vhost_machine(options: StoryOptions, *, lacking: int = 0, declined: int = 0) -> NetMachine:
    """A net machine as QEMU builds it in front of a vhost back-end: QEMU's usual offer
    without the bits the back-end said it `lacking` (vhost_get_features() in QEMU), and a
    driver that also turns down `declined`."""
    wanted = machine_options(options, QEMU_NET_FEATURES)
    return virtio_net_machine(
        replace(wanted, offered=(wanted.offered or 0) & ~lacking,
                driver_declines=wanted.driver_declines | declined)
    )  # fmt: skip
