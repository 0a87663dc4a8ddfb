"""ring-lab: no story, just one virtqueue and the reader playing driver and device.

The only chapter sets the queue up (the driver allocates and initializes the ring, tells
the device where it is, the device takes it), so the reader starts from a valid, empty
queue. Everything after that is the reader's own actions (a timeline fork, or the steps
of a scenario file): see `ring_lab_actions` for the vocabulary. Every action is one call
into the model's queue classes; the lab only checks that the request is possible.
"""

from __future__ import annotations

from virtio_viz.model.errors import ModelError
from virtio_viz.model.index16 import wrap16
from virtio_viz.model.packed import PackedDesc, PackedDeviceQueue, PackedDriverQueue
from virtio_viz.model.packed.ring import avail_bits, used_bits
from virtio_viz.model.spec import DESC_SIZE, VIRTQ_DESC_F_AVAIL, VIRTQ_DESC_F_USED
from virtio_viz.model.split import Descriptor, SplitDeviceQueue, SplitDriverQueue
from virtio_viz.model.virtqueue import Buffer
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.ring_lab_actions import (
    packed_specs,
    parse_entries,
    parse_lens,
    split_specs,
)
from virtio_viz.scenarios.stories.ring_lab_world import QUEUE, LabBase
from virtio_viz.scenarios.story import (
    ActionError,
    ActionSpec,
    Beat,
    Chapter,
    Story,
    UserAction,
    checked_params,
)
from virtio_viz.scenarios.topologies import ring_lab

Params = dict[str, int | str | bool]
_DEVICE_KINDS = frozenset(
    {"device_fetch", "use_buffer", "interrupt", "set_used_flags", "set_avail_event",
     "set_device_event"}
)  # fmt: skip
_FIELD_OF_KIND = {"write_indirect_table": "addr", "add_buffer": "out_lens"}
# what Linux refuses on a queue it marked broken: virtqueue_add*() -EIO,
# virtqueue_get_buf() NULL, virtqueue_notify() false (drivers/virtio/virtio_ring.c)
_REFUSED_WHEN_BROKEN = frozenset({"add_buffer", "driver_get_used", "kick"})


