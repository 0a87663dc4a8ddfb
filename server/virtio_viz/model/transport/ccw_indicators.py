"""How a virtio-ccw device tells the driver something happened: indicator bits in guest
memory, then an I/O interrupt. virtio-1.2 §4.3.2.6 and §4.3.3.1.

How this works: there are no vectors and no ISR on channel I/O. The driver hands the
device guest addresses, and the device sets bits there before it interrupts:
- classic indicators (CCW_CMD_SET_IND): one big-endian 64-bit value, bit n for queue n;
  the device sets the bit and makes an I/O interrupt for the subchannel (§4.3.3.1.1);
- two-stage indicators (CCW_CMD_SET_IND_ADAPTER, what Linux uses when the host offers
  adapter interrupts): bit `bit_nr + n` of an indicator area, counted from the left, plus
  a summary byte set to 0x01; an adapter I/O interrupt for the interruption subclass is
  made only if the summary byte was still 0 (§4.3.3.1.2, the device's SHOULD);
- configuration changes always set bit 0 of the classic configuration indicators
  (CCW_CMD_SET_CONF_IND) and make an I/O interrupt (§4.3.3.1.1).
The device core calls `signal()` through `Interrupts`; the guest-memory writes it makes
are journaled, so the interrupt event shows the indicator bytes changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from virtio_viz.model.events import Value
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.transport.ccw_layout import CLASSIC_INDICATORS, adapter_bit

Mode = Literal["none", "classic", "adapter"]
Cause = Literal["queue", "config"]
CLASSIC_BITS = 64  # §4.3.2.6.1: one 64-bit value, so at most 64 queues (QEMU checks this)


@dataclass(frozen=True, slots=True)
class Signalled:
    """What one notification did: whether an interrupt was made, how, in words."""

    interrupted: bool
    how: str
    values: dict[str, Value] = field(default_factory=dict)


@dataclass(slots=True)
class Indicators:
    """The indicator addresses the driver registered (QEMU: VirtioCcwDevice.indicators,
    indicators2, summary_indicator, and the adapter route's ind_offset / isc)."""

    memory: GuestMemory
    mode: Mode = "none"
    queue_indicators: int | None = None  # classic: the 64-bit value; adapter: the area
    config_indicators: int | None = None
    summary_indicator: int | None = None
    bit_nr: int = 0
    isc: int = 0

    def reset(self) -> None:
        """A virtio reset releases every indicator (QEMU: virtio_ccw_reset_virtio())."""
        self.mode = "none"
        self.queue_indicators = self.config_indicators = self.summary_indicator = None
        self.bit_nr = self.isc = 0

    def use_classic(self, address: int) -> None:
        self.mode, self.queue_indicators = "classic", address

    def use_adapter(self, summary: int, area: int, bit_nr: int, isc: int) -> None:
        self.mode = "adapter"
        self.summary_indicator, self.queue_indicators = summary, area
        self.bit_nr, self.isc = bit_nr, isc

    # -- the device signals --------------------------------------------------------------
    def signal(self, cause: Cause, queue: int | None) -> Signalled:
        if cause == "config":
            return self._classic(self.config_indicators, 0, "configuration indicators")
        assert queue is not None
        if self.mode == "adapter":
            return self._adapter(queue)
        return self._classic(self.queue_indicators, queue, "queue indicators")

    def _classic(self, address: int | None, bit: int, what: str) -> Signalled:
        if address is None:
            return Signalled(False, f"the driver registered no {what}: nothing is signalled")
        old = CLASSIC_INDICATORS.unpack(self.memory.read(address, 8))[0]
        new = old | 1 << bit
        self.memory.write(address, CLASSIC_INDICATORS.pack(new))
        how = (
            f"sets bit {bit} of the {what} at {address:#x} ({old:#018x} -> {new:#018x}) and "
            "makes an I/O interrupt for the subchannel"
        )
        values: dict[str, Value] = {"mode": "classic", "indicators": address, "bit": bit,
                                    "old": old, "new": new}  # fmt: skip
        return Signalled(True, how, values)

    def _adapter(self, queue: int) -> Signalled:
        area, summary = self.queue_indicators, self.summary_indicator
        if area is None or summary is None:
            return Signalled(False, "the driver registered no queue indicators: nothing is "
                             "signalled")  # fmt: skip
        bit = self.bit_nr + queue
        offset, mask = adapter_bit(bit)
        byte = self.memory.read(area + offset, 1)[0]
        self.memory.write(area + offset, bytes([byte | mask]))
        was = self.memory.read(summary, 1)[0]
        self.memory.write(summary, b"\x01")
        values: dict[str, Value] = {
            "mode": "adapter", "indicators": area, "bit": bit, "summary": summary,
            "summary_was": was, "isc": self.isc,
        }  # fmt: skip
        how = (
            f"sets indicator bit {bit} (byte {area + offset:#x}, mask {mask:#04x}) and the "
            f"summary byte at {summary:#x}"
        )
        if was:  # §4.3.3.1.2.1: interrupt only if the summary was not set already
            return Signalled(False, how + "; the summary was already set, so the adapter "
                             "interrupt still pending will cover it", values)  # fmt: skip
        return Signalled(True, how + f", then makes an adapter I/O interrupt for ISC "
                         f"{self.isc}", values)  # fmt: skip
