"""Ring-lab actions: the user plays the split-ring driver by hand. virtio-1.2 §2.7.

These write exactly the bytes asked for, even when that breaks the spec: that is the
lesson. Impossible requests (a slot that does not exist, a value wider than its field,
memory that is not there) raise before anything changes. A driver MUST that the driver
itself can see being broken is recorded here as a Violation (N20, N48, N49, N50); the
rest (a looping chain, INDIRECT without the feature ...) is for the device to detect
when it reads the ring.
"""

from __future__ import annotations

from collections.abc import Sequence

from virtio_viz.model.errors import ConfigError, MemoryFault
from virtio_viz.model.index16 import distance16
from virtio_viz.model.spec import DESC_SIZE, VIRTQ_AVAIL_F_NO_INTERRUPT
from virtio_viz.model.split.descriptor import Descriptor, write_descriptor
from virtio_viz.model.split.driver_base import DriverBase

_LAB = "ring-lab: the user acts as the driver"


def _check_u16(name: str, value: int) -> None:
    if not 0 <= value <= 0xFFFF:
        raise ConfigError(f"{name} {value} does not fit in a le16 field")


class DriverLab(DriverBase):
    """Raw writes to the driver-owned parts of a split ring."""

    def write_descriptor(self, index: int, addr: int, length: int, flags: int, next: int) -> None:
        """Write desc[index] as given. Overwriting a descriptor of a buffer the device may
        still be using breaks N20 (§3.3.1); the bytes are written anyway."""
        desc = Descriptor(addr, length, flags, next)
        where = self.layout.desc_entry_addr(index)
        if index in self.exposed_descriptors():
            self._violation(
                20,
                f"descriptor {index} belongs to a buffer the device has not returned yet",
                {"index": index},
            )
        write_descriptor(self.memory, where, desc)
        self._record(
            "lab_desc_write",
            "§2.7.5",
            _LAB,
            f"The driver writes descriptor {index}: {desc.describe()}",
            values={"index": index, **desc.values()},
        )

    def write_indirect_table(self, addr: int, entries: Sequence[Descriptor]) -> None:
        """Write an indirect descriptor table at `addr`, entry 0 first (§2.7.5.3)."""
        if not entries:
            raise ConfigError("an indirect table needs at least one entry")
        size = DESC_SIZE * len(entries)
        if addr < 0 or not self.memory.contains(addr, size):
            raise MemoryFault(addr, size)
        for outstanding in self._in_flight.values():
            table = outstanding.table
            if table is not None and addr < table.end and table.addr < addr + size:
                self._violation(
                    20,
                    f"the table at 0x{addr:x} overlaps the indirect table at 0x{table.addr:x} "
                    "of a buffer the device has not returned yet",
                    {"addr": addr, "table": table.addr},
                )
        for position, entry in enumerate(entries):
            write_descriptor(self.memory, addr + DESC_SIZE * position, entry)
            self._record(
                "lab_indirect_desc_write",
                "§2.7.5.3",
                _LAB,
                f"The driver writes entry {position} of the indirect table at 0x{addr:x}: "
                f"{entry.describe()}",
                values={"table": addr, "entry": position, **entry.values()},
            )

    def write_avail_slot(self, slot: int, head: int) -> None:
        """Write avail.ring[slot] = head, without publishing it (§2.7.13.2)."""
        _check_u16("head", head)
        where = self.layout.avail_ring_addr(slot)
        self.memory.write_le16(where, head)
        self._record(
            "lab_avail_ring_write",
            "§2.7.6",
            _LAB,
            f"The driver writes head {head} into avail.ring[{slot}]",
            values={"slot": slot, "head": head},
        )

    def set_avail_idx(self, value: int) -> None:
        """Write avail.idx. Moving it backwards breaks N48 (§2.7.6.1), and is done anyway.

        "Backwards" is judged modulo 2^16: a value less than half the index space behind
        the current one is a decrement; anything else counts as moving forward.
        """
        _check_u16("avail.idx", value)
        old = self._avail_idx
        forward = distance16(value, old)
        backwards = forward >= 0x8000
        if backwards:
            self._violation(
                48,
                f"avail.idx goes back from {old} to {value}: exposed buffers cannot be taken back",
                {"old": old, "idx": value},
            )
            self._num_added = 0
        else:
            self._num_added += forward
        self.memory.write_le16(self.layout.avail_idx_addr, value)
        self._avail_idx = value
        self._record(
            "lab_avail_idx_write",
            "§2.7.13.3",
            _LAB,
            f"The driver sets avail.idx from {old} to {value}",
            values={"old": old, "idx": value, "backwards": backwards},
        )

    def set_avail_flags(self, value: int) -> None:
        """Write avail.flags. Only 0 or 1 is legal without EVENT_IDX (N49), only 0 with it
        (N50), both §2.7.7.1; an illegal value is recorded and still written."""
        _check_u16("avail.flags", value)
        if self.event_idx and value != 0:
            detail = f"avail.flags set to {value} although EVENT_IDX was negotiated"
            self._violation(50, detail, {"flags": value})
        elif not self.event_idx and value not in (0, VIRTQ_AVAIL_F_NO_INTERRUPT):
            self._violation(49, f"avail.flags set to {value}, not 0 or 1", {"flags": value})
        if not self.event_idx:
            self._interrupts_enabled = not value & VIRTQ_AVAIL_F_NO_INTERRUPT
        self.memory.write_le16(self.layout.avail_flags_addr, value)
        self._record(
            "lab_avail_flags_write",
            "§2.7.7",
            _LAB,
            f"The driver sets avail.flags to {value}",
            values={"flags": value},
        )

    def set_used_event(self, value: int) -> None:
        """Write used_event (avail.ring[N]). Without EVENT_IDX the device ignores it (N52)."""
        _check_u16("used_event", value)
        self.memory.write_le16(self.layout.used_event_addr, value)
        note = "" if self.event_idx else " (without EVENT_IDX the device ignores it)"
        self._record(
            "lab_used_event_write",
            "§2.7.7",
            _LAB,
            f"The driver sets used_event to {value}{note}",
            values={"used_event": value},
        )

    def _violation(self, rule: int, detail: str, values: dict[str, int]) -> None:
        self.log.violation(
            rule, actor="driver", detail=detail, analog=_LAB, queue=self.queue_index, values=values
        )