class RingLabWorld(LabBase):
    """One queue, both sides in the reader's hands."""

    def action_specs(self) -> tuple[ActionSpec, ...]:
        size = self.options.queue_size
        return packed_specs(size) if self.packed else split_specs(size)

    def act(self, action: UserAction) -> None:
        params = checked_params(self.action_specs(), action)
        self._check_ready(action.kind)
        try:
            if self.packed:
                self._packed(action.kind, params)
            else:
                self._split(action.kind, params)
        except ModelError as error:  # the model refused before changing anything
            raise ActionError(_FIELD_OF_KIND.get(action.kind, "kind"), str(error)) from None

    def _check_ready(self, kind: str) -> None:
        device = self.packed_device or self.split_device
        driver = self.packed_driver or self.split_driver
        if device is None or driver is None:  # reset_queue too: there is nothing to reset
            raise ActionError("kind", "the queue is not set up yet: step on until the device "
                              "takes it (the end of the set-up), then act")  # fmt: skip
        if kind in _DEVICE_KINDS and device.broken:
            raise ActionError(
                "kind", "the device has stopped using the queue and needs a reset (reset_queue)"
            )
        if kind in _REFUSED_WHEN_BROKEN and driver.broken:
            raise ActionError(
                "kind",
                "the driver has marked the queue broken (Linux's BAD_RING()): Linux adds no "
                "buffers to it, collects none and sends no kicks for it; reset_queue starts over",
            )

    # -- split ----------------------------------------------------------------------------
    def _split(self, kind: str, p: Params) -> None:
        driver, device = self.split_driver, self.split_device
        assert driver is not None and device is not None  # _check_ready made sure
        if kind == "write_descriptor":
            driver.write_descriptor(_i(p, "index"), _i(p, "addr"), _i(p, "len"), _i(p, "flags"),
                                    _i(p, "next"))  # fmt: skip
        elif kind == "write_indirect_table":
            entries = [Descriptor(*e) for e in parse_entries(str(p["entries"]), 4)]
            driver.write_indirect_table(_i(p, "addr"), entries)
        elif kind == "write_avail_slot":
            driver.write_avail_slot(_i(p, "slot"), _i(p, "head"))
        elif kind == "publish":
            shadow = driver.avail_idx_shadow
            driver.write_avail_slot(shadow % driver.layout.size, _i(p, "head"))
            driver.set_avail_idx(wrap16(shadow + 1))
        elif kind in {"set_avail_idx", "set_avail_flags", "set_used_event"}:
            getattr(driver, kind)(_i(p, "value"))
        elif kind in {"set_used_flags", "set_avail_event"}:
            getattr(device, kind)(_i(p, "value"))
        elif kind == "use_buffer":
            device.use_buffer(_i(p, "head"), _i(p, "len"))
        else:
            self._shared(kind, p, driver, device)

    # -- packed ---------------------------------------------------------------------------
    def _packed(self, kind: str, p: Params) -> None:
        driver, device = self.packed_driver, self.packed_device
        assert driver is not None and device is not None
        if kind == "write_descriptor":
            driver.write_descriptor(_i(p, "index"), _i(p, "addr"), _i(p, "len"), _i(p, "id"),
                                    _packed_flags(p))  # fmt: skip
        elif kind == "write_indirect_table":
            self._packed_table(_i(p, "addr"), parse_entries(str(p["entries"]), 3))
        elif kind == "set_driver_event":
            driver.set_driver_event(_i(p, "off"), _i(p, "wrap"), _i(p, "flags"))
        elif kind == "set_device_event":
            device.set_device_event(_i(p, "off"), _i(p, "wrap"), _i(p, "flags"))
        elif kind == "use_buffer":
            buffer_id, slots = _i(p, "id"), _i(p, "slots")
            if slots == 0:
                popped = [count for b, count in device.in_flight if b == buffer_id]
                slots = popped[0] if popped else 1
            device.use_buffer(buffer_id, _i(p, "len"), slots)
        else:
            self._shared(kind, p, driver, device)

    def _packed_table(self, addr: int, entries: list[tuple[int, ...]]) -> None:
        """The packed driver has no raw table writer: write the 16-byte entries (§2.8.7)."""
        descs = [PackedDesc(a, length, 0, flags) for a, length, flags in entries]
        if not self.memory.contains(addr, DESC_SIZE * len(descs)):
            raise ActionError("addr", f"0x{addr:x}+{DESC_SIZE * len(descs)} is not guest memory")
        for number, desc in enumerate(descs):
            self.memory.write(addr + DESC_SIZE * number, desc.encode())
            self.record(
                "lab_indirect_desc_write", "driver", "data", "§2.8.7", "ring-lab: the user "
                "acts as the driver",
                f"The driver writes entry {number} of the indirect table at 0x{addr:x}: "
                f"{desc.describe()}",
                table=addr, entry=number, addr=desc.addr, len=desc.length, flags=desc.flags,
            )  # fmt: skip

    # -- both formats -----------------------------------------------------------------------
    def _shared(
        self,
        kind: str,
        p: Params,
        driver: SplitDriverQueue | PackedDriverQueue,
        device: SplitDeviceQueue | PackedDeviceQueue,
    ) -> None:
        if kind == "add_buffer":
            self._add_buffer(driver, p)
        elif kind == "kick":
            if not p["check"] or driver.kick_prepare():
                self._kick()
        elif kind == "device_fetch":
            device.pop()
        elif kind == "interrupt":
            if not p["check"] or device.should_notify():
                self._interrupt(driver.broken)
        elif kind == "driver_get_used":
            driver.get_used()
        elif kind == "reset_queue":
            self.restart()

    def _add_buffer(self, driver: SplitDriverQueue | PackedDriverQueue, p: Params) -> None:
        out_lens = parse_lens("out_lens", str(p["out_lens"]))
        in_lens = parse_lens("in_lens", str(p["in_lens"]))
        field = "out_lens" if out_lens else "in_lens"
        count = len(out_lens) + len(in_lens)
        if count == 0:
            raise ActionError("out_lens", "a buffer needs at least one element")
        if count > driver.free_count and not p["indirect"]:
            raise ActionError(field, f"{count} elements, but only {driver.free_count} "
                              "descriptors are free")  # fmt: skip
        cursors = self.cursors
        table = self.place_table(count) if p["indirect"] else None
        out = [Buffer(self.place(n), n) for n in out_lens]
        in_ = [Buffer(self.place(n), n, True) for n in in_lens]
        try:
            driver.add_buffer(out, in_, indirect_table_addr=table)
        except ModelError as error:
            self.cursors = cursors  # nothing changed after all
            raise ActionError("indirect" if table is not None else field, str(error)) from None

    def _kick(self) -> None:
        """An available buffer notification, from the driver's notify write to the device."""
        self.record(
            "register_write", "driver", "notification", "§2.9", "vp_notify() in Linux",
            f"The driver notifies the device: it writes {QUEUE} (the queue index) to the "
            "queue's notification address",
            region="notify", register=f"notify[{QUEUE}]", value=QUEUE,
        )  # fmt: skip
        self.record(
            "queue_notify", "device", "notification", "§2.9",
            "virtio_queue_notify() in QEMU",
            f"The device receives the available buffer notification for queue {QUEUE}: "
            "it will look at the ring for new buffers",
            queue_index=QUEUE,
        )  # fmt: skip

    def _interrupt(self, broken: bool) -> None:
        """A used buffer notification, from the device to the driver's handler (which
        calls no callback on a queue it marked broken, as vring_interrupt() does)."""
        self.record(
            "interrupt", "device", "notification", "§2.3", "virtio_notify() in QEMU",
            f"The device sends a used buffer notification for queue {QUEUE}",
            cause="queue",
        )  # fmt: skip
        handled = (
            "the queue is marked broken, so it returns without running the queue's callback"
            if broken
            else "used buffers may be waiting"
        )
        self.record(
            "used_notification", "driver", "notification", "§2.3",
            "vring_interrupt() in Linux",
            f"The driver's interrupt handler runs for queue {QUEUE}: {handled}",
            queue_index=QUEUE, broken=broken,
        )  # fmt: skip


