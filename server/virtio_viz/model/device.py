"""The transport-independent virtio device: status, features, queues, config, interrupts.

How this works: a `VirtioDevice` is what QEMU's VirtIODevice is: the part every device
type shares. A device type (virtio-net, virtio-blk, a test double) plugs in as a
`DeviceBackend`. A transport (`transport/pci.py`, `transport/mmio.py`) turns the
driver's register accesses into calls on this class, and attaches an `InterruptRoute`
saying how interrupts travel. The parts live in their own modules: status and feature
negotiation in `status.py` / `negotiation.py`, queue registers in `queue_set.py`, the
ring gate in `device_queue.py`, ISR and vectors in `interrupts.py`.

Guarantees by construction: the backend reaches a ring only through `live_queue()` or
`handle_queue()`, both of which require DRIVER_OK (N4); a reset retires every ring so
nothing is touched afterwards (N12, N111); a ring that turns out broken puts the device
into DEVICE_NEEDS_RESET and, when DRIVER_OK is set, raises a configuration change
interrupt with the ISR config bit set first (N5, N100). Reset unmaps every vector
(N103), clears ISR / InterruptStatus (N110), disables every queue (N92) and reads back
status 0 (N11, N91). A kick before DRIVER_OK is the driver's N19 and is ignored.
"""

from __future__ import annotations

from typing import Protocol

from virtio_viz.model.device_queue import LiveQueue
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog, Value
from virtio_viz.model.features import bit, missing_requirements
from virtio_viz.model.interrupts import Interrupt, InterruptRoute, Interrupts
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.negotiation import RefuseKnob
from virtio_viz.model.queue_set import QueueSet
from virtio_viz.model.spec import Status, status_names
from virtio_viz.model.status import StatusMachine, StatusOutcome

__all__ = ["DeviceBackend", "Interrupt", "InterruptRoute", "VirtioDevice"]

_NOTIFY = "virtio_queue_notify() in QEMU"


class DeviceBackend(Protocol):
    """A device type: what it offers, its config space and queues, and its work."""

    @property
    def device_id(self) -> int: ...

    @property
    def offered(self) -> int:
        """The feature bits the device offers (64 bits)."""

    @property
    def queue_sizes(self) -> tuple[int, ...]:
        """The maximum size of each queue (0 or a power of 2); the length is the count."""

    negotiated: int  # set by the device core when FEATURES_OK latches, 0 on reset

    def config_space(self) -> bytes:
        """The device-specific configuration structure as it reads now (§2.5)."""

    def write_config(self, offset: int, data: bytes) -> None:
        """The driver wrote device-specific configuration bytes (after FEATURES_OK)."""

    def handle_queue(self, device: VirtioDevice, queue_index: int) -> None:
        """Queue `queue_index` has work (a kick); take its ring via `device.live_queue()`."""

    def reset(self) -> None:
        """Forget all device-type state (virtio-1.2 §2.4)."""


