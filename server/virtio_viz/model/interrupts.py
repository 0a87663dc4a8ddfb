"""How the device tells the driver something happened: ISR bits, MSI-X vectors, one line.

virtio-1.2 §2.3, §4.1.4.5, §4.1.5.3, §4.1.5.4, §4.2.2. The device core raises two kinds
of notification: a used-buffer notification for a queue, and a configuration change.
How they travel depends on the transport (`InterruptRoute`):
- PCI with MSI-X enabled: each event goes to the vector the driver mapped it to; an
  event mapped to NO_VECTOR is not delivered at all (N106, N107). The ISR queue bit is
  not used; the config bit is still set first (N100).
- PCI without MSI-X (INTx), and MMIO: one line; the ISR / InterruptStatus bit says
  why, and is set before the interrupt (N100, N101). PCI clears ISR when the driver
  reads it (N102); MMIO keeps the bits until the driver writes InterruptACK (N109).
- Channel I/O (virtio-ccw): no vectors and no ISR. The transport sets `indicators`, and
  each notification sets indicator bits in guest memory before (or instead of) an I/O
  interrupt (`transport/ccw_indicators.py`, §4.3.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.spec import ISR_CONFIG, ISR_QUEUE, VIRTIO_MSI_NO_VECTOR

if TYPE_CHECKING:  # channel I/O's modules load with a machine on it (machine.py)
    from virtio_viz.model.transport.ccw_indicators import Indicators

Cause = Literal["queue", "config"]


class InterruptRoute(Protocol):
    """How the transport delivers interrupts: MSI-X vectors, or one line with ISR."""

    line: str  # e.g. "INTx", "the virtio-mmio interrupt line"

    @property
    def msix_enabled(self) -> bool: ...

    def msi_message(self, vector: int) -> tuple[int, int]:
        """(address, data) the MSI-X table holds for `vector`."""


@dataclass(frozen=True, slots=True)
class Interrupt:
    """One interrupt the device sent: why, and on which vector (None: the line)."""

    cause: Cause
    vector: int | None
    queue: int | None = None


@dataclass(slots=True)
class Interrupts:
    """ISR status, the config vector, and the interrupts sent so far."""

    log: EventLog
    route: InterruptRoute | None = None
    indicators: Indicators | None = None  # channel I/O: bits in guest memory, no ISR
    isr: int = 0
    config_vector: int = VIRTIO_MSI_NO_VECTOR
    sent: list[Interrupt] = field(default_factory=list)

    @property
    def msix(self) -> bool:
        return self.route is not None and self.route.msix_enabled

    def reset(self) -> None:
        """§4.1.5.1.2.1 / §4.2.2.1: vectors unmapped (N103), ISR cleared (N110)."""
        self.isr = 0
        self.config_vector = VIRTIO_MSI_NO_VECTOR
        if self.indicators is not None:
            self.indicators.reset()

    def signal(self, cause: Cause, vector: int, queue: int | None) -> bool:
        """Send one notification; False when NO_VECTOR keeps it from being delivered."""
        if self.indicators is not None:
            return self._signal_indicators(cause, queue)
        if cause == "config" or not self.msix:  # ISR first (N100, N101)
            self.isr |= ISR_CONFIG if cause == "config" else ISR_QUEUE
        what = f"queue {queue}" if cause == "queue" else "a configuration change"
        analog = "virtio_notify() in QEMU" if cause == "queue" else "virtio_notify_config() in QEMU"
        values: dict[str, Value] = {"cause": cause}
        if self.route is not None and self.msix:
            if vector == VIRTIO_MSI_NO_VECTOR:  # §4.1.5.3.1 / §4.1.5.4.1 (N106, N107)
                values["vector"] = vector
                summary = f"The device has {what} to signal, but it is mapped to NO_VECTOR: "
                self._record(
                    "interrupt_suppressed", analog, summary + "no interrupt", values, queue
                )
                return False
            address, data = self.route.msi_message(vector)
            values |= {"vector": vector, "msi_address": address, "msi_data": data}
            summary = f"The device signals {what} with MSI-X vector {vector}"
            if address:
                summary += f" (a write of {data:#x} to {address:#x})"
        else:
            line = self.route.line if self.route is not None else "its interrupt line"
            values |= {"line": line, "isr": self.isr}
            summary = f"The device signals {what} on {line}; ISR status is {self.isr:#x}"
        self._record("interrupt", analog, summary, values, queue)
        self.sent.append(Interrupt(cause, vector if self.msix else None, queue))
        return True

    def _signal_indicators(self, cause: Cause, queue: int | None) -> bool:
        """virtio-ccw: set the indicator bits, then interrupt if that is needed (§4.3.3.1)."""
        assert self.indicators is not None
        done = self.indicators.signal(cause, queue)
        what = f"queue {queue}" if cause == "queue" else "a configuration change"
        kind = "interrupt" if done.interrupted else "interrupt_suppressed"
        values: dict[str, Value] = {"cause": cause, **done.values}
        summary = f"The device has {what} to signal: it {done.how}"
        self.log.record(
            kind, actor="device", plane="notification",
            spec="§4.3.3.1.2" if done.values.get("mode") == "adapter" else "§4.3.3.1.1",
            analog="virtio_ccw_notify() in QEMU", summary=summary, queue=queue, values=values,
        )  # fmt: skip
        if done.interrupted:
            self.sent.append(Interrupt(cause, None, queue))
        return done.interrupted

    def take_isr(self) -> int:
        """PCI ISR status: a read returns the bits and clears them (§4.1.4.5, N102)."""
        value, self.isr = self.isr, 0
        return value

    def acknowledge(self, bits: int) -> None:
        """MMIO InterruptACK: clear the acknowledged bits (§4.2.2, N109)."""
        self.isr &= ~bits & 0xFF

    def take(self) -> list[Interrupt]:
        """The interrupts sent since the last call (a driver model's handler takes them)."""
        taken, self.sent = self.sent, []
        return taken

    def _record(
        self, kind: str, analog: str, summary: str, values: dict[str, Value], queue: int | None
    ) -> None:
        self.log.record(
            kind,
            actor="device",
            plane="notification",
            spec="§4.1.5" if self.msix else "§2.3",
            analog=analog,
            summary=summary,
            queue=queue,
            values=values,
        )
