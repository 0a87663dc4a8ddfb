"""Ring-lab actions: the user plays the packed-ring driver by hand. virtio-1.2 §2.8.

These write exactly the bytes asked for, even when that breaks the spec. Rewriting a
slot the device still owns is recorded as the driver breaking N76; other mistakes in a
hand-written list (a reused buffer id, a missing AVAIL flip ...) are for the device to
find when it reads the ring.
"""

from __future__ import annotations

from virtio_viz.model.packed import steps
from virtio_viz.model.packed.driver_base import DriverBase
from virtio_viz.model.packed.ring import EventSuppress, PackedDesc


class DriverLab(DriverBase):
    """Raw writes to the driver-owned parts of a packed ring."""

    def write_descriptor(
        self, slot: int, addr: int, length: int, buffer_id: int, flags: int
    ) -> None:
        """Write all 16 bytes of desc[slot] at once, without any bookkeeping."""
        desc = PackedDesc(addr, length, buffer_id, flags)
        base = self.layout.desc_entry_addr(slot)
        if self._slot_in_flight(slot):
            self.log.violation(
                76,
                actor="driver",
                queue=self.queue_index,
                detail=f"the driver rewrites slot {slot}, which it made available and has "
                "not got back as used",
                values={"slot": slot},
            )
        self.memory.write(base, desc.encode())
        self._emit(
            steps.RAW_DESC_WRITTEN,
            f"The driver writes descriptor slot {slot} by hand: {desc.describe()}.",
            **desc.values(),
            slot=slot,
        )

    def set_driver_event(self, off: int, wrap: int, flags: int) -> None:
        """Write the Driver Event Suppression structure by hand (desc, then flags). Raw
        bytes: the driver's own record of its flags (Linux: event_flags_shadow) stays."""
        event = EventSuppress(off, wrap, flags)
        self.memory.write(self.layout.driver_event_addr, event.encode())
        self._emit(
            steps.RAW_DRIVER_EVENT,
            f"The driver writes its event suppression structure by hand: {event.describe()}.",
            mode=event.mode_name,
            event_flags=flags,
            off=off,
            wrap=wrap,
        )

    def _slot_in_flight(self, slot: int) -> bool:
        """The slots from next_used on, as many as are not free, belong to the device."""
        distance = (slot - self._next_used) % self.layout.size
        return distance < self.layout.size - self._num_free
