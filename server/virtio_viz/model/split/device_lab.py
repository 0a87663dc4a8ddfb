"""Ring-lab actions: the user plays the split-ring device by hand. virtio-1.2 §2.7.

The bytes asked for are written even when they break the spec; the device MUSTs that
can be seen being broken here are recorded as Violations (N27, N57, N64, N65). Values
that do not fit their field raise ConfigError before anything changes.
"""

from __future__ import annotations

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import VIRTQ_USED_F_NO_NOTIFY
from virtio_viz.model.split import steps
from virtio_viz.model.split.device_base import DeviceBase

_LAB = steps.DEVICE_LAB


class DeviceLab(DeviceBase):
    """Raw writes to the device-owned parts of a split ring."""

    def use_buffer(self, head: int, length: int) -> None:
        """Return `head` with used len `length`, in or out of order, popped or not."""
        for name, value in (("id", head), ("len", length)):
            if not 0 <= value <= 0xFFFF_FFFF:
                raise ConfigError(f"used {name} {value} does not fit in le32")
        chain = next((c for c in self._in_flight if c.id == head), None)
        if chain is not None:
            self._check_use(chain, length, _LAB)
            self._in_flight.remove(chain)
        self._write_used(
            head, length, steps.lab_used_elem_write, steps.lab_used_idx_publish,
            popped=chain is not None,
        )  # fmt: skip

    def set_used_flags(self, value: int) -> None:
        """Write used.flags: 0 or 1 without EVENT_IDX (N64), 0 with it (N65), §2.7.10.2."""
        if not 0 <= value <= 0xFFFF:
            raise ConfigError(f"used.flags {value} does not fit in le16")
        if self.event_idx and value != 0:
            self._device_violation(
                _LAB,
                65,
                f"used.flags set to {value} although EVENT_IDX was negotiated",
                {"flags": value},
            )
        elif not self.event_idx and value not in (0, VIRTQ_USED_F_NO_NOTIFY):
            self._device_violation(
                _LAB, 64, f"used.flags set to {value}, not 0 or 1", {"flags": value}
            )
        if not self.event_idx:
            self._notifications_enabled = not value & VIRTQ_USED_F_NO_NOTIFY
        self.memory.write_le16(self.layout.used_flags_addr, value)
        self._record(
            "used_flags_write",
            "§2.7.10",
            _LAB,
            f"The device sets used.flags to {value}",
            {"flags": value},
        )

    def set_avail_event(self, value: int) -> None:
        """Write avail_event (used.ring[N]). Without EVENT_IDX the driver ignores it (N60)."""
        if not 0 <= value <= 0xFFFF:
            raise ConfigError(f"avail_event {value} does not fit in le16")
        self.memory.write_le16(self.layout.avail_event_addr, value)
        note = "" if self.event_idx else " (without EVENT_IDX the driver ignores it)"
        self._record(
            "avail_event_write",
            "§2.7.10",
            _LAB,
            f"The device sets avail_event to {value}{note}",
            {"avail_event": value},
        )