class VirtioDevice:
    """The device core (QEMU: VirtIODevice). See the module docstring."""

    def __init__(
        self,
        memory: GuestMemory,
        log: EventLog,
        backend: DeviceBackend,
        *,
        refuse_features: RefuseKnob = 0,
    ) -> None:
        self.memory = memory
        self.log = log
        self.backend = backend
        self.device_id = int(backend.device_id)
        self.status = StatusMachine(
            log, self.device_id, backend.offered, refuse_features=refuse_features
        )
        self.queues = QueueSet(
            memory,
            log,
            self.status,
            tuple(backend.queue_sizes),
            gate=self,
            on_broken=self._ring_broke,
        )
        self.interrupts = Interrupts(log)
        self.config_generation = 0
        self.needs_reset_reason: str | None = None
        self._check_offer(backend.offered)

    # -- state ----------------------------------------------------------------------------
    @property
    def device_status(self) -> int:
        return self.status.status

    @property
    def negotiated(self) -> int:
        """The negotiated features (0 until FEATURES_OK latches)."""
        return self.status.negotiated

    @property
    def processing(self) -> bool:
        """The device may use its rings: DRIVER_OK set, DEVICE_NEEDS_RESET not (§2.1.2)."""
        return self.status.has(Status.DRIVER_OK) and not self.status.has(Status.DEVICE_NEEDS_RESET)

    def live_queue(self, index: int) -> LiveQueue | None:
        """The ring of an enabled queue, only while the device is processing (N4)."""
        ring = self.queues.ring(index)
        return ring if ring is not None and ring.usable else None

    def attach(self, route: InterruptRoute) -> None:
        """A transport says how this device's interrupts travel (once)."""
        if self.interrupts.route is not None:
            raise ConfigError("this device is already attached to a transport")
        self.interrupts.route = route

    # -- device status (§2.1) ---------------------------------------------------------------
    def write_status(self, value: int) -> StatusOutcome:
        outcome = self.status.write(value)
        if outcome.reset:
            self._reset()
        if outcome.features_latched:
            self.backend.negotiated = self.status.negotiated
        return outcome

    def reset(self, how: str) -> None:
        """A transport's own reset command (virtio-ccw's CCW_CMD_VDEV_RESET): the same
        reset as a status write of 0 (§2.4)."""
        self.status.reset(how)
        self._reset()

    def _reset(self) -> None:
        self.queues.retire_all()
        self.interrupts.reset()
        self.needs_reset_reason = None
        self.backend.negotiated = 0
        self.backend.reset()
        self._record(
            "device_reset",
            "§2.4",
            "virtio_reset() in QEMU",
            "The device drops every queue, unmaps every interrupt vector and clears ISR",
            {"queues": len(self.queues)},
        )

    def needs_reset(self, reason: str) -> None:
        """Device-side: enter an error state that only a reset clears (§2.1.2)."""
        old = self.device_status
        if not self.status.set_needs_reset():
            return
        self.needs_reset_reason = reason
        new = self.device_status
        self._record(
            "device_needs_reset",
            "§2.1.2",
            "virtio_error() in QEMU",
            f"The device sets DEVICE_NEEDS_RESET ({reason}): status {old:#x} -> {new:#x}",
            {
                "old": old,
                "new": new,
                "old_names": status_names(old),
                "new_names": status_names(new),
            },
        )
        if self.status.has(Status.DRIVER_OK):  # §2.1.2 (N5)
            self.interrupts.signal("config", self.interrupts.config_vector, None)

    # -- device-specific configuration (§2.5) -----------------------------------------------
    @property
    def config_size(self) -> int:
        return len(self.backend.config_space())

    def check_config_access(self, offset: int, size: int) -> None:
        if offset < 0 or offset + size > self.config_size:
            raise ConfigError(
                f"device config access at offset {offset}, {size} byte(s), is outside the "
                f"{self.config_size}-byte device configuration space"
            )

    def read_config(self, offset: int, size: int) -> int:
        self.check_config_access(offset, size)  # §2.5.2: allowed in any phase (N14)
        return int.from_bytes(self.backend.config_space()[offset : offset + size], "little")

    def write_config(self, offset: int, size: int, value: int) -> bool:
        self.check_config_access(offset, size)
        if not self.status.features.latched:  # §3.1.1 step 4 (N16)
            self.log.violation(
                16,
                actor="driver",
                detail=f"the driver writes device config offset {offset} before FEATURES_OK; "
                "the device ignores it",
                analog="virtio_config_modern_writeb() in QEMU",
                values={"offset": offset, "value": value},
            )
            return False
        self.backend.write_config(offset, value.to_bytes(size, "little"))
        return True

    def config_changed(self, what: str) -> None:
        """Device-side: the config space changed; bump the generation, tell the driver."""
        self.config_generation = (self.config_generation + 1) & 0xFF  # §2.5.1 / §4.1.4.3
        self._record(
            "config_changed",
            "§2.5",
            "virtio_notify_config() in QEMU",
            f"The device's configuration changes ({what}); config_generation is now "
            f"{self.config_generation}",
            {"generation": self.config_generation},
        )
        if self.status.has(Status.DRIVER_OK):
            self.interrupts.signal("config", self.interrupts.config_vector, None)

    # -- driver notifications (§2.9) -----------------------------------------------------------
    def notify(self, index: int) -> None:
        """The driver kicked queue `index`: run the device type on it, then interrupt."""
        if not self.status.has(Status.DRIVER_OK):  # §3.1.1 (N19)
            self.log.violation(
                19,
                actor="driver",
                detail=f"the driver notifies queue {index} before DRIVER_OK (status "
                f"{status_names(self.device_status)}); the device ignores it",
                analog=_NOTIFY,
                queue=index,
            )
            return
        ring = self.queues.ring(index)
        if ring is None or not ring.usable:
            why = "it is not enabled" if ring is None else "the device needs a reset"
            summary = f"The device ignores a notification for queue {index}: {why}"
            self._record("queue_notify_ignored", "§2.9", _NOTIFY, summary, {}, queue=index)
            return
        summary = f"The device receives a notification: queue {index} has new buffers"
        self._record("queue_notify", "§2.9", _NOTIFY, summary, {}, queue=index)
        self.backend.handle_queue(self, index)
        self.flush_notifications()

    # -- used buffer notifications (§2.3, §2.7.7, §2.8.10) ---------------------------------------
    def notify_queue(self, index: int) -> bool:
        """Interrupt the driver for queue `index` if the ring's suppression allows it."""
        ring = self.live_queue(index)
        if ring is None:
            return False
        ring.pushed_since_notify = 0
        if not ring.should_notify():
            return False
        config = self.queues.config(index)
        assert config is not None
        return self.interrupts.signal("queue", config.msix_vector, index)

    def flush_notifications(self) -> None:
        """Consider an interrupt for every ring with buffers used since its last one."""
        for ring in self.queues.rings():
            if ring.pushed_since_notify:
                self.notify_queue(ring.queue_index)

    def take_interrupts(self) -> list[Interrupt]:
        return self.interrupts.take()

    # -- internals ----------------------------------------------------------------------------
    def _ring_broke(self, index: int, reason: str) -> None:
        self.needs_reset(f"queue {index}: {reason}")

    def _check_offer(self, offered: int) -> None:
        """Device MUSTs about the offer itself (§2.2.2, §6.2): N9, N26, N28."""
        problems: list[tuple[int, str]] = [
            (9, f"the device offers {feature.name} without {' or '.join(needs)}")
            for feature, needs in missing_requirements(offered, self.device_id)
        ]
        if not offered & bit("VIRTIO_F_VERSION_1"):
            problems.append((26, "the device does not offer VIRTIO_F_VERSION_1"))
        if offered & bit("VIRTIO_F_SR_IOV"):
            problems.append((28, "the device offers VIRTIO_F_SR_IOV without an SR-IOV capability"))
        for rule, detail in problems:
            self.log.violation(rule, actor="device", detail=detail, values={"offered": offered})

    def _record(
        self,
        kind: str,
        spec: str,
        analog: str,
        summary: str,
        values: dict[str, Value],
        *,
        queue: int | None = None,
    ) -> None:
        self.log.record(
            kind,
            actor="device",
            plane="notification" if kind.startswith("queue_notify") else "control",
            spec=spec,
            analog=analog,
            summary=summary,
            queue=queue,
            values=values,
        )