def _i(params: Params, name: str) -> int:
    value = params[name]
    assert isinstance(value, int)  # ActionSpec.check made sure
    return value


def _packed_flags(p: Params) -> int:
    """flags, plus the AVAIL/USED bits of `wrap` when `mark` asks for them (§2.8.1)."""
    flags, mark = _i(p, "flags"), p["mark"]
    if mark == "raw":
        return flags
    if flags & (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED):
        raise ActionError("flags", f"with mark {mark!r} the AVAIL/USED bits come from wrap")
    bits = avail_bits(_i(p, "wrap")) if mark == "available" else used_bits(_i(p, "wrap"))
    return flags | bits


# -- the story ------------------------------------------------------------------------------
def _setup_intro(options: StoryOptions) -> str:
    if options.ring == "packed":
        shape = (
            f"a packed ring of {options.queue_size} descriptor slots, zero-filled, with "
            "both wrap counters at 1 (a packed ring has no 16-bit index, so the initial "
            "index option does not apply; it wraps after every lap of the ring)"
        )
    else:
        shape = (
            f"a split ring of {options.queue_size} descriptors, zeroed, all of them on the "
            "driver's free list (which it keeps in its own memory, as Linux does, not in "
            f"the table), with avail.idx and used.idx starting at {options.initial_index}"
        )
    return (
        f"The driver allocates {shape}, tells the device where each part is, and the "
        "device takes the queue. From here on you play both sides: write descriptors, "
        "publish heads, kick, fetch, use buffers in any order, and watch the bytes move."
    )


def _chapters(options: StoryOptions) -> tuple[Chapter[RingLabWorld], ...]:
    beats: tuple[Beat[RingLabWorld], ...] = (
        Beat("allocate the ring", lambda world: world.allocate()),
        Beat("tell the device", lambda world: world.tell_device()),
        Beat("the device takes the queue", lambda world: world.attach_device()),
    )
    return (Chapter("setup", "Set up the rings", _setup_intro(options), beats),)


def ring_lab_world(options: StoryOptions, seed: int) -> RingLabWorld:
    del seed  # the lab uses no randomness
    return RingLabWorld(options)


STORY = Story(id="ring-lab", topology=ring_lab.TOPOLOGY, build=ring_lab_world,
              chapters=_chapters, questions=questions.RING_LAB, transports=("pci", "mmio"),
              why_not="the lab sets its one queue up with PCI's queue registers")  # fmt: skip
